package org.tilldela.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.Holding;

/**
 * Breach fixes found in review (issue 11): the affected persons follow the scope the data went under, not where persons
 * are placed today; breach times are taken and shown in the organiser's zone, named; an account's linked person names
 * only the units within the viewer's scope.
 */
class BreachFixesTest extends IntegrationTest {

    private static final String PASSWORD = "breach-fixes-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired Catalog catalog;
    @Autowired DisclosureLedger ledger;
    @Autowired Breaches breaches;
    @Autowired DataAccessAgreements agreements;
    @Autowired TransactionTemplate tx;
    @Autowired JdbcClient jdbc;

    private record Setup(ScopedMunicipality m, String root, String provbyDpo, UUID supplier, UUID product) {
    }

    private Setup setup() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String u = m.source.substring(m.source.length() - 8);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String provbyDpo = "dpo-provby-" + m.source;
        accounts.create(provbyDpo, "DPO Provby", PASSWORD, Set.of(), "test");
        grants.grant(root, provbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        UUID supplier = UUID.randomUUID();
        catalog.save(new Supplier(supplier, "Flyttförlaget " + u, "78" + Math.abs(u.hashCode()), "SE", Set.of("SE"), List.of(), List.of(), null));
        UUID product = UUID.randomUUID();
        catalog.save(new Product(product, "MOVE-" + u, supplier, "Flyttboken " + u, "", Product.Kind.DIGITAL, List.of("GR"), List.of("4"),
                List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("10.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                List.of(new Product.DataNeed(Attribute.PSEUDONYMOUS_ID, "Inloggning", 30, Set.of("SE")),
                        new Product.DataNeed(Attribute.GIVEN_NAME, "Inloggning", 30, Set.of("SE")))));
        return new Setup(m, root, provbyDpo, supplier, product);
    }

    private UUID approvedAt(Setup s, UUID organiser) {
        var filed = agreements.file(s.supplier(), new NewDataAccessRequest(s.product(), organiser, AttributePackage.SMALL, Set.of(), "Inloggning",
                "Allmänt intresse", 30), "supplier");
        return agreements.approve(filed.id(), null, null, "school-admin").id();
    }

    @Test
    void theAffectedAreThoseWhoseDataWentUnderTheOrganisersAgreementsWhereverTheyArePlacedToday() {
        Setup s = setup();
        ScopedMunicipality m = s.m();
        UUID provby = approvedAt(s, m.organiser);
        UUID grannby = approvedAt(s, m.otherOrganiser);
        Instant released = Instant.now().minus(Duration.ofDays(10));
        Set<Attribute> sent = Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        tx.executeWithoutResult(t -> ledger.append(List.of(
                new Disclosure(m.a1, s.supplier(), s.product(), Channel.SSO_ID_TOKEN, sent, provby, "art. 6.1 e", "Inloggning", released, 30, null),
                new Disclosure(m.c1, s.supplier(), s.product(), Channel.SSO_ID_TOKEN, sent, grannby, "art. 6.1 e", "Inloggning", released, 30, null))));
        // since then a1 moved away from Provby, and c1 moved in from Grannby
        jdbc.sql("delete from membership where person_id = :p").param("p", m.a1).update();
        jdbc.sql("delete from enrolment where person_id = :p").param("p", m.a1).update();
        jdbc.sql("update enrolment set school_unit_id = :a where person_id = :p").param("a", m.schoolA).param("p", m.c1).update();

        var dpo = UsernamePasswordAuthenticationToken.authenticated(s.provbyDpo(), null, List.of());
        Instant now = Instant.now();
        Breaches.Incident incident = breaches.record(dpo, now.minus(Duration.ofHours(2)), now.minus(Duration.ofDays(30)), now.plus(Duration.ofHours(1)),
                Set.of(s.supplier()), "Flyttade personer");
        List<UUID> affected = breaches.affected(dpo, incident).holdings().stream().map(Holding::personId).toList();
        assertThat(affected).as("a1's data went under Provby's agreement: listed though she moved away").contains(m.a1)
                .as("c1's data went under Grannby's agreement: not Provby's breach though he is placed there now").doesNotContain(m.c1);

        var root = UsernamePasswordAuthenticationToken.authenticated(s.root(), null, List.of());
        assertThat(breaches.affected(root, breaches.incident(root, incident.id()).orElseThrow()).holdings()).extracting(Holding::personId)
                .as("the whole installation: everyone").contains(m.a1, m.c1);
    }

    @Test
    void aSchoolsDataProtectionOfficerSeesThePupilsWhoseDataWentUnderTheOrganisersAgreement() {
        Setup s = setup();
        ScopedMunicipality m = s.m();
        UUID organiserWide = approvedAt(s, m.organiser);
        String schoolDpo = "dpo-school-a-" + m.source;
        accounts.create(schoolDpo, "DPO Skola A", PASSWORD, Set.of(), "test");
        grants.grant(s.root(), schoolDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        Instant released = Instant.now().minus(Duration.ofDays(10));
        Set<Attribute> sent = Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        tx.executeWithoutResult(t -> ledger.append(List.of(
                new Disclosure(m.a1, s.supplier(), s.product(), Channel.SSO_ID_TOKEN, sent, organiserWide, "art. 6.1 e", "Inloggning", released, 30, null),
                new Disclosure(m.b1, s.supplier(), s.product(), Channel.SSO_ID_TOKEN, sent, organiserWide, "art. 6.1 e", "Inloggning", released, 30, null))));

        var dpo = UsernamePasswordAuthenticationToken.authenticated(schoolDpo, null, List.of());
        Instant now = Instant.now();
        Breaches.Incident incident = breaches.record(dpo, now.minus(Duration.ofHours(2)), now.minus(Duration.ofDays(30)), now.plus(Duration.ofHours(1)),
                Set.of(s.supplier()), "Läcka hos förlaget");
        assertThat(breaches.affected(dpo, incident).holdings()).extracting(Holding::personId)
                .as("a1 of school A: her data went under the organiser-wide agreement").contains(m.a1)
                .as("b1 of school B: not this school's to report").doesNotContain(m.b1);
    }

    @Test
    void breachTimesAreTakenAndShownInTheOrganisersZoneNamed() {
        Setup s = setup();
        ZoneId stockholm = ZoneId.of("Europe/Stockholm");
        LocalDateTime discovered = LocalDateTime.now(stockholm).minusHours(3).truncatedTo(ChronoUnit.MINUTES);
        WebSession dpo = new WebSession(port).signIn(s.provbyDpo(), PASSWORD);
        String list = dpo.page("/dpo/breaches").body();
        assertThat(list).contains("Times in the organiser&#39;s time zone, Europe/Stockholm.");
        List<Map.Entry<String, String>> form = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(list, "/dpo/breaches")));
        form.add(Map.entry("discoveredAt", discovered.toString()));
        form.add(Map.entry("suppliers", s.supplier().toString()));
        form.add(Map.entry("periodFrom", discovered.minusDays(7).toString()));
        form.add(Map.entry("periodTo", discovered.toString()));
        form.add(Map.entry("description", "Tidszonstest"));
        WebSession.Answer recorded = dpo.post("/dpo/breaches", form);
        assertThat(recorded.status()).isEqualTo(302);
        String path = recorded.location().replaceFirst("^https?://[^/]+", "");
        long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
        var auth = UsernamePasswordAuthenticationToken.authenticated(s.provbyDpo(), null, List.of());
        Breaches.Incident incident = breaches.incident(auth, id).orElseThrow();
        assertThat(incident.discoveredAt()).as("taken in Stockholm time, not the server's").isEqualTo(discovered.atZone(stockholm).toInstant());
        String shown = discovered.toString().replace('T', ' ');
        String page = dpo.page(path).body();
        assertThat(page).contains("Europe/Stockholm").contains(shown).contains("Discovered: " + shown + " (Europe/Stockholm)");
    }

    @Test
    void anAccountsLinkedPersonNamesOnlyTheUnitsWithinTheViewersScope() {
        Setup s = setup();
        ScopedMunicipality m = s.m();
        String provbyAdmin = "accadm-provby-" + m.source;
        String linked = "linked-" + m.source;
        accounts.create(provbyAdmin, "Kontoadmin Provby", PASSWORD, Set.of(), "test");
        accounts.create(linked, "Tore", PASSWORD, Set.of(), "test");
        grants.grant(s.root(), provbyAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(s.root(), provbyAdmin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(s.root(), linked, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        // Tore teaches at A-skolan (Provby) and also at C-skolan (Grannby)
        jdbc.sql("insert into duty (id, source, source_id, person_id, organisation_id, role, content_hash) values (:id, :s, :sid, :p, :o, 'TEACHER', :h)")
                .param("id", UUID.randomUUID()).param("s", m.source).param("sid", "duty-c-" + m.source).param("p", m.tA).param("o", m.schoolC)
                .param("h", UUID.randomUUID()).update();
        jdbc.sql("update admin_account set person_id = :p where username = :u").param("p", m.tA).param("u", linked).update();
        String schoolA = jdbc.sql("select name from organisation where id = :o").param("o", m.schoolA).query(String.class).single();
        String schoolC = jdbc.sql("select name from organisation where id = :o").param("o", m.schoolC).query(String.class).single();

        String page = new WebSession(port).signIn(provbyAdmin, PASSWORD).page("/admin/accounts/" + linked).body();
        assertThat(page).contains(m.familyA).contains(schoolA).doesNotContain(schoolC);
        String whole = new WebSession(port).signIn(s.root(), PASSWORD).page("/admin/accounts/" + linked).body();
        assertThat(whole).contains(schoolA).contains(schoolC);
    }
}
