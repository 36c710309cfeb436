package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;

/** A full OneRoster import: what it creates from 1.1 and from 1.2, and that the same snapshot twice changes nothing. */
@RecordApplicationEvents
class OneRosterImportTest extends DirectoryImportTestSupport {

    @Autowired
    Ids ids;

    @Autowired
    ApplicationEvents events;

    @Test
    void oneRoster11ImportCreatesOrganisationsPersonsPlacementsGroupsAndLinks() {
        String source = newSource("or11");
        ImportSummary summary = importZip(source, OneRosterPackage.small().writeV11(tmp.resolve("small11.zip")));

        // Organisations: the district is the organiser, schools are school units with their code.
        assertThat(jdbc.sql("select source_id, kind, name, school_unit_code, municipality_code, array_to_string(school_forms, ',') forms, "
                        + "(select p.source_id from organisation p where p.id = o.parent_id) parent from organisation o where source = :s order by source_id")
                .param("s", source).query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), str(rs.getString(4)),
                        str(rs.getString(5)), rs.getString(6), str(rs.getString(7)))).list())
                .containsExactly(
                        List.of("org-0", "ORGANISER", "Provby kommun", "", "1980", "", ""),
                        List.of("org-1", "SCHOOL_UNIT", "Ekbacka skola", "12345678", "1980", "GR,FKLASS,FTH", "org-0"),
                        List.of("org-2", "SCHOOL_UNIT", "Lindgymnasiet", "87654321", "1980", "GY", "org-0"));

        // Persons, with the protection marking read from metadata.securityMarking.
        Map<String, String> protection = jdbc.sql("select source_id, protection from person where source = :s").param("s", source)
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2))).list().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(protection).hasSize(13)
                .containsEntry("p1", "PROTECTED_REGISTRATION")
                .containsEntry("p2", "CONFIDENTIAL")
                .containsEntry("p3", "NONE")
                .containsEntry("p4", "NONE")
                .containsEntry("g1", "NONE");
        assertThat(jdbc.sql("select given_name, family_name, email, username from person where source = :s and source_id = 'p3'")
                .param("s", source).query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).single())
                .containsExactly("Cilla", "Testberg", "cilla.p3@example.org", "cilla.p3");

        // Enrolments: pupil at school unit, school form (own, or the school's only one) and grade.
        assertThat(jdbc.sql("select p.source_id, o.source_id, e.school_form, e.grade from enrolment e join person p on p.id = e.person_id "
                        + "join organisation o on o.id = e.school_unit_id where e.source = :s order by 1")
                .param("s", source).query((rs, n) -> tuple(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list())
                .containsExactly(
                        tuple("p1", "org-1", "GR", "07"), tuple("p2", "org-1", "GR", "07"), tuple("p3", "org-1", "GR", "07"),
                        tuple("p4", "org-1", "GR", "07"), tuple("p5", "org-1", "GR", "07"), tuple("p6", "org-1", "GR", "07"),
                        tuple("p7", "org-2", "GY", "10"), tuple("p8", "org-2", "GY", "10"));

        // Groups: homeroom → class, scheduled → teaching group, metadata.groupType wins.
        assertThat(jdbc.sql("select g.source_id, g.kind, g.name, o.source_id, g.school_form, g.grades from student_group g "
                        + "join organisation o on o.id = g.organisation_id where g.source = :s order by 1")
                .param("s", source).query((rs, n) -> tuple(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6))).list())
                .containsExactly(
                        tuple("c-7a", "CLASS", "7A", "org-1", "GR", "07"),
                        tuple("c-7b", "CLASS", "7B", "org-1", "GR", "07"),
                        tuple("c-ma7", "TEACHING_GROUP", "Matematik 7", "org-1", "GR", "07"),
                        tuple("c-men", "MENTOR_GROUP", "Mentorsgrupp Eken", "org-1", "GR", "07"),
                        tuple("c-na1", "CLASS", "NA1a", "org-2", "GY", "10"));

        // Memberships with role and period.
        assertThat(memberships(source)).hasSize(16)
                .contains("c-7a:p1:PUPIL", "c-ma7:p1:PUPIL", "c-men:p1:PUPIL", "c-7a:t1:TEACHER", "c-na1:t2:TEACHER", "c-7b:p5:PUPIL");
        assertThat(jdbc.sql("select distinct start_date::text from membership where source = :s").param("s", source).query(String.class).list())
                .containsExactly("2026-08-15");

        // Duties: staff at organisation units with their role.
        assertThat(duties(source)).containsExactlyInAnyOrder("t1@org-1:TEACHER", "t2@org-1:TEACHER", "t2@org-2:TEACHER", "a1@org-1:ADMINISTRATOR");

        // Guardian links: from the pupils' agentSourcedIds; the guardian's own list is the same link, not a new one.
        assertThat(guardianLinks(source)).containsExactlyInAnyOrder("g1>p1:GUARDIAN", "g2>p1:PARENT", "g1>p2:GUARDIAN");

        // The summary says what was created.
        assertThat(summary.entities().get("organisations")).isEqualTo(new ImportSummary.Counts(3, 0, 0, 0));
        assertThat(summary.entities().get("persons")).isEqualTo(new ImportSummary.Counts(13, 0, 0, 0));
        assertThat(summary.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(8, 0, 0, 0));
        assertThat(summary.entities().get("groups")).isEqualTo(new ImportSummary.Counts(5, 0, 0, 0));
        assertThat(summary.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(16, 0, 0, 0));
        assertThat(summary.entities().get("duties")).isEqualTo(new ImportSummary.Counts(4, 0, 0, 0));
        assertThat(summary.entities().get("guardianLinks")).isEqualTo(new ImportSummary.Counts(3, 0, 0, 0));

        // Every record knows its source; the run is recorded as succeeded with that summary.
        assertThat(jdbc.sql("select kind from directory_source where name = :s").param("s", source).query(String.class).single()).isEqualTo("ONEROSTER");
        ImportRuns.Run run = latestRun(source);
        assertThat(run.status()).isEqualTo(ImportRuns.Status.SUCCEEDED);
        assertThat(run.summary().entities()).isEqualTo(summary.entities());

        // A first import journals every person as joined and every group as changed, and announces it once.
        List<Change> journal = journal(summary.runId());
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_JOINED")).hasSize(13);
        assertThat(journal).filteredOn(c -> c.kind().equals("GROUP_CHANGED")).hasSize(5);
        assertThat(journal).extracting(Change::kind).containsOnly("PERSON_JOINED", "GROUP_CHANGED");
        assertThat(events.stream(DirectoryChangesRecorded.class).toList()).singleElement().satisfies(e -> {
            assertThat(e.importRunId()).isEqualTo(summary.runId());
            assertThat(e.source()).isEqualTo(source);
            assertThat(e.firstSequence()).isEqualTo(journal.getFirst().seq());
            assertThat(e.lastSequence()).isEqualTo(journal.getLast().seq());
        });
    }

    @Test
    void oneRoster12PackageWithRolesImportsTheSameDirectoryAs11() {
        String source11 = newSource("or11");
        String source12 = newSource("or12");
        OneRosterPackage pkg = OneRosterPackage.small();
        assertThat(pkg.v12Files().get("users.csv")).doesNotContain("orgSourcedIds").doesNotContain(",role,");

        ImportSummary s11 = importZip(source11, pkg.writeV11(tmp.resolve("small11.zip")));
        ImportSummary s12 = importZip(source12, pkg.writeV12(tmp.resolve("small12.zip")));

        assertThat(s12.entities()).isEqualTo(s11.entities());
        assertThat(counts(source12)).isEqualTo(counts(source11)).containsEntry("person", 13L).containsEntry("duty", 4L);
        assertThat(organisations(source12)).isEqualTo(organisations(source11));
        assertThat(persons(source12)).isEqualTo(persons(source11));
        assertThat(enrolments(source12)).isEqualTo(enrolments(source11));
        assertThat(groups(source12)).isEqualTo(groups(source11));
        assertThat(memberships(source12)).isEqualTo(memberships(source11));
        assertThat(duties(source12)).isEqualTo(duties(source11));
        assertThat(guardianLinks(source12)).isEqualTo(guardianLinks(source11));
    }

    @Test
    void reimportingTheSameSnapshotChangesNothingAndPublishesNothing() {
        String source = newSource("same");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        Map<String, Long> countsBefore = counts(source);
        Map<String, String> stateBefore = state(source);
        int journalBefore = journal(source).size();
        events.clear();

        // The same content, written again to another file.
        ImportSummary again = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        assertThat(again.changedAnything()).isFalse();
        assertThat(again.changesRecorded()).isZero();
        assertThat(again.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 13));
        assertThat(again.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 16));
        assertThat(counts(source)).isEqualTo(countsBefore);
        Map<String, String> stateAfter = state(source);
        stateAfter.remove("last_import_at");
        stateBefore.remove("last_import_at");
        assertThat(stateAfter).isEqualTo(stateBefore); // no row touched, not even its update time
        assertThat(journal(source)).hasSize(journalBefore);
        assertThat(journal(again.runId())).isEmpty();
        assertThat(events.stream(DirectoryChangesRecorded.class)).isEmpty();
        assertThat(latestRun(source).status()).isEqualTo(ImportRuns.Status.SUCCEEDED);

        // 1.2 of the same snapshot into its own source, twice: also nothing the second time.
        String source12 = newSource("same12");
        importZip(source12, pkg.writeV12(tmp.resolve("v12a.zip")));
        Map<String, String> state12 = state(source12);
        state12.remove("last_import_at");
        events.clear();
        ImportSummary again12 = importZip(source12, pkg.writeV12(tmp.resolve("v12b.zip")));
        assertThat(again12.changedAnything()).isFalse();
        Map<String, String> state12After = state(source12);
        state12After.remove("last_import_at");
        assertThat(state12After).isEqualTo(state12);
        assertThat(events.stream(DirectoryChangesRecorded.class)).isEmpty();
    }

    @Test
    void namesWithQuotesCommasAndLineBreaksAreStoredAsWrittenAndRecognisedNextTime() {
        String source = newSource("quoted");
        OneRosterPackage pkg = OneRosterPackage.small();
        OneRosterPackage.User p1 = pkg.users.get(0);
        // What the COPY into the stage must carry through: its quote, separator, line break, backslash and NULL-like text.
        String given = "Anna \"Nina\", Sofia";
        String family = "\\N Öberg\\Lind\r\nAndersson";
        pkg.users.set(0, new OneRosterPackage.User(p1.id(), p1.role(), p1.orgs(), given, family, p1.agents(), p1.grades(), p1.marking(),
                p1.schoolForm()));
        importZip(source, pkg.writeV11(tmp.resolve("quoted1.zip")));
        assertThat(jdbc.sql("select given_name, family_name from person where source = :s and source_id = :id").param("s", source)
                .param("id", p1.id()).query((rs, n) -> List.of(rs.getString(1), rs.getString(2))).single())
                .containsExactly(given, family);

        // The next day another pupil is renamed: the quoted row's content hash is the stored one, so it is not taken for changed.
        OneRosterPackage.User p4 = pkg.users.get(3);
        pkg.users.set(3, new OneRosterPackage.User(p4.id(), p4.role(), p4.orgs(), p4.givenName(), p4.familyName() + "-Ek", p4.agents(),
                p4.grades(), p4.marking(), p4.schoolForm()));
        ImportSummary next = importZip(source, pkg.writeV11(tmp.resolve("quoted2.zip")));
        assertThat(next.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 12));
    }

    @Test
    void idsAreStablePerSourceAndRecord() {
        String source = newSource("ids");
        importZip(source, OneRosterPackage.small().writeV11(tmp.resolve("ids.zip")));
        UUID p1 = jdbc.sql("select id from person where source = :s and source_id = 'p1'").param("s", source).query(UUID.class).single();
        assertThat(p1).isEqualTo(ids.of(source, Entity.PERSON, "p1"));
    }

    // ---- the directory of a source, in source ids, for comparison

    private List<String> organisations(String source) {
        return jdbc.sql("select o.source_id || ':' || o.kind || ':' || o.name || ':' || coalesce(o.school_unit_code, '') || ':' "
                        + "|| coalesce(o.municipality_code, '') || ':' || array_to_string(o.school_forms, ',') || ':' || coalesce(p.source_id, '') "
                        + "from organisation o left join organisation p on p.id = o.parent_id where o.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private List<String> persons(String source) {
        return jdbc.sql("select source_id || ':' || given_name || ':' || family_name || ':' || coalesce(email, '') || ':' || coalesce(username, '') "
                        + "|| ':' || coalesce(civic_number, '') || ':' || protection from person where source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private List<String> enrolments(String source) {
        return jdbc.sql("select e.source_id || ':' || p.source_id || ':' || o.source_id || ':' || coalesce(e.school_form, '') || ':' "
                        + "|| coalesce(e.grade, '') from enrolment e join person p on p.id = e.person_id "
                        + "join organisation o on o.id = e.school_unit_id where e.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private List<String> groups(String source) {
        return jdbc.sql("select g.source_id || ':' || g.kind || ':' || g.name || ':' || o.source_id || ':' || coalesce(g.school_form, '') || ':' "
                        + "|| coalesce(g.grades, '') || ':' || coalesce(g.start_date::text, '') || ':' || coalesce(g.end_date::text, '') "
                        + "from student_group g join organisation o on o.id = g.organisation_id where g.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private List<String> memberships(String source) {
        return jdbc.sql("select g.source_id || ':' || p.source_id || ':' || m.role from membership m join student_group g on g.id = m.group_id "
                        + "join person p on p.id = m.person_id where m.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private List<String> duties(String source) {
        return jdbc.sql("select p.source_id || '@' || o.source_id || ':' || d.role || coalesce(':' || d.start_date::text, '') "
                        + "|| coalesce(':' || d.end_date::text, '') from duty d join person p on p.id = d.person_id "
                        + "join organisation o on o.id = d.organisation_id where d.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    @Test
    void guardianLinksAreTheSameWhicheverSideListsThem() {
        String pupilsOnly = newSource("agents-pupils");
        OneRosterPackage fromPupils = OneRosterPackage.small();
        fromPupils.users.replaceAll(u -> u.role().equals("guardian") || u.role().equals("parent") ? u.withAgents("") : u);
        importZip(pupilsOnly, fromPupils.writeV11(tmp.resolve("pupils-side.zip")));

        String guardiansOnly = newSource("agents-guardians");
        OneRosterPackage fromGuardians = OneRosterPackage.small();
        fromGuardians.users.replaceAll(u -> u.role().equals("student") ? u.withAgents("") : u);
        importZip(guardiansOnly, fromGuardians.writeV11(tmp.resolve("guardians-side.zip")));

        String guardiansOnly12 = newSource("agents-guardians12");
        importZip(guardiansOnly12, fromGuardians.writeV12(tmp.resolve("guardians-side12.zip")));

        List<String> expected = List.of("g1>p1:GUARDIAN", "g2>p1:PARENT", "g1>p2:GUARDIAN");
        assertThat(guardianLinks(pupilsOnly)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(guardianLinks(guardiansOnly)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(guardianLinks(guardiansOnly12)).containsExactlyInAnyOrderElementsOf(expected);
    }

    private List<String> guardianLinks(String source) {
        return jdbc.sql("select g.source_id || '>' || c.source_id || ':' || l.relation from guardian_link l join person g on g.id = l.guardian_id "
                        + "join person c on c.id = l.child_id where l.source = :s order by 1")
                .param("s", source).query(String.class).list();
    }

    private static String str(String s) {
        return s == null ? "" : s;
    }
}
