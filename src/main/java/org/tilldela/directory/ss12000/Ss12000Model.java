package org.tilldela.directory.ss12000;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.LocalDate;
import java.util.List;

/**
 * The parts of SS 12000's JSON that Tilldela reads. Everything else a server sends (meta, externalIdentifiers,
 * programme, …) is ignored, so servers that follow the full standard and Skolverket's subset both fit.
 */
final class Ss12000Model {

    private Ss12000Model() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Ref(String id) {
    }

    /** Skolverket's subset has id, displayName, schoolUnitCode; the full standard adds the rest. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Organisation(String id, String displayName, String schoolUnitCode, String organisationType, Ref parentOrganisation,
                        String municipalityCode, List<String> schoolTypes) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Person(String id, String givenName, String familyName, CivicNo civicNo, List<Email> emails,
                  List<String> eduPersonPrincipalNames, String securityMarking, List<Enrolment> enrolments,
                  List<Responsible> responsibles) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CivicNo(String value) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Email(String value, String type) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Enrolment(Ref enroledAt, Integer schoolYear, String schoolType, Boolean cancelled) {
    }

    /** Full standard: a person's guardians and other responsible adults. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Responsible(Ref person, String relationType) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Group(String id, String displayName, String groupType, String schoolType, Ref organisation,
                 List<GroupMembership> groupMemberships, LocalDate startDate, LocalDate endDate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GroupMembership(Ref person, LocalDate startDate, LocalDate endDate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Duty(String id, Ref person, Ref dutyAt, String dutyRole, LocalDate startDate, LocalDate endDate) {
    }

    /**
     * Links groups to the teachers who teach them: each of {@code teachers} is a duty (SS 12000 DutyAssignment), whose
     * person then teaches every one of {@code groups}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Activity(String id, String displayName, List<Ref> groups, List<DutyAssignment> teachers, Ref organisation,
                    LocalDate startDate, LocalDate endDate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record DutyAssignment(Ref duty, LocalDate startDate, LocalDate endDate) {
    }

    /**
     * Full standard (SS 12000 v2.1; not in Skolverket's subset): a child's place at a school unit — preschool and
     * after-school centre, where there is no enrolment — from its start date to its end date (both included), and the
     * child's group or department there ({@code studentGroup}). {@code owners}, {@code reason} and
     * {@code maxWeeklyScheduleHours} are for scheduling care hours and not read.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Placement(String id, Ref placedAt, Ref studentGroup, Ref child, String schoolType, LocalDate startDate, LocalDate endDate) {
    }

    static String idOf(Ref ref) {
        return ref == null ? null : ref.id();
    }
}
