package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SS 12000 depth (issue 14): memberships keep the role the source gives (a duty's role; an activity's teachers), activities
 * link groups and teachers, placements give a preschool child's school unit, and what the source sent wrong is reported
 * to its /log as the spec's LogEntry. Against the fake SS 12000 server over HTTP, through an import source; a full run
 * and then a delta. All names are synthetic.
 */
class Ss12000DepthTest extends IntegrationTest {

    private static final String PASSWORD = "depth-test-password-1";
    private static final String OLD = "2020-01-01T00:00:00Z";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    ImportSources sources;
    @Autowired
    SourceRuns sourceRuns;
    @Autowired
    JdbcClient jdbc;

    final JsonMapper json = JsonMapper.builder().build();
    FakeSs12000Server server;
    String name;
    String admin;
    final String organiser = uuid();
    final String school = uuid();
    final String preschool = uuid();
    final String pupil = uuid();
    final String teacher = uuid();
    final String principal = uuid();
    final String substitute = uuid();
    final String child = uuid();
    final String teacherDuty = uuid();
    final String principalDuty = uuid();
    final String substituteDuty = uuid();
    final String pupilsEndedDuty = uuid();
    final String pupilsDutyElsewhere = uuid();
    final String klass = uuid();
    final String activity = uuid();
    final String placement = uuid();
    final String department = uuid();
    final String laterChild = uuid();
    final String laterPlacement = uuid();

    @BeforeEach
    void start() throws IOException {
        server = new FakeSs12000Server();
        name = "depth-" + UUID.randomUUID().toString().substring(0, 8);
        admin = "admin-" + name;
        accounts.create(admin, "Depth", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        server.put("/organisations", List.of(organisation(organiser, "Provkommunen", null, null), organisation(school, "Provskolan", organiser, "12345678"),
                organisation(preschool, "Provförskolan", organiser, "87654321")));
        server.put("/persons", List.of(person(pupil, "Alfa"), person(teacher, "Beta"), person(principal, "Gamma"), person(substitute, "Delta"),
                person(child, "Epsilon"), person(laterChild, "Zeta")));
        // the pupil once taught at the school (an adult pupil, a former substitute) and works at the preschool now: in the
        // class they are a pupil — a duty that ended, or one at another unit, gives no role in it
        Map<String, Object> ended = duty(pupilsEndedDuty, pupil, "Lärare");
        ended.put("startDate", "2019-08-15");
        ended.put("endDate", "2020-06-30");
        Map<String, Object> elsewhere = duty(pupilsDutyElsewhere, pupil, "Lärare");
        elsewhere.put("dutyAt", Map.of("id", preschool));
        server.put("/duties", List.of(duty(teacherDuty, teacher, "Lärare"), duty(principalDuty, principal, "Rektor"),
                duty(substituteDuty, substitute, "Lärare"), ended, elsewhere));
        // the principal is listed among the class's members; the teacher is not (only in the activity)
        // the preschool's department lists no members: its children are placed in it (Placement.studentGroup)
        Map<String, Object> solen = group(department, "Solen");
        solen.put("groupType", "Avdelning");
        solen.put("schoolType", "FS");
        solen.put("organisation", Map.of("id", preschool));
        server.put("/groups", List.of(group(klass, "7A", pupil, principal), solen));
        // the activity also names the pupil's ended teaching duty (a source that keeps old assignments): no teacher of the class by it
        server.put("/activities", List.of(activity(activity, klass, teacherDuty, pupilsEndedDuty)));
        // a second child starts tomorrow: not at the preschool yet
        Map<String, Object> later = placement(laterPlacement, laterChild, preschool, null);
        later.put("startDate", LocalDate.now().plusDays(1).toString());
        server.put("/placements", List.of(placement(placement, child, preschool, null), later));
    }

    @AfterEach
    void stop() {
        for (ImportSources.Source s : sources.list()) {
            if (s.name().equals(name)) {
                sources.delete(s.id(), "test");
            }
        }
        server.close();
    }

    @Test
    void membershipsKeepTheirRoleActivitiesLinkTeachersAndPlacementsGiveTheChildsUnitInAFullRunAndADelta() throws Exception {
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 1, null, true, false),
                "test", null);
        Instant t0 = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(sourceRuns.run(id, t0)).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);

        assertThat(roles(klass)).containsExactlyInAnyOrderEntriesOf(Map.of(pupil, "PUPIL", principal, "PRINCIPAL", teacher, "TEACHER"));
        assertThat(enrolments(child)).containsExactly(preschool + "/FS");
        assertThat(roles(department)).as("placed in the department").containsExactlyEntriesOf(Map.of(child, "PUPIL"));
        assertThat(enrolments(laterChild)).as("a placement that begins tomorrow").isEmpty();
        assertThat(server.requestsTo("/activities")).isNotEmpty();

        // shown: the group page names each member's role, the teacher's person page the class and the role in it
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        String groupPage = browser.page("/directory/groups/" + groupId(klass)).body();
        assertThat(groupPage).contains("Beta").contains("Teacher").contains("Gamma").contains("Principal").contains("Alfa").contains("Pupil");
        assertThat(browser.page("/directory/persons/" + personId(teacher)).body()).contains("7A").contains("Teacher");
        assertThat(browser.page("/directory/persons/" + personId(child)).body()).contains("Provförskolan");

        // a delta: the activity's teacher changes, the class gains nobody, the placement ends — and the class itself is not fetched again
        Thread.sleep(1100);
        server.modify("/activities", activity(activity, klass, substituteDuty));
        server.modify("/placements", placement(placement, child, preschool, LocalDate.now().minusDays(1)));
        server.requests.clear();
        assertThat(sourceRuns.run(id, t0.plusSeconds(61))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(server.requestsTo("/persons")).singleElement().satisfies(r -> assertThat(r.query()).containsKey("meta.modified.after"));
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(roles(klass)).containsExactlyInAnyOrderEntriesOf(Map.of(pupil, "PUPIL", principal, "PRINCIPAL", substitute, "TEACHER"));
        assertThat(enrolments(child)).isEmpty();
        assertThat(roles(department)).as("the ended placement's department").isEmpty();
        assertThat(enrolments(laterChild)).isEmpty();

        // and a change to the class (fetched again) keeps the teacher who comes from the activity
        Thread.sleep(1100);
        server.modify("/groups", group(klass, "7A", pupil));
        assertThat(sourceRuns.run(id, t0.plusSeconds(122))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(roles(klass)).containsExactlyInAnyOrderEntriesOf(Map.of(pupil, "PUPIL", substitute, "TEACHER"));
        assertThat(server.logEntries).isEmpty();
    }

    @Test
    void whatTheSourceSentWrongIsReportedToItsLogAsTheSpecsLogEntry() {
        // an activity whose teacher is a duty the server does not list
        String unknownDuty = uuid();
        server.put("/activities", List.of(activity(activity, klass, unknownDuty)));
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), "log-token-3", 5, null, true, false),
                "test", null);
        assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);
        ImportSources.Source failed = sources.find(id).orElseThrow();
        assertThat(failed.lastOutcome()).isEqualTo(ImportSources.Outcome.FAILED);
        assertThat(failed.lastFailure()).isEqualTo("REFUSED_DATA");
        assertThat(jdbc.sql("select count(*) from person where source = :s").param("s", name).query(Long.class).single()).isZero();

        assertThat(server.logEntries).singleElement().satisfies(body -> {
            JsonNode entry = json.readTree(body);
            assertThat(ss12000Schema("LogEntry").validate(entry)).isEmpty();
            assertThat(entry.path("severityLevel").stringValue()).isEqualTo("Error");
            assertThat(entry.path("resourceType").stringValue()).isEqualTo("Activity");
            assertThat(entry.path("resourceUrl").stringValue()).isEqualTo(server.baseUrl() + "/activities");
            assertThat(entry.path("message").stringValue()).contains("/activities, item 1, field teachers.duty.id").contains(unknownDuty);
            assertThat(Instant.parse(entry.path("timeOfOccurance").stringValue())).isBefore(Instant.now().plusSeconds(1));
        });
        assertThat(server.requestsTo("/log")).singleElement().satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer log-token-3"));
        // the validator does refuse what the schema does not allow (so its silence above means something)
        assertThat(ss12000Schema("LogEntry").validate(json.readTree("{\"message\": \"x\", \"severityLevel\": \"Fatal\", \"resourceType\": \"Pupil\"}")))
                .hasSizeGreaterThanOrEqualTo(2);

        // a source that cannot be reached is not told anything (there is nothing it sent wrong)
        server.logEntries.clear();
        server.fail("/organisations", 503);
        sources.request(id, false, "test");
        assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastFailure()).isEqualTo("UNREACHABLE");
        assertThat(server.logEntries).isEmpty();
    }

    // ---- helpers ----

    private Map<String, String> roles(String group) {
        Map<String, String> roles = new LinkedHashMap<>();
        jdbc.sql("select p.source_id, m.role from membership m join person p on p.id = m.person_id where m.source = :s and m.group_id = :g")
                .param("s", name).param("g", groupId(group))
                .query((rs, n) -> roles.put(rs.getString(1), rs.getString(2))).list();
        return roles;
    }

    private List<String> enrolments(String person) {
        return jdbc.sql("select o.source_id || '/' || coalesce(e.school_form, '') from enrolment e join organisation o on o.id = e.school_unit_id "
                        + "where e.source = :s and e.person_id = :p").param("s", name).param("p", personId(person)).query(String.class).list();
    }

    private UUID groupId(String sourceId) {
        return jdbc.sql("select id from student_group where source = :s and source_id = :id").param("s", name).param("id", sourceId).query(UUID.class).single();
    }

    private UUID personId(String sourceId) {
        return jdbc.sql("select id from person where source = :s and source_id = :id").param("s", name).param("id", sourceId).query(UUID.class).single();
    }

    private static Schema ss12000Schema(String name) {
        return SchemaRegistry.withDialect(Dialects.getOpenApi30())
                .getSchema(SchemaLocation.of("classpath:ss12000/openapi.yml#/components/schemas/" + name));
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static Map<String, Object> meta() {
        return Map.of("created", OLD, "modified", OLD);
    }

    private static Map<String, Object> organisation(String id, String displayName, String parent, String code) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("meta", meta());
        o.put("displayName", displayName);
        o.put("organisationType", parent == null ? "Huvudman" : "Skolenhet");
        if (parent != null) {
            o.put("parentOrganisation", Map.of("id", parent));
            o.put("schoolUnitCode", code);
        }
        return o;
    }

    private static Map<String, Object> person(String id, String given) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("meta", meta());
        p.put("givenName", given);
        p.put("familyName", "Djupsson");
        p.put("enrolments", new ArrayList<>());
        return p;
    }

    private Map<String, Object> duty(String id, String person, String role) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("meta", meta());
        d.put("person", Map.of("id", person));
        d.put("dutyAt", Map.of("id", school));
        d.put("dutyRole", role);
        return d;
    }

    private Map<String, Object> group(String id, String displayName, String... members) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("id", id);
        g.put("meta", meta());
        g.put("displayName", displayName);
        g.put("groupType", "Klass");
        g.put("schoolType", "GR");
        g.put("organisation", Map.of("id", school));
        g.put("groupMemberships", java.util.Arrays.stream(members).map(m -> Map.of("person", Map.of("id", m))).toList());
        return g;
    }

    /** As the spec's Activity: id, displayName, groups, teachers (DutyAssignment), organisation. */
    private Map<String, Object> activity(String id, String group, String... duties) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", id);
        a.put("meta", meta());
        a.put("displayName", "Matematik 7A");
        a.put("activityType", "Undervisning");
        a.put("groups", List.of(Map.of("id", group)));
        a.put("teachers", java.util.Arrays.stream(duties).map(d -> Map.of("duty", Map.of("id", d))).toList());
        a.put("organisation", Map.of("id", school));
        return a;
    }

    /** As the full standard's Placement (Skolverket's subset has none): placedAt, child, schoolType, startDate, endDate. */
    private Map<String, Object> placement(String id, String child, String unit, LocalDate ended) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("meta", meta());
        p.put("placedAt", Map.of("id", unit));
        p.put("child", Map.of("id", child));
        p.put("studentGroup", Map.of("id", department));
        p.put("schoolType", "FS");
        p.put("startDate", "2024-08-01");
        if (ended != null) {
            p.put("endDate", ended.toString());
        }
        return p;
    }
}
