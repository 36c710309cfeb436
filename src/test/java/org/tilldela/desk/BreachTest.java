package org.tilldela.desk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;

/**
 * Breach support: an officer records an incident at a supplier; its page shows the 72-hour clock, the persons within
 * the officer's scope whose data the supplier held in the period (from the ledger) and what, the list as CSV, and a
 * draft notification in sv/da/en with the count filled in; another organiser's officer gets 404.
 */
class BreachTest extends IntegrationTest {

    private static final String PASSWORD = "breach-desk-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    Catalog catalog;
    @Autowired
    DisclosureLedger ledger;
    @Autowired
    Breaches breaches;
    @Autowired
    AuditTrail audit;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    JdbcClient jdbc;

    private static String local(Instant at) {
        return LocalDateTime.ofInstant(at, ZoneId.systemDefault()).truncatedTo(ChronoUnit.MINUTES).toString();
    }

    @Test
    void anIncidentListsWhoTheRecipientHeldDataAboutWithinScopeAndDraftsTheNotification() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String u = m.source.substring(m.source.length() - 8);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String provbyDpo = "dpo-provby-" + m.source;
        String grannbyDpo = "dpo-grannby-" + m.source;
        accounts.create(provbyDpo, "DPO Provby", PASSWORD, Set.of(), "test");
        accounts.create(grannbyDpo, "DPO Grannby", PASSWORD, Set.of(), "test");
        grants.grant(root, provbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, grannbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));

        UUID supplier = UUID.randomUUID();
        catalog.save(new Supplier(supplier, "Läckande förlag " + u, "77" + Math.abs(u.hashCode()), "SE", Set.of("SE"), List.of(), List.of(), null));
        UUID product = UUID.randomUUID();
        catalog.save(new Product(product, "BREACH-" + u, supplier, "Läckboken " + u, "", Product.Kind.DIGITAL, List.of("GR"), List.of("4"), List.of("Svenska"),
                Product.LicenceModel.PER_USER, 12, new BigDecimal("10.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT, List.of()));
        // the supplier received names of a1 (Provby, school A) and b1 (Provby, school B), and of c1 (Grannby)
        Instant released = Instant.now().minus(Duration.ofDays(10));
        tx.executeWithoutResult(s -> ledger.append(List.of(
                new Disclosure(m.a1, supplier, product, Channel.SSO_ID_TOKEN, Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME), null, "art. 6.1 e",
                        "Inloggning", released, 30, null),
                new Disclosure(m.b1, supplier, product, Channel.SSO_ID_TOKEN, Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME),
                        null, "art. 6.1 e", "Inloggning", released, 30, null),
                new Disclosure(m.c1, supplier, product, Channel.SSO_ID_TOKEN, Set.of(Attribute.PSEUDONYMOUS_ID), null, "art. 6.1 e", "Inloggning", released, 30,
                        null))));

        WebSession dpo = new WebSession(port).signIn(provbyDpo, PASSWORD);
        String list = dpo.page("/dpo/breaches").body();
        assertThat(list).contains("Record an incident").contains("Läckande förlag " + u);
        Instant now = Instant.now();
        List<Map.Entry<String, String>> form = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(list, "/dpo/breaches")));
        form.add(Map.entry("discoveredAt", local(now.minus(Duration.ofHours(10)))));
        form.add(Map.entry("suppliers", supplier.toString()));
        form.add(Map.entry("periodFrom", local(now.minus(Duration.ofDays(30)))));
        form.add(Map.entry("periodTo", local(now.plus(Duration.ofHours(1)))));
        form.add(Map.entry("description", "Inloggningsuppgifter låg öppna i en logg " + u));
        WebSession.Answer recorded = dpo.post("/dpo/breaches", form);
        assertThat(recorded.status()).isEqualTo(302);
        String incidentPath = recorded.location().replaceFirst("^https?://[^/]+", "");
        String page = dpo.follow(recorded).body();
        assertThat(page).contains("The incident is recorded").contains("hours left to notify the supervisory authority")
                .contains("Persons affected: 2").contains(m.a1.toString()).contains(m.b1.toString()).doesNotContain(m.c1.toString())
                .contains("Läckande förlag " + u + ": 2").contains("Given name: 2").contains("Family name: 1")
                .contains("Number of data subjects concerned: 2");
        assertThat(dpo.page(incidentPath + "?draft=sv").body()).contains("Antal berörda registrerade: 2").contains("Inloggningsuppgifter låg öppna");
        assertThat(dpo.page(incidentPath + "?draft=da").body()).contains("Antal berørte registrerede: 2");
        String csv = dpo.get(incidentPath + "/affected.csv").body();
        assertThat(csv).contains("person,supplier").contains(m.a1.toString()).contains(m.b1.toString()).doesNotContain(m.c1.toString())
                .contains("FAMILY_NAME");
        String id = incidentPath.substring(incidentPath.lastIndexOf('/') + 1);
        assertThat(audit.about("breach_incident", id)).extracting(AuditTrail.Entry::action).contains("BREACH_RECORDED", "BREACH_AFFECTED_LISTED");

        // another organiser's officer: not listed, not found
        WebSession other = new WebSession(port).signIn(grannbyDpo, PASSWORD);
        assertThat(other.page("/dpo/breaches").body()).doesNotContain(incidentPath + "\"");
        assertThat(other.page(incidentPath).status()).isEqualTo(404);
        assertThat(other.get(incidentPath + "/affected.csv").status()).isEqualTo(404);

        // an incident found 80 hours ago is overdue on the clock; one "discovered" tomorrow is refused
        var rootAuth = UsernamePasswordAuthenticationToken.authenticated(root, null, List.of());
        Breaches.Incident late = breaches.record(rootAuth, now.minus(Duration.ofHours(80)), now.minus(Duration.ofDays(5)), now, Set.of(supplier), "Sent upptäckt");
        assertThat(breaches.countdown(late).overdue()).isTrue();
        assertThat(breaches.countdown(late).hoursLeft()).isLessThanOrEqualTo(-7);
        assertThat(new WebSession(port).signIn(root, PASSWORD).page("/dpo/breaches/" + late.id()).body()).contains("The 72 hours ended at")
                .contains("Persons affected: 3");
        assertThatThrownBy(() -> breaches.record(rootAuth, now.plus(Duration.ofDays(1)), now.minus(Duration.ofDays(5)), now, Set.of(supplier), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
