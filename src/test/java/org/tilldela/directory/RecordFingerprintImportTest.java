package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * The records of users.csv and enrollments.csv, and the guardian links, are recognised by their fingerprints: a record
 * as it was when its rows were stored is not read again; records that changed, came or went are read and settled as
 * before — what a recognised record's rows are made from besides the record (its guardians' roles, its schools' forms)
 * still counts, an import ends where an import from scratch would, and an id repeated between a recognised record and a
 * read one is still refused.
 */
class RecordFingerprintImportTest extends DirectoryImportTestSupport {

    private String source;
    private OneRosterPackage pkg;

    @BeforeEach
    void firstImport() {
        source = newSource("fp");
        pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
    }

    @Test
    void everyImportedMembershipCarriesItsRecordsFingerprint() {
        assertThat(count("membership", source)).isEqualTo(16);
        assertThat(jdbc.sql("select count(distinct line_fp) from membership where source = :s").param("s", source).query(Long.class).single())
                .isEqualTo(16);
    }

    @Test
    void everyRowReadFromAUserRecordCarriesItsFingerprint() {
        assertThat(jdbc.sql("select count(*) from person where source = :s and line_fp is null").param("s", source).query(Long.class).single()).isZero();
        // t2's two duties and p1's enrolment were read from their users' records
        assertThat(jdbc.sql("select count(distinct d.line_fp) from duty d join person p on p.id = d.person_id and p.line_fp = d.line_fp "
                + "where d.source = :s and p.source_id = 't2'").param("s", source).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from duty where source = :s and source_id like 't2@%'").param("s", source).query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from enrolment e join person p on p.id = e.person_id and p.line_fp = e.line_fp where e.source = :s")
                .param("s", source).query(Long.class).single()).isEqualTo(8);
        assertThat(jdbc.sql("select count(distinct line_fp) from guardian_link where source = :s").param("s", source).query(Long.class).single()).isEqualTo(3);
    }

    @Test
    void whatRecognisedRecordsAreMadeFromBesidesThemselvesStillCounts() {
        // g1 becomes a parent (its links, listed by the recognised p1 and p2 too, change their relation); p1 and g2 no
        // longer list each other (both records otherwise as they were: recognised, yet their link goes); the upper
        // secondary school gets a second school form (p7, who has none of their own, took its only one); p4 is renamed
        // (the enrolment read again with it is as stored); t2 leaves the upper secondary school.
        replaceUser("g1", u -> new OneRosterPackage.User(u.id(), "parent", u.orgs(), u.givenName(), u.familyName(), u.agents(), u.grades(),
                u.marking(), u.schoolForm()));
        replaceUser("p1", u -> u.withAgents("g1"));
        replaceUser("g2", u -> u.withAgents(""));
        pkg.orgs.replaceAll(o -> o.id().equals("org-2") ? new OneRosterPackage.Org(o.id(), o.name(), o.type(), o.identifier(), o.parent(), "GY,GR",
                o.municipalityCode()) : o);
        replaceUser("p4", u -> new OneRosterPackage.User(u.id(), u.role(), u.orgs(), u.givenName(), "Exempelsson-Ek", u.agents(), u.grades(),
                u.marking(), u.schoolForm()));
        replaceUser("t2", u -> new OneRosterPackage.User(u.id(), u.role(), "org-1", u.givenName(), u.familyName(), u.agents(), u.grades(),
                u.marking(), u.schoolForm()));

        ImportSummary day2 = importZip(source, pkg.writeV11(tmp.resolve("day2users.zip")));

        assertThat(day2.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 12));
        assertThat(day2.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 7));
        assertThat(day2.entities().get("duties")).isEqualTo(new ImportSummary.Counts(0, 0, 1, 3));
        assertThat(day2.entities().get("guardianLinks")).isEqualTo(new ImportSummary.Counts(0, 2, 1, 0));
        assertThat(day2.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 16));
        assertThat(jdbc.sql("select relation from guardian_link where source = :s order by source_id").param("s", source).query(String.class).list())
                .containsExactly("PARENT", "PARENT");
        assertThat(jdbc.sql("select coalesce(school_form, '-') from enrolment where source = :s and source_id = 'p7@org-2'").param("s", source)
                .query(String.class).single()).isEqualTo("-");
        // as if the day-2 package had been the source's first
        String scratch = newSource("scratch");
        importZip(scratch, pkg.writeV11(tmp.resolve("scratch.zip")));
        assertThat(rowsAsRead(source)).isEqualTo(rowsAsRead(scratch));

        // The next day only a class is renamed: every record is recognised, also those whose rows were read again as they
        // were stored (p4's enrolment, t2's other duty, g1's person).
        pkg.replaceClass("c-men", k -> k.withTitle("Mentorsgrupp Ekbacken"));
        ImportSummary day3 = importZip(source, pkg.writeV11(tmp.resolve("day3users.zip")));

        assertThat(day3.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 13));
        assertThat(day3.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 8));
        assertThat(day3.entities().get("duties")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 3));
        assertThat(day3.entities().get("guardianLinks")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 2));
        assertThat(rowsAsRead(source)).isEqualTo(rowsAsRead(scratch));
    }

    @Test
    void oneRoster12EnrolmentsAndDutiesAreRecognisedByWhatTheyAreMadeOf() {
        String v12 = newSource("fp12");
        importZip(v12, pkg.writeV12(tmp.resolve("v12day1.zip")));
        // p4 moves up a grade (users.csv: the enrolment roles.csv makes with it changes, the person does not); t2 leaves
        // the upper secondary school (a role, and its duty, gone); p1 gets a second student role at the same school (one
        // enrolment still).
        replaceUser("p4", u -> new OneRosterPackage.User(u.id(), u.role(), u.orgs(), u.givenName(), u.familyName(), u.agents(), "08",
                u.marking(), u.schoolForm()));
        replaceUser("t2", u -> new OneRosterPackage.User(u.id(), u.role(), "org-1", u.givenName(), u.familyName(), u.agents(), u.grades(),
                u.marking(), u.schoolForm()));
        Map<String, String> files = pkg.v12Files();
        files.put("roles.csv", OneRosterPackage.appendLine(files.get("roles.csv"), "r-p1-org-1-ht,active,2026-08-01,p1,primary,student,2027-01-01,,org-1,"));

        ImportSummary day2 = importZip(v12, zip("v12day2.zip", files));

        assertThat(day2.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 13));
        assertThat(day2.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 7));
        assertThat(day2.entities().get("duties")).isEqualTo(new ImportSummary.Counts(0, 0, 1, 3));
        assertThat(jdbc.sql("select grade from enrolment where source = :s and source_id = 'p4@org-1'").param("s", v12).query(String.class).single())
                .isEqualTo("08");
        String scratch = newSource("scratch12");
        importZip(scratch, zip("v12scratch.zip", files));
        assertThat(rowsAsRead(v12)).isEqualTo(rowsAsRead(scratch));

        // The day after, only a class renamed: all recognised — even a stored enrolment made to differ from what its
        // roles would make is not compared.
        jdbc.sql("update enrolment set content_hash = cast(:h as uuid) where source = :s and source_id = 'p5@org-1'")
                .param("h", SPOILED_MARK).param("s", v12).update();
        pkg.replaceClass("c-men", k -> k.withTitle("Mentorsgrupp Ekbacken"));
        files = pkg.v12Files();
        files.put("roles.csv", OneRosterPackage.appendLine(files.get("roles.csv"), "r-p1-org-1-ht,active,2026-08-01,p1,primary,student,2027-01-01,,org-1,"));
        ImportSummary day3 = importZip(v12, zip("v12day3.zip", files));

        assertThat(day3.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 13));
        assertThat(day3.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 8));
        assertThat(day3.entities().get("duties")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 3));
        assertThat(jdbc.sql("select content_hash::text from enrolment where source = :s and source_id = 'p5@org-1'").param("s", v12)
                .query(String.class).single()).isEqualTo(SPOILED_MARK);
    }

    @Test
    void recognisedRecordsAreNotReadAndChangedOnesAreReadAndSettled() {
        // A stored row made to differ from its record (as no import would leave it): a record that is read again puts it
        // right; a recognised one is not read, so its row is not even compared.
        spoilContentHash("e-p4-c-7a");
        String spoiled = contentHash("e-p4-c-7a");

        pkg.replaceEnrollment("e-p5-c-7b", e -> e.withClass("c-7a")); // changed
        pkg.enrollments.removeIf(e -> e.id().equals("e-p6-c-7b")); // gone
        pkg.enroll("p3", "c-ma7"); // new
        Map<String, String> files = pkg.v11Files();
        // Only the record's date of change: the fingerprint leaves it out, the record is recognised. A start date written as
        // a timestamp: read again (its fingerprint changed), but its membership is the stored one.
        redate(files);
        UUID redatedBefore = lineFingerprint("e-p2-c-ma7");
        UUID fingerprintBefore = lineFingerprint("e-p2-c-7a");

        ImportSummary day2 = importZip(source, zip("day2.zip", files));

        assertThat(day2.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(1, 1, 1, 14));
        assertThat(jdbc.sql("select g.source_id from membership m join student_group g on g.id = m.group_id where m.source = :s and m.source_id = 'e-p5-c-7b'")
                .param("s", source).query(String.class).single()).isEqualTo("c-7a");
        assertThat(contentHash("e-p4-c-7a")).as("recognised, not read").isEqualTo(spoiled);
        assertThat(lineFingerprint("e-p2-c-ma7")).isEqualTo(redatedBefore);
        UUID fingerprintAfter = lineFingerprint("e-p2-c-7a");
        assertThat(fingerprintAfter).isNotNull().isNotEqualTo(fingerprintBefore);
        assertThat(jdbc.sql("select count(*) from membership where source = :s and line_fp is null").param("s", source).query(Long.class).single())
                .isZero();

        // The day after, everything as on day 2 but a class's name: every enrollment is recognised, the one with the
        // timestamp by its new fingerprint (its row spoiled now too, and left so).
        spoilContentHash("e-p2-c-7a");
        String spoiledToo = contentHash("e-p2-c-7a");
        pkg.replaceClass("c-men", k -> k.withTitle("Mentorsgrupp Ekbacken"));
        files = pkg.v11Files();
        redate(files);

        ImportSummary day3 = importZip(source, zip("day3.zip", files));

        assertThat(day3.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 16));
        assertThat(contentHash("e-p2-c-7a")).isEqualTo(spoiledToo);
    }

    /** e-p2-c-ma7's date of change moved on; e-p2-c-7a's start date written as a timestamp (read as the same date). */
    private static void redate(Map<String, String> files) {
        String enrollments = files.get("enrollments.csv");
        String redated = enrollments.replace("e-p2-c-ma7,active,2026-08-01,", "e-p2-c-ma7,active,2026-09-30,")
                .replace("e-p2-c-7a,active,2026-08-01,c-7a,org-1,p2,student,true,2026-08-15,", "e-p2-c-7a,active,2026-08-01,c-7a,org-1,p2,student,true,2026-08-15T08:00:00Z,");
        assertThat(redated).isNotEqualTo(enrollments);
        assertThat(redated).contains("2026-09-30").contains("T08:00:00Z");
        files.put("enrollments.csv", redated);
    }

    @Test
    void readingAgainOnRequestComparesEveryRow() {
        spoilContentHash("e-p4-c-7a");
        Path again = pkg.writeV11(tmp.resolve("again.zip"));

        ImportSummary reread = importRuns.runNow("ONEROSTER", new ImportOptions(source, false, "test", true),
                new OneRosterReader(again, "again.zip"), ImportProgress.NONE, "again.zip");

        assertThat(reread.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 15));
        assertThat(contentHash("e-p4-c-7a")).isNotEqualTo(SPOILED_MARK);
        assertThat(jdbc.sql("select count(*) from membership where source = :s and line_fp is null").param("s", source).query(Long.class).single())
                .isZero();
    }

    @Test
    void rowsStoredWithoutFingerprintsAreReadInFullOnceAndChangeNothing() {
        // as rows stored before memberships kept fingerprints
        jdbc.sql("update membership set line_fp = null where source = :s").param("s", source).update();
        int journalBefore = journal(source).size();
        pkg.replaceClass("c-men", k -> k.withTitle("Mentorsgrupp Ekbacken"));

        ImportSummary next = importZip(source, pkg.writeV11(tmp.resolve("refill.zip")));

        assertThat(next.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 16));
        assertThat(journal(source)).hasSize(journalBefore + 1); // the renamed group only
        assertThat(jdbc.sql("select count(distinct line_fp) from membership where source = :s").param("s", source).query(Long.class).single())
                .isEqualTo(16);
    }

    @Test
    void anIdRepeatedBetweenARecognisedRecordAndARereadOneIsRefused() {
        // Line 2 (e-p1-c-7a) changes into a record with line 9's id (e-p5-c-7b, recognised); an exact copy of line 7
        // (e-p3-c-7a, recognised where it stands) comes last.
        pkg.enrollments.set(0, new OneRosterPackage.Enrollment("e-p5-c-7b", "c-ma7", "org-1", "p5", "student"));
        Map<String, String> files = pkg.v11Files();
        String enrollments = files.get("enrollments.csv");
        String p3 = enrollments.lines().filter(l -> l.startsWith("e-p3-c-7a,")).findFirst().orElseThrow();
        files.put("enrollments.csv", OneRosterPackage.appendLine(enrollments, p3));
        long lastLine = enrollments.lines().count() + 1;

        assertThatThrownBy(() -> importZip(source, zip("repeated.zip", files)))
                .isInstanceOfSatisfying(ImportRejectedException.class, e -> {
                    assertThat(e.problems()).anySatisfy(problem(9, "duplicate id 'e-p5-c-7b' (first on line 2)"));
                    assertThat(e.problems()).anySatisfy(problem(lastLine, "duplicate id 'e-p3-c-7a' (first on line 7)"));
                });
        assertThat(count("membership", source)).isEqualTo(16);
    }

    private void replaceUser(String id, UnaryOperator<OneRosterPackage.User> change) {
        pkg.users.replaceAll(u -> u.id().equals(id) ? change.apply(u) : u);
    }

    /**
     * Every row of the source as read — its source id, what it says (references by their source ids, which the rows'
     * source ids spell) and its record's fingerprint — for comparing two sources: ids and content hashes differ by source.
     */
    private Map<String, List<String>> rowsAsRead(String of) {
        Map<String, String> columns = Map.of(
                "person", "concat_ws('|', source_id, given_name, family_name, civic_number, email, username, protection, line_fp)",
                "enrolment", "concat_ws('|', source_id, school_form, grade, line_fp)",
                "duty", "concat_ws('|', source_id, role, start_date, end_date, line_fp)",
                "membership", "concat_ws('|', source_id, role, start_date, end_date, line_fp)",
                "guardian_link", "concat_ws('|', source_id, relation, line_fp)");
        Map<String, List<String>> rows = new TreeMap<>();
        columns.forEach((table, row) -> rows.put(table, jdbc.sql("select " + row + " from " + table + " where source = :s order by 1")
                .param("s", of).query(String.class).list()));
        return rows;
    }

    private Path zip(String name, Map<String, String> files) {
        return OneRosterPackage.zip(tmp.resolve(name), files);
    }

    /** What {@link #spoilContentHash} writes: no content hashes to it. */
    private static final String SPOILED_MARK = "00000000-0000-0000-0000-00000000bad0";

    private void spoilContentHash(String sourceId) {
        jdbc.sql("update membership set content_hash = cast(:h as uuid) where source = :s and source_id = :id")
                .param("h", SPOILED_MARK).param("s", source).param("id", sourceId).update();
    }

    private String contentHash(String sourceId) {
        return jdbc.sql("select content_hash::text from membership where source = :s and source_id = :id")
                .param("s", source).param("id", sourceId).query(String.class).single();
    }

    private UUID lineFingerprint(String sourceId) {
        return jdbc.sql("select line_fp from membership where source = :s and source_id = :id")
                .param("s", source).param("id", sourceId).query(UUID.class).single();
    }

    private static Consumer<ImportProblem> problem(long line, String reason) {
        return p -> {
            assertThat(p.file()).isEqualTo("enrollments.csv");
            assertThat(p.line()).isEqualTo(line);
            assertThat(p.column()).isEqualTo("sourcedId");
            assertThat(p.reason()).isEqualTo(reason);
        };
    }
}
