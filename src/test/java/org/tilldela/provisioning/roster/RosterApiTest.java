package org.tilldela.provisioning.roster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OneRoster 1.2 roster API as a supplier's system uses it: a client-credentials token from Tilldela's
 * token endpoint, obtained with an independent OAuth client (Nimbus), then pages of users, classes and
 * enrollments with paging, filters, sort and field selection — and only what the release policy lets go
 * about the product's licence holders, each page's releases in the ledger as one batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RosterApiTest extends IntegrationTest {

    static final String BASE = "/ims/oneroster/rostering/v1p2";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired DataAccessAgreements agreements;
    @Autowired SignInClients clients;
    @Autowired AdminAccounts accounts;

    final JsonMapper json = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newHttpClient();

    AccessFixture fx;
    List<UUID> teachers;
    Set<UUID> licensed;
    String token;

    @BeforeAll
    void rosterOfOneProduct() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
        teachers = jdbc.sql("select distinct d.person_id from duty d join person p on p.id = d.person_id where p.source = :s and d.role = 'TEACHER' and p.protection = 'NONE' order by 1 limit 3")
                .param("s", fx.source).query(UUID.class).list();
        assertThat(teachers).hasSize(3);
        fx.license(fx.productId, teachers);
        licensed = new HashSet<>(fx.persons);
        licensed.addAll(fx.protectedPersons);
        licensed.addAll(teachers);
        // names and e-mail under an approved agreement; protected persons still get a pseudonym only
        var filed = agreements.file(fx.supplierId, fx.request(AttributePackage.MEDIUM), "supplier");
        agreements.approve(filed.id(), null, null, "school-admin");
        SignInClients.Registration client = clients.registerSystemClient(fx.productId, "Roster", Set.of(OneRosterScopes.CORE), "test");
        token = token(client, OneRosterScopes.CORE);
    }

    String token(SignInClients.Registration client, String scope) throws Exception {
        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
        TokenResponse response = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret())), new ClientCredentialsGrant(), new Scope(scope))
                .toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        return response.toSuccessResponse().getTokens().getAccessToken().getValue();
    }

    record Answer(int status, Map<String, Object> body, HttpResponse<String> raw) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list(String name) {
            return (List<Map<String, Object>>) body.get(name);
        }

        int total() {
            return Integer.parseInt(raw.headers().firstValue("X-Total-Count").orElseThrow());
        }
    }

    Answer get(String pathAndQuery, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + BASE + pathAndQuery));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = response.body().isEmpty() ? Map.of() : json.readValue(response.body(), Map.class);
        return new Answer(response.statusCode(), body, response);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Releases to this product counted by the ledger (chained records and repeats alike). */
    long releasesCounted() {
        return jdbc.sql("select coalesce(sum(disclosures), 0) from holding where supplier_id = :s and product_id = :p").param("s", fx.supplierId)
                .param("p", fx.productId).query(Long.class).single();
    }

    UUID personOf(String sourcedId) {
        return jdbc.sql("select person_id from roster_pseudonym where supplier_id = :s and pseudonym = :p").param("s", fx.supplierId)
                .param("p", UUID.fromString(sourcedId)).query(UUID.class).single();
    }

    @Test
    void pagesOfUsersHoldEveryLicenceHolderOnceAndEachPageIsOneLedgerBatch() throws Exception {
        Set<String> seen = new LinkedHashSet<>();
        int offset = 0, total;
        do {
            long before = releasesCounted();
            Answer page = get("/users?limit=7&offset=" + offset, token);
            assertThat(page.status()).isEqualTo(200);
            total = page.total();
            List<Map<String, Object>> users = page.list("users");
            assertThat(users.size()).isLessThanOrEqualTo(7);
            users.forEach(u -> assertThat(seen.add((String) u.get("sourcedId"))).as("each user once").isTrue());
            // one release per user sent (a repeat is counted on the holding, a change chained), appended
            // together: one disclosure time for the whole page
            assertThat(releasesCounted() - before).isEqualTo(users.size());
            UUID[] pagePersons = users.stream().map(u -> personOf((String) u.get("sourcedId"))).toArray(UUID[]::new);
            assertThat(jdbc.sql("select count(distinct last_disclosed_at) from holding where supplier_id = :s and product_id = :p and person_id = any(:who)")
                    .param("s", fx.supplierId).param("p", fx.productId).param("who", pagePersons).query(Long.class).single())
                    .isEqualTo(users.isEmpty() ? 0 : 1);
            String link = page.raw().headers().firstValue("Link").orElseThrow();
            assertThat(link).contains("rel=\"first\"").contains("rel=\"last\"");
            if (offset + 7 < total) {
                assertThat(link).contains("offset=" + (offset + 7)).contains("rel=\"next\"");
            }
            offset += 7;
        } while (offset < total);
        assertThat(total).isEqualTo(licensed.size());
        Set<UUID> persons = new HashSet<>();
        seen.forEach(s -> persons.add(personOf(s)));
        assertThat(persons).as("only and all of the product's licence holders").isEqualTo(licensed);
    }

    @Test
    void aUserCarriesOnlyWhatTheReleasePolicyLetsGo() throws Exception {
        Answer all = get("/users?limit=1000", token);
        for (Map<String, Object> user : all.list("users")) {
            UUID person = personOf((String) user.get("sourcedId"));
            Map<String, Object> raw = jdbc.sql("select given_name, family_name, email, civic_number from person where id = :p").param("p", person)
                    .query().singleRow();
            assertThat(user).doesNotContainKey("identifier"); // CIVIC_NUMBER is declared but not in MEDIUM
            if (fx.protectedPersons.contains(person)) {
                assertThat(user.get("givenName")).isEqualTo("");
                assertThat(user.get("familyName")).isEqualTo("");
                assertThat(user).doesNotContainKey("email");
                // the name as a pair: another pupil may share the family name alone
                assertThat(all.raw().body()).doesNotContain("\"givenName\":\"" + raw.get("given_name") + "\",\"familyName\":\"" + raw.get("family_name") + "\"");
                if (raw.get("email") != null) {
                    assertThat(all.raw().body()).doesNotContain((String) raw.get("email"));
                }
            } else {
                assertThat(user.get("givenName")).isEqualTo(raw.get("given_name"));
                assertThat(user.get("familyName")).isEqualTo(raw.get("family_name"));
                if (raw.get("email") != null) {
                    assertThat(user.get("email")).isEqualTo(raw.get("email"));
                }
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> roles = (List<Map<String, Object>>) user.get("roles");
            assertThat(roles).isNotEmpty().allSatisfy(r -> assertThat(((Map<?, ?>) r.get("org")).get("type")).isEqualTo("org"));
        }
        // the ledger says what went: names for the unprotected, never for the protected
        var attributes = jdbc.sql("select person_id, attributes from disclosure where supplier_id = :s and channel = 'ROSTER_PULL'")
                .param("s", fx.supplierId).query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2))).list();
        assertThat(attributes).isNotEmpty().allSatisfy(e -> {
            assertThat(licensed).contains(e.getKey());
            if (fx.protectedPersons.contains(e.getKey())) {
                assertThat(e.getValue()).doesNotContain("GIVEN_NAME", "EMAIL");
            }
        });
    }

    @Test
    void filtersSortAndFieldsWorkOnlyOnWhatMayGo() throws Exception {
        UUID pupil = fx.persons.get(3);
        String email = jdbc.sql("select email from person where id = :p").param("p", pupil).query(String.class).single();
        assertThat(email).isNotBlank();
        Answer byEmail = get("/users?filter=" + q("email='" + email + "'"), token);
        assertThat(byEmail.status()).isEqualTo(200);
        assertThat(byEmail.total()).isEqualTo(1);
        assertThat(personOf((String) byEmail.list("users").getFirst().get("sourcedId"))).isEqualTo(pupil);

        // a protected person's e-mail, never released, matches nothing — not even in the count
        String hidden = jdbc.sql("select email from person where id = any(:p) and email is not null limit 1")
                .param("p", fx.protectedPersons.toArray(UUID[]::new)).query(String.class).optional().orElse(null);
        if (hidden != null) {
            Answer none = get("/users?filter=" + q("email='" + hidden + "'"), token);
            assertThat(none.total()).isZero();
            assertThat(none.list("users")).isEmpty();
        }

        Answer teachersOnly = get("/users?filter=" + q("status='active' AND roles.role='teacher'"), token);
        assertThat(teachersOnly.total()).isEqualTo(3);
        assertThat(get("/teachers", token).total()).isEqualTo(3);
        assertThat(get("/students", token).total()).isEqualTo(licensed.size() - 3);
        assertThat(get("/users?filter=" + q("dateLastModified>'2100-01-01T00:00:00Z'"), token).total()).isZero();
        assertThat(get("/users?filter=" + q("dateLastModified>'2000-01-01' OR email='x'"), token).total()).isEqualTo(licensed.size());

        Answer sorted = get("/users?sort=familyName&orderBy=desc&limit=1000&fields=sourcedId,familyName", token);
        List<String> names = sorted.list("users").stream().map(u -> (String) u.get("familyName")).filter(n -> n != null && !n.isEmpty()).toList();
        assertThat(names).isNotEmpty();
        List<String> expected = new ArrayList<>(names);
        expected.sort(java.util.Comparator.reverseOrder());
        assertThat(names).isEqualTo(expected);
        assertThat(sorted.list("users")).allSatisfy(u -> assertThat(u.keySet()).isSubsetOf(Set.of("sourcedId", "familyName")));

        Answer contains = get("/users?filter=" + q("familyName~'" + ((String) byEmail.list("users").getFirst().get("familyName")).substring(0, 3).toLowerCase() + "'"), token);
        assertThat(contains.total()).isGreaterThanOrEqualTo(1);
    }

    /**
     * Under an agreement that lets the pseudonym and the groups go but not the roles, nothing tells who teaches: not a
     * filter or sort on the users' roles, not an enrollment (which carries the role), not a teacher's classes.
     */
    @Test
    void anAgreementWithoutRolesLetsNoRoleOutThroughFiltersEnrollmentsOrTheTeachersPath() throws Exception {
        AccessFixture narrow = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> itsTeachers = jdbc.sql("""
                        select distinct d.person_id from duty d join person p on p.id = d.person_id
                        where p.source = :s and d.role = 'TEACHER' and p.protection = 'NONE' order by 1 limit 2""")
                .param("s", narrow.source).query(UUID.class).list();
        narrow.license(narrow.productId, itsTeachers);
        var filed = agreements.file(narrow.supplierId, narrow.request(AttributePackage.MEDIUM), "supplier");
        agreements.approve(filed.id(), EnumSet.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID, org.tilldela.catalog.Attribute.GROUPS),
                "pseudonym and classes are enough for this product", "school-admin");
        String narrowToken = token(clients.registerSystemClient(narrow.productId, "Roster utan roller", Set.of(OneRosterScopes.CORE), "test"),
                OneRosterScopes.CORE);

        Answer users = get("/users?limit=1000", narrowToken);
        assertThat(users.list("users")).isNotEmpty().allSatisfy(u -> assertThat((List<?>) u.get("roles")).isEmpty());
        assertThat(get("/users?filter=" + q("roles.role='teacher'"), narrowToken).list("users")).isEmpty();
        assertThat(get("/users?filter=" + q("roles.role='teacher'"), narrowToken).total()).isZero();
        assertThat(get("/teachers", narrowToken).list("users")).isEmpty();
        assertThat(get("/teachers", narrowToken).total()).as("not even counted").isZero();
        assertThat(get("/teachers?filter=" + q("dateLastModified>'2000-01-01T00:00:00Z'"), narrowToken).total()).isZero();
        assertThat(get("/enrollments?limit=1000", narrowToken).list("enrollments")).isEmpty();
        assertThat(get("/enrollments", narrowToken).total()).as("the plain collection does not count what it withholds").isZero();
        assertThat(get("/enrollments?filter=" + q("role='teacher'"), narrowToken).total()).isZero();
        String aTeacher = users.list("users").stream().map(u -> (String) u.get("sourcedId")).filter(id -> itsTeachers.contains(personOf(narrow, id)))
                .findFirst().orElseThrow();
        assertThat(get("/teachers/" + aTeacher + "/classes", narrowToken).status()).isEqualTo(404);
        assertThat(get("/users/" + aTeacher + "/classes", narrowToken).status()).isEqualTo(200);
        // and what was recorded is what went: never ROLES
        assertThat(jdbc.sql("select count(*) from disclosure where product_id = :p and attributes like '%ROLES%'").param("p", narrow.productId)
                .query(Integer.class).single()).isZero();
    }

    /**
     * An enrollment tells the pseudonym, the class and the role: the ledger records that, not the names and e-mail the
     * agreement would let go in the user's own record (a product of its own, so that nothing else was released to it).
     */
    @Test
    void anEnrollmentIsRecordedAsWhatItCarries() throws Exception {
        AccessFixture own = new AccessFixture(imports, jdbc, catalog, pools);
        String ownToken = mediumAgreedToken(own, "Roster");
        assertThat(get("/enrollments?limit=10", ownToken).list("enrollments")).isNotEmpty();
        assertThat(jdbc.sql("select distinct attributes from disclosure where product_id = :p").param("p", own.productId).query(String.class).list())
                .containsExactly("GROUPS,PSEUDONYMOUS_ID,ROLES");
        // a user's record carries the names: recorded with them
        assertThat(get("/users?limit=1", ownToken).list("users").getFirst()).containsKey("givenName");
        assertThat(jdbc.sql("select count(*) from disclosure where product_id = :p and attributes like '%GIVEN_NAME%'").param("p", own.productId)
                .query(Integer.class).single()).isPositive();
    }

    @Autowired org.tilldela.access.ReleaseObjections objections;

    /** A roster client's token for the fixture's product, under a data-access agreement for the MEDIUM package approved as asked. */
    private String mediumAgreedToken(AccessFixture own, String clientName) throws Exception {
        var filed = agreements.file(own.supplierId, own.request(AttributePackage.MEDIUM), "supplier");
        agreements.approve(filed.id(), null, null, "school-admin");
        return token(clients.registerSystemClient(own.productId, clientName, Set.of(OneRosterScopes.CORE), "test"), OneRosterScopes.CORE);
    }

    /**
     * Pupils whose guardians object hold the licence but nothing of theirs goes to the supplier: paging the plain
     * /enrollments by its total (and so its links) reaches every enrollment that may go, and the total counts those only.
     */
    @Test
    void pagingTheEnrollmentsReachesEveryOneThatMayGoWhenSomeAreWithheld() throws Exception {
        AccessFixture own = new AccessFixture(imports, jdbc, catalog, pools);
        String ownToken = mediumAgreedToken(own, "Roster, invändningar");
        List<UUID> objecting = own.persons.subList(0, 3);
        objecting.forEach(p -> objections.record(p, own.supplierId, "Vårdnadshavaren invänder", "test"));
        int withheld = jdbc.sql("select count(*) from membership where person_id = any(:p)").param("p", objecting.toArray(UUID[]::new))
                .query(Integer.class).single();
        assertThat(withheld).as("the objecting pupils are in classes").isPositive();
        int everyHoldersMemberships = jdbc.sql("""
                        select count(*) from membership where person_id in (
                            select a.person_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                            where p.product_id = :product and a.state = 'ACTIVE')""").param("product", own.productId).query(Integer.class).single();

        Set<String> seen = new HashSet<>();
        int offset = 0, total, pages = 0;
        do {
            Answer page = get("/enrollments?limit=7&offset=" + offset, ownToken);
            total = page.total();
            page.list("enrollments").forEach(e -> seen.add((String) e.get("sourcedId")));
            assertThat(page.list("enrollments")).as("a full page but the last").hasSize(Math.min(7, total - offset));
            offset += 7;
            pages++;
        } while (offset < total && pages < 100);
        assertThat(total).as("the withheld ones not counted").isEqualTo(everyHoldersMemberships - withheld);
        assertThat(seen).as("every one that may go reached by paging").hasSize(total);
    }

    UUID personOf(AccessFixture f, String sourcedId) {
        return jdbc.sql("select person_id from roster_pseudonym where supplier_id = :s and pseudonym = :p").param("s", f.supplierId)
                .param("p", UUID.fromString(sourcedId)).query(UUID.class).single();
    }

    @Test
    void badRequestsGetTheSpecsErrorPayload() throws Exception {
        for (String bad : List.of("filter=" + q("shoeSize='42'"), "filter=" + q("email="), "filter=" + q("email='a' and familyName='b'"), "sort=shoeSize",
                "fields=shoeSize", "limit=abc", "sort=.", "filter=" + q(".='x'"))) {
            Answer answer = get("/users?" + bad, token);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.body()).as(bad).containsEntry("imsx_codeMajor", "failure").containsEntry("imsx_severity", "error")
                    .containsKey("imsx_description").containsKey("imsx_CodeMinor");
        }
        assertThat(get("/users?filter=" + q("shoeSize='42'"), token).raw().body()).contains("invalid_filter_field");
        assertThat(get("/users?fields=shoeSize", token).raw().body()).contains("invalid_selection_field");
        assertThat(get("/users?sort=shoeSize", token).raw().body()).contains("invalid_selection_field");
        Answer unknown = get("/users/" + UUID.randomUUID(), token);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.raw().body()).contains("unknownobject");
    }

    @Test
    void withoutATokenOrWithTheWrongScopeTheDoorStaysShut() throws Exception {
        Answer none = get("/users", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw().headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        assertThat(none.raw().body()).contains("unauthorisedrequest");
        assertThat(get("/users", "not-a-token").status()).isEqualTo(401);

        SignInClients.Registration demographicsOnly = clients.registerSystemClient(fx.productId, "Demographics", Set.of(OneRosterScopes.DEMOGRAPHICS),
                "test");
        String narrow = token(demographicsOnly, OneRosterScopes.DEMOGRAPHICS);
        long before = releasesCounted();
        Answer forbidden = get("/users", narrow);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.raw().body()).contains("forbidden");
        assertThat(releasesCounted()).isEqualTo(before);
        assertThat(get("/demographics", narrow).status()).isEqualTo(200);
        assertThat(get("/demographics", token).status()).as("core does not cover demographics").isEqualTo(403);
    }

    @Test
    void classesAndEnrollmentsHoldOnlyLicenceHolders() throws Exception {
        Answer classes = get("/classes?limit=1000", token);
        assertThat(classes.status()).isEqualTo(200);
        Set<String> classIds = new HashSet<>();
        classes.list("classes").forEach(c -> classIds.add((String) c.get("sourcedId")));
        Set<String> expected = new HashSet<>(jdbc.sql("select distinct group_id::text from membership where person_id = any(:p)")
                .param("p", licensed.toArray(UUID[]::new)).query(String.class).list());
        assertThat(classIds).isEqualTo(expected);
        Map<String, Object> first = classes.list("classes").getFirst();
        assertThat(first).containsKeys("title", "classType", "course", "school", "terms");

        // a class with a licensed pupil in it: the first class by id may hold only a licensed teacher
        String classId = jdbc.sql("select m.group_id::text from membership m where m.person_id = any(:p) order by 1 limit 1")
                .param("p", fx.persons.toArray(UUID[]::new)).query(String.class).single();
        assertThat(classIds).contains(classId);
        Answer students = get("/classes/" + classId + "/students", token);
        assertThat(students.status()).isEqualTo(200);
        assertThat(students.list("users")).isNotEmpty().allSatisfy(u -> {
            UUID p = personOf((String) u.get("sourcedId"));
            assertThat(licensed).contains(p);
            assertThat(jdbc.sql("select count(*) from membership where person_id = :p and group_id = :g::uuid").param("p", p).param("g", classId)
                    .query(Integer.class).single()).isPositive();
        });
        assertThat(get("/classes/" + classId, token).body()).containsKey("class");

        Set<String> enrollmentIds = new HashSet<>();
        int offset = 0, total;
        do {
            Answer page = get("/enrollments?limit=25&offset=" + offset, token);
            total = page.total();
            page.list("enrollments").forEach(e -> {
                enrollmentIds.add((String) e.get("sourcedId"));
                assertThat(licensed).contains(personOf((String) ((Map<?, ?>) e.get("user")).get("sourcedId")));
                assertThat(classIds).contains((String) ((Map<?, ?>) e.get("class")).get("sourcedId"));
            });
            offset += 25;
        } while (offset < total);
        assertThat(enrollmentIds).hasSize(total);
        String one = enrollmentIds.iterator().next();
        assertThat(get("/enrollments/" + one, token).body()).containsKey("enrollment");
        assertThat(get("/enrollments?filter=" + q("role='teacher'"), token).list("enrollments"))
                .allSatisfy(e -> assertThat(e.get("role")).isEqualTo("teacher"));

        Answer schools = get("/schools", token);
        assertThat(schools.list("orgs")).isNotEmpty().allSatisfy(o -> assertThat(o.get("type")).isEqualTo("school"));
        String school = (String) schools.list("orgs").getFirst().get("sourcedId");
        assertThat(get("/schools/" + school + "/classes", token).status()).isEqualTo(200);
        assertThat(get("/orgs", token).list("orgs")).anySatisfy(o -> assertThat(o.get("type")).isEqualTo("district"));
        assertThat(get("/terms", token).list("academicSessions")).isNotEmpty();
        assertThat(get("/courses", token).total()).isEqualTo(classIds.size());

        String user = (String) students.list("users").getFirst().get("sourcedId");
        assertThat(get("/users/" + user, token).body()).containsKey("user");
        assertThat(new HashSet<Object>(((Map<?, ?>) get("/users/" + user + "?fields=sourcedId,roles", token).body().get("user")).keySet()))
                .isEqualTo(Set.of("sourcedId", "roles"));
        assertThat(get("/students/" + user + "/classes", token).list("classes")).anySatisfy(c -> assertThat(c.get("sourcedId")).isEqualTo(classId));
    }

    @Test
    void anAccessAdministratorRegistersARosterClientWithOneRosterScopesOnly() throws Exception {
        String admin = "roster-admin-" + CatalogFixtures.unique();
        accounts.create(admin, "Access admin", "a long enough test password", EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        RestClient api = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, "a long enough test password"))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
        var created = api.post().uri("/api/v1/roster/clients").body(Map.of("productId", fx.productId, "name", "Rostering")).retrieve().toEntity(Map.class);
        assertThat(created.getStatusCode().value()).isEqualTo(201);
        var registration = new SignInClients.Registration((String) created.getBody().get("clientId"), (String) created.getBody().get("clientSecret"));
        assertThat(get("/orgs", token(registration, OneRosterScopes.CORE)).status()).isEqualTo(200);
        assertThat(api.post().uri("/api/v1/roster/clients").body(Map.of("productId", fx.productId, "name", "X", "scopes", List.of("openid")))
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(400);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_SYSTEM_CLIENT_REGISTERED' and actor = :a").param("a", admin)
                .query(Integer.class).single()).isEqualTo(1);
    }
}
