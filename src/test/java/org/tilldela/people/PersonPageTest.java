package org.tilldela.people;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * A person's page (issue 13): who they are, where they belong, their licences, what would be released about them now
 * and what has been — within the account's scope (404 outside it), protected persons masked and every view audited,
 * and the release preview writing nothing to the ledger.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonPageTest extends IntegrationTest {

    private static final String PASSWORD = "person-page-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Catalog catalog;
    @Autowired
    LicencePools pools;
    @Autowired
    ReleasePolicy releasePolicy;

    private ScopedMunicipality m;
    private String everything, schoolA, organiserMasked;
    private Supplier supplier;
    private Product product;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        everything = account("all-" + u, root);
        for (AdminRight right : List.of(AdminRight.DIRECTORY_ADMIN, AdminRight.LICENCE_ADMIN, AdminRight.DATA_PROTECTION_OFFICER,
                AdminRight.VIEW_PROTECTED_IDENTITIES)) {
            grants.grant(root, everything, right, GrantScope.units(Set.of(m.organiser), Set.of()));
        }
        schoolA = account("a-" + u, root);
        grants.grant(root, schoolA, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserMasked = account("masked-" + u, root);
        grants.grant(root, organiserMasked, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));

        // a supplier with a processing agreement for the organiser, a product, and a licence for pupil a1
        jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, 'test')").param("o", m.organiser)
                .param("a", java.util.Arrays.stream(Attribute.values()).map(Enum::name).sorted().toArray(String[]::new)).update();
        supplier = CatalogFixtures.withAgreement(CatalogFixtures.supplier("Förlaget " + u, "SE"), Set.of(m.organiser), LocalDate.now().minusYears(1),
                LocalDate.now().plusYears(1));
        catalog.save(supplier);
        product = CatalogFixtures.digital(supplier, "Matte Direkt " + u, "", List.of("Matematik"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        catalog.save(product);
        UUID pool = pools.create(new NewPool(product.id(), m.organiser, m.organiser, 10, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1), false,
                null, "test"));
        pools.assignDirect(pool, List.of(m.a1), "test");
        // one release recorded in the ledger (as a sign-in would)
        releasePolicy.release(m.a1, product.id(), Channel.SSO_ID_TOKEN);
    }

    private String account(String name, String root) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        return name;
    }

    private long disclosures(UUID person) {
        return jdbc.sql("select count(*) from disclosure where person_id = :p").param("p", person).query(Long.class).single();
    }

    @Test
    void showsWhoTheyAreWhereTheyBelongTheirLicencesWhatWouldGoAndWhatWent() {
        WebSession web = new WebSession(port).signIn(everything, PASSWORD);
        long before = disclosures(m.a1);
        assertThat(before).isEqualTo(1);
        var page = web.page("/directory/persons/" + m.a1 + "?lang=en");
        assertThat(page.status()).isEqualTo(200);
        String body = page.body();
        assertThat(body).contains("Alva " + m.familyA)
                // roles and school units, groups: named and linked on
                .contains("/directory/organisations/" + m.schoolA).contains("A-skolan").contains("Pupil")
                .contains("/directory/groups/" + m.gA).contains("4A ")
                // licences with how each was assigned, linking to the pool
                .contains("Matte Direkt").contains("By hand, pool set up by hand").contains("/licences/persons/" + m.a1)
                // what the release policy would release now, per supplier, in words
                // (without a data-access agreement in force, only the pseudonym goes, on the product's declaration alone)
                .contains("Förlaget").contains("<span>Pseudonymous id</span>").contains("on the product&#39;s declaration only")
                // the ledger's disclosures, linking to the per-person report
                .contains("/ledger/persons/" + m.a1);
        assertThat(body).doesNotContain(m.a1 + "</");
        // the preview released nothing: the ledger holds the one release it held before
        assertThat(disclosures(m.a1)).isEqualTo(before);
        // who holds what about the person was read by the officer: audited, as the ledger's report is
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'VIEW_DISCLOSURE_REPORT' and target_id = :id and actor = :a")
                .param("id", m.a1.toString()).param("a", everything).query(Long.class).single()).isOne();

        // a guardian's page lists the child, and the child's page the guardian, each linking to the other
        assertThat(web.page("/directory/persons/" + m.bGuardian).body()).contains("/directory/persons/" + m.b1).contains(m.familyB + ", Bo");
        assertThat(web.page("/directory/persons/" + m.b1 + "?lang=sv").body()).contains("/directory/persons/" + m.bGuardian)
                .contains("Vårdnadshavare").contains("Dataåtkomst per leverantör");
        assertThat(web.page("/directory/persons/" + m.b1 + "?lang=da").body()).contains("Dataadgang pr. leverandør");
    }

    @Test
    void aPersonOutsideTheScopeIsNotFoundAndTheSectionsFollowTheirRights() {
        WebSession web = new WebSession(port).signIn(schoolA, PASSWORD);
        assertThat(web.page("/directory/persons/" + m.b1).status()).isEqualTo(404);
        assertThat(web.page("/directory/persons/" + m.c1).status()).isEqualTo(404);
        assertThat(web.page("/directory/persons/" + UUID.randomUUID()).status()).isEqualTo(404);
        var own = web.page("/directory/persons/" + m.a1 + "?lang=en");
        assertThat(own.status()).isEqualTo(200);
        // no licence, access or ledger right: those sections say who sees them, and show nothing of them
        assertThat(own.body()).contains("Alva").doesNotContain("Matte Direkt").doesNotContain("Förlaget")
                .contains("Shown to data protection officers for this person.");
    }

    @Test
    void aProtectedPersonIsMaskedAndEveryViewIsAudited() {
        long audited = jdbc.sql("select count(*) from audit_event where action = 'VIEW_PROTECTED_PERSON' and target_id = :id and actor = :a")
                .param("id", m.bProt.toString()).param("a", organiserMasked).query(Long.class).single();
        WebSession web = new WebSession(port).signIn(organiserMasked, PASSWORD);
        var page = web.page("/directory/persons/" + m.bProt + "?lang=en");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Protected person").doesNotContain(m.familyProtected).doesNotContain("Sam ");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'VIEW_PROTECTED_PERSON' and target_id = :id and actor = :a")
                .param("id", m.bProt.toString()).param("a", organiserMasked).query(Long.class).single()).isEqualTo(audited + 1);
        // one who may see protected identities sees the name, and is audited too
        long byOfficer = jdbc.sql("select count(*) from audit_event where action = 'VIEW_PROTECTED_PERSON' and target_id = :id and actor = :a")
                .param("id", m.bProt.toString()).param("a", everything).query(Long.class).single();
        WebSession officer = new WebSession(port).signIn(everything, PASSWORD);
        assertThat(officer.page("/directory/persons/" + m.bProt).body()).contains("Sam " + m.familyProtected);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'VIEW_PROTECTED_PERSON' and target_id = :id and actor = :a")
                .param("id", m.bProt.toString()).param("a", everything).query(Long.class).single()).isEqualTo(byOfficer + 1);
    }

    @Test
    void searchResultsAndGroupMembersLinkToThePersonPage() {
        WebSession web = new WebSession(port).signIn(everything, PASSWORD);
        assertThat(web.page("/directory/search?q=" + m.familyA).body()).contains("href=\"/directory/persons/" + m.a1 + "\"");
        assertThat(web.page("/directory/groups/" + m.gB).body()).contains("href=\"/directory/persons/" + m.b1 + "\"")
                .contains("href=\"/directory/persons/" + m.bProt + "\"");
    }
}
