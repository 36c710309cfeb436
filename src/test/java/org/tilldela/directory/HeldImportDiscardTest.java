package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;
import org.tilldela.WebSession;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * A run held by the deletion guard can be discarded — on its page and through the API — applying nothing, deleting
 * its kept file, audited; and held runs nobody decides on are discarded after the retention limit, which the import
 * list says.
 */
class HeldImportDiscardTest extends DirectoryImportTestSupport {

    private static final String PASSWORD = "held-import-password-1";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;

    private String source;
    private OneRosterPackage pkg;
    private String admin;

    @BeforeEach
    void importThirtyPersons() {
        source = newSource("held");
        pkg = OneRosterPackage.small().addPupils(17);
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        admin = "held-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Held", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
    }

    @Test
    void anAdministratorDiscardsAHeldImportOnItsPageAndAnotherThroughTheApi() throws Exception {
        UUID held = holdOne();
        Path input = inputOf(held);
        assertThat(input).exists();

        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String page = web.get("/imports/" + held + "?lang=en").body();
        assertThat(page).contains("Discard this import", "discarded after 30 days");
        WebSession.Answer discarded = web.post("/imports/" + held + "/discard", WebSession.hiddenFields(page, "/imports/" + held + "/discard"));
        assertThat(discarded.location()).endsWith("/imports/" + held);

        ImportRuns.Run run = importRuns.find(held).orElseThrow();
        assertThat(run.status()).isEqualTo(ImportRuns.Status.DISCARDED);
        assertThat(run.phase()).isEqualTo(ImportRuns.DISCARDED_BY_ADMINISTRATOR);
        assertThat(input).as("the kept file is deleted").doesNotExist();
        assertThat(count("person", source)).as("nothing applied").isEqualTo(30);
        assertThat(audited(held)).containsExactly(admin);
        assertThat(web.get("/imports?lang=en").body()).contains("discarded by an administrator; nothing of it was applied");
        assertThat(web.get("/imports/" + held + "?lang=sv").body()).contains("kasserad av en administratör");

        // a run no longer held cannot be discarded again, nor approved
        RestClient api = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
        assertThat(api.post().uri("/api/v1/imports/{id}/discard", held).retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(409);
        assertThat(api.post().uri("/api/v1/imports/{id}/approve?confirm=5", held).retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(409);

        UUID second = holdOne();
        var answer = api.post().uri("/api/v1/imports/{id}/discard", second).retrieve().toEntity(String.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(answer.getBody()).contains("\"status\":\"DISCARDED\"");
        assertThat(audited(second)).containsExactly(admin);
        assertThat(count("person", source)).isEqualTo(30);
        assertThat(api.post().uri("/api/v1/imports/{id}/discard", UUID.randomUUID()).retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(404);
    }

    @Test
    void heldImportsOlderThanTheRetentionLimitAreDiscardedAndTheListSaysSo() throws Exception {
        UUID old = holdOne();
        UUID recent = holdOne();
        Path oldInput = inputOf(old);
        jdbc.sql("update import_run set finished_at = now() - interval '31 days' where id = :id").param("id", old).update();

        assertThat(importRuns.discardExpired(Duration.ofDays(30))).isGreaterThanOrEqualTo(1);

        assertThat(importRuns.find(old).orElseThrow().status()).isEqualTo(ImportRuns.Status.DISCARDED);
        assertThat(importRuns.find(old).orElseThrow().phase()).isEqualTo(ImportRuns.DISCARDED_EXPIRED);
        assertThat(oldInput).doesNotExist();
        assertThat(audited(old)).containsExactly("system");
        assertThat(importRuns.find(recent).orElseThrow().status()).as("held for less than 30 days").isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        assertThat(inputOf(recent)).exists();
        assertThat(count("person", source)).isEqualTo(30);

        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.get("/imports?lang=en").body()).contains("discarded after 30 days without a decision; nothing of it was applied");
        assertThat(web.get("/imports?lang=da").body()).contains("kasseret efter 30 dage uden beslutning");
    }

    /** An upload removing 5 of the 30 persons (more than the guard's 10%): held, its file kept. */
    private UUID holdOne() throws Exception {
        OneRosterPackage day2 = OneRosterPackage.small().addPupils(17);
        for (int i = 1; i <= 5; i++) {
            day2.removeUser("x" + i);
        }
        Path stored = Files.copy(day2.writeV11(tmp.resolve(UUID.randomUUID() + ".zip")), tmp.resolve(UUID.randomUUID() + "-kept.zip"));
        UUID run = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "day2.zip", path -> new OneRosterReader(path, "day2.zip"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (importRuns.find(run).orElseThrow().status() != ImportRuns.Status.AWAITING_APPROVAL) {
            assertThat(System.nanoTime()).as("held within a minute: " + importRuns.find(run).orElseThrow()).isLessThan(deadline);
            Thread.sleep(50);
        }
        return run;
    }

    private Path inputOf(UUID run) {
        return Path.of(jdbc.sql("select input_path from import_run where id = :id").param("id", run).query(String.class).single());
    }

    private java.util.List<String> audited(UUID run) {
        return jdbc.sql("select actor from audit_event where action = 'IMPORT_DISCARDED' and target_id = :id").param("id", run.toString())
                .query(String.class).list();
    }
}
