package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;

/**
 * Narrowing a request on the access pages: when the approval is refused (no reason given for the
 * narrowing), the form comes back as the user left it — the ticks they chose, the reason field as typed —
 * never with every attribute ticked again, which the next click would approve.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NarrowingFormTest extends IntegrationTest {

    private static final String PASSWORD = "narrowing-test-password";
    private static final Pattern CHECKBOX = Pattern.compile("<input type=\"checkbox\" name=\"attributes\"[^>]*>");
    private static final Pattern VALUE = Pattern.compile("value=\"([A-Z_]+)\"");

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired DataAccessAgreements agreements;

    AccessFixture fx;
    String admin;

    @BeforeAll
    void setUp() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
        admin = "narrow-" + fx.source;
        accounts.create(admin, "Skoladministratör", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
    }

    /** Pick, don't paste (issue 13): the supplier, its product and the organiser are found by name and chosen, without JavaScript too. */
    @Test
    void aRequestIsFiledByPickingTheSupplierItsProductAndTheOrganiserByName() {
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String supplierName = catalog.supplier(fx.supplierId).orElseThrow().name();
        String organiserName = jdbc.sql("select name from organisation where id = :id").param("id", fx.organiserId).query(String.class).single();
        String blank = web.get("/access/requests/new").body();
        assertThat(blank).doesNotContain("<select id=\"supplier-pick\"").contains("id=\"findSupplier\"");
        // without JavaScript: the words are searched, the matches listed as choices
        String found = web.get("/access/requests/new?findSupplier=" + java.net.URLEncoder.encode(supplierName, java.nio.charset.StandardCharsets.UTF_8))
                .body();
        assertThat(found).contains("name=\"supplier\" id=\"supplier-0\" value=\"" + fx.supplierId + "\"");
        String chosen = web.get("/access/requests/new?supplier=" + fx.supplierId + "&findScope="
                + java.net.URLEncoder.encode(organiserName, java.nio.charset.StandardCharsets.UTF_8)).body();
        assertThat(chosen).contains("value=\"" + fx.supplierId + "\" checked").contains("value=\"" + fx.productId + "\"")
                // among the organisers of that name (the full suite's municipalities share names), not necessarily the first
                .containsPattern("name=\"scope\" id=\"scope-\\d+\" value=\"" + fx.organiserId + "\"").doesNotContain("<select id=\"product\"")
                .doesNotContain("<select id=\"scope\"");
        // htmx: the choices alone
        assertThat(web.get("/access/pick/scopes?findScope=" + java.net.URLEncoder.encode(organiserName, java.nio.charset.StandardCharsets.UTF_8)).body())
                .contains("value=\"" + fx.organiserId + "\"").doesNotContain("<main");
        assertThat(web.get("/access/pick/products?supplier=" + fx.supplierId).body()).contains("value=\"" + fx.productId + "\"");
        // the choices file the request
        java.util.Map<String, String> fields = WebSession.hiddenFields(chosen, "/access/requests");
        fields.put("product", fx.productId.toString());
        fields.put("scope", fx.organiserId.toString());
        fields.put("attributePackage", "SMALL");
        fields.put("purpose", "Inloggning");
        fields.put("legalBasis", "Allmänt intresse");
        fields.put("retentionDays", "30");
        WebSession.Answer filed = web.post("/access/requests", fields);
        assertThat(filed.status()).isEqualTo(302);
        assertThat(filed.location()).contains("/access/requests/");
    }

    /** The attributes whose checkboxes are ticked, and those shown at all. */
    private static Set<String> ticked(String page, boolean onlyChecked) {
        Set<String> out = new TreeSet<>();
        Matcher m = CHECKBOX.matcher(page);
        while (m.find()) {
            Matcher v = VALUE.matcher(m.group());
            if (v.find() && (!onlyChecked || m.group().contains("checked"))) {
                out.add(v.group(1));
            }
        }
        return out;
    }

    @Test
    void aRefusedNarrowingKeepsTheTicksTheUserChose() {
        DataAccessAgreement filed = agreements.file(fx.supplierId, fx.request(AttributePackage.SMALL), "supplier");
        String path = "/access/requests/" + filed.id();
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String page = web.get(path).body();
        Set<String> asked = ticked(page, false);
        assertThat(ticked(page, true)).as("first view: everything asked for is offered").isEqualTo(asked).contains("GIVEN_NAME", "FAMILY_NAME");

        // narrow to the pseudonym and the school unit, forgetting the reason
        Map<String, String> hidden = WebSession.hiddenFields(page, path + "/approve");
        List<Map.Entry<String, String>> fields = new ArrayList<>(WebSession.toList(hidden));
        fields.add(Map.entry("attributes", "PSEUDONYMOUS_ID"));
        fields.add(Map.entry("attributes", "SCHOOL_UNIT"));
        fields.add(Map.entry("reason", ""));
        WebSession.Answer refused = web.post(path + "/approve", fields);
        WebSession.Answer shown = web.follow(refused);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body()).contains("Say why the request is narrowed");
        assertThat(ticked(shown.body(), true)).as("the ticks the user submitted, not all again").containsExactly("PSEUDONYMOUS_ID", "SCHOOL_UNIT");
        assertThat(ticked(shown.body(), false)).isEqualTo(asked);
        assertThat(agreements.agreement(filed.id()).orElseThrow().state()).isEqualTo(DataAccessAgreement.State.REQUESTED);

        // the form as shown, with a reason now, approves exactly that
        List<Map.Entry<String, String>> again = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(shown.body(), path + "/approve")));
        ticked(shown.body(), true).forEach(a -> again.add(Map.entry("attributes", a)));
        again.add(Map.entry("reason", "Namn behövs inte för inloggning"));
        WebSession.Answer approved = web.post(path + "/approve", again);
        assertThat(approved.status()).isEqualTo(302);
        assertThat(agreements.agreement(filed.id()).orElseThrow().approvedAttributes()).extracting(Enum::name)
                .containsExactlyInAnyOrder("PSEUDONYMOUS_ID", "SCHOOL_UNIT");
    }

    @Test
    void unTickingEverythingApprovesNothing() {
        DataAccessAgreement filed = agreements.file(fx.supplierId, fx.request(AttributePackage.SMALL), "supplier");
        String path = "/access/requests/" + filed.id();
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String page = web.get(path).body();
        List<Map.Entry<String, String>> fields = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(page, path + "/approve")));
        fields.add(Map.entry("reason", "Ingenting behövs"));
        WebSession.Answer shown = web.follow(web.post(path + "/approve", fields));
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body()).contains("Tick what the supplier may receive, or decline the request");
        assertThat(ticked(shown.body(), true)).as("nothing ticked again").isEmpty();
        assertThat(agreements.agreement(filed.id()).orElseThrow().state()).isEqualTo(DataAccessAgreement.State.REQUESTED);
    }
}
