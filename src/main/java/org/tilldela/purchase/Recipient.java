package org.tilldela.purchase;

import java.util.Objects;
import java.util.UUID;
import org.tilldela.directory.Rosters;
import org.tilldela.licensing.Selector;

/**
 * One selection of an order line's recipients: an organisation unit (everyone there, or one role), a
 * group, a person, or a rule ("all pupils in grade 7 at school X", "all teachers at school Z"). A
 * selection follows the directory: the persons it stands for are whoever matches after each import.
 *
 * @param role UNIT: PUPIL, STAFF, a duty role or null (everyone); ROLE_AT_UNIT: the duty role (TEACHER, …); GROUP: PUPIL, STAFF
 *             (members who are not pupils) or null (every member)
 * @param grade GRADE_AT_UNIT: the grade as the directory holds it ("07")
 */
public record Recipient(Kind kind, UUID organisationId, UUID groupId, UUID personId, String grade, String role) {

    public enum Kind { UNIT, GROUP, PERSON, GRADE_AT_UNIT, ROLE_AT_UNIT, ALL_PUPILS_AT_UNIT }

    public Recipient {
        Objects.requireNonNull(kind, "kind");
        grade = blankToNull(grade);
        role = blankToNull(role);
        switch (kind) {
            case PERSON -> require(personId != null, "a person");
            case GROUP -> require(groupId != null, "a group");
            case GRADE_AT_UNIT -> require(organisationId != null && grade != null, "a school unit and a grade");
            case UNIT, ROLE_AT_UNIT, ALL_PUPILS_AT_UNIT -> require(organisationId != null, "an organisation unit");
        }
        if (kind != Kind.PERSON) {
            personId = null;
        }
        if (kind != Kind.GROUP) {
            groupId = null;
        }
        if (kind == Kind.PERSON || kind == Kind.GROUP) {
            organisationId = null;
        }
    }

    public static Recipient unit(UUID unitId, String role) {
        return new Recipient(Kind.UNIT, unitId, null, null, null, role);
    }

    /** Every member of a group, pupils and staff alike. */
    public static Recipient group(UUID groupId) {
        return new Recipient(Kind.GROUP, null, groupId, null, null, null);
    }

    /** A group's members in one role: PUPIL (what buying for a class means), STAFF (its teachers and other staff). */
    public static Recipient group(UUID groupId, String role) {
        return new Recipient(Kind.GROUP, null, groupId, null, null, role);
    }

    public static Recipient person(UUID personId) {
        return new Recipient(Kind.PERSON, null, null, personId, null, null);
    }

    public static Recipient gradeAtUnit(UUID schoolUnitId, String grade) {
        return new Recipient(Kind.GRADE_AT_UNIT, schoolUnitId, null, null, grade, null);
    }

    public static Recipient roleAtUnit(UUID unitId, String role) {
        return new Recipient(Kind.ROLE_AT_UNIT, unitId, null, null, null, role);
    }

    public static Recipient allPupilsAtUnit(UUID schoolUnitId) {
        return new Recipient(Kind.ALL_PUPILS_AT_UNIT, schoolUnitId, null, null, null, null);
    }

    /** The organisation the selection is anchored at (null for a group or a person). */
    public UUID anchor() {
        return organisationId;
    }

    /** As the directory's roster selector, kept inside {@code within}. */
    Rosters.Selector toRoster(UUID within) {
        return switch (kind) {
            case UNIT -> new Rosters.Selector(Rosters.Kind.ORGANISATION, organisationId, null, null, null, role, null, within);
            case GROUP -> new Rosters.Selector(Rosters.Kind.GROUP, null, groupId, null, null, role, null, within);
            case PERSON -> new Rosters.Selector(Rosters.Kind.PERSON, null, null, personId, null, null, null, within);
            case GRADE_AT_UNIT -> new Rosters.Selector(Rosters.Kind.GRADE_AT_UNIT, organisationId, null, null, grade, null, null, within);
            case ROLE_AT_UNIT -> new Rosters.Selector(Rosters.Kind.ROLE_AT_UNIT, organisationId, null, null, null, role, null, within);
            case ALL_PUPILS_AT_UNIT -> new Rosters.Selector(Rosters.Kind.ALL_PUPILS_AT_UNIT, organisationId, null, null, null, null, null, within);
        };
    }

    /** As a licence pool's rule (groups and persons are assigned directly instead: see {@link Orders}). */
    Selector toRule() {
        return switch (kind) {
            case UNIT -> Selector.organisation(organisationId, role);
            case GROUP -> Selector.group(groupId, role);
            case PERSON -> Selector.person(personId);
            case GRADE_AT_UNIT -> Selector.gradeAtUnit(organisationId, grade);
            case ROLE_AT_UNIT -> Selector.roleAtUnit(organisationId, role);
            case ALL_PUPILS_AT_UNIT -> Selector.allPupilsAtUnit(organisationId);
        };
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("this kind of recipient needs " + what);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
