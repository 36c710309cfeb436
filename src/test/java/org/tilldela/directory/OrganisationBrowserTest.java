package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Counts at every level cover everything below it, however deep the organisation goes. */
class OrganisationBrowserTest extends DirectoryImportTestSupport {

    @Autowired
    OrganisationBrowser browser;

    @Test
    void countsIncludeUnitsBelowIntermediateLevels() {
        String source = newSource("tree");
        OneRosterPackage pkg = OneRosterPackage.small();
        // organiser → area → Ekbacka skola; Lindgymnasiet stays directly under the organiser
        pkg.orgs.add(new OneRosterPackage.Org("area-1", "Norra området", "department", "", "org-0", "", "1980"));
        pkg.orgs.replaceAll(o -> o.id().equals("org-1")
                ? new OneRosterPackage.Org(o.id(), o.name(), o.type(), o.identifier(), "area-1", o.schoolForms(), o.municipalityCode()) : o);
        importZip(source, pkg.writeV11(tmp.resolve("tree.zip")));

        OrganisationBrowser.Organisation organiser = browser.roots().stream().filter(o -> o.source().equals(source)).findFirst().orElseThrow();
        assertThat(organiser.childUnits()).isEqualTo(2);
        assertThat(organiser.pupils()).isEqualTo(8);
        assertThat(organiser.staff()).isEqualTo(3);
        assertThat(organiser.groups()).isEqualTo(5);

        OrganisationBrowser.Organisation area = browser.children(organiser.id()).stream()
                .filter(o -> o.name().equals("Norra området")).findFirst().orElseThrow();
        assertThat(area.kind()).isEqualTo("OTHER");
        assertThat(area.pupils()).isEqualTo(6);
        assertThat(area.groups()).isEqualTo(4);
        assertThat(browser.children(area.id())).singleElement().satisfies(school -> {
            assertThat(school.name()).isEqualTo("Ekbacka skola");
            assertThat(school.pupils()).isEqualTo(6);
            assertThat(browser.ancestry(school.id())).extracting(OrganisationBrowser.UnitName::name)
                    .containsExactly("Provby kommun", "Norra området", "Ekbacka skola");
        });
    }
}
