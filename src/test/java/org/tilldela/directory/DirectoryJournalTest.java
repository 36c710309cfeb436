package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportSummary;

/** The change journal of a "next day" snapshot: exactly who joined, moved and left, and which groups changed. */
@RecordApplicationEvents
class DirectoryJournalTest extends DirectoryImportTestSupport {

    @Autowired
    Ids ids;

    @org.springframework.beans.factory.annotation.Autowired
    DirectoryJournal directoryJournal;

    @Autowired
    ApplicationEvents events;

    @Test
    void nextDaySnapshotJournalsJoinerMoverLeaverAndChangedGroups() {
        String source = newSource("journal");
        OneRosterPackage pkg = OneRosterPackage.small();
        ImportSummary first = importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        // The first import: everyone joins and every group changed; nobody was there to move or change.
        assertThat(journal(first.runId())).extracting(Change::kind)
                .containsOnly("PERSON_JOINED", "GROUP_CHANGED")
                .filteredOn("PERSON_JOINED"::equals).hasSize(13);
        assertThat(journal(first.runId())).hasSize(18);
        // every person stored for the source, once, in id order (the order a reader pages the journal in), all recorded
        // at the import's moment
        assertThat(journal(first.runId())).filteredOn(c -> c.kind().equals("PERSON_JOINED")).extracting(Change::personId)
                .containsExactlyElementsOf(jdbc.sql("select id from person where source = :source order by id").param("source", source)
                        .query(UUID.class).list());
        assertThat(jdbc.sql("select count(distinct recorded_at) from directory_change where import_run_id = :run and recorded_at is not null")
                .param("run", first.runId()).query(Long.class).single()).isEqualTo(1);
        events.clear();

        // Day 2: p5 moves from 7B to 7A (same enrollment record, other class), p6 leaves, p9 joins 7B,
        // NA1a is renamed. Nothing else changes.
        pkg.replaceEnrollment("e-p5-c-7b", e -> e.withClass("c-7a"));
        pkg.removeUser("p6");
        pkg.users.add(new OneRosterPackage.User("p9", "student", "org-1", "Nora", "Nykomling", "", "07", "", "GR"));
        pkg.enroll("p9", "c-7b");
        pkg.replaceClass("c-na1", k -> k.withTitle("NA1 Natur"));
        ImportSummary summary = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        List<Change> journal = journal(summary.runId());
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_JOINED")).extracting(Change::personId)
                .containsExactly(person(source, "p9"));
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_LEFT")).extracting(Change::personId)
                .containsExactly(person(source, "p6"));
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_MOVED")).extracting(Change::personId)
                .containsExactly(person(source, "p5"));
        // 7A gained p5; 7B lost p5 and p6 and gained p9; NA1a was renamed. The untouched groups are not in it.
        assertThat(journal).filteredOn(c -> c.kind().equals("GROUP_CHANGED")).extracting(Change::groupId)
                .containsExactlyInAnyOrder(group(source, "c-7a"), group(source, "c-7b"), group(source, "c-na1"));
        assertThat(journal).hasSize(6);
        // The same, as the events other modules read.
        List<DirectoryEvent> typed = directoryJournal.ofImport(summary.runId());
        assertThat(typed).hasSize(6);
        assertThat(typed).filteredOn(DirectoryEvent.PersonJoined.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((DirectoryEvent.PersonJoined) e).personId()).isEqualTo(person(source, "p9")));
        assertThat(typed).filteredOn(DirectoryEvent.PersonLeft.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((DirectoryEvent.PersonLeft) e).personId()).isEqualTo(person(source, "p6")));
        assertThat(typed).filteredOn(DirectoryEvent.PersonMoved.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((DirectoryEvent.PersonMoved) e).personId()).isEqualTo(person(source, "p5")));
        assertThat(typed).filteredOn(DirectoryEvent.GroupChanged.class::isInstance).hasSize(3);
        assertThat(typed).extracting(DirectoryEvent::sequence).isSorted();
        // the leavers alone: this run's, not the first's (which had none) nor another source's
        assertThat(directoryJournal.leaversOf(summary.runId())).extracting(DirectoryEvent.PersonLeft::personId).containsExactly(person(source, "p6"));
        assertThat(directoryJournal.leaversOf(first.runId())).isEmpty();
        assertThat(directoryJournal.after(typed.getFirst().sequence() - 1, 100)).startsWith(typed.getFirst());
        assertThat(journal).allSatisfy(c -> {
            assertThat(c.personId() == null).isEqualTo(c.kind().equals("GROUP_CHANGED"));
            assertThat(c.groupId() == null).isEqualTo(!c.kind().equals("GROUP_CHANGED"));
        });

        // The live tables reflect it.
        assertThat(jdbc.sql("select g.source_id from membership m join student_group g on g.id = m.group_id "
                        + "where m.source = :s and m.person_id = :p").param("s", source).param("p", person(source, "p5")).query(String.class).list())
                .containsExactly("c-7a");
        assertThat(jdbc.sql("select count(*) from person where id = :p").param("p", person(source, "p6")).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from membership where person_id = :p").param("p", person(source, "p6")).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from enrolment where person_id = :p").param("p", person(source, "p6")).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select name from student_group where id = :g").param("g", group(source, "c-na1")).query(String.class).single())
                .isEqualTo("NA1 Natur");

        // The summary counts match the change.
        assertThat(summary.changesRecorded()).isEqualTo(6);
        assertThat(summary.entities().get("persons")).isEqualTo(new ImportSummary.Counts(1, 0, 1, 12));
        assertThat(summary.entities().get("enrolments")).isEqualTo(new ImportSummary.Counts(1, 0, 1, 7));
        assertThat(summary.entities().get("groups")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 4));
        assertThat(summary.entities().get("memberships")).isEqualTo(new ImportSummary.Counts(1, 1, 1, 14));
        assertThat(summary.entities().get("organisations")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 3));
        assertThat(summary.entities().get("duties")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 4));
        assertThat(summary.entities().get("guardianLinks")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 3));

        // One announcement, pointing at exactly this run's journal entries.
        assertThat(events.stream(DirectoryChangesRecorded.class).toList()).singleElement().satisfies(e -> {
            assertThat(e.importRunId()).isEqualTo(summary.runId());
            assertThat(e.source()).isEqualTo(source);
            assertThat(e.firstSequence()).isEqualTo(journal.getFirst().seq());
            assertThat(e.lastSequence()).isEqualTo(journal.getLast().seq());
        });
    }

    @Test
    void aGuardianOrDutyChangeAloneJournalsNoGroupAndAStaffMemberMovingSchoolIsAMove() {
        String source = newSource("journal2");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));

        // a1 (administrator) moves from org-1 to org-2: a duty change, no group involved.
        pkg.users.replaceAll(u -> u.id().equals("a1")
                ? new OneRosterPackage.User("a1", "administrator", "org-2", u.givenName(), u.familyName(), "", "", "", "") : u);
        ImportSummary summary = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        assertThat(journal(summary.runId())).extracting(Change::kind, Change::personId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PERSON_MOVED", person(source, "a1")));
        assertThat(summary.entities().get("duties")).isEqualTo(new ImportSummary.Counts(1, 0, 1, 3));
        assertThat(summary.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 0, 0, 13));
    }

    @Test
    void aRenameJournalsPersonChangedAndNothingElseAndAnUnchangedReImportJournalsNothing() {
        String source = newSource("journal3");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));

        // p4 marries: a new family name, nothing else changes
        pkg.users.replaceAll(u -> u.id().equals("p4")
                ? new OneRosterPackage.User("p4", u.role(), u.orgs(), u.givenName(), "Nyströmsson", u.agents(), u.grades(), u.marking(), u.schoolForm())
                : u);
        ImportSummary renamed = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        assertThat(journal(renamed.runId())).extracting(Change::kind, Change::personId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PERSON_CHANGED", person(source, "p4")));
        assertThat(directoryJournal.ofImport(renamed.runId())).singleElement().isInstanceOfSatisfying(DirectoryEvent.PersonChanged.class, e -> {
            assertThat(e.personId()).isEqualTo(person(source, "p4"));
            assertThat(e.importRunId()).isEqualTo(renamed.runId());
            assertThat(e.recordedAt()).isNotNull();
        });
        assertThat(renamed.changesRecorded()).isEqualTo(1);
        assertThat(renamed.entities().get("persons")).isEqualTo(new ImportSummary.Counts(0, 1, 0, 12));
        assertThat(jdbc.sql("select family_name from person where id = :p").param("p", person(source, "p4")).query(String.class).single())
                .isEqualTo("Nyströmsson");

        // the same snapshot again: nothing changed, nothing journalled, no announcement
        events.clear();
        ImportSummary again = importZip(source, pkg.writeV11(tmp.resolve("day3.zip")));
        assertThat(again.changesRecorded()).isZero();
        assertThat(journal(again.runId())).isEmpty();
        assertThat(events.stream(DirectoryChangesRecorded.class)).isEmpty();
    }

    @Test
    void aGuardianLinkAddedOrRemovedIsAChangeOfTheChildOnly() {
        String source = newSource("journal4");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));

        // p3 gets g2 as a guardian; g1 no longer is p2's (on both sides of the link); p5 changes e-mail and class: a move and a change
        pkg.users.replaceAll(u -> switch (u.id()) {
            case "p3" -> u.withAgents("g2");
            case "p2" -> u.withAgents("");
            case "g1" -> u.withAgents("p1");
            case "p5" -> new OneRosterPackage.User("p5", u.role(), u.orgs(), "Ebbe", u.familyName(), u.agents(), u.grades(), u.marking(), u.schoolForm());
            default -> u;
        });
        pkg.replaceEnrollment("e-p5-c-7b", e -> e.withClass("c-7a"));
        ImportSummary summary = importZip(source, pkg.writeV11(tmp.resolve("day2.zip")));

        List<Change> journal = journal(summary.runId());
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_CHANGED")).extracting(Change::personId)
                .containsExactlyInAnyOrder(person(source, "p2"), person(source, "p3"), person(source, "p5"));
        assertThat(journal).filteredOn(c -> c.kind().equals("PERSON_MOVED")).extracting(Change::personId).containsExactly(person(source, "p5"));
        assertThat(journal).filteredOn(c -> c.personId() != null).extracting(Change::personId)
                .doesNotContain(person(source, "g1"), person(source, "g2"), person(source, "p1"));
    }

    private UUID person(String source, String id) {
        return ids.of(source, Entity.PERSON, id);
    }

    private UUID group(String source, String id) {
        return ids.of(source, Entity.GROUP, id);
    }
}
