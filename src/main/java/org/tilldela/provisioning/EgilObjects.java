package org.tilldela.provisioning;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.OrganisationBrowser;

/**
 * The EGIL profile's objects (SS 12000:2018 as SCIM resources), built with the UnboundID SDK's generic resources
 * from what the release policy let go about a person — nothing else about the person goes into them — and from
 * the organisation's own data (a school unit's name and code, a group's name, type and owner).
 *
 * <p>Schema URNs, endpoints and attribute names as Föreningen Sambruk's EGIL client sends them and its Windermere
 * server reads them: Sambruk/EgilSCIM {@code master_config/Student.conf, Teacher.conf, SchoolUnit.conf,
 * Employment.conf, StudentGroup.conf, master.conf}, and Sambruk/windermere {@code ss12000v1/types.go} (required
 * attributes, the User extension's {@code enrolments}, {@code civicNo}, {@code securityMarking}). As there, an
 * object's {@code externalId} is its UUID and references ({@code value}) name the referenced object's UUID.
 *
 * <table>
 *   <tr><th>released</th><th>EGIL</th></tr>
 *   <tr><td>PSEUDONYMOUS_ID</td><td>User externalId (and userName when no e-mail is released); other objects refer to it</td></tr>
 *   <tr><td>GIVEN_NAME, FAMILY_NAME</td><td>name.givenName, name.familyName, displayName — EGIL requires the
 *       attributes, so a person whose names may not go gets them empty, never made up</td></tr>
 *   <tr><td>EMAIL</td><td>emails, userName</td></tr>
 *   <tr><td>ROLES</td><td>Student (PUPIL) or Teacher (a staff role); the employment role</td></tr>
 *   <tr><td>SCHOOL_UNIT</td><td>a Student's enrolments, a Teacher's Employments; the SchoolUnits sent</td></tr>
 *   <tr><td>GRADE</td><td>enrolments' schoolYear (when there is one grade, a number)</td></tr>
 *   <tr><td>GROUPS</td><td>a Student's studentMemberships in StudentGroups; a Teacher's groups: the teacher's
 *       Employment among the teachers of the groups' Activities</td></tr>
 *   <tr><td>CIVIC_NUMBER</td><td>extension civicNo</td></tr>
 *   <tr><td>PROTECTION_FLAG</td><td>extension securityMarking (only ever released to a public authority)</td></tr>
 * </table>
 * A school unit's organiser (huvudman) goes as an Organisation the unit refers to — organisation data, sent because a
 * unit of its is. The ORGANISATION attribute itself, GUARDIAN_LINKS and PHONE are not sent (EGIL's user relations are
 * not made), nor SchoolUnitGroups.
 */
final class EgilObjects {

    static final String CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String USER_EXTENSION = "urn:scim:schemas:extension:sis:school:1.0:User";
    static final String SCHOOL_UNIT = "urn:scim:schemas:extension:sis:school:1.0:SchoolUnit";
    static final String EMPLOYMENT = "urn:scim:schemas:extension:sis:school:1.0:Employment";
    static final String STUDENT_GROUP = "urn:scim:schemas:extension:sis:school:1.0:StudentGroup";
    static final String ACTIVITY = "urn:scim:schemas:extension:sis:school:1.0:Activity";
    static final String ORGANISATION = "urn:scim:schemas:extension:sis:school:1.0:Organisation";

    /** The endpoint of each kind of object (EGIL's {@code <type>-scim-url-endpoint}). */
    static final Map<String, String> ENDPOINTS = Map.of("SchoolUnit", "SchoolUnits", "Employment", "Employments", "StudentGroup", "StudentGroups",
            "Activity", "Activities", "Organisation", "Organisations", "User", "Users");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private EgilObjects() {
    }

    /**
     * What one person's operation sends: the person, and the objects that hang on them — a student's groups (they are
     * a member), a teacher's groups (they teach them: the groups' Activities name the teacher's employment).
     */
    record Plan(GenericScimResource user, Set<UUID> schoolUnits, Map<UUID, GenericScimResource> employments, Set<UUID> studentGroups,
                Set<UUID> teachingGroups) {
        static final Plan NOTHING = new Plan(null, Set.of(), Map.of(), Set.of(), Set.of());

        /** Every group the person keeps at the supplier, as a member or as a teacher. */
        Set<UUID> groups() {
            Set<UUID> all = new java.util.LinkedHashSet<>(studentGroups);
            all.addAll(teachingGroups);
            return all;
        }
    }

    static Plan plan(Map<Attribute, Object> values, String externalId) {
        Set<String> roles = strings(values.get(Attribute.ROLES));
        boolean student = roles.contains("PUPIL");
        boolean staff = !student && !roles.isEmpty();
        Map<UUID, String> units = new LinkedHashMap<>();
        if (values.get(Attribute.SCHOOL_UNIT) instanceof Collection<?> list) {
            for (Object u : list) {
                if (u instanceof Map<?, ?> m && m.get("id") != null) {
                    units.put(UUID.fromString(m.get("id").toString()), String.valueOf(m.get("name")));
                }
            }
        }
        ObjectNode user = JSON.objectNode();
        ArrayNode schemas = user.putArray("schemas").add(CORE_USER).add(USER_EXTENSION);
        user.put("externalId", externalId);
        String email = (String) values.get(Attribute.EMAIL);
        user.put("userName", email != null ? email : externalId);
        String given = (String) values.get(Attribute.GIVEN_NAME);
        String family = (String) values.get(Attribute.FAMILY_NAME);
        user.put("displayName", java.util.stream.Stream.of(given, family).filter(s -> s != null && !s.isBlank()).collect(Collectors.joining(" ")));
        ObjectNode name = user.putObject("name");
        name.put("givenName", given == null ? "" : given);
        name.put("familyName", family == null ? "" : family);
        if (email != null) {
            user.putArray("emails").addObject().put("value", email).put("type", "work");
        }
        user.put("active", true);
        ObjectNode extension = JSON.objectNode();
        if (student && !units.isEmpty()) {
            Integer schoolYear = schoolYear(values.get(Attribute.GRADE));
            ArrayNode enrolments = extension.putArray("enrolments");
            for (UUID unit : units.keySet()) {
                ObjectNode enrolment = reference(enrolments.addObject(), "SchoolUnits", unit.toString());
                if (schoolYear != null) {
                    enrolment.put("schoolYear", schoolYear);
                }
            }
        }
        if (values.get(Attribute.CIVIC_NUMBER) instanceof String civic && !civic.isBlank()) {
            extension.put("civicNo", civic);
        }
        if (values.get(Attribute.PROTECTION_FLAG) instanceof Boolean marked) {
            extension.put("securityMarking", marked);
        }
        if (!extension.isEmpty()) {
            user.set(USER_EXTENSION, extension);
        } else {
            schemas.remove(1);
        }
        Map<UUID, GenericScimResource> employments = new LinkedHashMap<>();
        if (staff) {
            for (UUID unit : units.keySet()) {
                UUID id = employmentId(externalId, unit);
                ObjectNode employment = JSON.objectNode();
                employment.putArray("schemas").add(EMPLOYMENT);
                employment.put("externalId", id.toString());
                reference(employment.putObject("employedAt"), "SchoolUnits", unit.toString());
                reference(employment.putObject("user"), "Users", externalId);
                employment.put("employmentRole", employmentRole(roles));
                employments.put(id, new GenericScimResource(employment));
            }
        }
        Set<UUID> groups = GroupMemberships.released(values).keySet();
        return new Plan(new GenericScimResource(user), units.keySet(), employments, student ? groups : Set.of(), staff ? groups : Set.of());
    }

    /** An organiser (huvudman: a municipality or an independent school's owner), from the organisation's data. */
    static GenericScimResource organisation(OrganisationBrowser.UnitName organiser) {
        ObjectNode node = JSON.objectNode();
        node.putArray("schemas").add(ORGANISATION);
        node.put("externalId", organiser.id().toString());
        node.put("displayName", organiser.name());
        return new GenericScimResource(node);
    }

    /** A school unit, from the organisation's data (no person in it), referring to its organiser when there is one. */
    static GenericScimResource schoolUnit(OrganisationBrowser.Organisation unit, UUID organiser) {
        ObjectNode node = JSON.objectNode();
        node.putArray("schemas").add(SCHOOL_UNIT);
        node.put("externalId", unit.id().toString());
        node.put("displayName", unit.name());
        if (organiser != null) {
            reference(node.putObject("organisation"), "Organisations", organiser.toString());
        }
        if (unit.schoolUnitCode() != null) {
            node.put("schoolUnitCode", unit.schoolUnitCode()); // skolenhetskod
        }
        if (unit.municipalityCode() != null) {
            node.put("municipalityCode", unit.municipalityCode());
        }
        if (unit.schoolForms() != null && !unit.schoolForms().isEmpty()) {
            ArrayNode types = node.putArray("schoolTypes");
            unit.schoolForms().forEach(types::add);
        }
        return new GenericScimResource(node);
    }

    /**
     * A student group with its members: only the connector's licence holders in it whose release let the group go,
     * by the UUIDs (pseudonyms) the supplier knows them by, sorted so an unchanged group fingerprints the same.
     */
    static GenericScimResource studentGroup(OrganisationBrowser.Group group, List<String> memberExternalIds) {
        ObjectNode node = JSON.objectNode();
        node.putArray("schemas").add(STUDENT_GROUP);
        node.put("externalId", group.id().toString());
        node.put("displayName", group.name());
        reference(node.putObject("owner"), "SchoolUnits", group.organisationId().toString());
        node.put("studentGroupType", switch (Objects.requireNonNullElse(group.kind(), "OTHER")) {
            case "CLASS" -> "Klass";
            case "TEACHING_GROUP" -> "Undervisning";
            case "MENTOR_GROUP" -> "Mentor";
            default -> "Övrigt";
        });
        if (group.schoolForm() != null) {
            node.put("schoolType", group.schoolForm());
        }
        ArrayNode members = node.putArray("studentMemberships");
        memberExternalIds.stream().sorted().forEach(id -> reference(members.addObject(), "Users", id));
        return new GenericScimResource(node);
    }

    /**
     * A group's Activity (aktivitet): owned by the group's school unit, naming the group and the employments of the
     * connector's licensed teachers who teach it (their release let the group go), sorted so an unchanged activity
     * fingerprints the same. EGIL's client makes one per StudentGroup; its {@code groups} is the standard's
     * attribute (Windermere also reads the client's older single {@code group}).
     */
    static GenericScimResource activity(OrganisationBrowser.Group group, List<UUID> teacherEmployments) {
        ObjectNode node = JSON.objectNode();
        node.putArray("schemas").add(ACTIVITY);
        node.put("externalId", activityId(group.id()).toString());
        node.put("displayName", group.name());
        reference(node.putObject("owner"), "SchoolUnits", group.organisationId().toString());
        reference(node.putArray("groups").addObject(), "StudentGroups", group.id().toString());
        ArrayNode teachers = node.putArray("teachers");
        teacherEmployments.stream().map(UUID::toString).sorted().distinct().forEach(id -> reference(teachers.addObject(), "Employments", id));
        return new GenericScimResource(node);
    }

    /** A group's Activity: the same UUID every time, derived from the group's. */
    static UUID activityId(UUID group) {
        return UUID.nameUUIDFromBytes(("egil-activity:" + group).getBytes(StandardCharsets.UTF_8));
    }

    /** A teacher's employment at a unit: the same UUID every time (derived from both parts, as EGIL's client derives it). */
    static UUID employmentId(String userExternalId, UUID unit) {
        return UUID.nameUUIDFromBytes(("egil-employment:" + userExternalId + ":" + unit).getBytes(StandardCharsets.UTF_8));
    }

    /** What was sent, as a SHA-256 over its JSON (the nodes are built in a fixed order, so the same object hashes the same). */
    static String fingerprint(GenericScimResource resource) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(resource.getObjectNode().toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode reference(ObjectNode node, String endpoint, String id) {
        node.put("value", id);
        node.put("$ref", endpoint + "/" + id);
        return node;
    }

    private static String employmentRole(Set<String> roles) {
        // SS 12000:2018 employment roles, as the directory's SS 12000 import reads them
        if (roles.contains("TEACHER")) {
            return "Lärare";
        }
        if (roles.contains("PRESCHOOL_TEACHER")) {
            return "Förskollärare";
        }
        if (roles.contains("PRINCIPAL")) {
            return "Rektor";
        }
        if (roles.contains("ADMINISTRATOR")) {
            return "Skoladministratör";
        }
        return "Övrig pedagogisk personal";
    }

    /** One grade that is a number (årskurs): schoolYear; none or several: left out rather than guessed. */
    private static Integer schoolYear(Object grades) {
        Set<String> all = strings(grades);
        if (all.size() != 1) {
            return null;
        }
        String grade = all.iterator().next().strip();
        return grade.matches("\\d{1,2}") ? Integer.valueOf(grade) : null;
    }

    private static Set<String> strings(Object value) {
        if (!(value instanceof Collection<?> list)) {
            return Set.of();
        }
        return list.stream().filter(Objects::nonNull).map(String::valueOf).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
