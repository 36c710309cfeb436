package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.directory.OrganiserPersons.Field;

/**
 * Which directory person an upstream account is: only the organiser's own pupils and staff (on duty today)
 * count — never a person of another municipality who shares the e-mail, never a guardian — and each field is
 * compared as documented.
 */
class OrganiserPersonsTest extends DirectoryImportTestSupport {

    @Autowired
    OrganiserPersons persons;

    UUID organiser(String source) {
        return jdbc.sql("select id from organisation where source = :s and kind = 'ORGANISER'").param("s", source).query(UUID.class).single();
    }

    UUID person(String source, String sourceId) {
        return jdbc.sql("select id from person where source = :s and source_id = :id").param("s", source).param("id", sourceId).query(UUID.class).single();
    }

    void set(String column, String value, List<UUID> who) {
        jdbc.sql("update person set " + column + " = :v where id in (:p)").param("v", value).param("p", who).update();
    }

    @Test
    void onlyTheOrganisersOwnPupilsAndStaffMatchEachFieldAsDocumented() {
        String a = newSource("match-a");
        String b = newSource("match-b");
        importZip(a, OneRosterPackage.small().writeV11(tmp.resolve("a.zip")));
        importZip(b, OneRosterPackage.small().writeV11(tmp.resolve("b.zip")));
        UUID organiserA = organiser(a);
        UUID pupilA = person(a, "p3");
        UUID pupilB = person(b, "p3");
        UUID guardianA = person(a, "g1");
        UUID teacherA = person(a, "t1");

        // the same e-mail in two municipalities, and on a guardian (neither enrolled nor on duty)
        set("email", "Cilla.Testberg@Provby.se", List.of(pupilA, pupilB, guardianA));
        assertThat(persons.matching(organiserA, Field.EMAIL, " cilla.testberg@provby.se ", 2)).containsExactly(pupilA);
        assertThat(persons.matching(organiser(b), Field.EMAIL, "CILLA.TESTBERG@PROVBY.SE", 2)).containsExactly(pupilB);

        set("username", "Cilla.T", List.of(pupilA));
        assertThat(persons.matching(organiserA, Field.USERNAME, "cilla.t", 2)).containsExactly(pupilA);
        assertThat(persons.matching(organiserA, Field.SOURCE_ID, "p3", 2)).containsExactly(pupilA);
        assertThat(persons.matching(organiserA, Field.SOURCE_ID, "P3", 2)).as("source ids exactly").isEmpty();

        set("civic_number", "20120304-1234", List.of(pupilA, guardianA));
        assertThat(persons.matching(organiserA, Field.CIVIC_NUMBER, "201203041234", 2)).containsExactly(pupilA);
        assertThat(persons.matching(organiserA, Field.CIVIC_NUMBER, "20120304-1235", 2)).isEmpty();
        // a claim without the digits of a civic number matches nobody, not even a stored number without digits
        set("civic_number", "", List.of(pupilB));
        set("civic_number", "saknas", List.of(teacherA));
        assertThat(persons.matching(organiserA, Field.CIVIC_NUMBER, "okänt", 2)).isEmpty();
        assertThat(persons.matching(organiser(b), Field.CIVIC_NUMBER, "-", 2)).isEmpty();
        assertThat(persons.matching(organiserA, Field.CIVIC_NUMBER, "2012030", 2)).as("too short for a civic number").isEmpty();

        // staff count while on duty: a duty that ended yesterday no longer signs anyone in
        set("email", "ines@provby.se", List.of(teacherA));
        assertThat(persons.matching(organiserA, Field.EMAIL, "ines@provby.se", 2)).containsExactly(teacherA);
        jdbc.sql("update duty set end_date = current_date - 1 where person_id = :p").param("p", teacherA).update();
        assertThat(persons.matching(organiserA, Field.EMAIL, "ines@provby.se", 2)).isEmpty();

        assertThat(persons.matching(organiserA, Field.EMAIL, " ", 2)).isEmpty();
        assertThat(persons.organiserName(organiserA)).contains("Provby kommun");
        assertThat(persons.organiserName(pupilA)).as("not an organiser").isEmpty();
    }
}
