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
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The role matrix (issue 11): what each kind of grant sees through the API and pages, on real PostgreSQL with a
 * synthetic municipality. Out of scope is 404 and absent from search and counts. {@link #theRoleMatrix} walks each
 * right × scope kind over the directory, licensing, ledger, audit, access and purchase APIs and pages; REGIONAL
 * (aggregates only) over all of them; the scenarios below it go deeper into the directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedDirectoryMatrixTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-matrix-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.tilldela.governance.AuditTrail audit;

    private ScopedMunicipality m;
    private String whole, schoolA, preschoolO, organiserProtectedA, organiserProtectedB, noRightHere;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = account("whole-" + u, root);
        grants.grant(root, whole, AdminRight.DIRECTORY_ADMIN, GrantScope.wholeInstallationScope());
        schoolA = account("a-" + u, root);
        grants.grant(root, schoolA, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        preschoolO = account("fs-" + u, root);
        grants.grant(root, preschoolO, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        organiserProtectedA = account("protA-" + u, root);
        grants.grant(root, organiserProtectedA, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, organiserProtectedA, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserProtectedB = account("protB-" + u, root);
        grants.grant(root, organiserProtectedB, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, organiserProtectedB, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(m.schoolB), Set.of()));
        // holds DIRECTORY_ADMIN (so the API lets it in) but over the other organiser only
        noRightHere = account("c-" + u, root);
        grants.grant(root, noRightHere, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
        // something in the audit trail about each probed person, for the audit rows of the matrix
        for (UUID person : List.of(m.a1, m.b1, m.b2, m.bProt, m.c1)) {
            audit.record("matrix-" + u, "MATRIX_PROBE", "person", person.toString(), Map.of());
        }
    }

    private String account(String name, String root) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        return name;
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int status(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    private Map<String, Object> get(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(new ParameterizedTypeReference<>() { });
    }

    private List<Map<String, Object>> list(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(new ParameterizedTypeReference<>() { });
    }

    @SuppressWarnings("unchecked")
    private List<String> personsFound(String user, String q) {
        return ((List<Map<String, Object>>) get(user, "/api/v1/directory/search?q={q}", q).get("persons")).stream()
                .map(p -> (String) p.get("personId")).toList();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The matrix: right × scope kind × module probe

    /** The scope kinds a right is granted in: one school unit (A), or the organiser narrowed to preschool (FS). */
    enum Kind { SCHOOL_A, PRESCHOOL }

    /** How a probe answers: one person's record (200 in scope, 404 outside), a search/list (found or not), or a part for whole-installation grants only (403 for any scoped grant, in scope or not). */
    enum Shape { RECORD, SEARCH, WHOLE_INSTALLATION_ONLY }

    /**
     * One request of a module, about one person: {@code {person}} and {@code {family}} are filled in. {@code page}:
     * through a signed-in web session, else the API with HTTP Basic.
     */
    record Probe(String module, AdminRight right, boolean page, String path, Shape shape) {
        @Override
        public String toString() {
            return module + " " + (page ? "page " : "API ") + path;
        }
    }

    static final List<Probe> PROBES = List.of(
            new Probe("directory", AdminRight.DIRECTORY_ADMIN, false, "/api/v1/persons/{person}", Shape.RECORD),
            new Probe("directory", AdminRight.DIRECTORY_ADMIN, false, "/api/v1/directory/search?q={family}", Shape.SEARCH),
            new Probe("directory", AdminRight.DIRECTORY_ADMIN, true, "/directory/persons/{person}", Shape.RECORD),
            new Probe("directory", AdminRight.DIRECTORY_ADMIN, true, "/directory/search?q={family}", Shape.SEARCH),
            new Probe("licensing", AdminRight.LICENCE_ADMIN, false, "/api/v1/persons/{person}/licences", Shape.RECORD),
            new Probe("licensing", AdminRight.LICENCE_ADMIN, true, "/licences/persons/{person}", Shape.RECORD),
            new Probe("ledger", AdminRight.DATA_PROTECTION_OFFICER, false, "/api/v1/ledger/persons/{person}", Shape.RECORD),
            new Probe("ledger", AdminRight.DATA_PROTECTION_OFFICER, true, "/ledger/persons/{person}", Shape.RECORD),
            new Probe("ledger", AdminRight.DATA_PROTECTION_OFFICER, true, "/ledger?q={family}", Shape.SEARCH),
            new Probe("audit", AdminRight.AUDITOR, true, "/admin/audit/audit.csv?targetType=person&targetId={person}", Shape.SEARCH),
            new Probe("audit", AdminRight.DATA_PROTECTION_OFFICER, true, "/admin/audit/audit.csv?targetType=person&targetId={person}", Shape.SEARCH),
            new Probe("access", AdminRight.ACCESS_ADMIN, false, "/api/v1/access/persons/{person}/products/{product}/permitted", Shape.RECORD));

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> matrix() {
        return PROBES.stream().flatMap(p -> java.util.Arrays.stream(Kind.values()).map(k -> org.junit.jupiter.params.provider.Arguments.of(p.right(), k, p)));
    }

    private final Map<String, String> matrixAccounts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, WebSession> sessions = new java.util.concurrent.ConcurrentHashMap<>();

    /** The account holding {@code right} in the scope {@code kind} (made on first use). */
    private String holder(AdminRight right, Kind kind) {
        return matrixAccounts.computeIfAbsent(right + "/" + kind, key -> {
            String name = account(("m-" + right.name().toLowerCase(java.util.Locale.ROOT) + "-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + m.source)
                    .replace("_", ""), "root-" + m.source);
            grants.grant("root-" + m.source, name, right, kind == Kind.SCHOOL_A ? GrantScope.units(Set.of(m.schoolA), Set.of())
                    : GrantScope.units(Set.of(m.organiser), Set.of("FS")));
            return name;
        });
    }

    private String family(UUID person) {
        return jdbc.sql("select family_name from person where id = :p").param("p", person).query(String.class).single();
    }

    /** What the probe answers {@code user} about {@code person}: status and body. */
    private WebSession.Answer ask(String user, Probe probe, UUID person) {
        String path = probe.path().replace("{person}", person.toString()).replace("{family}", family(person)).replace("{product}", probedProduct());
        if (probe.page()) {
            return sessions.computeIfAbsent(user, u -> new WebSession(port).signIn(u, PASSWORD)).page(path);
        }
        return client(user).get().uri(path).exchange((req, res) -> new WebSession.Answer(res.getStatusCode().value(), null,
                new String(res.getBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
    }

    private String probedProduct;

    /** A product for the probes that ask about one (made on first use). */
    private synchronized String probedProduct() {
        if (probedProduct == null) {
            probedProduct = product().toString();
        }
        return probedProduct;
    }

    /** What shows that {@code person} was found: their id in an API answer or CSV, "family, given" on a page. */
    private String found(Probe probe, UUID person) {
        if (probe.module().equals("audit")) {
            return person.toString() + ",";
        }
        if (!probe.page()) {
            return person.toString();
        }
        return jdbc.sql("select family_name || ', ' || given_name from person where id = :p").param("p", person).query(String.class).single();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} over {1}: {2}")
    @org.junit.jupiter.params.provider.MethodSource("matrix")
    void theRoleMatrix(AdminRight right, Kind kind, Probe probe) {
        String user = holder(right, kind);
        // in scope: a school-A pupil, or the preschool child; outside: a compulsory-school pupil of school B
        UUID inside = kind == Kind.SCHOOL_A ? m.a1 : m.b2;
        UUID outside = m.b1;
        WebSession.Answer in = ask(user, probe, inside);
        WebSession.Answer out = ask(user, probe, outside);
        switch (probe.shape()) {
            case RECORD -> {
                assertThat(in.status()).as("in scope").isEqualTo(200);
                assertThat(out.status()).as("outside the scope: not there, not forbidden").isEqualTo(404);
            }
            case SEARCH -> {
                assertThat(in.status()).isEqualTo(200);
                assertThat(out.status()).isEqualTo(200);
                assertThat(in.body()).as("found in scope").contains(found(probe, inside));
                assertThat(out.body()).as("never found outside the scope").doesNotContain(found(probe, outside));
            }
            case WHOLE_INSTALLATION_ONLY -> {
                // the same answer in scope and out: it tells nothing about whether the person exists
                assertThat(in.status()).isEqualTo(403);
                assertThat(out.status()).isEqualTo(403);
            }
        }
        if (!probe.path().contains("{family}")) {
            // (a search's own query is echoed in its search box: that is the caller's text, not the record's)
            assertThat(out.body()).as("no name of the person outside the scope").doesNotContain(m.familyB);
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> auditRights() {
        return java.util.stream.Stream.of(AdminRight.AUDITOR, AdminRight.DATA_PROTECTION_OFFICER)
                .flatMap(r -> java.util.Arrays.stream(Kind.values()).map(k -> org.junit.jupiter.params.provider.Arguments.of(r, k)));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} over {1}: the audit trail counts what lies within the scope")
    @org.junit.jupiter.params.provider.MethodSource("auditRights")
    void theAuditTrailCountsWithinScope(AdminRight right, Kind kind) {
        String user = holder(right, kind);
        // one event about each of a1, b1, b2, bProt and c1: within school A only a1's, within preschool only b2's
        WebSession.Answer csv = sessions.computeIfAbsent(user, u -> new WebSession(port).signIn(u, PASSWORD))
                .page("/admin/audit/audit.csv?action=MATRIX_PROBE&actor=matrix-" + m.source);
        assertThat(csv.status()).isEqualTo(200);
        List<String> rows = csv.body().lines().skip(1).filter(l -> !l.isBlank()).toList();
        assertThat(rows).singleElement().asString().contains((kind == Kind.SCHOOL_A ? m.a1 : m.b2).toString());
    }

    @Autowired
    org.tilldela.catalog.Catalog catalog;
    @Autowired
    org.tilldela.purchase.BuyerScopes buyerScopes;
    @Autowired
    org.tilldela.purchase.Cart cart;
    @Autowired
    org.tilldela.licensing.Profiles profiles;
    @Autowired
    org.tilldela.purchase.Recipients recipients;

    /** A product of a supplier whose processing agreement covers the municipality's organiser. */
    private UUID product() {
        UUID supplier = UUID.randomUUID();
        catalog.save(new org.tilldela.catalog.Supplier(supplier, "Matrisförlaget " + m.source, "55" + Long.toString(Math.abs(supplier.getLeastSignificantBits()) % 100_000_000L),
                "SE", Set.of("SE"), List.of(), List.of(new org.tilldela.catalog.Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf",
                java.time.LocalDate.now().minusYears(1), java.time.LocalDate.now().plusYears(2), Set.of(m.organiser))),
                new org.tilldela.catalog.Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        UUID id = UUID.randomUUID();
        catalog.save(new org.tilldela.catalog.Product(id, "ART-" + id.toString().substring(0, 13), supplier, "Matrisboken " + m.source, "",
                org.tilldela.catalog.Product.Kind.DIGITAL, List.of("GR", "FS"), List.of(), List.of("Matematik"), org.tilldela.catalog.Product.LicenceModel.PER_USER,
                12, new java.math.BigDecimal("99.00"), "SEK", null, org.tilldela.catalog.Product.AccessMethod.NONE, List.of()));
        return id;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "BUYER over {0}: recipients are picked within the grant, whatever the buyer scope")
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void aBuyerPicksRecipientsWithinItsGrantOnly(Kind kind) {
        String user = holder(AdminRight.BUYER, kind);
        // where the account buys for (purchase's buyer scope) is the whole organiser: wider than its BUYER grant
        buyerScopes.set(user, m.organiser, "test");
        UUID line = cart.add(user, product(), null, false);
        WebSession web = sessions.computeIfAbsent(user, u -> new WebSession(port).signIn(u, PASSWORD));
        String picker = "/purchase/cart/" + line + "/recipients";
        assertThat(web.page(picker + "?group=" + (kind == Kind.SCHOOL_A ? m.gA : m.gBpre)).status()).isEqualTo(200);
        // the cart's link opens the picker without a unit: at the highest unit the grant covers, not a 404 at the organiser
        WebSession.Answer opened = web.page(picker);
        assertThat(opened.status()).as("the picker as the cart links to it").isEqualTo(200);
        if (kind == Kind.SCHOOL_A) {
            assertThat(opened.body()).contains("4A " + m.source.substring("scopes-".length()));
        }
        WebSession.Answer otherClass = web.page(picker + "?group=" + m.gB);
        assertThat(otherClass.status()).as("school B's compulsory-school class").isEqualTo(404);
        assertThat(otherClass.body()).doesNotContain(m.familyB);
        String classB = "4B " + m.source.substring("scopes-".length());
        WebSession.Answer unitB = web.page(picker + "?unit=" + m.schoolB);
        if (kind == Kind.SCHOOL_A) {
            assertThat(unitB.status()).isEqualTo(404);
        } else {
            // school B serves preschool too: its page, with the preschool group only
            assertThat(unitB.status()).isEqualTo(200);
            assertThat(unitB.body()).contains("Blåklockan").doesNotContain(classB);
        }
        // and what an order resolves to: a class outside the grant is refused, a school's roster is counted within the grant
        org.tilldela.purchase.BuyerScope scope = buyerScopes.require(user);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> recipients.resolve(scope, List.of(org.tilldela.purchase.Recipient.group(m.gB))))
                .isInstanceOf(org.tilldela.purchase.RecipientsRefused.class);
        if (kind == Kind.SCHOOL_A) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> recipients.resolve(scope, List.of(org.tilldela.purchase.Recipient.allPupilsAtUnit(m.schoolB))))
                    .isInstanceOf(org.tilldela.purchase.RecipientsRefused.class);
            assertThat(recipients.resolve(scope, List.of(org.tilldela.purchase.Recipient.allPupilsAtUnit(m.schoolA))).persons()).containsExactly(m.a1);
        } else {
            // school B serves compulsory school too: all its pupils would become a pool reaching them all, so a preschool
            // grant picks its preschool group, not the school
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> recipients.resolve(scope, List.of(org.tilldela.purchase.Recipient.allPupilsAtUnit(m.schoolB))))
                    .isInstanceOf(org.tilldela.purchase.RecipientsRefused.class);
            assertThat(recipients.resolve(scope, List.of(org.tilldela.purchase.Recipient.group(m.gBpre))).persons()).containsExactly(m.b2);
        }
    }

    @Test
    void aBuyersPickerShowsAProtectedPupilOnlyWithinTheBuyersOwnViewProtectedGrant() {
        // both buy for the whole organiser; one may see protected identities at school A, the other at school B, where the
        // protected pupil is: the right among the session's authorities is the same for both, its scope is not
        String root = "root-" + m.source;
        Map<String, Boolean> buyers = Map.of("pick-a-" + m.source, false, "pick-b-" + m.source, true);
        buyers.forEach((user, seesProtected) -> {
            account(user, root);
            grants.grant(root, user, AdminRight.BUYER, GrantScope.units(Set.of(m.organiser), Set.of()));
            grants.grant(root, user, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(seesProtected ? m.schoolB : m.schoolA), Set.of()));
            buyerScopes.set(user, m.organiser, "test");
            UUID line = cart.add(user, product(), null, false);
            WebSession.Answer classB = new WebSession(port).signIn(user, PASSWORD).page("/purchase/cart/" + line + "/recipients?group=" + m.gB);
            assertThat(classB.status()).isEqualTo(200);
            assertThat(classB.body()).contains(m.familyB);
            if (seesProtected) {
                assertThat(classB.body()).contains(m.familyProtected);
            } else {
                assertThat(classB.body()).doesNotContain(m.familyProtected);
            }
        });
    }

    /** Every name and person id of the synthetic municipality: none may reach a REGIONAL account. */
    private String[] identifying() {
        List<String> all = new java.util.ArrayList<>(List.of(m.familyA, m.familyB, m.familyPre, m.familyProtected, m.familyC));
        for (UUID p : List.of(m.a1, m.tA, m.b1, m.b2, m.bProt, m.bGuardian, m.c1)) {
            all.add(p.toString());
        }
        return all.toArray(String[]::new);
    }

    static java.util.stream.Stream<Probe> everyProbe() {
        return PROBES.stream();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "REGIONAL: {0}")
    @org.junit.jupiter.params.provider.MethodSource("everyProbe")
    void regionalNeverSeesANameOrAPersonId(Probe probe) {
        String regional = holderOfRegional("both", Set.of(m.organiser, m.otherOrganiser), Set.of());
        for (UUID person : List.of(m.a1, m.b1, m.b2, m.bProt, m.c1)) {
            WebSession.Answer answer = ask(regional, probe, person);
            assertThat(answer.status()).as(probe + " for " + person).isIn(403, 404);
            // what the request itself named may be echoed (the error's path, a search box); nothing else of anyone
            String asked = probe.path().replace("{person}", person.toString()).replace("{family}", family(person));
            assertThat(answer.body()).doesNotContain(java.util.Arrays.stream(identifying()).filter(v -> !asked.contains(v)).toArray(String[]::new));
        }
    }

    private String holderOfRegional(String key, Set<UUID> organisers, Set<String> forms) {
        return matrixAccounts.computeIfAbsent("REGIONAL/" + key, k -> {
            String name = account("m-regional-" + key + "-" + m.source, "root-" + m.source);
            grants.grant("root-" + m.source, name, AdminRight.REGIONAL, GrantScope.units(organisers, forms));
            return name;
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void regionalSeesCountsWithinItsScopeAndNeverAPerson() {
        String both = holderOfRegional("both", Set.of(m.organiser, m.otherOrganiser), Set.of());
        List<Map<String, Object>> organisers = list(both, "/api/v1/regional/organisers");
        assertThat(organisers).extracting(o -> o.get("id")).containsExactlyInAnyOrder(m.organiser.toString(), m.otherOrganiser.toString());
        Map<String, Object> provby = organisers.stream().filter(o -> o.get("id").equals(m.organiser.toString())).findFirst().orElseThrow();
        // a1, b1, bProt, b2; tA; 4A, 4B, Blåklockan
        assertThat(provby).containsEntry("schoolUnits", 2).containsEntry("pupils", 4).containsEntry("staff", 1).containsEntry("groups", 3);
        assertThat(organisers.toString()).doesNotContain(identifying());

        // counts within scope: one organiser only; narrowed to preschool, the preschool child and group only
        String one = holderOfRegional("one", Set.of(m.organiser), Set.of());
        assertThat(list(one, "/api/v1/regional/organisers")).extracting(o -> o.get("id")).containsExactly(m.organiser.toString());
        String preschool = holderOfRegional("fs", Set.of(m.organiser), Set.of("FS"));
        assertThat(list(preschool, "/api/v1/regional/organisers")).singleElement().satisfies(o -> assertThat(o)
                .containsEntry("schoolUnits", 1).containsEntry("pupils", 1).containsEntry("staff", 0).containsEntry("groups", 1));

        // the page: the same counts, no person; and nothing else opens for REGIONAL alone
        WebSession web = new WebSession(port).signIn(both, PASSWORD);
        WebSession.Answer page = web.page("/regional");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(jdbc.sql("select name from organisation where id = :o").param("o", m.organiser).query(String.class).single())
                .doesNotContain(identifying());
        assertThat(web.get("/").location()).endsWith("/regional");
        // the utilisation page opens, per organiser: still no person (UtilisationPageTest has its figures)
        WebSession.Answer utilisation = web.page("/utilisation");
        assertThat(utilisation.status()).isEqualTo(200);
        assertThat(utilisation.body()).doesNotContain(identifying());
        for (String other : List.of("/directory", "/licences", "/ledger", "/admin/audit", "/purchase", "/catalog", "/dpo",
                "/directory/groups/" + m.gB, "/directory/organisations/" + m.organiser)) {
            WebSession.Answer answer = web.page(other);
            assertThat(answer.status()).as(other).isIn(403, 404);
            assertThat(answer.body()).doesNotContain(identifying());
        }
        for (String api : List.of("/api/v1/organisations", "/api/v1/directory/stats", "/api/v1/groups/" + m.gB + "/members",
                "/api/v1/ledger/feed", "/api/v1/access/requests")) {
            assertThat(status(both, api)).as(api).isEqualTo(403);
        }
        // and a right without REGIONAL does not open the regional counts
        assertThat(status(schoolA, "/api/v1/regional/organisers")).isEqualTo(403);
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void aSchoolAdminGets404ForAnotherSchoolsPupilAndCannotFindThem() {
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.c1)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}", m.gB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}/members", m.gB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/organisations/{id}", m.schoolB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/organisations/{id}/groups", m.schoolB)).isEqualTo(404);
        // not even the organiser above the school: its counts would tell what lies beside it
        assertThat(status(schoolA, "/api/v1/organisations/{id}", m.organiser)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}/members", m.gA)).isEqualTo(200);

        assertThat(personsFound(schoolA, m.familyB)).isEmpty();
        assertThat(personsFound(schoolA, m.familyA)).containsExactlyInAnyOrder(m.a1.toString(), m.tA.toString());
        assertThat(list(schoolA, "/api/v1/organisations")).extracting(o -> o.get("id")).containsExactly(m.schoolA.toString());

        // a school-B pupil's page in the web UI: not found, as in the API
        WebSession web = new WebSession(port).signIn(schoolA, PASSWORD);
        assertThat(web.get("/directory/groups/" + m.gB).status()).isEqualTo(404);
        assertThat(web.get("/directory/organisations/" + m.schoolB).status()).isEqualTo(404);
        assertThat(web.get("/directory/groups/" + m.gA).status()).isEqualTo(200);
        // the query itself is echoed in the search box; a hit would read "family, given"
        assertThat(web.get("/directory/search?q=" + m.familyB).body()).doesNotContain(m.familyB + ", Bo");
        assertThat(web.get("/directory/search?q=" + m.familyA).body()).contains(m.familyA + ", Alva");
    }

    @Test
    void aPreschoolGrantNeverSeesACompulsorySchoolPupil() {
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.b2)).isEqualTo(200);
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.a1)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/groups/{id}", m.gB)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/groups/{id}/members", m.gBpre)).isEqualTo(200);
        assertThat(personsFound(preschoolO, m.familyB)).isEmpty();
        assertThat(personsFound(preschoolO, m.familyPre)).containsExactly(m.b2.toString());
        // the school that serves only compulsory school is not there for it; the mixed one shows its preschool group only
        assertThat(list(preschoolO, "/api/v1/organisations/{id}/children", m.organiser)).extracting(o -> o.get("id"))
                .containsExactly(m.schoolB.toString());
        assertThat(list(preschoolO, "/api/v1/organisations/{id}/groups", m.schoolB)).extracting(g -> g.get("id"))
                .containsExactly(m.gBpre.toString());
        Map<String, Object> organiser = get(preschoolO, "/api/v1/organisations/{id}", m.organiser);
        assertThat(organiser).containsEntry("pupils", 1).containsEntry("groups", 1).containsEntry("staff", 0).containsEntry("childUnits", 1);
    }

    @Test
    void countsAreCountsWithinScope() {
        assertThat(get(schoolA, "/api/v1/directory/stats")).containsEntry("organisations", 1).containsEntry("persons", 2)
                .containsEntry("groups", 1).containsEntry("memberships", 1).containsEntry("duties", 1).containsEntry("guardianLinks", 0)
                .containsEntry("protectedPersons", 0);
        assertThat(get(organiserProtectedA, "/api/v1/directory/stats")).containsEntry("organisations", 3)
                // a1, tA, b1, bProt, b2 and b1's guardian
                .containsEntry("persons", 6).containsEntry("groups", 3).containsEntry("memberships", 4).containsEntry("guardianLinks", 1)
                .containsEntry("protectedPersons", 1);
        assertThat(get(organiserProtectedA, "/api/v1/organisations/{id}", m.organiser)).containsEntry("pupils", 4).containsEntry("groups", 3)
                .containsEntry("staff", 1).containsEntry("childUnits", 2);
        assertThat(get(noRightHere, "/api/v1/directory/stats")).containsEntry("organisations", 2).containsEntry("persons", 1);
        assertThat(status(noRightHere, "/api/v1/organisations/{id}", m.organiser)).isEqualTo(404);
    }

    @Test
    void theWholeInstallationGrantSeesEverything() {
        for (UUID person : List.of(m.a1, m.b1, m.b2, m.c1, m.bGuardian)) {
            assertThat(status(whole, "/api/v1/persons/{id}", person)).isEqualTo(200);
        }
        assertThat(list(whole, "/api/v1/organisations")).extracting(o -> o.get("id"))
                .contains(m.organiser.toString(), m.otherOrganiser.toString());
        assertThat(get(whole, "/api/v1/organisations/{id}", m.organiser)).containsEntry("pupils", 4).containsEntry("groups", 3);
        assertThat(personsFound(whole, m.familyB)).containsExactlyInAnyOrder(m.b1.toString(), m.bGuardian.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void protectedIdentitiesAreSeenOnlyWithinTheirOwnScope() {
        // both see the protected pupil's group (DIRECTORY_ADMIN over the organiser); only one may see who they are
        Map<String, Object> maskedForA = list(organiserProtectedA, "/api/v1/groups/{id}/members", m.gB).stream()
                .filter(p -> p.get("personId").equals(m.bProt.toString())).findFirst().orElseThrow();
        assertThat(maskedForA).containsEntry("masked", true).containsEntry("familyName", null);
        Map<String, Object> shownForB = list(organiserProtectedB, "/api/v1/groups/{id}/members", m.gB).stream()
                .filter(p -> p.get("personId").equals(m.bProt.toString())).findFirst().orElseThrow();
        assertThat(shownForB).containsEntry("masked", false).containsEntry("familyName", m.familyProtected);

        assertThat(personsFound(organiserProtectedA, m.familyProtected)).isEmpty();
        assertThat(personsFound(organiserProtectedB, m.familyProtected)).containsExactly(m.bProt.toString());
        assertThat((Map<String, Object>) (Object) get(organiserProtectedA, "/api/v1/persons/{id}", m.bProt)).containsEntry("masked", true);
    }

    @Test
    void aSchoolScopedDataProtectionOfficerReportsOnlyOnItsOwnSchoolsPupils() {
        String root = "root-" + m.source;
        String dpo = account("dpo-" + m.source, root);
        grants.grant(root, dpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}/report.pdf", m.b1)).isEqualTo(404);
        // and a person no longer in the directory has no placement left to be within a school's scope
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", UUID.randomUUID())).isEqualTo(404);
        WebSession web = new WebSession(port).signIn(dpo, PASSWORD);
        assertThat(web.get("/ledger/persons/" + m.b1).status()).isEqualTo(404);
        assertThat(web.get("/ledger?q=" + m.familyB).body()).doesNotContain(m.familyB + ", Bo");
        assertThat(web.get("/ledger?q=" + m.familyA).body()).contains(m.familyA + ", Alva");
    }

    private UUID pool(UUID organiser, UUID scope) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into licence_pool (id, product_id, organiser_id, scope_id, seats, starts_on, ends_on, created_by)
                        values (:id, :product, :organiser, :scope, 10, current_date, current_date + 365, 'test')""")
                .param("id", id).param("product", UUID.randomUUID()).param("organiser", organiser).param("scope", scope).update();
        return id;
    }

    @Test
    void aSchoolScopedLicenceAdministratorSeesItsOwnSchoolsPoolsAndPupilsOnly() {
        String root = "root-" + m.source;
        String licences = account("lic-" + m.source, root);
        grants.grant(root, licences, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        UUID poolA = pool(m.organiser, m.schoolA);
        UUID poolB = pool(m.organiser, m.schoolB);
        UUID organiserWide = pool(m.organiser, m.organiser);

        WebSession web = new WebSession(port).signIn(licences, PASSWORD);
        String list = web.get("/licences").body();
        assertThat(list).contains(poolA.toString()).doesNotContain(poolB.toString()).doesNotContain(organiserWide.toString());
        assertThat(web.get("/licences/pools/" + poolA).status()).isEqualTo(200);
        assertThat(web.get("/licences/pools/" + poolB).status()).isEqualTo(404);
        assertThat(web.get("/licences/pools/" + organiserWide).status()).isEqualTo(404);
        // nor are the other pools' holders exported, nor may they be ended early — the ids are not secret (a person's
        // licences name them): the form of a pool in scope, sent to one outside it, is refused and ends nothing
        assertThat(web.get("/licences/pools/" + poolA + "/holders.csv").status()).isEqualTo(200);
        assertThat(web.get("/licences/pools/" + organiserWide + "/holders.csv").status()).isEqualTo(404);
        assertThat(web.get("/licences/pools/" + poolB + "/end").status()).isEqualTo(404);
        Map<String, String> endForm = WebSession.hiddenFields(web.get("/licences/pools/" + poolA + "/end").body(), "/licences/pools/" + poolA + "/end");
        assertThat(web.post("/licences/pools/" + organiserWide + "/end", endForm).status()).isEqualTo(404);
        assertThat(jdbc.sql("select ends_on from licence_pool where id = :id").param("id", organiserWide).query(java.time.LocalDate.class).single())
                .isAfter(java.time.LocalDate.now());
        // a profile is installation-wide, the persons its rules name are named within the grant only
        UUID profile = profiles.create("Profil " + m.source, List.of(product()), "test");
        profiles.addRule(profile, org.tilldela.licensing.Selector.person(m.a1), "test");
        profiles.addRule(profile, org.tilldela.licensing.Selector.person(m.b1), "test");
        assertThat(web.get("/licences/profiles/" + profile).body()).contains(m.familyA).doesNotContain(m.familyB);
        assertThat(web.get("/licences/persons/" + m.a1).status()).isEqualTo(200);
        assertThat(web.get("/licences/persons/" + m.b1).status()).isEqualTo(404);
        assertThat(status(licences, "/api/v1/persons/{id}/licences", m.a1)).isEqualTo(200);
        assertThat(status(licences, "/api/v1/persons/{id}/licences", m.b1)).isEqualTo(404);
        // the utilisation page filters by the grant too: school A's pools, never school B's
        String schoolBName = jdbc.sql("select name from organisation where id = :id").param("id", m.schoolB).query(String.class).single();
        WebSession.Answer utilisation = web.get("/utilisation");
        assertThat(utilisation.status()).isEqualTo(200);
        assertThat(utilisation.body()).doesNotContain("class=\"alert error\" role=\"alert\"")
                .doesNotContain(org.springframework.web.util.HtmlUtils.htmlEscape(schoolBName));
        // the whole-installation directory administrator still reads anyone's licences
        assertThat(status(whole, "/api/v1/persons/{id}/licences", m.b1)).isEqualTo(200);
    }

    /** A pool reaches everyone at its unit whatever their form: a preschool grant keeps none at a unit of other forms too. */
    @Test
    void aPreschoolLicenceAdministratorKeepsNoPoolThatReachesOtherSchoolForms() {
        String root = "root-" + m.source;
        String preschool = account("licfs-" + m.source, root);
        grants.grant(root, preschool, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        UUID organiserWide = pool(m.organiser, m.organiser);
        UUID atSchoolB = pool(m.organiser, m.schoolB);
        WebSession web = new WebSession(port).signIn(preschool, PASSWORD);
        assertThat(web.get("/licences").body()).doesNotContain(organiserWide.toString()).doesNotContain(atSchoolB.toString());
        assertThat(web.get("/licences/pools/" + organiserWide).status()).isEqualTo(404);
        assertThat(web.get("/licences/pools/" + atSchoolB + "/holders.csv").status()).isEqualTo(404);
        Map<String, String> endForm = WebSession.hiddenFields(web.get("/licences").body(), "/licences/pools");
        assertThat(web.post("/licences/pools/" + organiserWide + "/end", endForm).status()).isEqualTo(404);
        assertThat(jdbc.sql("select ends_on from licence_pool where id = :id").param("id", organiserWide).query(java.time.LocalDate.class).single())
                .isAfter(java.time.LocalDate.now());
    }

    @Test
    void partsNotYetFilteredByScopeAreForWholeInstallationGrantsOnly() {
        String root = "root-" + m.source;
        String access = account("acc-" + m.source, root);
        grants.grant(root, access, AdminRight.ACCESS_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        // a school's directory administrator runs no imports (an import replaces a whole source, every school in it)
        assertThat(status(schoolA, "/api/v1/imports")).isEqualTo(403);
        assertThat(status(whole, "/api/v1/imports")).isEqualTo(200);
        // the access module filters by scope (AccessScopeTest): a school's access administrator uses it
        assertThat(status(access, "/api/v1/access/requests")).isEqualTo(200);
        String dpo = account("dpo2-" + m.source, root);
        grants.grant(root, dpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        // the ledger's lists filter by the officer's scope (LedgerScopeTest); the chain stays whole-installation
        assertThat(status(dpo, "/api/v1/ledger/feed")).isEqualTo(200);
        assertThat(status(dpo, "/api/v1/ledger/suppliers")).isEqualTo(200);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.a1)).isEqualTo(200);
        // the overview shows no installation-wide counts to a school's officer
        WebSession.Answer overview = new WebSession(port).signIn(dpo, PASSWORD).get("/ledger");
        assertThat(overview.status()).isEqualTo(200);
        // and the menu offers only the pages that open: order approvals follow the officer's scope (PurchaseAndAccountScopeTest)
        assertThat(overview.body()).contains("href=\"/ledger\"", "href=\"/purchase/approvals\"");
        assertThat(new WebSession(port).signIn(schoolA, PASSWORD).get("/directory").body()).contains("href=\"/directory\"")
                .doesNotContain("href=\"/imports\"");
        assertThat(new WebSession(port).signIn(whole, PASSWORD).get("/directory").body()).contains("href=\"/imports\"");
        WebSession accessWeb = new WebSession(port).signIn(access, PASSWORD);
        assertThat(accessWeb.get("/").location()).endsWith("/access");
        String accessPage = accessWeb.page("/access").body();
        assertThat(accessPage).contains("href=\"/access\"").doesNotContain("href=\"/provisioning/connectors\"");
        // the catalogue is installation-wide: a processing agreement names any organiser, so a school's catalogue
        // administrator edits nothing there (and finds no link to it); reading products stays open to it, as to buyers
        String catalogA = account("cat-" + m.source, root);
        grants.grant(root, catalogA, AdminRight.CATALOG_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        String catalogWhole = account("catw-" + m.source, root);
        grants.grant(root, catalogWhole, AdminRight.CATALOG_ADMIN, GrantScope.wholeInstallationScope());
        WebSession catalogWeb = new WebSession(port).signIn(catalogA, PASSWORD);
        assertThat(catalogWeb.get("/catalog").status()).isEqualTo(403);
        assertThat(catalogWeb.get("/catalog/suppliers").status()).isEqualTo(403);
        // its only right opens nothing here: the start page says so instead of sending it to a refusal
        WebSession.Answer start = catalogWeb.get("/");
        assertThat(start.status()).isEqualTo(200);
        assertThat(start.body()).doesNotContain("href=\"/catalog\"");
        assertThat(status(catalogA, "/api/v1/catalog/products")).isEqualTo(200);
        WebSession catalogWholeWeb = new WebSession(port).signIn(catalogWhole, PASSWORD);
        assertThat(catalogWholeWeb.get("/catalog").status()).isEqualTo(200);
        assertThat(catalogWholeWeb.get("/").location()).endsWith("/catalog");
        assertThat(catalogWholeWeb.get("/catalog").body()).contains("href=\"/catalog\"");
    }

    @Test
    void aRevokedGrantOrADisabledAccountSeesNothingAtOnce() {
        String u = m.source;
        String root = "root-" + u;
        String leaver = account("leaver-" + u, root);
        AdminGrants.Grant grant = grants.grant(root, leaver, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, leaver, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(status(leaver, "/api/v1/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(grants.revoke(root, leaver, grant.id())).isTrue();
        assertThat(status(leaver, "/api/v1/persons/{id}", m.a1)).isEqualTo(403);

        // a disabled account's web session, opened before, no longer finds anyone: its scope is read at every request
        String mover = account("mover-" + u, root);
        grants.grant(root, mover, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        WebSession open = new WebSession(port).signIn(mover, PASSWORD);
        assertThat(open.get("/directory/groups/" + m.gA).status()).isEqualTo(200);
        assertThat(accounts.setEnabled(root, mover, false)).isTrue();
        assertThat(open.get("/directory/groups/" + m.gA).status()).isIn(302, 401, 404);
        assertThat(status(mover, "/api/v1/persons/{id}", m.a1)).isEqualTo(401);
    }
}
