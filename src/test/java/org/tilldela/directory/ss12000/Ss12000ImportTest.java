package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;

/** SS 12000 import against a fake server: paging, both /organisations shapes, tokens, delta, refusals. All names are synthetic. */
class Ss12000ImportTest extends IntegrationTest {

    @Autowired
    Ids ids;

    private static final String OLD = "2020-01-01T00:00:00Z";

    @Autowired
    Ss12000Readers readers;
    @Autowired
    ImportRuns runs;
    @Autowired
    JdbcClient jdbc;

    FakeSs12000Server server;
    String source;

    // The synthetic municipality: an organiser with two schools, six persons, two groups, one duty.
    final String organiser = uuid();
    final String schoolA = uuid();
    final String schoolB = uuid();
    final String pupil1 = uuid();
    final String pupil2 = uuid();
    final String pupil3 = uuid();
    final String pupil4 = uuid();
    final String teacher = uuid();
    final String guardian = uuid();
    final String class3a = uuid();
    final String maths = uuid();
    final String duty = uuid();

    @BeforeEach
    void start() throws IOException {
        server = new FakeSs12000Server();
        source = "ss-" + UUID.randomUUID().toString().substring(0, 8);
        server.put("/organisations", List.of(
                organisation(organiser, "Testkommunen", null, "Huvudman", null),
                organisation(schoolA, "Provskolan", "12345678", "Skolenhet", organiser),
                organisation(schoolB, "Exempelskolan", "87654321", null, organiser)));
        server.put("/persons", List.of(
                person(pupil1, "Alfa", "Testsson", null, enrolment(schoolA, "GR", 3), responsible(guardian, "Vårdnadshavare")),
                person(pupil2, "Beta", "Testsson", "Ingen", enrolment(schoolA, "GR", 3)),
                person(pupil3, "Gamma", "Provsson", null, enrolment(schoolB, "GR", 5), responsible(guardian, "Annan ansvarig")),
                person(teacher, "Delta", "Lärarsson", null),
                person(guardian, "Epsilon", "Testsson", null),
                person(pupil4, "Zeta", "Exempelsson", "Skyddad folkbokföring", enrolment(schoolA, "GR", 4))));
        server.put("/groups", List.of(
                group(class3a, "3A", "Klass", "GR", schoolA, pupil1, pupil2),
                group(maths, "Matematik 5", "Undervisning", "GR", schoolB, pupil3)));
        server.put("/duties", List.of(duty(duty, teacher, schoolA, "Lärare")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fullImportFollowsPagesSendsTheTokenAndMapsEverything() {
        ImportSummary summary = importFrom(server, "secret-token-1", false);

        assertThat(summary.changesRecorded()).isEqualTo(8);
        assertThat(summary.phaseMillis()).as("a server has no package to digest").containsKey("read and stage").doesNotContainKey("package digest");
        // Six persons in pages of two: three requests, the later ones by page token only.
        List<FakeSs12000Server.Request> persons = server.requestsTo("/persons");
        assertThat(persons).hasSize(3);
        assertThat(persons.get(0).query()).containsEntry("limit", "500").doesNotContainKey("pageToken");
        assertThat(persons.get(1).query()).containsKey("pageToken");
        assertThat(persons.get(2).query()).containsKey("pageToken");
        assertThat(server.requests).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer secret-token-1"));
        assertThat(server.requestsTo("/deletedEntities")).isEmpty();

        assertThat(jdbc.sql("select source_id, kind, school_unit_code, municipality_code, array_to_string(school_forms, ',') forms, "
                        + "parent_id from organisation where source = :s order by name").param("s", source)
                .query((rs, n) -> tuple(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getObject(6, UUID.class))).list())
                .containsExactly(
                        tuple(schoolB, "SCHOOL_UNIT", "87654321", "0180", "GR,FTH", id(Entity.ORGANISATION, organiser)),
                        tuple(schoolA, "SCHOOL_UNIT", "12345678", "0180", "GR,FTH", id(Entity.ORGANISATION, organiser)),
                        tuple(organiser, "ORGANISER", null, "0180", "", null));

        assertThat(jdbc.sql("select source_id, given_name, family_name, civic_number, email, username, protection from person "
                        + "where source = :s and source_id = :id").param("s", source).param("id", pupil4)
                .query((rs, n) -> tuple(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7))).single())
                .isEqualTo(tuple(pupil4, "Zeta", "Exempelsson", "20100101-0000", "zeta.exempelsson@skola.example",
                        "zeta@skola.example", "PROTECTED_REGISTRATION"));
        assertThat(count("person")).isEqualTo(6);

        assertThat(jdbc.sql("select person_id, school_unit_id, school_form, grade from enrolment where source = :s").param("s", source)
                .query((rs, n) -> tuple(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4))).list())
                .containsExactlyInAnyOrder(
                        tuple(id(Entity.PERSON, pupil1), id(Entity.ORGANISATION, schoolA), "GR", "03"),
                        tuple(id(Entity.PERSON, pupil2), id(Entity.ORGANISATION, schoolA), "GR", "03"),
                        tuple(id(Entity.PERSON, pupil3), id(Entity.ORGANISATION, schoolB), "GR", "05"),
                        tuple(id(Entity.PERSON, pupil4), id(Entity.ORGANISATION, schoolA), "GR", "04"));

        assertThat(jdbc.sql("select guardian_id, child_id, relation from guardian_link where source = :s").param("s", source)
                .query((rs, n) -> tuple(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3))).list())
                .containsExactlyInAnyOrder(
                        tuple(id(Entity.PERSON, guardian), id(Entity.PERSON, pupil1), "GUARDIAN"),
                        tuple(id(Entity.PERSON, guardian), id(Entity.PERSON, pupil3), "OTHER_RESPONSIBLE"));

        assertThat(jdbc.sql("select source_id, organisation_id, kind, name, school_form from student_group where source = :s")
                .param("s", source)
                .query((rs, n) -> tuple(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5))).list())
                .containsExactlyInAnyOrder(
                        tuple(class3a, id(Entity.ORGANISATION, schoolA), "CLASS", "3A", "GR"),
                        tuple(maths, id(Entity.ORGANISATION, schoolB), "TEACHING_GROUP", "Matematik 5", "GR"));

        assertThat(memberships()).containsExactlyInAnyOrder(
                tuple(class3a + ":" + pupil1, id(Entity.GROUP, class3a), id(Entity.PERSON, pupil1), "PUPIL"),
                tuple(class3a + ":" + pupil2, id(Entity.GROUP, class3a), id(Entity.PERSON, pupil2), "PUPIL"),
                tuple(maths + ":" + pupil3, id(Entity.GROUP, maths), id(Entity.PERSON, pupil3), "PUPIL"));

        assertThat(jdbc.sql("select source_id, person_id, organisation_id, role, start_date::text from duty where source = :s")
                .param("s", source)
                .query((rs, n) -> tuple(rs.getString(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                        rs.getString(5))).list())
                .containsExactly(tuple(duty, id(Entity.PERSON, teacher), id(Entity.ORGANISATION, schoolA), "TEACHER", "2024-08-01"));

        assertThat(changes(summary.runId())).extracting(t -> t.toList().get(0))
                .containsOnly("PERSON_JOINED", "GROUP_CHANGED").hasSize(8).filteredOn("GROUP_CHANGED"::equals).hasSize(2);
        assertThat(jdbc.sql("select base_url from directory_source where name = :s").param("s", source).query(String.class).single())
                .isEqualTo(server.baseUrl());
        assertThat(syncedUntil()).isNotNull();
    }

    @Test
    void skolverketsOrganisationsShapeAndNoTokenAndDeltaWithoutEarlierSyncReadsEverything() {
        server.skolverketOrganisations = true;

        ImportSummary summary = importFrom(server, null, true);

        assertThat(count("organisation")).isEqualTo(3);
        assertThat(count("person")).isEqualTo(6);
        assertThat(summary.changesRecorded()).isEqualTo(8); // six persons joined, two groups new
        assertThat(server.requestsTo("/organisations")).hasSize(1);
        assertThat(server.requests).allSatisfy(r -> assertThat(r.authorization()).isNull());
        // No earlier sync: a full read, so no filter and no deletions asked for.
        assertThat(server.requestsTo("/persons").get(0).query()).doesNotContainKey("meta.modified.after");
        assertThat(server.requestsTo("/deletedEntities")).isEmpty();
    }

    @Test
    void deltaImportAppliesModifiedAndDeletedRecords() throws InterruptedException {
        // Enough persons that one leaving stays under the deletion guard's threshold.
        List<String> others = new ArrayList<>();
        List<Map<String, Object>> persons = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            others.add(uuid());
            persons.add(person(others.get(i), "Person" + i, "Fyllnadsson", null));
        }
        persons.addAll(List.of(
                person(pupil1, "Alfa", "Testsson", null, enrolment(schoolA, "GR", 3), responsible(guardian, "Vårdnadshavare")),
                person(pupil2, "Beta", "Testsson", "Ingen", enrolment(schoolA, "GR", 3)),
                person(pupil3, "Gamma", "Provsson", null, enrolment(schoolB, "GR", 5), responsible(guardian, "Annan ansvarig")),
                person(teacher, "Delta", "Lärarsson", null),
                person(guardian, "Epsilon", "Testsson", null),
                person(pupil4, "Zeta", "Exempelsson", "Skyddad folkbokföring", enrolment(schoolA, "GR", 4))));
        server.put("/persons", persons);
        importFrom(server, "t", false);
        OffsetDateTime firstSync = syncedUntil();
        Thread.sleep(1100); // the next sync time is in whole seconds: make it differ from the first

        // pupil2 moves to school B; pupil3 leaves; class 3A loses pupil2 and gains pupil4.
        server.modify("/persons", person(pupil2, "Beta", "Testsson", "Ingen", enrolment(schoolB, "GR", 3)));
        server.delete("/persons", "persons", pupil3);
        server.modify("/groups", group(class3a, "3A", "Klass", "GR", schoolA, pupil1, pupil4));
        server.requests.clear();

        ImportSummary summary = importFrom(server, "t", true);

        assertThat(server.requestsTo("/deletedEntities")).singleElement()
                .satisfies(r -> assertThat(OffsetDateTime.parse(r.query().get("after"))).isEqualTo(firstSync));
        assertThat(server.requestsTo("/persons")).singleElement()
                .satisfies(r -> assertThat(OffsetDateTime.parse(r.query().get("meta.modified.after"))).isEqualTo(firstSync));
        assertThat(syncedUntil()).isAfter(firstSync);

        List<String> remaining = new ArrayList<>(others);
        remaining.addAll(List.of(pupil1, pupil2, pupil4, teacher, guardian));
        assertThat(jdbc.sql("select source_id from person where source = :s").param("s", source).query(String.class).list())
                .containsExactlyInAnyOrderElementsOf(remaining);
        assertThat(jdbc.sql("select person_id, school_unit_id from enrolment where source = :s").param("s", source)
                .query((rs, n) -> tuple(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list())
                .containsExactlyInAnyOrder(
                        tuple(id(Entity.PERSON, pupil1), id(Entity.ORGANISATION, schoolA)),
                        tuple(id(Entity.PERSON, pupil2), id(Entity.ORGANISATION, schoolB)),
                        tuple(id(Entity.PERSON, pupil4), id(Entity.ORGANISATION, schoolA)));
        assertThat(jdbc.sql("select child_id from guardian_link where source = :s").param("s", source).query(UUID.class).list())
                .containsExactly(id(Entity.PERSON, pupil1));
        assertThat(memberships()).containsExactlyInAnyOrder(
                tuple(class3a + ":" + pupil1, id(Entity.GROUP, class3a), id(Entity.PERSON, pupil1), "PUPIL"),
                tuple(class3a + ":" + pupil4, id(Entity.GROUP, class3a), id(Entity.PERSON, pupil4), "PUPIL"));
        assertThat(count("duty")).isEqualTo(1);
        assertThat(count("student_group")).isEqualTo(2);

        assertThat(changes(summary.runId())).containsExactlyInAnyOrder(
                tuple("PERSON_LEFT", id(Entity.PERSON, pupil3)),
                tuple("PERSON_MOVED", id(Entity.PERSON, pupil2)),
                tuple("PERSON_MOVED", id(Entity.PERSON, pupil4)),
                tuple("GROUP_CHANGED", id(Entity.GROUP, class3a)),
                tuple("GROUP_CHANGED", id(Entity.GROUP, maths)));

        // Nothing changed since: a further delta changes nothing, even if it fetches a record again.
        ImportSummary again = importFrom(server, "t", true);
        assertThat(again.changesRecorded()).isZero();
        assertThat(count("person")).isEqualTo(15);
        assertThat(count("membership")).isEqualTo(2);
    }

    @Test
    void unknownValuesAreRefusedNamingEndpointItemAndFieldAndNothingIsApplied() {
        List<Map<String, Object>> persons = new ArrayList<>(List.of(
                person(pupil1, "Alfa", "Testsson", null, enrolment(schoolA, "GR", 3)),
                person(pupil2, "Beta", "Testsson", "Ingen"),
                person(pupil3, "Gamma", "Provsson", "Hemlig"),
                person(pupil4, "Zeta", "Exempelsson", null, enrolment(schoolA, "XX", 4))));
        server.put("/persons", persons);
        server.put("/groups", List.of(group(class3a, "3A", "Fotbollslag", "GR", schoolA, pupil1)));
        server.put("/duties", List.of());

        assertThatThrownBy(() -> importFrom(server, null, false))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> {
                    assertThat(e.problems()).extracting(ImportProblem::file, ImportProblem::line, ImportProblem::column).containsExactly(
                            tuple("/persons", 3L, "securityMarking"),
                            tuple("/persons", 4L, "enrolments.schoolType"),
                            tuple("/groups", 1L, "groupType"));
                    assertThat(e.problems().get(0).reason()).contains("Hemlig");
                    assertThat(e.getMessage()).doesNotContain("Gamma", "Provsson");
                });
        assertNothingApplied();
    }

    @Test
    void serverErrorIsRefusedCleanly() {
        server.fail("/groups", 500);

        assertThatThrownBy(() -> importFrom(server, "t", false))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> {
                    assertThat(e.problems()).singleElement().satisfies(p -> {
                        assertThat(p.file()).isEqualTo("/groups");
                        // the same words as for a server that cannot be reached at all (see Ss12000HostsTest)
                        assertThat(p.reason()).contains("could not be reached or did not answer successfully").doesNotContain("500");
                    });
                    assertThat(e.getMessage()).doesNotContain("Doe", "synthetic failure");
                });
        assertNothingApplied();
    }

    @Test
    void unreadableJsonIsRefusedCleanly() {
        server.answerRaw("/duties", "{\"data\": [{\"id\": \"x\", \"person\": ");

        assertThatThrownBy(() -> importFrom(server, "t", false))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.file()).isEqualTo("/duties");
                    assertThat(p.reason()).contains("cannot be read");
                }));
        assertNothingApplied();
    }

    /** Not the same token twice in a row, but one given before: the reading stops instead of going round for ever. */
    @Test
    void aServerWhosePageTokensGoRoundInACircleIsStopped() {
        server.circlingPageTokens = "/duties";

        assertThatThrownBy(() -> importFrom(server, "t", false))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.file()).isEqualTo("/duties");
                    assertThat(p.reason()).contains("a pageToken it had given before");
                }));
        assertThat(server.requestsTo("/duties")).hasSize(3);
        assertNothingApplied();
    }

    @Test
    void wrongTypeInAnItemIsAProblemOfThatItem() {
        Map<String, Object> bad = person(pupil2, "Beta", "Testsson", null);
        bad.put("enrolments", List.of(Map.of("enroledAt", Map.of("id", schoolA), "schoolType", "GR", "schoolYear", "tre")));
        server.put("/persons", List.of(person(pupil1, "Alfa", "Testsson", null), bad));

        assertThatThrownBy(() -> importFrom(server, "t", false))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> assertThat(e.problems())
                        .extracting(ImportProblem::file, ImportProblem::line, ImportProblem::column)
                        .containsExactly(tuple("/persons", 2L, "enrolments.schoolYear")));
        assertNothingApplied();
    }

    // ---- helpers ----

    private ImportSummary importFrom(FakeSs12000Server fake, String token, boolean delta) {
        return runs.runNow("SS12000", new ImportOptions(source, false, "test"), readers.reader(source, fake.baseUrl() + "/", token, delta),
                ImportProgress.NONE, fake.baseUrl());
    }

    private void assertNothingApplied() {
        assertThat(count("person")).isZero();
        assertThat(count("organisation")).isZero();
        assertThat(jdbc.sql("select count(*) from directory_source where name = :s").param("s", source).query(Long.class).single()).isZero();
    }

    private long count(String table) {
        return jdbc.sql("select count(*) from " + table + " where source = :s").param("s", source).query(Long.class).single();
    }

    private OffsetDateTime syncedUntil() {
        return jdbc.sql("select synced_until from directory_source where name = :s").param("s", source)
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class)).single();
    }

    private List<org.assertj.core.groups.Tuple> memberships() {
        return jdbc.sql("select source_id, group_id, person_id, role from membership where source = :s").param("s", source)
                .query((rs, n) -> tuple(rs.getString(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4))).list();
    }

    private List<org.assertj.core.groups.Tuple> changes(UUID run) {
        return jdbc.sql("select kind, coalesce(person_id, group_id) from directory_change where import_run_id = :run").param("run", run)
                .query((rs, n) -> tuple(rs.getString(1), rs.getObject(2, UUID.class))).list();
    }

    private UUID id(Entity entity, String sourceId) {
        return ids.of(source, entity, sourceId);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static Map<String, Object> meta() {
        return Map.of("created", OLD, "modified", OLD);
    }

    private static Map<String, Object> organisation(String id, String name, String schoolUnitCode, String type, String parent) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("meta", meta());
        o.put("displayName", name);
        if (schoolUnitCode != null) {
            o.put("schoolUnitCode", schoolUnitCode);
        }
        if (type != null) {
            o.put("organisationType", type);
        }
        if (parent != null) {
            o.put("parentOrganisation", Map.of("id", parent, "displayName", "Testkommunen"));
            o.put("schoolTypes", List.of("GR", "FTH"));
        }
        o.put("municipalityCode", "0180");
        o.put("vendorExtension", Map.of("anything", List.of(1, 2, 3))); // unknown: must be ignored
        return o;
    }

    @SafeVarargs
    private static Map<String, Object> person(String id, String given, String family, String marking, Map<String, Object>... links) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("meta", meta());
        p.put("givenName", given);
        p.put("familyName", family);
        p.put("eduPersonPrincipalNames", List.of(given.toLowerCase() + "@skola.example"));
        p.put("civicNo", Map.of("value", "20100101-0000", "nationality", "SE"));
        // a null among them, as some school systems send: read as if it were not there (the reader skips it)
        List<Object> emails = new ArrayList<>();
        emails.add(Map.of("value", given.toLowerCase() + "@privat.example", "type", "Privat"));
        emails.add(null);
        emails.add(Map.of("value", given.toLowerCase() + "." + family.toLowerCase() + "@skola.example", "type", "Skola elev"));
        p.put("emails", emails);
        p.put("externalIdentifiers", List.of(Map.of("value", "x", "context", "http://example/ad", "globallyUnique", false)));
        if (marking != null) {
            p.put("securityMarking", marking);
        }
        List<Object> enrolments = new ArrayList<>();
        List<Object> responsibles = new ArrayList<>();
        for (Map<String, Object> link : links) {
            (link.containsKey("enroledAt") ? enrolments : responsibles).add(link);
        }
        p.put("enrolments", enrolments);
        if (!responsibles.isEmpty()) {
            p.put("responsibles", responsibles);
        }
        return p;
    }

    private static Map<String, Object> enrolment(String schoolUnit, String schoolType, int schoolYear) {
        return Map.of("enroledAt", Map.of("id", schoolUnit), "schoolType", schoolType, "schoolYear", schoolYear,
                "educationCode", "ignored", "cancelled", false);
    }

    private static Map<String, Object> responsible(String person, String relation) {
        return Map.of("person", Map.of("id", person, "displayName", "Epsilon Testsson"), "relationType", relation);
    }

    private static Map<String, Object> group(String id, String name, String type, String schoolType, String organisation, String... members) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("id", id);
        g.put("meta", meta());
        g.put("displayName", name);
        g.put("groupType", type);
        g.put("schoolType", schoolType);
        g.put("organisation", Map.of("id", organisation));
        List<Object> memberships = new ArrayList<>();
        for (String m : members) {
            memberships.add(Map.of("person", Map.of("id", m, "displayName", "Someone"), "unknownField", true));
        }
        g.put("groupMemberships", memberships);
        return g;
    }

    private static Map<String, Object> duty(String id, String person, String at, String role) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("meta", meta());
        d.put("person", Map.of("id", person));
        d.put("dutyAt", Map.of("id", at));
        d.put("dutyRole", role);
        d.put("startDate", "2024-08-01");
        d.put("signature", "DL");
        return d;
    }
}
