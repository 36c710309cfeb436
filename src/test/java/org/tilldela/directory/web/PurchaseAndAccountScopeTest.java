package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.desk.DpoDesk;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.purchase.BuyerScopes;

/**
 * Order approvals, buyer scopes and person sign-in accounts within the caller's scope (issue 11), on real PostgreSQL
 * with the synthetic municipality of {@link ScopedMunicipality}. Held orders are placed for school A, school B, their
 * organiser and the other organiser's school C: a school-A data protection officer sees, counts and decides school A's
 * only (everything else 404, nothing changes); an organiser's sees its two schools' and its own; a grant narrowed to
 * preschool reads the orders at the units it covers but decides none. A school-A directory administrator sets sign-in
 * accounts for school A's pupils only, and buyer scopes only for school A.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurchaseAndAccountScopeTest extends IntegrationTest {

    private static final String PASSWORD = "purchase-scope-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired JdbcClient jdbc;
    @Autowired DpoDesk desk;
    @Autowired BuyerScopes buyerScopes;

    private ScopedMunicipality m;
    private String root, dpoA, dpoOrganiser, dpoPreschool, dpoWhole, dirA, dirOrganiser, dirWhole;
    private UUID heldA, heldB, heldOrganiser, heldC;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        root = "pas-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        dpoA = account("pas-dpo-a-" + u, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        dpoOrganiser = account("pas-dpo-org-" + u, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        dpoPreschool = account("pas-dpo-fs-" + u, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        dpoWhole = account("pas-dpo-all-" + u, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.wholeInstallationScope());
        dirA = account("pas-dir-a-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        dirOrganiser = account("pas-dir-org-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        dirWhole = account("pas-dir-all-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.wholeInstallationScope());
        heldA = held(m.organiser, m.schoolA);
        heldB = held(m.organiser, m.schoolB);
        heldOrganiser = held(m.organiser, m.organiser);
        heldC = held(m.otherOrganiser, m.schoolC);
    }

    private String account(String name, AdminRight right, GrantScope scope) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, right, scope);
        return name;
    }

    /**
     * An order held for the officer, written straight into purchase's tables as Orders.place leaves it (placing one needs a
     * supplier, an agreement and a policy the order goes beyond; PurchaseTest walks that): one line, civic number beyond the policy.
     */
    private UUID held(UUID organiser, UUID unit) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into purchase_order (id, buyer, organiser_id, scope_id, status) values (:id, :b, :o, :s, 'AWAITING_APPROVAL')")
                .param("id", id).param("b", "pas-buyer-" + m.source).param("o", organiser).param("s", unit).update();
        jdbc.sql("""
                        insert into order_line (id, order_id, position, product_id, article_number, title, unit_price, currency, seats, starts_on,
                                                ends_on, verdict, reasons)
                        values (:l, :id, 1, :p, 'ART-1', :t, 99.00, 'SEK', 25, current_date, current_date + 365, 'NEEDS_DPO_APPROVAL', '{}')""")
                .param("l", UUID.randomUUID()).param("id", id).param("p", UUID.randomUUID()).param("t", "Skopmatte " + id.toString().substring(0, 8)).update();
        jdbc.sql("insert into dpo_approval (order_id, organiser_id, attributes, state) values (:id, :o, '{CIVIC_NUMBER}', 'PENDING')")
                .param("id", id).param("o", organiser).update();
        return id;
    }

    private String approval(UUID order) {
        return jdbc.sql("select state from dpo_approval where order_id = :id").param("id", order).query(String.class).single();
    }

    private long heldCount(String user) {
        var auth = UsernamePasswordAuthenticationToken.authenticated(user, null, List.of());
        return desk.overview(auth).stream().filter(c -> c.tile() == DpoDesk.Tile.HELD_ORDERS).findFirst().orElseThrow().count();
    }

    private List<String> heldListed(String user) {
        var auth = UsernamePasswordAuthenticationToken.authenticated(user, null, List.of());
        return desk.list(auth, DpoDesk.Tile.HELD_ORDERS).rows().stream().map(DpoDesk.Row::link).toList();
    }

    /** The table row of the approvals list that links to the order. */
    private static String row(String page, UUID order) {
        int at = page.indexOf("href=\"" + link(order) + "\"");
        assertThat(at).as("the order is listed").isPositive();
        return page.substring(page.lastIndexOf("<tr", at), page.indexOf("</tr>", at));
    }

    private static String link(UUID order) {
        return "/purchase/approvals/" + order;
    }

    @Test
    void aSchoolsOfficerSeesCountsAndDecidesItsOwnSchoolsHeldOrdersOnly() {
        WebSession web = new WebSession(port).signIn(dpoA, PASSWORD);
        WebSession.Answer list = web.page("/purchase/approvals");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains(link(heldA)).doesNotContain(link(heldB)).doesNotContain(link(heldOrganiser)).doesNotContain(link(heldC));
        // the menu offers the approvals page to a scoped officer, but not the installation-wide adequacy list and data policies
        assertThat(list.body()).contains("href=\"/purchase/approvals\"").doesNotContain("href=\"/purchase/adequacy\"")
                .doesNotContain("href=\"/purchase/policy\"");
        assertThat(web.page("/purchase/adequacy").status()).isEqualTo(403);
        assertThat(web.page("/purchase/policy").status()).isEqualTo(403);

        String own = web.page(link(heldA)).body();
        assertThat(own).contains(link(heldA) + "/approve").contains(link(heldA) + "/decline");
        // another school's, the organiser's above the grant, another organiser's, and none at all: not there, not forbidden
        for (UUID other : List.of(heldB, heldOrganiser, heldC, UUID.randomUUID())) {
            assertThat(web.page(link(other)).status()).as("read").isEqualTo(404);
        }
        // decisions posted for them with this session's valid form fields: 404, and nothing changes
        for (UUID other : List.of(heldB, heldOrganiser, heldC)) {
            Map<String, String> decline = WebSession.hiddenFields(own, link(heldA) + "/decline");
            decline.put("reason", "Inte vår skola.");
            assertThat(web.post(link(other) + "/decline", decline).status()).as("decline").isEqualTo(404);
            assertThat(web.post(link(other) + "/approve", WebSession.hiddenFields(own, link(heldA) + "/approve")).status()).as("approve").isEqualTo(404);
            // even without a reason: the scope is checked first, so the answer does not tell an existing order apart
            Map<String, String> blank = WebSession.hiddenFields(own, link(heldA) + "/decline");
            assertThat(web.post(link(other) + "/decline", blank).status()).as("decline without a reason").isEqualTo(404);
            assertThat(approval(other)).isEqualTo("PENDING");
        }

        // the desk's tile counts within the scope, and its list is the same orders
        assertThat(heldCount(dpoA)).isEqualTo(1);
        assertThat(heldListed(dpoA)).containsExactly(link(heldA));

        // its own school's order it decides
        Map<String, String> decline = WebSession.hiddenFields(own, link(heldA) + "/decline");
        decline.put("reason", "Personnummer behövs inte för övningsuppgifter.");
        WebSession.Answer declined = web.post(link(heldA) + "/decline", decline);
        assertThat(declined.status()).isEqualTo(302);
        assertThat(declined.location()).endsWith(link(heldA));
        assertThat(approval(heldA)).isEqualTo("DECLINED");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ORDER_DECLINED' and target_id = :id and actor = :a")
                .param("id", heldA.toString()).param("a", dpoA).query(Long.class).single()).isEqualTo(1);
        // decided: among the decided ones on its list, no longer counted as held
        assertThat(web.page("/purchase/approvals").body()).contains(link(heldA)).doesNotContain(link(heldB));
        assertThat(heldCount(dpoA)).isZero();
    }

    @Test
    void anOrganisersOfficerSeesItsSchoolsAndItsOwnOrdersAndNotAnotherOrganisers() {
        WebSession web = new WebSession(port).signIn(dpoOrganiser, PASSWORD);
        String list = web.page("/purchase/approvals").body();
        assertThat(list).contains(link(heldB)).contains(link(heldOrganiser)).doesNotContain(link(heldC));
        // each row names the unit its order is for (the school, or the organiser itself), not the organiser of all of them, and no id
        String u = m.source.substring("scopes-".length());
        assertThat(row(list, heldB)).contains("B-skolan " + u).doesNotContain("Provby kommun " + u).doesNotContain(m.schoolB.toString());
        assertThat(row(list, heldOrganiser)).contains("Provby kommun " + u).doesNotContain("-skolan " + u).doesNotContain(m.organiser.toString());
        assertThat(web.page(link(heldB)).body()).contains("B-skolan " + u).contains("Provby kommun " + u);
        assertThat(web.page(link(heldOrganiser)).body()).contains(link(heldOrganiser) + "/approve");
        assertThat(web.page(link(heldC)).status()).isEqualTo(404);
        // school A's order may have been decided by the other test meanwhile: counted as held only while it waits
        long expected = 2 + ("PENDING".equals(approval(heldA)) ? 1 : 0);
        assertThat(heldCount(dpoOrganiser)).isEqualTo(expected);
        assertThat(heldListed(dpoOrganiser)).contains(link(heldB), link(heldOrganiser)).doesNotContain(link(heldC));
        // a whole-installation officer sees every one of them, as before
        assertThat(heldListed(dpoWhole)).contains(link(heldB), link(heldOrganiser), link(heldC));
        assertThat(heldCount(dpoWhole)).isGreaterThanOrEqualTo(3);
        assertThat(new WebSession(port).signIn(dpoWhole, PASSWORD).page(link(heldC)).status()).isEqualTo(200);
    }

    @Test
    void aPreschoolOfficerReadsTheOrdersAtItsUnitsButDecidesNone() {
        WebSession web = new WebSession(port).signIn(dpoPreschool, PASSWORD);
        // school B teaches preschool and the organiser is above it: seen; school A (compulsory school only) and C: not
        String list = web.page("/purchase/approvals").body();
        assertThat(list).contains(link(heldB)).contains(link(heldOrganiser)).doesNotContain(link(heldA)).doesNotContain(link(heldC));
        assertThat(web.page(link(heldA)).status()).isEqualTo(404);
        // an order covers everyone at its unit whatever their school form: read-only, without the forms to decide
        String page = web.page(link(heldB)).body();
        assertThat(page).doesNotContain(link(heldB) + "/approve").contains("covers more than your grant");
        // posted anyway (this session's CSRF token, a fresh form token): refused in words, nothing changes
        Map<String, String> fields = WebSession.hiddenFields(page, "/logout");
        fields.put("formToken", UUID.randomUUID().toString());
        WebSession.Answer refused = web.post(link(heldB) + "/approve", fields);
        assertThat(refused.status()).isEqualTo(302);
        assertThat(web.follow(refused).body()).contains("covers more than your grant");
        fields.put("formToken", UUID.randomUUID().toString());
        fields.put("reason", "Inte för förskolan.");
        assertThat(web.post(link(heldB) + "/decline", fields).status()).isEqualTo(302);
        assertThat(approval(heldB)).isEqualTo("PENDING");
        assertThat(heldCount(dpoPreschool)).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Person sign-in accounts

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int setAccount(String user, UUID person, String username, String password) {
        return client(user).put().uri("/api/v1/sso/persons/{id}/account", person).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("username", username, "password", password)).exchange((req, res) -> res.getStatusCode().value());
    }

    private long signInAccounts(UUID person) {
        return jdbc.sql("select count(*) from sso_person_account where person_id = :p").param("p", person).query(Long.class).single();
    }

    private long passwordsSet(UUID person) {
        return jdbc.sql("select count(*) from audit_event where action = 'PERSON_PASSWORD_SET' and target_id = :p").param("p", person.toString())
                .query(Long.class).single();
    }

    @Test
    void aSchoolsDirectoryAdministratorSetsSignInAccountsForItsOwnPupilsOnly() {
        String u = m.source.substring(m.source.indexOf('-') + 1);
        // school B's pupil, a protected one, the preschool child and the other organiser's pupil: not found, nothing changed
        for (UUID other : List.of(m.b1, m.bProt, m.b2, m.c1)) {
            assertThat(setAccount(dirA, other, "elev-" + other.toString().substring(0, 8), "ett-langt-losenord-" + u)).as("set").isEqualTo(404);
            // a refused password (too short) answers the same: the scope is checked before anything else
            assertThat(setAccount(dirA, other, "elev-x-" + u, "kort")).as("weak password").isEqualTo(404);
            int endCard = client(dirA).delete().uri("/api/v1/sso/persons/{id}/card", other).exchange((req, res) -> res.getStatusCode().value());
            assertThat(endCard).as("end card").isEqualTo(404);
            assertThat(signInAccounts(other)).isZero();
            assertThat(passwordsSet(other)).isZero();
        }
        assertThat(setAccount(dirA, UUID.randomUUID(), "elev-y-" + u, "ett-langt-losenord-" + u)).as("no such person").isEqualTo(404);
        // its own school's pupil: set, and audited
        assertThat(setAccount(dirA, m.a1, "alva-" + u, "ett-langt-losenord-" + u)).isEqualTo(204);
        assertThat(signInAccounts(m.a1)).isEqualTo(1);
        assertThat(passwordsSet(m.a1)).isEqualTo(1);
        // the organiser's administrator reaches school B's pupil; a whole-installation one anyone, as before
        assertThat(setAccount(dirOrganiser, m.b1, "bo-" + u, "ett-langt-losenord-" + u)).isEqualTo(204);
        assertThat(setAccount(dirOrganiser, m.c1, "cia-" + u, "ett-langt-losenord-" + u)).isEqualTo(404);
        assertThat(signInAccounts(m.c1)).isZero();
        assertThat(setAccount(dirWhole, m.c1, "cia-" + u, "ett-langt-losenord-" + u)).isEqualTo(204);
        assertThat(signInAccounts(m.c1)).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Buyer scopes

    private String buysFor(String buyer) {
        return jdbc.sql("select organisation_id::text from buyer_scope where username = :u").param("u", buyer).query(String.class).optional().orElse(null);
    }

    @Test
    void aSchoolsDirectoryAdministratorSeesAndSetsBuyerScopesWithinItsSchoolOnly() {
        String u = m.source;
        String buyerA = account("pas-buy-a-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        String buyerB = account("pas-buy-b-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.schoolB), Set.of()));
        String buyerOrg = account("pas-buy-org-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.organiser), Set.of()));
        String newcomer = account("pas-buy-new-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        buyerScopes.set(buyerA, m.schoolA, root);
        buyerScopes.set(buyerB, m.schoolB, root);
        buyerScopes.set(buyerOrg, m.organiser, root);

        WebSession web = new WebSession(port).signIn(dirA, PASSWORD);
        WebSession.Answer page = web.page("/purchase/buyers");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(buyerA).doesNotContain(buyerB).doesNotContain(buyerOrg);
        // the picker offers school A, never school B nor the organiser above
        String picked = web.page("/purchase/buyers/pick/organisations?findOrganisation=" + u.substring(u.indexOf('-') + 1)).body();
        assertThat(picked).contains(m.schoolA.toString()).doesNotContain(m.schoolB.toString()).doesNotContain(m.organiser.toString())
                .doesNotContain(m.schoolC.toString());

        Map<String, String> form = WebSession.hiddenFields(page.body(), "/purchase/buyers");
        // to buy for school B, the organiser above, or another organiser's school: 404, nothing set
        for (UUID outside : List.of(m.schoolB, m.organiser, m.schoolC, UUID.randomUUID())) {
            Map<String, String> set = new java.util.HashMap<>(form);
            set.put("username", newcomer);
            set.put("organisation", outside.toString());
            assertThat(web.post("/purchase/buyers", set).status()).as("set to " + outside).isEqualTo(404);
            assertThat(buysFor(newcomer)).isNull();
        }
        // school B's buyer moved into school A, or removed: 404, it still buys for school B
        Map<String, String> move = new java.util.HashMap<>(form);
        move.put("username", buyerB);
        move.put("organisation", m.schoolA.toString());
        assertThat(web.post("/purchase/buyers", move).status()).isEqualTo(404);
        Map<String, String> remove = new java.util.HashMap<>(WebSession.hiddenFields(page.body(), "/purchase/buyers/remove"));
        for (String other : List.of(buyerB, buyerOrg, "pas-nobody-" + u)) {
            remove.put("username", other);
            assertThat(web.post("/purchase/buyers/remove", remove).status()).as("remove " + other).isEqualTo(404);
        }
        assertThat(buysFor(buyerB)).isEqualTo(m.schoolB.toString());
        assertThat(buysFor(buyerOrg)).isEqualTo(m.organiser.toString());

        // within its school: set, and audited
        Map<String, String> set = new java.util.HashMap<>(form);
        set.put("username", newcomer);
        set.put("organisation", m.schoolA.toString());
        assertThat(web.post("/purchase/buyers", set).status()).isEqualTo(302);
        assertThat(buysFor(newcomer)).isEqualTo(m.schoolA.toString());
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BUYER_SCOPE_SET' and target_id = :u and actor = :a")
                .param("u", newcomer).param("a", dirA).query(Long.class).single()).isEqualTo(1);

        // the organiser's administrator sees all three and moves school B's buyer to the organiser, never to another organiser's school
        WebSession org = new WebSession(port).signIn(dirOrganiser, PASSWORD);
        String orgPage = org.page("/purchase/buyers").body();
        assertThat(orgPage).contains(buyerA).contains(buyerB).contains(buyerOrg);
        Map<String, String> elsewhere = new java.util.HashMap<>(WebSession.hiddenFields(orgPage, "/purchase/buyers"));
        elsewhere.put("username", buyerB);
        elsewhere.put("organisation", m.schoolC.toString());
        assertThat(org.post("/purchase/buyers", elsewhere).status()).isEqualTo(404);
        assertThat(buysFor(buyerB)).isEqualTo(m.schoolB.toString());
        elsewhere.put("organisation", m.organiser.toString());
        assertThat(org.post("/purchase/buyers", elsewhere).status()).isEqualTo(302);
        assertThat(buysFor(buyerB)).isEqualTo(m.organiser.toString());
        // a whole-installation administrator sees them all, as before
        assertThat(new WebSession(port).signIn(dirWhole, PASSWORD).page("/purchase/buyers").body()).contains(buyerA).contains(buyerB);
    }

    /** The buyers list's row of one buyer. */
    private static String buyerRow(String page, String buyer) {
        int at = page.indexOf("<th scope=\"row\">" + buyer + "</th>");
        assertThat(at).as(buyer + " is listed").isPositive();
        return page.substring(page.lastIndexOf("<tr", at), page.indexOf("</tr>", at));
    }

    @Test
    void aFormNarrowedGrantSeesBuyersItMayNotChangeWithoutTheControlsAndIsRefusedIfItTriesAnyway() {
        String u = m.source;
        // school A whole, and the organiser narrowed to preschool: school A's buyer is theirs to change; school B's and the
        // organiser's are seen (through the preschool grant) but buy for everyone there whatever their form, so are not
        String dirMixed = account("pas-dir-mix-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, dirMixed, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        String buyerA = account("pas-mb-a-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        String buyerB = account("pas-mb-b-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.schoolB), Set.of()));
        String buyerOrg = account("pas-mb-org-" + u, AdminRight.BUYER, GrantScope.units(Set.of(m.organiser), Set.of()));
        buyerScopes.set(buyerA, m.schoolA, root);
        buyerScopes.set(buyerB, m.schoolB, root);
        buyerScopes.set(buyerOrg, m.organiser, root);

        WebSession web = new WebSession(port).signIn(dirMixed, PASSWORD);
        String page = web.page("/purchase/buyers?lang=en").body();
        assertThat(buyerRow(page, buyerA)).contains("/purchase/buyers/remove").doesNotContain("Read only");
        for (String notTheirs : List.of(buyerB, buyerOrg)) {
            assertThat(buyerRow(page, notTheirs)).as(notTheirs).doesNotContain("/purchase/buyers/remove").contains("Read only");
        }

        // posted anyway (a removal, a move into school A): refused in words, nothing changes, nothing audited
        Map<String, String> remove = new java.util.HashMap<>(WebSession.hiddenFields(page, "/purchase/buyers/remove"));
        remove.put("username", buyerOrg);
        WebSession.Answer refused = web.post("/purchase/buyers/remove", remove);
        assertThat(refused.status()).isEqualTo(302);
        assertThat(web.follow(refused).body()).contains("covers more than your grant");
        Map<String, String> move = new java.util.HashMap<>(WebSession.hiddenFields(page, "/purchase/buyers"));
        move.put("username", buyerB);
        move.put("organisation", m.schoolA.toString());
        WebSession.Answer moved = web.post("/purchase/buyers", move);
        assertThat(moved.status()).isEqualTo(302);
        assertThat(web.follow(moved).body()).contains("covers more than your grant");
        assertThat(buysFor(buyerOrg)).isEqualTo(m.organiser.toString());
        assertThat(buysFor(buyerB)).isEqualTo(m.schoolB.toString());
        assertThat(jdbc.sql("select count(*) from audit_event where action like 'BUYER_SCOPE_%' and actor = :a").param("a", dirMixed)
                .query(Long.class).single()).isZero();

        // the one the page offers it removes
        remove.put("username", buyerA);
        assertThat(web.post("/purchase/buyers/remove", remove).status()).isEqualTo(302);
        assertThat(buysFor(buyerA)).isNull();

        // the organiser's administrator (not narrowed) has the controls on both of the others
        String orgPage = new WebSession(port).signIn(dirOrganiser, PASSWORD).page("/purchase/buyers?lang=en").body();
        assertThat(buyerRow(orgPage, buyerB)).contains("/purchase/buyers/remove");
        assertThat(buyerRow(orgPage, buyerOrg)).contains("/purchase/buyers/remove");
    }
}
