package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * The REST API end to end over HTTP: an import started by upload runs to completion, the organisation
 * can be browsed down to members, protected persons are masked unless the caller holds the right, and
 * each shown protected person is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryApiTest extends IntegrationTest {

    private static final String PASSWORD = "api-test-password-1";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private String source;
    private Path zip;
    private String plainAdmin;
    private String protectedReader;

    @BeforeAll
    void importViaApi(@TempDir Path dir) throws Exception {
        source = "api-" + UUID.randomUUID().toString().substring(0, 8);
        plainAdmin = "plain-" + source;
        protectedReader = "reader-" + source;
        accounts.create(plainAdmin, "Plain", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        accounts.create(protectedReader, "Reader", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.VIEW_PROTECTED_IDENTITIES), "test");
        Path zip = dir.resolve("api.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(800, 5, "da", 0, 0)).writeTo(zip);

        this.zip = zip;
        assertThat(importAndWait(Map.of()).get("status")).isEqualTo("SUCCEEDED");
    }

    /** Posts the package to the import API with these extra fields and waits for the run to end; answers the run as last seen. */
    private Map<String, Object> importAndWait(Map<String, String> fields) throws InterruptedException {
        var form = new LinkedMultiValueMap<String, Object>();
        form.add("file", new FileSystemResource(zip));
        form.add("source", source);
        fields.forEach(form::add);
        Map<String, Object> run = client(plainAdmin).post().uri("/api/v1/imports/oneroster").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(form).retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(run.get("status")).isIn("QUEUED", "RUNNING", "SUCCEEDED");
        String id = (String) run.get("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            run = client(plainAdmin).get().uri("/api/v1/imports/{id}", id).retrieve().body(new ParameterizedTypeReference<>() { });
            String status = (String) run.get("status");
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                break;
            }
            Thread.sleep(200);
        }
        return run;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSamePackageAgainIsRecognisedAndReadOnlyWhenAskedTo() throws Exception {
        Map<String, Object> again = importAndWait(Map.of());
        assertThat(again.get("status")).isEqualTo("SUCCEEDED");
        Map<String, Object> summary = (Map<String, Object>) again.get("summary");
        assertThat(summary.get("unchangedSince")).isNotNull();
        assertThat(((Map<String, Map<String, Object>>) summary.get("entities")).get("persons").get("unchanged")).isEqualTo(800);

        Map<String, Object> reread = importAndWait(Map.of("reread", "true"));
        assertThat(reread.get("status")).isEqualTo("SUCCEEDED");
        Map<String, Object> read = (Map<String, Object>) reread.get("summary");
        assertThat(read.get("unchangedSince")).isNull();
        assertThat(((Map<String, Long>) read.get("phaseMillis"))).containsKey("read and stage");
        assertThat(((Map<String, Map<String, Object>>) read.get("entities")).get("persons").get("unchanged")).isEqualTo(800);
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    @Test
    void browsesFromOrganiserToMembersWithCounts() {
        List<Map<String, Object>> roots = client(plainAdmin).get().uri("/api/v1/organisations").retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> organiser = roots.stream().filter(o -> source.equals(o.get("source"))).findFirst().orElseThrow();
        assertThat(organiser.get("kind")).isEqualTo("ORGANISER");
        assertThat(((Number) organiser.get("pupils")).intValue()).isEqualTo(400);

        List<Map<String, Object>> units = client(plainAdmin).get().uri("/api/v1/organisations/{id}/children", organiser.get("id"))
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(units).isNotEmpty().allSatisfy(u -> assertThat(u.get("kind")).isEqualTo("SCHOOL_UNIT"));
        int pupilsInUnits = units.stream().mapToInt(u -> ((Number) u.get("pupils")).intValue()).sum();
        assertThat(pupilsInUnits).isEqualTo(400);

        List<Map<String, Object>> groups = client(plainAdmin).get().uri("/api/v1/organisations/{id}/groups", units.getFirst().get("id"))
                .retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> group = groups.getFirst();
        List<Map<String, Object>> members = client(plainAdmin).get().uri("/api/v1/groups/{id}/members", group.get("id"))
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(members).hasSize(((Number) group.get("members")).intValue());
    }

    @Test
    void protectedPersonsAreMaskedUnlessTheCallerHasTheRightAndEveryViewIsAudited() {
        record Target(UUID person, UUID group, String familyName) {
        }
        Target target = jdbc.sql("""
                        select p.id, m.group_id, p.family_name from person p join membership m on m.person_id = p.id
                        where p.source = :source and p.protection <> 'NONE' order by p.id limit 1
                        """).param("source", source)
                .query((rs, n) -> new Target(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3))).single();

        List<Map<String, Object>> masked = client(plainAdmin).get().uri("/api/v1/groups/{id}/members", target.group())
                .retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> hidden = masked.stream().filter(m -> target.person().toString().equals(m.get("personId"))).findFirst().orElseThrow();
        // masked pupils come after the named ones: their place in alphabetical order would hint at their names
        List<Object> maskedFlags = masked.stream().filter(m -> "PUPIL".equals(m.get("role"))).map(m -> m.get("masked")).toList();
        assertThat(maskedFlags.indexOf(true)).isGreaterThan(maskedFlags.lastIndexOf(false));
        assertThat(hidden).containsEntry("masked", true).containsEntry("givenName", null).containsEntry("familyName", null)
                .containsEntry("civicNumberMasked", null);

        List<Map<String, Object>> shown = client(protectedReader).get().uri("/api/v1/groups/{id}/members", target.group())
                .retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> visible = shown.stream().filter(m -> target.person().toString().equals(m.get("personId"))).findFirst().orElseThrow();
        assertThat(visible).containsEntry("masked", false).containsEntry("familyName", target.familyName());
        assertThat((String) visible.get("civicNumberMasked")).endsWith("-****");

        var entries = audit.about("person", target.person().toString());
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo(plainAdmin);
            assertThat(e.detail()).contains("\"masked\": true");
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo(protectedReader);
            assertThat(e.detail()).contains("\"masked\": false");
        });
    }

    @Test
    void searchFindsProtectedPersonsOnlyForThoseWhoMaySeeThem() {
        String family = jdbc.sql("select family_name from person where source = :s and protection <> 'NONE' order by id limit 1")
                .param("s", source).query(String.class).single();
        Map<String, List<Map<String, Object>>> plain = client(plainAdmin).get().uri("/api/v1/directory/search?q={q}", family)
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(plain.get("persons")).allSatisfy(p -> assertThat(p.get("protectedIdentity")).isEqualTo(false));
        Map<String, List<Map<String, Object>>> reader = client(protectedReader).get().uri("/api/v1/directory/search?q={q}", family)
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(reader.get("persons")).anySatisfy(p -> assertThat(p.get("protectedIdentity")).isEqualTo(true));
    }

    @Test
    void unknownIdsAnswer404AndAnonymousCallersAreRefused() {
        Integer notFound = client(plainAdmin).get().uri("/api/v1/groups/{id}/members", UUID.randomUUID())
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(notFound).isEqualTo(HttpStatus.NOT_FOUND.value());
        var anonymous = RestClient.create("http://localhost:" + port).get().uri("/api/v1/organisations")
                .exchange((req, res) -> Map.entry(res.getStatusCode().value(), String.valueOf(res.getHeaders().getFirst("WWW-Authenticate"))));
        assertThat(anonymous.getKey()).isEqualTo(HttpStatus.UNAUTHORIZED.value());
        // no Basic challenge: browsers must not prompt for and cache credentials (forged cross-site requests would carry them)
        assertThat(anonymous.getValue()).doesNotContain("Basic");
    }

    @Test
    void anAccountWithoutTheDirectoryRightIsRefused() {
        String onlyProtected = "only-" + source;
        accounts.create(onlyProtected, "No directory right", PASSWORD, EnumSet.of(AdminRight.VIEW_PROTECTED_IDENTITIES), "test");
        Integer status = client(onlyProtected).get().uri("/api/v1/organisations").exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(HttpStatus.FORBIDDEN.value());
    }
}
