package org.tilldela.provisioning.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.provisioning.Connector;
import org.tilldela.provisioning.ConnectorQueues;
import org.tilldela.provisioning.Connectors;

/**
 * The connector pages as plain HTTP, through every filter: only the access administrator reaches them, every action
 * needs the form's CSRF token, a refused change keeps what was stored (the secret too) and says why in the reader's
 * language, a twice-sent set-up form makes one connector, and no page carries the stored secret.
 */
class ConnectorPagesTest extends IntegrationTest {

    private static final String PASSWORD = "connector-pages-password";

    @Autowired AdminAccounts accounts;
    @Autowired Catalog catalog;
    @Autowired Connectors connectors;
    @Autowired AuditTrail audit;
    @Autowired JdbcClient jdbc;
    @Autowired ConnectorQueues queues;

    private record Fixture(Supplier supplier, Product product, Connector connector, String token, String admin) {
    }

    private Fixture fixture() {
        String tag = CatalogFixtures.unique();
        Supplier supplier = CatalogFixtures.supplier("Kopplingsprov " + tag, "SE");
        catalog.save(supplier);
        Product product = CatalogFixtures.digital(supplier, "Geografi " + tag, "", List.of("Geografi"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(product);
        String token = "stored-secret-" + UUID.randomUUID();
        // paused, and nobody holds a licence: nothing is ever sent to this address
        Connector connector = connectors.create(new Connector.Settings(supplier.id(), "Prov", "https://scim.example.org/v2", Connector.Auth.BEARER, token,
                null, null, null, null, List.of(product.id()), false), "test");
        String admin = "connpages-" + tag;
        accounts.create(admin, "Kopplingar", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        return new Fixture(supplier, product, connector, token, admin);
    }

    @Test
    void onlyTheAccessAdministratorReachesThePagesAndEveryActionNeedsTheFormsToken() {
        Fixture fx = fixture();
        String path = "/provisioning/connectors/" + fx.connector().id();
        String buyer = "connpages-buyer-" + CatalogFixtures.unique();
        accounts.create(buyer, "Inköpare", PASSWORD, EnumSet.of(AdminRight.BUYER, AdminRight.LICENCE_ADMIN), "test");
        WebSession other = new WebSession(port()).signIn(buyer, PASSWORD);
        assertThat(other.get("/provisioning/connectors").status()).isEqualTo(403);
        assertThat(other.get(path).status()).isEqualTo(403);
        WebSession.Answer page = other.get("/provisioning/connectors");
        assertThat(page.body()).doesNotContain(fx.supplier().name());
        String otherCsrf = WebSession.hiddenFields(other.get("/licences").body(), "/logout").get("_csrf");
        assertThat(other.post(path + "/resume", otherCsrf == null ? Map.of() : Map.of("_csrf", otherCsrf)).status()).isEqualTo(403);
        assertThat(connectors.get(fx.connector().id()).orElseThrow().enabled()).isFalse();

        WebSession admin = new WebSession(port()).signIn(fx.admin(), PASSWORD);
        WebSession.Answer connector = admin.get(path);
        assertThat(connector.status()).isEqualTo(200);
        assertThat(connector.body()).contains(fx.supplier().name()).contains(fx.product().title()).doesNotContain(fx.token());
        // without the page's CSRF token: refused, nothing changed
        assertThat(admin.post(path + "/resume", Map.of()).status()).isEqualTo(403);
        assertThat(connectors.get(fx.connector().id()).orElseThrow().enabled()).isFalse();
        // with it: resumed, and audited under the administrator's name
        WebSession.Answer resumed = admin.post(path + "/resume", WebSession.hiddenFields(connector.body(), path + "/resume"));
        assertThat(resumed.status()).isEqualTo(302);
        assertThat(admin.follow(resumed).body()).contains("The connector is resumed");
        assertThat(connectors.get(fx.connector().id()).orElseThrow().enabled()).isTrue();
        assertThat(audit.about("provisioning_connector", fx.connector().id().toString()))
                .anySatisfy(e -> assertThat(e.actor() + " " + e.action()).isEqualTo(fx.admin() + " PROVISIONING_CONNECTOR_RESUMED"));
        // a dead letter that is not there: said so, nothing replayed
        WebSession.Answer replay = admin.post(path + "/dead-letters/999999999/replay", WebSession.hiddenFields(admin.get(path).body(), path + "/pause"));
        assertThat(admin.follow(replay).body()).contains("That dead letter is no longer there");
        admin.post(path + "/pause", WebSession.hiddenFields(admin.get(path).body(), path + "/pause"));
        assertThat(connectors.get(fx.connector().id()).orElseThrow().enabled()).isFalse();
        assertThat(admin.get("/provisioning/connectors/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void aRefusedChangeKeepsWhatWasStoredAndSaysWhyInSwedish() {
        Fixture fx = fixture();
        String path = "/provisioning/connectors/" + fx.connector().id();
        WebSession admin = new WebSession(port()).signIn(fx.admin(), PASSWORD);
        WebSession.Answer form = admin.get(path + "/edit?lang=sv");
        assertThat(form.body()).contains("Ändra kopplingen").doesNotContain(fx.token());
        int auditBefore = audit.about("provisioning_connector", fx.connector().id().toString()).size();

        // a new address without the token given again: the stored token must not go there
        List<Map.Entry<String, String>> fields = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(form.body(), path)));
        fields.addAll(List.of(Map.entry("name", "Prov"), Map.entry("baseUrl", "https://elsewhere.example.net/scim/v2"), Map.entry("auth", "BEARER"),
                Map.entry("bearerToken", ""), Map.entry("products", fx.product().id().toString()), Map.entry("resourceTypes", "User")));
        WebSession.Answer refused = admin.post(path, fields);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("Kopplingen sparades inte").contains("Ange den bearer-token leverantören utfärdat")
                .contains("https://elsewhere.example.net/scim/v2").doesNotContain(fx.token());
        Connector after = connectors.get(fx.connector().id()).orElseThrow();
        assertThat(after.baseUrl()).isEqualTo("https://scim.example.org/v2");
        assertThat(audit.about("provisioning_connector", fx.connector().id().toString())).hasSize(auditBefore);

        // no product ticked: refused next to the products
        List<Map.Entry<String, String>> noProducts = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(form.body(), path)));
        noProducts.addAll(List.of(Map.entry("name", "Prov"), Map.entry("baseUrl", "https://scim.example.org/v2"), Map.entry("auth", "BEARER")));
        assertThat(admin.post(path, noProducts).body()).contains("Kryssa i minst en av leverantörens produkter");
        assertThat(connectors.get(fx.connector().id()).orElseThrow().productIds()).containsExactly(fx.product().id());

        // the same address, token left empty: the stored one is kept and the change saved
        List<Map.Entry<String, String>> rename = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(form.body(), path)));
        rename.addAll(List.of(Map.entry("name", "Prov, omdöpt"), Map.entry("baseUrl", "https://scim.example.org/v2"), Map.entry("auth", "BEARER"),
                Map.entry("products", fx.product().id().toString()), Map.entry("deletionBrakePercent", "25")));
        WebSession.Answer saved = admin.post(path, rename);
        assertThat(saved.status()).isEqualTo(302);
        Connector renamed = connectors.get(fx.connector().id()).orElseThrow();
        assertThat(renamed.name()).isEqualTo("Prov, omdöpt");
        assertThat(renamed.deletionBrakePercent()).isEqualTo(25.0);
        assertThat(audit.about("provisioning_connector", fx.connector().id().toString())).extracting(e -> e.action() + " " + e.actor())
                .contains("PROVISIONING_CONNECTOR_CHANGED " + fx.admin());
        assertThat(admin.follow(saved).body()).doesNotContain(fx.token());
    }

    /** Pick, don't paste (issue 13): step one finds the supplier by name, without JavaScript too; no list of every supplier. */
    @Test
    void theSupplierIsFoundByNameNotChosenFromAListOfAll() {
        Fixture fx = fixture();
        WebSession admin = new WebSession(port()).signIn(fx.admin(), PASSWORD);
        String blank = admin.get("/provisioning/connectors/new").body();
        assertThat(blank).doesNotContain("<select id=\"supplier-pick\"").contains("id=\"findSupplier\"");
        String words = java.net.URLEncoder.encode(fx.supplier().name(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(admin.get("/provisioning/connectors/new?findSupplier=" + words).body())
                .contains("name=\"supplier\" id=\"supplier-0\" value=\"" + fx.supplier().id() + "\"");
        assertThat(admin.get("/provisioning/connectors/pick/suppliers?findSupplier=" + words).body()).contains("value=\"" + fx.supplier().id() + "\"")
                .doesNotContain("<main");
        assertThat(admin.get("/provisioning/connectors/pick/suppliers?findSupplier=x").body()).doesNotContain("type=\"radio\"");
    }

    @Test
    void theSetUpFormSentTwiceMakesOneConnector() {
        Fixture fx = fixture();
        WebSession admin = new WebSession(port()).signIn(fx.admin(), PASSWORD);
        WebSession.Answer form = admin.get("/provisioning/connectors/new?supplier=" + fx.supplier().id());
        assertThat(form.body()).contains(fx.product().title());
        List<Map.Entry<String, String>> fields = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(form.body(), "/provisioning/connectors")));
        fields.addAll(List.of(Map.entry("name", "Andra kopplingen"), Map.entry("baseUrl", "https://other.example.org/scim/v2"), Map.entry("auth", "BEARER"),
                Map.entry("bearerToken", "another-" + UUID.randomUUID()), Map.entry("products", fx.product().id().toString()),
                Map.entry("resourceTypes", "User"), Map.entry("resourceTypes", "Group")));
        WebSession.Answer first = admin.post("/provisioning/connectors", fields);
        WebSession.Answer second = admin.post("/provisioning/connectors", fields);
        assertThat(first.status()).isEqualTo(302);
        assertThat(second.location()).isEqualTo(first.location());
        assertThat(jdbc.sql("select count(*) from provisioning_connector where supplier_id = :s and name = 'Andra kopplingen'")
                .param("s", fx.supplier().id()).query(Long.class).single()).isEqualTo(1);
        // set up paused: the box was not ticked
        assertThat(connectors.all()).filteredOn(c -> c.name().equals("Andra kopplingen") && c.supplierId().equals(fx.supplier().id()))
                .singleElement().satisfies(c -> {
                    assertThat(c.enabled()).isFalse();
                    assertThat(c.resourceTypes()).containsExactly("User", "Group");
                });
    }

    @Test
    void theQueueShowsEachStandingWithTheNextAttemptAndTheBrakeAndDeadLettersCanBeActedOn() {
        Fixture fx = fixture(); // paused: no worker touches its operations
        UUID id = fx.connector().id();
        Instant next = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        insert(id, "SYNC", "LICENCE_GRANTED", "PENDING", 0, null, null);
        insert(id, "SYNC", "PERSON_MOVED", "PENDING", 2, next, "HTTP 503: try again later");
        insert(id, "SYNC", "LICENCE_GRANTED", "IN_FLIGHT", 1, null, null);
        long held = insert(id, "DEACTIVATE", "PERSON_LEFT", "PENDING", 0, null, null);
        long dead = insert(id, "SYNC", "LICENCE_GRANTED", "DEAD", 3, null, "HTTP 400: userName is not valid here");
        jdbc.sql("update provisioning_connector set brake_held_at = now() where id = :c").param("c", id).update();

        ConnectorQueues.Summary summary = queues.of(id);
        assertThat(summary).isEqualTo(new ConnectorQueues.Summary(1, 1, 1, next, 1));
        assertThat(queues.waiting(id, 50)).extracting(ConnectorQueues.Waiting::standing).containsExactly(ConnectorQueues.Standing.PENDING,
                ConnectorQueues.Standing.RETRYING, ConnectorQueues.Standing.IN_FLIGHT, ConnectorQueues.Standing.HELD);

        WebSession admin = new WebSession(port()).signIn(fx.admin(), PASSWORD);
        String path = "/provisioning/connectors/" + id;
        String page = admin.get(path).body();
        String at = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault()).format(next);
        assertThat(page).contains("Waiting for another attempt").contains("next attempt " + at).contains("HTTP 503: try again later")
                .contains("Being sent").contains("1 deactivation or deletion is held").contains("Deactivate the account").contains("left (import)")
                .contains("HTTP 400: userName is not valid here").contains("after 3 attempts");
        // the counts alone, as the page polls them while anything waits
        String counts = admin.get(path + "/queue").body();
        assertThat(counts).contains("id=\"queue-counts\"").contains("hx-trigger=\"every 2s\"").doesNotContain("<html");
        assertThat(admin.get("/provisioning/connectors").body()).contains(fx.supplier().name()).contains("deletion brake");

        WebSession.Answer discarded = admin.post(path + "/discard-held", WebSession.hiddenFields(page, path + "/discard-held"));
        assertThat(admin.follow(discarded).body()).contains("are not sent");
        assertThat(state(held)).isEqualTo("DISCARDED");
        WebSession.Answer replayed = admin.post(path + "/dead-letters/" + dead + "/replay",
                WebSession.hiddenFields(admin.get(path).body(), path + "/dead-letters/" + dead + "/replay"));
        assertThat(admin.follow(replayed).body()).contains("The operation is queued again.");
        // replayed as a new operation made from the person's state today; the dead letter names it
        assertThat(state(dead)).isEqualTo("REPLAYED");
        Long replacement = jdbc.sql("select replayed_by from provisioning_operation where id = :id").param("id", dead).query(Long.class).single();
        assertThat(state(replacement)).isEqualTo("PENDING");
        assertThat(queues.of(id)).isEqualTo(new ConnectorQueues.Summary(2, 1, 1, next, 0));
        assertThat(audit.about("provisioning_connector", id.toString())).extracting(e -> e.action() + " " + e.actor())
                .contains("PROVISIONING_DELETION_BRAKE_DISCARDED " + fx.admin(), "PROVISIONING_DEAD_LETTER_REPLAYED " + fx.admin());
    }

    private long insert(UUID connector, String kind, String cause, String state, int attempts, Instant notBefore, String error) {
        return jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause, state, attempts, not_before, last_error, lease_until, finished_at)
                        values (:c, :p, :kind, :cause, :state, :attempts, coalesce(:nb, now()), :error,
                                case when :state = 'IN_FLIGHT' then now() + interval '10 minutes' end, case when :state = 'DEAD' then now() end)
                        returning id""")
                .param("c", connector).param("p", UUID.randomUUID()).param("kind", kind).param("cause", cause).param("state", state)
                .param("attempts", attempts).param("nb", notBefore == null ? null : java.sql.Timestamp.from(notBefore)).param("error", error)
                .query(Long.class).single();
    }

    private String state(long operation) {
        return jdbc.sql("select state from provisioning_operation where id = :id").param("id", operation).query(String.class).single();
    }

    private int port() {
        return Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1));
    }
}
