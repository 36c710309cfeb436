package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/** Audit trail search for the AUDITOR and the data protection officer: within scope, paged, exported; read-only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditSearchTest extends IntegrationTest {

    private static final String PASSWORD = "audit-search-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private ScopedMunicipality m;
    private String root, auditorA, dpo, buyer, action;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        root = account("root", EnumSet.allOf(AdminRight.class));
        auditorA = account("auditor-a", Set.of());
        dpo = account("dpo", Set.of());
        buyer = account("buyer", Set.of(AdminRight.BUYER));
        grants.grant(root, auditorA, AdminRight.AUDITOR, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, dpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.wholeInstallationScope());
        action = "TEST_" + m.source.substring(m.source.length() - 8).toUpperCase();
        // 55 events about pupil a1 (school A), 1 about b1 (school B), 1 about an account
        for (int i = 0; i < 55; i++) {
            audit.record("actor-" + m.source, action, "person", m.a1.toString(), Map.of("n", i));
        }
        audit.record("actor-" + m.source, action, "person", m.b1.toString(), Map.of());
        audit.record("actor-" + m.source, action, "admin_account", "someone", Map.of());
    }

    private String account(String prefix, Set<AdminRight> rights) {
        String name = prefix + "-" + m.source;
        accounts.create(name, "Test " + prefix, PASSWORD, rights, "test");
        return name;
    }

    @Test
    void anAuditorSearchesWithinItsScopeOnlyInPages() {
        WebSession auditor = new WebSession(port).signIn(auditorA, PASSWORD);
        String first = auditor.page("/admin/audit?lang=en&action=" + action).body();
        // school A's pupil only: not school B's, not the account event (no place in a unit)
        assertThat(first).contains("55 events").contains(m.a1.toString()).doesNotContain(m.b1.toString()).doesNotContain(">someone<");
        assertThat(first).contains("Page 1 of 2");
        String second = auditor.page("/admin/audit?lang=en&action=" + action + "&page=1").body();
        assertThat(second).contains("Page 2 of 2");
        assertThat(rows(first)).isEqualTo(50);
        assertThat(rows(second)).isEqualTo(5);
        // a record outside the scope is not found by its id either
        assertThat(auditor.page("/admin/audit?lang=en&targetId=" + m.b1).body()).contains("No events");
        // the export: the same events
        WebSession.Answer csv = auditor.get("/admin/audit/audit.csv?action=" + action);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body().lines().filter(l -> l.contains(action)).count()).isEqualTo(55);
        // taking the trail away is itself in the trail: how many rows, which filters (not their values)
        assertThat(jdbc.sql("select detail::text from audit_event where action = 'EXPORT_AUDIT_TRAIL' and actor = :a").param("a", auditorA)
                .query(String.class).single()).contains("\"rows\": 55").contains("\"filters\": [\"action\"]");
        // read-only: the auditor sees no directory record
        assertThat(auditor.page("/directory").status()).isEqualTo(403);
    }

    @Test
    void aWholeInstallationOfficerSeesEveryEventAndOthersNone() {
        WebSession officer = new WebSession(port).signIn(dpo, PASSWORD);
        String page = officer.page("/admin/audit?lang=en&actor=actor-" + m.source + "&targetType=admin_account").body();
        assertThat(page).contains("One event").contains("someone");
        assertThat(officer.page("/admin/audit?lang=en&action=" + action + "&targetId=" + m.b1).body()).contains("One event");
        assertThat(new WebSession(port).signIn(buyer, PASSWORD).page("/admin/audit").status()).isEqualTo(403);
    }

    @Test
    void aBroadSearchCountsOnlySoFarPastThePageAndStillPagesOn() {
        // more events than are counted past the first page (the trail of a national installation has hundreds of millions)
        String bulk = "BULK_" + action;
        long events = 50 + AuditTrail.COUNTED_PAST_THE_PAGE + 50;
        jdbc.sql("""
                        insert into audit_event (actor, action, target_type, target_id, detail)
                        select 'bulk-' || :source, :action, 'admin_account', 'account-' || g, '{}'::jsonb from generate_series(1, :n) g""")
                .param("source", m.source).param("action", bulk).param("n", events).update();
        WebSession officer = new WebSession(port).signIn(dpo, PASSWORD);
        String first = officer.page("/admin/audit?lang=en&action=" + bulk).body();
        assertThat(first).contains("More than " + String.format(java.util.Locale.ENGLISH, "%,d", 50 + AuditTrail.COUNTED_PAST_THE_PAGE) + " events")
                .contains("<span>Page 1</span>").contains("page=1\"");
        assertThat(rows(first)).isEqualTo(50);
        // a page further on counts further: here to the end, and says so
        String second = officer.page("/admin/audit?lang=en&action=" + bulk + "&page=1").body();
        assertThat(second).contains(String.format(java.util.Locale.ENGLISH, "%,d events", events)).contains("Page 2 of " + (events + 49) / 50);
        String swedish = officer.page("/admin/audit?lang=sv&action=" + bulk).body();
        assertThat(swedish).contains("Fler än").contains("Sida 1<");
    }

    private static long rows(String page) {
        return page.lines().filter(l -> l.contains("<th scope=\"row\">")).count();
    }
}
