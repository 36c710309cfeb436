package org.tilldela.licensing;

import java.util.Objects;
import java.util.UUID;

/**
 * Who an assignment rule picks, in the directory's terms: a person, the members of a group, the pupils of
 * a grade at a school unit, the staff in a role at a unit, every pupil at a unit, or everyone (or every
 * pupil, or every member of staff) under an organisation. Rules follow the directory: after each import
 * they pick whoever matches then.
 *
 * @param role GROUP: the members' role (PUPIL, TEACHER, STAFF for every member not a pupil; null any); ROLE_AT_UNIT: the duty's role
 *             (TEACHER, PRINCIPAL, …; null any); ORGANISATION: PUPIL, STAFF, a duty role, or null for everyone
 * @param grade GRADE_AT_UNIT (required), ORGANISATION (optional): the pupils' grade as the directory holds it ("07")
 * @param schoolForm optional narrowing of pupils by school form (GR, GY, DK-FS, …)
 */
public record Selector(Kind kind, UUID organisationId, UUID groupId, UUID personId, String grade, String role, String schoolForm) {

    public enum Kind { PERSON, GROUP, GRADE_AT_UNIT, ROLE_AT_UNIT, ALL_PUPILS_AT_UNIT, ORGANISATION }

    public Selector {
        Objects.requireNonNull(kind, "kind");
        grade = blankToNull(grade);
        role = blankToNull(role);
        schoolForm = blankToNull(schoolForm);
        switch (kind) {
            case PERSON -> require(personId != null, "a person");
            case GROUP -> require(groupId != null, "a group");
            case GRADE_AT_UNIT -> require(organisationId != null && grade != null, "a school unit and a grade");
            case ROLE_AT_UNIT, ALL_PUPILS_AT_UNIT, ORGANISATION -> require(organisationId != null, "an organisation");
        }
    }

    public static Selector person(UUID personId) {
        return new Selector(Kind.PERSON, null, null, personId, null, null, null);
    }

    /** Every member of a group (pupils and teachers). */
    public static Selector group(UUID groupId) {
        return new Selector(Kind.GROUP, null, groupId, null, null, null, null);
    }

    /** The members of a group in one role (PUPIL, TEACHER). */
    public static Selector group(UUID groupId, String role) {
        return new Selector(Kind.GROUP, null, groupId, null, null, role, null);
    }

    public static Selector gradeAtUnit(UUID schoolUnitId, String grade) {
        return new Selector(Kind.GRADE_AT_UNIT, schoolUnitId, null, null, grade, null, null);
    }

    /** The staff with a duty in this role (TEACHER, PRINCIPAL, …; null: any) at the unit. */
    public static Selector roleAtUnit(UUID unitId, String role) {
        return new Selector(Kind.ROLE_AT_UNIT, unitId, null, null, null, role, null);
    }

    public static Selector allPupilsAtUnit(UUID schoolUnitId) {
        return new Selector(Kind.ALL_PUPILS_AT_UNIT, schoolUnitId, null, null, null, null, null);
    }

    /** Everyone under an organisation; {@code role} PUPIL, STAFF, a duty role, or null for everyone. */
    public static Selector organisation(UUID organisationId, String role) {
        return new Selector(Kind.ORGANISATION, organisationId, null, null, null, role, null);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("this kind of rule needs " + what);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
