package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.TestFiles;
import org.tilldela.WebSession;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.directory.sources.SourceSettingsException;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * A OneRoster package in a watched folder (issue 14): a source picks up a new zip in its folder, imports it and deletes it
 * (or moves it to failed/ when it is refused, where old ones expire); one still being written is left for later; the folder must be under the base
 * directory (the test database's data directory's import-folders), and a path that leads out of it is refused. Synthetic data.
 */
class WatchedFolderSourceTest extends IntegrationTest {

    private static final String PASSWORD = "folder-test-password-1";

    @LocalServerPort
    int port;
    @Autowired
    ImportSources sources;
    @Autowired
    SourceRuns sourceRuns;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    org.tilldela.governance.AdminGrants grants;

    String name;
    Path base;
    Path folder;

    @BeforeEach
    void folder() throws Exception {
        name = "folder-" + UUID.randomUUID().toString().substring(0, 8);
        base = dataDir().resolve("import-folders");
        folder = base.resolve(name);
    }

    @AfterEach
    void stop() {
        for (ImportSources.Source s : sources.list()) {
            if (s.name().equals(name)) {
                sources.delete(s.id(), "test");
            }
        }
    }

    @Test
    void aNewPackageInTheFolderIsImportedAndMovedToDoneARefusedOneToFailedAndOneBeingWrittenWaits() throws Exception {
        UUID id = sources.create(ImportSources.Settings.folder(name, name, 1, null, true), "test", null);
        assertThat(sources.find(id).orElseThrow().folder()).isEqualTo(name);
        Instant t0 = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

        // an empty folder (made at the first look): nothing is imported, nothing fails
        assertThat(sourceRuns.run(id, t0)).isEqualTo(SourceRuns.Result.RAN);
        assertThat(Files.isDirectory(folder)).isTrue();
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isNull();
        assertThat(runs()).isZero();

        Path dropped = settled(TestFiles.zip(folder.resolve("sis-export.zip"), OneRosterPackage.small().v11Files()));
        // a second package still being copied in (just written): left for a later run
        Path writing = TestFiles.zip(folder.resolve("sis-export-2.zip"), OneRosterPackage.small().v11Files());
        assertThat(sourceRuns.run(id, t0.plusSeconds(61))).isEqualTo(SourceRuns.Result.RAN);
        ImportSources.Source after = sources.find(id).orElseThrow();
        assertThat(after.lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(runs()).isOne();
        assertThat(jdbc.sql("select count(*) from person where source = :s").param("s", name).query(Long.class).single()).isGreaterThan(10);
        assertThat(Files.exists(dropped)).isFalse();
        assertThat(Files.exists(folder.resolve("done"))).as("an imported package is deleted: its data is in the directory now").isFalse();
        assertThat(files(folder)).as("nothing left in the folder but the one being written").containsExactly("sis-export-2.zip");
        assertThat(Files.exists(writing)).as("still being written: not touched").isTrue();
        Files.delete(writing);

        // a broken package: refused, moved to failed/, and the source says so until a good one comes
        Map<String, String> broken = OneRosterPackage.small().v11Files();
        broken.put("users.csv", "not,a,oneroster,header\n");
        settled(TestFiles.zip(folder.resolve("broken.zip"), broken));
        // a package refused long ago: past the failed/ retention (7 days), it goes at this run
        Files.createDirectories(folder.resolve("failed"));
        Path old = Files.writeString(folder.resolve("failed").resolve("20200101T000000Z-old.zip"), "old");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(8))));
        assertThat(sourceRuns.run(id, t0.plusSeconds(122))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastFailure()).isEqualTo("REFUSED_DATA");
        assertThat(files(folder.resolve("failed"))).singleElement().satisfies(f -> assertThat(f).endsWith("-broken.zip"));
        assertThat(sourceRuns.run(id, t0.plusSeconds(183))).isEqualTo(SourceRuns.Result.RAN); // empty again: the failure stands
        assertThat(sources.find(id).orElseThrow().lastFailure()).isEqualTo("REFUSED_DATA");

        WebSession browser = new WebSession(port).signIn(admin(), PASSWORD);
        assertThat(browser.page("/imports/sources/" + id).body()).contains("OneRoster package in a watched folder").contains(name)
                .contains("The source sent data Tilldela cannot accept");
    }

    @Test
    void aFolderOutsideTheBaseDirectoryIsRefusedWhenSavedAndALinkLeadingOutIsRefusedAtTheRun() throws Exception {
        for (String outside : List.of("../elsewhere", "/etc", name + "/../../x", "")) {
            assertThatThrownBy(() -> sources.create(ImportSources.Settings.folder(name, outside, 5, null, true), "test", null))
                    .isInstanceOf(SourceSettingsException.class).hasMessageContaining(base.toString());
        }
        assertThat(sources.list()).noneMatch(s -> s.name().equals(name));
        // an absolute path under the base is kept relative to it
        UUID id = sources.create(ImportSources.Settings.folder(name, folder.toString(), 5, null, true), "test", null);
        assertThat(sources.find(id).orElseThrow().folder()).isEqualTo(name);

        // the folder replaced by a link out of the base: refused at the run, and nothing read from there
        Path outside = Files.createTempDirectory("tilldela-outside-");
        settled(TestFiles.zip(outside.resolve("other.zip"), OneRosterPackage.small().v11Files()));
        Files.createDirectories(folder.getParent());
        Files.deleteIfExists(folder);
        Files.createSymbolicLink(folder, outside);
        assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastFailure()).isEqualTo("FOLDER_UNUSABLE");
        assertThat(Files.exists(outside.resolve("other.zip"))).isTrue();
        assertThat(runs()).isZero();

        // the web form says it in the reader's language
        WebSession browser = new WebSession(port).signIn(admin(), PASSWORD);
        browser.page("/imports/sources?lang=sv");
        Map<String, String> fields = WebSession.hiddenFields(browser.page("/imports/sources").body(), "/imports/sources");
        fields.putAll(Map.of("name", name + "-2", "kind", "ONEROSTER_FOLDER", "folder", "../../etc", "deltaMinutes", "5", "enabled", "true"));
        assertThat(browser.post("/imports/sources", fields).body()).contains("Mappen måste ligga under " + base + ", inte någon annanstans.");
    }

    @Test
    void aSourceLastSetUpByAnOrganisersAdministratorAddsNoOrganisationAtTheTopAsTheirUploadCouldNot() throws Exception {
        String root = "root-" + name; // every right over the whole installation
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        UUID id = sources.create(ImportSources.Settings.folder(name, name, 1, null, true), root, null);
        Instant t0 = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        sourceRuns.run(id, t0);
        OneRosterPackage pkg = OneRosterPackage.small();
        settled(TestFiles.zip(folder.resolve("day1.zip"), pkg.v11Files()));
        assertThat(sourceRuns.run(id, t0.plusSeconds(61))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        UUID organiser = jdbc.sql("select id from organisation where source = :s and kind = 'ORGANISER'").param("s", name).query(UUID.class).single();
        long organisations = jdbc.sql("select count(*) from organisation where source = :s").param("s", name).query(Long.class).single();

        // the organiser's own administrator sets the source up anew (its folder, its schedule): its runs are theirs now
        String scoped = "scoped-" + name;
        accounts.create(root, scoped, "Organiser's administrator", PASSWORD);
        grants.grant(root, scoped, AdminRight.DIRECTORY_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(organiser), java.util.Set.of()));
        sources.update(id, ImportSources.Settings.folder(name, name, 2, null, true), scoped, null);
        pkg.orgs.add(new OneRosterPackage.Org("org-x", "Grannby kommun", "district", "", "", "", "1981"));
        settled(TestFiles.zip(folder.resolve("day2.zip"), pkg.v11Files()));
        assertThat(sourceRuns.run(id, t0.plusSeconds(183))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastFailure()).as("refused, as their upload of it would be").isEqualTo("REFUSED_DATA");
        assertThat(jdbc.sql("select count(*) from organisation where source = :s").param("s", name).query(Long.class).single()).isEqualTo(organisations);

        // set up again by an administrator over the whole installation: imported
        sources.update(id, ImportSources.Settings.folder(name, name, 1, null, true), root, null);
        settled(TestFiles.zip(folder.resolve("day3.zip"), pkg.v11Files()));
        assertThat(sourceRuns.run(id, t0.plusSeconds(305))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(jdbc.sql("select count(*) from organisation where source = :s").param("s", name).query(Long.class).single()).isEqualTo(organisations + 1);
    }

    private String admin() {
        String admin = "admin-" + name;
        if (jdbc.sql("select count(*) from admin_account where username = :u").param("u", admin).query(Long.class).single() == 0) {
            accounts.create(admin, "Folder", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        }
        return admin;
    }

    private long runs() {
        return jdbc.sql("select count(*) from import_run where source = :s").param("s", name).query(Long.class).single();
    }

    /** As if copied in a minute ago: past the settle time. */
    private static Path settled(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        return file;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
