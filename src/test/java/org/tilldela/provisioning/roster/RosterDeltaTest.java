package org.tilldela.provisioning.roster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deltas over the roster API (OneRoster 1.2 {@code filter=dateLastModified>'…'}): a supplier that fetched its users
 * and asks later for what changed since gets, besides the changed, the users whose licence ended since then, as
 * {@code status='tobedeleted'} with the moment it ended — carrying only the pseudonym it already holds, and written
 * to no ledger (nothing new leaves).
 */
class RosterDeltaTest extends IntegrationTest {

    static final String BASE = "/ims/oneroster/rostering/v1p2";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired SignInClients clients;

    final JsonMapper json = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aDeltaTellsWhoseLicenceEndedSinceAsToBeDeleted() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        SignInClients.Registration client = clients.registerSystemClient(fx.productId, "Roster delta", Set.of(OneRosterScopes.CORE), "test");
        String token = RosterTokens.token(baseUrl(), client, OneRosterScopes.CORE);

        // the supplier's first full fetch: every licence holder, each under its pseudonym
        Map<UUID, String> pseudonymOf = new HashMap<>();
        for (Map<String, Object> u : users(get("/users?limit=1000", token))) {
            assertThat(u.get("status")).isEqualTo("active");
            pseudonymOf.put(personOf(fx, (String) u.get("sourcedId")), (String) u.get("sourcedId"));
        }
        UUID leaving = fx.persons.get(0), staying = fx.persons.get(1);
        assertThat(pseudonymOf).containsKeys(leaving, staying);
        Instant since = Instant.now();
        Thread.sleep(5); // the ending must fall after 'since', not in the same millisecond

        pools.withdrawDirect(fx.poolId, leaving, "test");
        long ledgerBefore = releases(fx);

        String delta = "/users?filter=" + q("dateLastModified>'" + since + "'");
        Map<String, Object> answer = get(delta, token);
        List<Map<String, Object>> changed = users(answer);
        assertThat(changed).extracting(u -> u.get("sourcedId")).contains(pseudonymOf.get(leaving)).doesNotContain(pseudonymOf.get(staying));
        Map<String, Object> gone = changed.stream().filter(u -> u.get("sourcedId").equals(pseudonymOf.get(leaving))).findFirst().orElseThrow();
        assertThat(gone.get("status")).isEqualTo("tobedeleted");
        assertThat(Instant.parse((String) gone.get("dateLastModified"))).isAfter(since).isBefore(Instant.now().plusSeconds(1));
        assertThat(gone.get("enabledUser")).isEqualTo("false");
        // nothing about them but the pseudonym the supplier holds
        assertThat(gone.get("givenName")).isEqualTo("");
        assertThat(gone.get("familyName")).isEqualTo("");
        assertThat(gone).doesNotContainKeys("email", "identifier", "metadata", "primaryOrg");
        assertThat(releases(fx)).as("a departure is no release").isEqualTo(ledgerBefore);

        // the spec's status filter finds them too; an earlier 'since' is no reason to list them twice, a later one excludes them
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).extracting(u -> u.get("sourcedId"))
                .containsExactly(pseudonymOf.get(leaving));
        assertThat(users(get("/users?filter=" + q("dateLastModified>'" + Instant.now().plusSeconds(60) + "'"), token))).isEmpty();
        // the plain collection lists only those who hold a licence
        assertThat(users(get("/users?limit=1000", token))).extracting(u -> u.get("sourcedId")).doesNotContain(pseudonymOf.get(leaving))
                .contains(pseudonymOf.get(staying));

        // given a licence again, they are active once more, not gone
        fx.license(fx.productId, List.of(leaving));
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).isEmpty();
    }

    private long releases(AccessFixture fx) {
        return jdbc.sql("select coalesce(sum(disclosures), 0) from holding where supplier_id = :s and product_id = :p").param("s", fx.supplierId)
                .param("p", fx.productId).query(Long.class).single();
    }

    private UUID personOf(AccessFixture fx, String sourcedId) {
        return jdbc.sql("select person_id from roster_pseudonym where supplier_id = :s and pseudonym = :p").param("s", fx.supplierId)
                .param("p", UUID.fromString(sourcedId)).query(UUID.class).single();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> users(Map<String, Object> answer) {
        return (List<Map<String, Object>>) answer.get("users");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String pathAndQuery, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + BASE + pathAndQuery)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readValue(response.body(), Map.class);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
