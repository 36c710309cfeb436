package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The "every message in Swedish, Danish and English" (issue 13) where the text comes from elsewhere than a
 * template: an import's problems (the readers write English sentences), the adequacy list's notes as it came, a running
 * import's phase and counts; and the civic number called by its name — CPR-nummer for a Dane, personnummer for a Swede.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryLanguageTest extends IntegrationTest {

    private static final String PASSWORD = "every-language-password";

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired AdminAccounts accounts;

    private ScopedMunicipality m;
    private String admin;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        admin = "languages-" + m.source;
        accounts.create(admin, "Alla språk", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        // a Swede (twelve digits) in 4A, a Dane (31 May 1945: no Swedish date) in 4B
        civic(m.a1, "20100101-9804");
        civic(m.b1, "310545-1234");
    }

    private void civic(UUID person, String number) {
        jdbc.sql("update person set civic_number = :c where id = :p").param("c", number).param("p", person).update();
    }

    private UUID run(String status, String phase, long done, long total, String problems) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into import_run (id, source, format, mode, status, requested_by, phase, progress_done, progress_total, problems, input_name)
                        values (:id, :s, 'ONEROSTER', 'FULL', :status, 'test', :phase, :done, :total, cast(:problems as jsonb), 'kommun.zip')
                        """).param("id", id).param("s", m.source).param("status", status).param("phase", phase).param("done", done)
                .param("total", total).param("problems", problems).update();
        return id;
    }

    @Test
    void anImportsProblemsAreWordedInTheReadersLanguage() {
        UUID failed = run("FAILED", "check", 0, 0, """
                [{"file": "users.csv", "line": 3, "column": "familyName", "reason": "a value is required"},
                 {"file": "users.csv", "line": 4, "column": "birthDate", "reason": "'2010-13-01' is not a date (YYYY-MM-DD)"},
                 {"file": "enrollments.csv", "line": 9, "column": "classSourcedId", "reason": "refers to 'c-9z', which is not in classes.csv"},
                 {"file": "users.csv", "line": 5, "column": "x", "reason": "something no reader says"}]""");
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.get("/imports/" + failed + "?lang=da").body()).contains("en værdi er påkrævet").contains("&#39;2010-13-01&#39; er ikke en dato")
                .contains("henviser til &#39;c-9z&#39;, som ikke er i classes.csv").contains("something no reader says")
                .doesNotContain("a value is required");
        assertThat(web.get("/imports/" + failed + "?lang=sv").body()).contains("ett värde krävs").contains("som inte finns i classes.csv");
        assertThat(web.get("/imports/" + failed + "?lang=en").body()).contains("a value is required");
    }

    @Test
    void aRunningImportShowsItsPhaseAndCountsAndALinkToLookAgain() {
        UUID running = run("RUNNING", "memberships", 12000, 40000, null);
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String page = web.get("/imports/" + running + "?lang=sv").body();
        assertThat(page).contains("gruppmedlemskap").contains("12\u00a0000 av 40\u00a0000 poster").contains("href=\"/imports/" + running + "\"")
                .contains("Ladda om").contains("hx-trigger=\"every 1s\"");
        // a reader's phase the page has no word for (a file name) is shown as it is; counts without a total as far as they go
        jdbc.sql("update import_run set phase = 'users.csv + orgs.csv', progress_total = 0 where id = :id").param("id", running).update();
        assertThat(web.get("/imports/" + running + "?lang=en").body()).contains("users.csv + orgs.csv").contains("12,000 records so far");
    }

    @Autowired org.tilldela.directory.importing.ImportRuns imports;

    /**
     * Live progress of a real run: the phase and its counts reach the page as the reader goes, once per ten thousand
     * records (not per record, nor by the clock); a file read by its bytes says how many records it has read of about how many.
     */
    @Test
    void aRunningImportsCountsAdvanceOncePerTenThousandRecords() throws Exception {
        String source = "progress-" + m.source;
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Supplier<String> look = () -> {
            UUID id = jdbc.sql("select id from import_run where source = :s").param("s", source).query(UUID.class).single();
            String page = web.get("/imports/" + id + "?lang=en").body();
            java.util.regex.Matcher counts = java.util.regex.Pattern.compile("<p class=\"counts\">([^<]*)</p>").matcher(page);
            java.util.regex.Matcher phase = java.util.regex.Pattern.compile("<span class=\"phase\">([^<]*)</span>").matcher(page);
            return (phase.find() ? phase.group(1) : "?") + " | " + (counts.find() ? counts.group(1) : "");
        };
        UUID run = imports.submit("ONEROSTER", new org.tilldela.directory.importing.ImportOptions(source, false, "test"), "kommun.zip",
                () -> new org.tilldela.directory.importing.SnapshotReader() {
                    @Override
                    public String sourceKind() {
                        return "ONEROSTER";
                    }

                    @Override
                    public void read(org.tilldela.directory.importing.StagedSnapshot stage, org.tilldela.directory.importing.ImportProgress progress) {
                        // users.csv: a million bytes, records told a thousand at a time as the reader does
                        progress.phase("users.csv", 1_000_000);
                        progress.records(0);
                        seen.add(look.get());
                        progress.advance(290_000);
                        for (int i = 0; i < 9; i++) {
                            progress.records(1_000);
                        }
                        seen.add(look.get()); // 9,000 records: not yet written
                        progress.advance(10_000);
                        progress.records(1_000);
                        seen.add(look.get()); // 10,000 records in 300,000 bytes: about 33,333 in the file
                        // a phase counted in records itself
                        progress.phase("memberships", 40_000);
                        progress.advance(9_999);
                        seen.add(look.get());
                        progress.advance(1);
                        seen.add(look.get());
                    }
                });
        for (int i = 0; i < 600 && jdbc.sql("select status from import_run where id = :id").param("id", run).query(String.class).single()
                .matches("QUEUED|RUNNING"); i++) {
            Thread.sleep(50);
        }
        assertThat(seen).containsExactly("users.csv | ", "users.csv | ", "users.csv | 10,000 of about 33,333 records", "group memberships | 0 of 40,000 records",
                "group memberships | 10,000 of 40,000 records");
    }

    @Test
    void theAdequacyListsNotesAsTheyCameAreInTheReadersLanguage() {
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.get("/purchase/adequacy?lang=sv").body()).contains("Endast organisationer som är certifierade enligt EU-US Data Privacy Framework.")
                .contains("USA");
        assertThat(web.get("/purchase/adequacy?lang=da").body()).contains("Kun kommercielle organisationer (omfattet af PIPEDA).");
    }

    @Test
    void theDanishPagesSayCprNummerForADaneAndPersonnummerForASwede() {
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String swede = web.get("/directory/persons/" + m.a1 + "?lang=da").body();
        assertThat(swede).contains("Personnummer (svensk)").contains("20100101-****").doesNotContain("CPR-nummer");
        String dane = web.get("/directory/persons/" + m.b1 + "?lang=da").body();
        assertThat(dane).contains("CPR-nummer").contains("310545-****").doesNotContain("Personnummer");
        // a group's column: what each shown number is
        assertThat(web.get("/directory/groups/" + m.gA + "?lang=da").body()).contains("Personnummer (svensk)");
        assertThat(web.get("/directory/groups/" + m.gB + "?lang=da").body()).contains(">CPR-nummer<");
        assertThat(web.get("/ledger/persons/" + m.b1 + "?lang=da").body()).contains("CPR-nummer").doesNotContain("Personnummer");
        assertThat(web.get("/ledger/persons/" + m.a1 + "?lang=sv").body()).contains("Personnummer");
    }
}
