package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;

/**
 * An organiser's directory administrator imports into its own source, but the package may not add an organisation
 * above its grant (a new organiser): it would lie outside the grant, and the administrator could no longer see, correct
 * or take back the source. A new school under its organiser is within it.
 */
class ScopedImportTest extends DirectoryImportTestSupport {

    private static final String PASSWORD = "scoped-import-password";

    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;

    @Test
    void anOrganisersAdministratorAddsASchoolButNoOrganiserToItsSource() {
        String source = newSource("scoped");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        UUID organiser = jdbc.sql("select id from organisation where source = :s and kind = 'ORGANISER'").param("s", source).query(UUID.class).single();
        String root = "imp-root-" + source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String admin = "imp-org-" + source;
        accounts.create(root, admin, "Organiser's administrator", PASSWORD);
        grants.grant(root, admin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));

        pkg.orgs.add(new OneRosterPackage.Org("org-9", "Nyskolan", "school", "87654321", "org-0", "GR", "1980"));
        runAs(admin, source, pkg.writeV11(tmp.resolve("day2.zip")));
        assertThat(count("organisation", source)).isEqualTo(4);

        pkg.orgs.add(new OneRosterPackage.Org("org-x", "Grannby kommun", "district", "", "", "", "1981"));
        Path day3 = pkg.writeV11(tmp.resolve("day3.zip"));
        Map<String, String> before = state(source);
        assertThatThrownBy(() -> runAs(admin, source, day3)).isInstanceOfSatisfying(ImportRejectedException.class,
                e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.file()).isEqualTo("orgs.csv");
                    assertThat(p.reason()).contains("'org-x'").contains("outside your grant");
                }));
        assertThat(state(source)).as("nothing applied").isEqualTo(before);

        // an administrator over the whole installation imports it
        runAs(root, source, day3);
        assertThat(count("organisation", source)).isEqualTo(5);
    }

    private ImportSummary runAs(String who, String source, Path zip) {
        String name = zip.getFileName().toString();
        return importRuns.runNow("ONEROSTER", new ImportOptions(source, false, who), new OneRosterReader(zip, name), ImportProgress.NONE, name);
    }
}
