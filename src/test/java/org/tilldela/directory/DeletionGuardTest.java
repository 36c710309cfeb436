package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tilldela.WebSession;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.importing.MassRemovalBlockedException;
import org.tilldela.directory.oneroster.OneRosterReader;

/** The accidental-deletion guard: removing more than 10% of a source's persons needs an explicit yes. */
class DeletionGuardTest extends DirectoryImportTestSupport {

    @org.springframework.boot.test.web.server.LocalServerPort int port;
    @org.springframework.beans.factory.annotation.Autowired org.tilldela.governance.AdminAccounts accounts;

    private String source;
    private OneRosterPackage pkg;

    /** 30 persons: the 13 of the small package and 17 more pupils. */
    @BeforeEach
    void importThirtyPersons() {
        source = newSource("guard");
        pkg = OneRosterPackage.small().addPupils(17);
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        assertThat(count("person", source)).isEqualTo(30);
    }

    @Test
    void removingMoreThanTenPercentIsStoppedAndChangesNothing() {
        removePupils(4); // 13.3%
        Path zip = pkg.writeV11(tmp.resolve("day2.zip"));
        Map<String, String> before = state(source);

        Throwable thrown = catchThrowable(() -> importZip(source, zip));

        assertThat(thrown).isInstanceOf(MassRemovalBlockedException.class);
        MassRemovalBlockedException e = (MassRemovalBlockedException) thrown;
        assertThat(e.wouldRemove()).isEqualTo(4);
        assertThat(e.current()).isEqualTo(30);
        assertThat(e.getMessage()).contains("remove 4 of 30 persons").contains("--allow-mass-removal");
        assertThat(state(source)).isEqualTo(before);
        ImportRuns.Run run = latestRun(source);
        assertThat(run.status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        assertThat(run.wouldRemove()).isEqualTo(4);

        // The same file with mass removal allowed is applied.
        ImportSummary summary = importZip(source, zip, true);

        assertThat(summary.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 4, 26));
        assertThat(count("person", source)).isEqualTo(26);
        assertThat(journal(summary.runId())).filteredOn(c -> c.kind().equals("PERSON_LEFT")).hasSize(4);
        assertThat(latestRun(source).status()).isEqualTo(ImportRuns.Status.SUCCEEDED);
    }

    @Test
    void removingLessThanTenPercentPasses() {
        removePupils(2); // 6.7%

        ImportSummary summary = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        assertThat(summary.entities().get("persons").removed()).isEqualTo(2);
        assertThat(count("person", source)).isEqualTo(28);
    }

    @Test
    void removingExactlyTenPercentPasses() {
        removePupils(3); // 10%: the guard stops only at more than 10%

        ImportSummary summary = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        assertThat(summary.entities().get("persons").removed()).isEqualTo(3);
        assertThat(count("person", source)).isEqualTo(27);
    }

    @Test
    void anEmptySnapshotIsStoppedToo() {
        pkg.users.removeIf(u -> true);
        pkg.enrollments.clear();
        Map<String, String> before = state(source);

        Throwable thrown = catchThrowable(() -> importZip(source, pkg.writeV11(tmp.resolve("empty.zip"))));

        assertThat(thrown).isInstanceOf(MassRemovalBlockedException.class);
        assertThat(((MassRemovalBlockedException) thrown).wouldRemove()).isEqualTo(30);
        assertThat(state(source)).isEqualTo(before);
    }

    @Test
    void anAdministratorApprovesAHeldImport() throws Exception {
        removePupils(5);
        Path stored = Files.copy(pkg.writeV11(tmp.resolve("day2.zip")), tmp.resolve("stored.zip"));
        Map<String, String> before = state(source);

        UUID held = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "day2.zip",
                path -> new OneRosterReader(path, "day2.zip"));
        ImportRuns.Run heldRun = awaitFinished(held);

        assertThat(heldRun.status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        assertThat(heldRun.wouldRemove()).isEqualTo(5);
        assertThat(stored).as("the input is kept for the approval").exists();
        assertThat(state(source)).isEqualTo(before);

        UUID approved = importRuns.approveMassRemoval(held, "test-admin", path -> new OneRosterReader(path, "day2.zip"));
        ImportRuns.Run approvedRun = awaitFinished(approved);

        assertThat(approvedRun.status()).isEqualTo(ImportRuns.Status.SUCCEEDED);
        assertThat(approvedRun.requestedBy()).isEqualTo("test-admin");
        assertThat(count("person", source)).isEqualTo(25);
        assertThat(importRuns.find(held).orElseThrow().status()).isNotEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        assertThatThrownBy(() -> importRuns.approveMassRemoval(held, "test-admin", path -> new OneRosterReader(path, "day2.zip")))
                .as("a run is approved once").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theApproverSeesWhoWouldBeRemovedPerSchoolAndByNameAndMustConfirm() throws Exception {
        removePupils(5);
        Path stored = Files.copy(pkg.writeV11(tmp.resolve("day2.zip")), tmp.resolve("shown.zip"));
        UUID held = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "day2.zip",
                path -> new OneRosterReader(path, "day2.zip"));
        assertThat(awaitFinished(held).status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);

        ImportRuns.RemovalPreview preview = importRuns.removalPreview(held).orElseThrow();
        assertThat(preview.byUnit()).extracting(u -> u.persons()).as("every one of them counted once").containsExactly(5);
        String school = preview.byUnit().getFirst().unitName();
        assertThat(school).as("pupils are counted at their school").isNotNull();
        assertThat(jdbc.sql("select source_id from person where id = any(:ids)").param("ids", preview.first().toArray(UUID[]::new))
                .query(String.class).list()).containsExactlyInAnyOrder("x1", "x2", "x3", "x4", "x5");
        String family = jdbc.sql("select family_name from person where source = :s and source_id = 'x1'").param("s", source).query(String.class).single();

        String admin = "guard-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Guard", "deletion-guard-password-1", java.util.EnumSet.of(org.tilldela.governance.AdminRight.DIRECTORY_ADMIN), "test");
        WebSession web = new WebSession(port).signIn(admin, "deletion-guard-password-1");
        String page = web.get("/imports/" + held + "?lang=en").body();
        assertThat(page).contains("Who would be removed, per school unit", org.springframework.web.util.HtmlUtils.htmlEscape(school),
                org.springframework.web.util.HtmlUtils.htmlEscape(family), "The 5 persons, by name", "type=\"checkbox\" id=\"confirmed\"");

        // approving without ticking the box removes nobody
        Map<String, String> form = WebSession.hiddenFields(page, "/imports/" + held + "/approve");
        WebSession.Answer refused = web.post("/imports/" + held + "/approve", form);
        assertThat(refused.location()).endsWith("/imports/" + held + "?confirm");
        assertThat(importRuns.find(held).orElseThrow().status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        assertThat(web.get("/imports/" + held + "?confirm&lang=en").body()).contains("Nothing was removed: tick the box");

        // the API asks the same: who (counts per unit, ids), and the number confirmed before anything is removed
        org.springframework.web.client.RestClient api = org.springframework.web.client.RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultHeaders(h -> h.setBasicAuth(admin, "deletion-guard-password-1"))
                .defaultStatusHandler(org.springframework.http.HttpStatusCode::isError, (req, res) -> { }).build();
        var removal = api.get().uri("/api/v1/imports/{id}/removal", held).retrieve().toEntity(String.class);
        assertThat(removal.getStatusCode().value()).isEqualTo(200);
        assertThat(removal.getBody()).contains(preview.first().getFirst().toString(), "\"persons\":5");
        assertThat(api.post().uri("/api/v1/imports/{id}/approve", held).retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(400);
        assertThat(api.post().uri("/api/v1/imports/{id}/approve?confirm=4", held).retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(400);
        assertThat(importRuns.find(held).orElseThrow().status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);

        Map<String, String> confirmed = new java.util.HashMap<>(form);
        confirmed.put("confirmed", "true");
        WebSession.Answer approved = web.post("/imports/" + held + "/approve", confirmed);
        assertThat(approved.location()).contains("/imports/").doesNotContain(held.toString());
        UUID run = UUID.fromString(approved.location().substring(approved.location().lastIndexOf('/') + 1));
        assertThat(awaitFinished(run).status()).isEqualTo(ImportRuns.Status.SUCCEEDED);
        assertThat(importRuns.removalPreview(held)).as("the ids are not kept once it is decided").isEmpty();
        assertThat(jdbc.sql("select removal_persons is null from import_run where id = :id").param("id", held).query(Boolean.class).single())
                .isTrue();
    }

    @Test
    void aHeldImportCannotBeApprovedAfterANewerImportOfItsSource() throws Exception {
        removePupils(5);
        Path stored = Files.copy(pkg.writeV11(tmp.resolve("day2.zip")), tmp.resolve("stale.zip"));
        UUID held = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "day2.zip",
                path -> new OneRosterReader(path, "day2.zip"));
        assertThat(awaitFinished(held).status()).isEqualTo(ImportRuns.Status.AWAITING_APPROVAL);
        // The next day's export is fine again and imported.
        pkg.addPupils(5);
        importZip(source, pkg.writeV11(tmp.resolve("day3.zip")));
        Map<String, String> before = state(source);

        assertThatThrownBy(() -> importRuns.approveMassRemoval(held, "test-admin", path -> new OneRosterReader(path, "day2.zip")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("imported since");
        assertThat(state(source)).isEqualTo(before);
        assertThat(importRuns.find(held).orElseThrow().approvable()).isTrue();
    }

    @Test
    void runsInterruptedByAStopAreMarkedFailedAtStartAndTheirInputRemoved() throws Exception {
        Path input = Files.writeString(tmp.resolve("interrupted.zip"), "never imported");
        UUID run = UUID.randomUUID();
        jdbc.sql("insert into import_run (id, source, format, mode, status, requested_by, input_path, input_name) "
                        + "values (:id, :source, 'ONEROSTER', 'FULL', 'RUNNING', 'test', :path, 'interrupted.zip')")
                .param("id", run).param("source", source).param("path", input.toString()).update();

        importRuns.sweepInterrupted();

        ImportRuns.Run swept = importRuns.find(run).orElseThrow();
        assertThat(swept.status()).isEqualTo(ImportRuns.Status.FAILED);
        assertThat(swept.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("interrupted"));
        assertThat(input).doesNotExist();
    }

    private void removePupils(int n) {
        for (int i = 1; i <= n; i++) {
            pkg.removeUser("x" + i);
        }
    }

    private ImportRuns.Run awaitFinished(UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ImportRuns.Run run = importRuns.find(id).orElseThrow();
            if (run.status() != ImportRuns.Status.QUEUED && run.status() != ImportRuns.Status.RUNNING) {
                return run;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("import run " + id + " did not finish in time");
    }
}
