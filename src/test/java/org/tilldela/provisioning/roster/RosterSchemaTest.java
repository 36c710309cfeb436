package org.tilldela.provisioning.roster;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every roster endpoint's answers against 1EdTech's own OneRoster 1.2 rostering schemas (the OpenAPI 3.0 binding's
 * {@code components.schemas}, src/test/resources/oneroster), checked by an independent validator (networknt
 * json-schema-validator, OpenAPI 3.0 dialect): collections, single objects, and refusals (the imsx status payload).
 * The endpoint-to-schema mapping is the one the binding's {@code paths} give.
 */
class RosterSchemaTest extends IntegrationTest {

    static final String BASE = "/ims/oneroster/rostering/v1p2";
    static final String SCHEMAS = "classpath:oneroster/OneRosterv1p2RosteringService_schemas.json#/components/schemas/";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired DataAccessAgreements agreements;
    @Autowired SignInClients clients;

    final JsonMapper json = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newHttpClient();
    final SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi30());
    final Map<String, List<String>> problems = new LinkedHashMap<>();
    int checked;

    @Test
    void everyEndpointAnswersAsTheOneRosterSchemasSay() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> teachers = jdbc.sql("""
                        select distinct d.person_id from duty d join person p on p.id = d.person_id
                        where p.source = :s and d.role = 'TEACHER' and p.protection = 'NONE' order by 1 limit 3""")
                .param("s", fx.source).query(UUID.class).list();
        UUID teacherPool = fx.license(fx.productId, teachers);
        var filed = agreements.file(fx.supplierId, fx.request(AttributePackage.MEDIUM), "supplier");
        agreements.approve(filed.id(), null, null, "school-admin");
        String token = RosterTokens.token(baseUrl(), clients.registerSystemClient(fx.productId, "Roster schema", Set.of(OneRosterScopes.CORE), "test"),
                OneRosterScopes.CORE);

        JsonNode users = valid("/users?limit=1000", token, "UserSetDType");
        JsonNode classes = valid("/classes?limit=1000", token, "ClassSetDType");
        JsonNode schools = valid("/schools?limit=1000", token, "OrgSetDType");
        valid("/orgs?limit=1000", token, "OrgSetDType");
        JsonNode courses = valid("/courses?limit=1000", token, "CourseSetDType");
        JsonNode terms = valid("/terms?limit=1000", token, "AcademicSessionSetDType");
        valid("/academicSessions?limit=1000", token, "AcademicSessionSetDType");
        valid("/gradingPeriods", token, "AcademicSessionSetDType");
        JsonNode enrollments = valid("/enrollments?limit=1000", token, "EnrollmentSetDType");
        valid("/students?limit=1000", token, "UserSetDType");
        JsonNode teacherUsers = valid("/teachers?limit=1000", token, "UserSetDType");
        valid("/users?limit=1000&filter=" + q("dateLastModified>'2000-01-01T00:00:00Z'"), token, "UserSetDType");

        String school = schools.path("orgs").get(0).path("sourcedId").asText();
        String clazz = jdbc.sql("select m.group_id::text from membership m where m.person_id = any(:p) order by 1 limit 1")
                .param("p", fx.persons.toArray(UUID[]::new)).query(String.class).single();
        String classSchool = classes.path("classes").valueStream().filter(c -> c.path("sourcedId").asText().equals(clazz)).findFirst().orElseThrow()
                .path("school").path("sourcedId").asText();
        String course = courses.path("courses").get(0).path("sourcedId").asText();
        String term = terms.path("academicSessions").get(0).path("sourcedId").asText();
        String user = users.path("users").get(0).path("sourcedId").asText();
        String student = valid("/classes/" + clazz + "/students", token, "UserSetDType").path("users").get(0).path("sourcedId").asText();
        String teacher = teacherUsers.path("users").get(0).path("sourcedId").asText();
        String enrollment = enrollments.path("enrollments").get(0).path("sourcedId").asText();

        valid("/orgs/" + school, token, "SingleOrgDType");
        valid("/schools/" + school, token, "SingleOrgDType");
        valid("/schools/" + school + "/classes", token, "ClassSetDType");
        valid("/schools/" + school + "/courses", token, "CourseSetDType");
        valid("/schools/" + school + "/terms", token, "AcademicSessionSetDType");
        valid("/schools/" + school + "/enrollments", token, "EnrollmentSetDType");
        valid("/schools/" + school + "/students", token, "UserSetDType");
        valid("/schools/" + school + "/teachers", token, "UserSetDType");
        valid("/schools/" + classSchool + "/classes/" + clazz + "/enrollments", token, "EnrollmentSetDType");
        valid("/schools/" + classSchool + "/classes/" + clazz + "/students", token, "UserSetDType");
        valid("/schools/" + classSchool + "/classes/" + clazz + "/teachers", token, "UserSetDType");
        valid("/classes/" + clazz, token, "SingleClassDType");
        valid("/classes/" + clazz + "/teachers", token, "UserSetDType");
        valid("/courses/" + course, token, "SingleCourseDType");
        valid("/courses/" + course + "/classes", token, "ClassSetDType");
        valid("/academicSessions/" + term, token, "SingleAcademicSessionDType");
        valid("/terms/" + term, token, "SingleAcademicSessionDType");
        valid("/terms/" + term + "/classes", token, "ClassSetDType");
        valid("/terms/" + term + "/gradingPeriods", token, "AcademicSessionSetDType");
        valid("/users/" + user, token, "SingleUserDType");
        valid("/users/" + student + "/classes", token, "ClassSetDType");
        valid("/students/" + student, token, "SingleUserDType");
        valid("/students/" + student + "/classes", token, "ClassSetDType");
        valid("/teachers/" + teacher, token, "SingleUserDType");
        valid("/teachers/" + teacher + "/classes", token, "ClassSetDType");
        valid("/enrollments/" + enrollment, token, "SingleEnrollmentDType");

        // refusals: the imsx status payload
        refusal("/users/" + UUID.randomUUID(), token, 404);
        refusal("/gradingPeriods/" + UUID.randomUUID(), token, 404);
        refusal("/users?sort=shoeSize", token, 400);
        refusal("/users?filter=" + q("shoeSize='42'"), token, 400);
        refusal("/users?fields=shoeSize", token, 400);
        refusal("/users?limit=abc", token, 400);
        refusal("/users", null, 401);
        refusal("/demographics", token, 403);
        String demographicsToken = RosterTokens.token(baseUrl(), clients.registerSystemClient(fx.productId, "Demographics", Set.of(OneRosterScopes.DEMOGRAPHICS),
                "test"), OneRosterScopes.DEMOGRAPHICS);
        valid("/demographics", demographicsToken, "DemographicsSetDType");

        assertThat(problems).as("answers the OneRoster 1.2 schemas refuse").isEmpty();
        assertThat(checked).isGreaterThan(40);

        // a delta's departed user: everything as the schema says but its roles, which would need what may no longer go
        Instant since = Instant.now();
        Thread.sleep(5);
        pools.withdrawDirect(fx.poolId, fx.persons.get(0), "test");
        JsonNode delta = answer("/users?filter=" + q("dateLastModified>'" + since + "'"), token, 200);
        JsonNode gone = delta.path("users").get(0);
        assertThat(gone.path("status").asText()).isEqualTo("tobedeleted");
        List<Error> errors = schema("UserDType").validate(gone);
        assertThat(errors).extracting(e -> e.getInstanceLocation() + ": " + e.getMessage()).singleElement().asString().contains("roles")
                .contains("at least 1");
        // the delta's departed enrollments (and classes, if their last holder went) answer as the schemas say, all of them
        JsonNode goneEnrollments = valid("/enrollments?filter=" + q("dateLastModified>'" + since + "'"), token, "EnrollmentSetDType");
        assertThat(goneEnrollments.path("enrollments").valueStream().map(e -> e.path("status").asText()).toList()).isNotEmpty().containsOnly("tobedeleted");
        // every licence holder in a class loses the licence: the class is gone too
        for (UUID member : jdbc.sql("select person_id from membership where group_id = cast(:g as uuid)").param("g", clazz).query(UUID.class).list()) {
            pools.withdrawDirect(fx.poolId, member, "test");
            pools.withdrawDirect(teacherPool, member, "test");
        }
        JsonNode goneClasses = valid("/classes?filter=" + q("dateLastModified>'" + since + "'"), token, "ClassSetDType");
        assertThat(goneClasses.path("classes").valueStream().filter(c -> c.path("sourcedId").asText().equals(clazz)).findFirst().orElseThrow()
                .path("status").asText()).isEqualTo("tobedeleted");
        assertThat(problems).as("departed enrollments and classes the OneRoster 1.2 schemas refuse").isEmpty();

        // the validator is no rubber stamp: what the API answered before these tests (enabledUser as a JSON boolean, an
        // enrollment's primary likewise, a course without courseCode, an org without identifier) is refused
        JsonNode firstUser = users.path("users").get(0);
        assertThat(schema("UserDType").validate(copy(firstUser).put("enabledUser", true))).isNotEmpty();
        JsonNode oneEnrollment = enrollments.path("enrollments").get(0);
        assertThat(schema("EnrollmentDType").validate(copy(oneEnrollment).put("primary", false))).isNotEmpty();
        tools.jackson.databind.node.ObjectNode courseWithoutCode = copy(courses.path("courses").get(0));
        courseWithoutCode.remove("courseCode");
        assertThat(schema("CourseDType").validate(courseWithoutCode)).isNotEmpty();
        tools.jackson.databind.node.ObjectNode org = copy(schools.path("orgs").get(0));
        org.remove("identifier");
        assertThat(schema("OrgDType").validate(org)).isNotEmpty();
    }

    private tools.jackson.databind.node.ObjectNode copy(JsonNode node) {
        return (tools.jackson.databind.node.ObjectNode) json.readTree(node.toString());
    }

    private JsonNode valid(String pathAndQuery, String token, String schemaName) throws Exception {
        JsonNode body = answer(pathAndQuery, token, 200);
        check(pathAndQuery, body, schemaName);
        return body;
    }

    private void refusal(String pathAndQuery, String token, int status) throws Exception {
        check(pathAndQuery, answer(pathAndQuery, token, status), "imsx_StatusInfoDType");
    }

    private void check(String pathAndQuery, JsonNode body, String schemaName) {
        checked++;
        List<String> found = new ArrayList<>();
        for (Error e : schema(schemaName).validate(body)) {
            found.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        if (!found.isEmpty()) {
            problems.put(pathAndQuery + " (" + schemaName + ")", found.size() > 5 ? found.subList(0, 5) : found);
        }
    }

    private Schema schema(String name) {
        return registry.getSchema(SchemaLocation.of(SCHEMAS + name));
    }

    private JsonNode answer(String pathAndQuery, String token, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + BASE + pathAndQuery));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(status);
        return json.readTree(response.body());
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
