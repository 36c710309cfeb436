package org.tilldela.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The data protection officer's desk: each count within the caller's scope and its list showing the same
 * records; who may see it at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DpoDeskTest extends IntegrationTest {

    private static final String PASSWORD = "dpo-desk-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    Catalog catalog;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.tilldela.directory.importing.ImportRuns imports;
    @Autowired
    org.tilldela.licensing.LicencePools pools;
    @Autowired
    org.tilldela.access.DataAccessAgreements access;

    private ScopedMunicipality m;
    private String root, provbyDpo, grannbyDpo, accountAdmin, buyer;
    private String covered, uncovered;
    private UUID request;

    @BeforeAll
    void setUp() throws Exception {
        m = new ScopedMunicipality(jdbc);
        root = account("root", EnumSet.allOf(AdminRight.class));
        provbyDpo = account("dpo-provby", Set.of());
        grannbyDpo = account("dpo-grannby", Set.of());
        accountAdmin = account("accounts", Set.of());
        buyer = account("buyer", Set.of(AdminRight.BUYER));
        grants.grant(root, provbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, grannbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
        grants.grant(root, accountAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.wholeInstallationScope());

        // one supplier with an agreement for Provby ending in 30 days, processing in a third country without an adequacy
        // decision through a sub-processor; one with no agreement at all
        String u = m.source.substring(m.source.length() - 8);
        covered = "Täckt förlag " + u;
        uncovered = "Oavtalat förlag " + u;
        catalog.save(new Supplier(UUID.randomUUID(), covered, "55" + Math.abs(u.hashCode()), "SE", Set.of("SE"),
                List.of(new Supplier.SubProcessor("Moln " + u, "CN", "hosting")),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-" + u + ".pdf", LocalDate.now().minusYears(1), LocalDate.now().plusDays(30),
                        Set.of(m.organiser))), null));
        catalog.save(new Supplier(UUID.randomUUID(), uncovered, "66" + Math.abs(u.hashCode()), "SE", Set.of("SE"), List.of(), List.of(), null));

        // looks at protected persons: one in Provby, one (a made-up id) nowhere in Provby
        audit.record("viewer-" + u, "VIEW_PROTECTED_PERSON", "person", m.bProt.toString(), java.util.Map.of());
        audit.record("viewer-" + u, "VIEW_PROTECTED_PERSON", "person", m.c1.toString(), java.util.Map.of());

        // a supplier's pending request for data at Provby
        var fx = new org.tilldela.access.AccessFixture(imports, jdbc, catalog, pools, 60);
        request = access.file(fx.supplierId, new org.tilldela.access.NewDataAccessRequest(fx.productId, m.organiser,
                org.tilldela.access.AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier").id();
    }

    private String account(String prefix, Set<AdminRight> rights) {
        String name = prefix + "-" + m.source;
        accounts.create(name, "Test " + prefix, PASSWORD, rights, "test");
        return name;
    }

    private WebSession as(String account) {
        return new WebSession(port).signIn(account, PASSWORD);
    }

    private static long count(String overview, String slug) {
        Matcher row = Pattern.compile("href=\"/dpo/" + slug + "\"[^<]*</a>\\s*</th>\\s*<td class=\"num\">(\\d+)</td>").matcher(overview);
        assertThat(row.find()).as("a count for " + slug).isTrue();
        return Long.parseLong(row.group(1));
    }

    @Test
    void countsAndListsAreWithinTheOfficersScope() {
        WebSession provby = as(provbyDpo);
        String overview = provby.page("/dpo?lang=en").body();
        assertThat(overview).contains("Suppliers without a valid processing agreement");

        String noAgreement = provby.page("/dpo/no-agreement").body();
        assertThat(noAgreement).contains(uncovered).doesNotContain(covered);
        assertThat(provby.page("/dpo/agreements-expiring").body()).contains(covered).doesNotContain(uncovered);
        assertThat(provby.page("/dpo/third-country").body()).contains(covered).contains("CN").doesNotContain(uncovered);
        String views = provby.page("/dpo/protected-views").body();
        assertThat(views).contains(m.bProt.toString()).doesNotContain(m.c1.toString());
        // the counts are the lists' lengths (other tests' suppliers count too: compared, not fixed)
        assertThat(count(overview, "no-agreement")).isEqualTo(rows(noAgreement));
        assertThat(count(overview, "protected-views")).isEqualTo(rows(views));
        assertThat(provby.page("/dpo/pending-requests").body()).contains("/access/requests/" + request);
        // the overdue deletions are counted and listed within scope (the ledger's query): the count is the list's length
        assertThat(overview).contains("href=\"/dpo/overdue-deletions\"").doesNotContain("Whole installation only");
        assertThat(count(overview, "overdue-deletions")).isEqualTo(rows(provby.page("/dpo/overdue-deletions").body()));

        // Grannby's officer: the Provby agreement covers nothing of theirs
        WebSession grannby = as(grannbyDpo);
        assertThat(grannby.page("/dpo/no-agreement").body()).contains(uncovered).contains(covered);
        assertThat(grannby.page("/dpo/agreements-expiring").body()).doesNotContain(covered);
        assertThat(grannby.page("/dpo/protected-views").body()).contains(m.c1.toString()).doesNotContain(m.bProt.toString());
        assertThat(grannby.page("/dpo/pending-requests").body()).doesNotContain("/access/requests/" + request);

        // a whole-installation account administrator sees everything, overdue deletions included
        WebSession admin = as(accountAdmin);
        String all = admin.page("/dpo").body();
        assertThat(all).contains("href=\"/dpo/overdue-deletions\"");
        String allViews = admin.page("/dpo/protected-views").body();
        assertThat(allViews).contains(m.bProt.toString()).contains(m.c1.toString());
        // the CSV carries the same rows
        WebSession.Answer csv = admin.get("/dpo/no-agreement.csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).contains(uncovered).doesNotContain(covered);
        // and taking it away is audited, as every export is
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'EXPORT_DPO_LIST' and actor = :a and target_id = 'no-agreement'")
                .param("a", accountAdmin).query(Long.class).single()).isOne();
    }

    private static long rows(String page) {
        return Pattern.compile("<tr>\\s*<th scope=\"row\">").matcher(page).results().count();
    }

    @Test
    void onlyTheOfficerAndWholeInstallationAdministratorsSeeTheDesk() {
        assertThat(as(buyer).page("/dpo").status()).isEqualTo(403);
        assertThat(as(buyer).page("/dpo/protected-views").status()).isEqualTo(403);
        // an account administrator over a unit only is not a whole-installation administrator
        String unitAdmin = account("unit-accounts", Set.of());
        grants.grant(root, unitAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(as(unitAdmin).page("/dpo").status()).isEqualTo(403);
        assertThat(as(provbyDpo).page("/dpo/no-such-list").status()).isEqualTo(404);
    }
}
