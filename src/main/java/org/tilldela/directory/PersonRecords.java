package org.tilldela.directory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.tilldela.platform.OneRoundTrip;

/**
 * A person's full record as it may leave Tilldela: names, civic number, e-mail, placements, groups,
 * duties and guardian links. Only the access module's release policy reads this (ModularityTest
 * enforces it): every outbound channel asks the policy, which takes from here only what it may release.
 */
@Service
public class PersonRecords {

    private final JdbcClient jdbc;

    PersonRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Where a person belongs: a school unit, and the organiser (huvudman / skoleejer) above it. */
    public record Placement(UUID schoolUnitId, String schoolUnitName, String schoolUnitCode, UUID organiserId, String organiserName,
                            String schoolForm, String grade, String role) {
    }

    public record GroupMembership(UUID groupId, String groupName, String kind, String role) {
    }

    public record PersonRecord(UUID id, String givenName, String familyName, String civicNumber, String email, Protection protection,
                               List<Placement> placements, List<GroupMembership> groups, List<UUID> guardianIds) {

        public boolean isProtected() {
            return protection != Protection.NONE;
        }

        /** The school units and organisers the person belongs to, for matching agreements made at either level. */
        public Set<UUID> organisationScopes() {
            Set<UUID> scopes = new LinkedHashSet<>();
            placements.forEach(p -> {
                scopes.add(p.schoolUnitId());
                if (p.organiserId() != null) {
                    scopes.add(p.organiserId());
                }
            });
            return scopes;
        }

        public Set<String> roles() {
            Set<String> roles = new LinkedHashSet<>();
            placements.forEach(p -> roles.add(p.role()));
            groups.forEach(g -> roles.add(g.role()));
            return roles;
        }
    }

    public Optional<PersonRecord> of(UUID personId) {
        return Optional.ofNullable(of(List.of(personId)).get(personId));
    }

    /** Many persons' records with one query per kind of data, for a batch (a SCIM push, a roster page, a preview). */
    public Map<UUID, PersonRecord> of(Collection<UUID> personIds) {
        if (personIds.isEmpty()) {
            return Map.of();
        }
        UUID[] ids = personIds.stream().distinct().toArray(UUID[]::new);
        Map<UUID, List<Placement>> placements = jdbc.sql(PLACEMENTS.replace("{persons}", "any(:ids)")).param("ids", ids)
                .query((org.springframework.jdbc.core.ResultSetExtractor<Map<UUID, List<Placement>>>) PersonRecords::placements);
        // the person with their groups and guardians in one statement (aggregates read with Jackson): the release
        // policy reads one person on every token request, and each round trip counts there
        return jdbc.sql(PERSONS.replace("{persons}", "any(:ids)")).param("ids", ids)
                .query((org.springframework.jdbc.core.ResultSetExtractor<Map<UUID, PersonRecord>>) rs -> persons(rs, placements));
    }

    // the organiser is the nearest ORGANISER above the unit (Organisers.NEAREST); {persons} is the right-hand side of
    // "person_id = …"
    private static final String PLACEMENTS = """
            with recursive placed as (
                select e.person_id, e.school_unit_id unit_id, e.school_form, e.grade, 'PUPIL' as role from enrolment e where e.person_id = {persons}
                union all
                select d.person_id, d.organisation_id, null, null, d.role from duty d where d.person_id = {persons}
            ), units as (
                select distinct unit_id from placed
            ), {organiser}
            select p.person_id, p.unit_id, u.name, u.school_unit_code, org.id, org.name, p.school_form, p.grade, p.role
            from placed p join organisation u on u.id = p.unit_id left join organiser org on org.unit_id = p.unit_id
            order by p.person_id, u.name""".replace("{organiser}", Organisers.NEAREST);

    private static final String PERSONS = """
            select p.id, p.given_name, p.family_name, p.civic_number, p.email, p.protection,
                   (select coalesce(json_agg(json_build_object('id', g.id, 'name', g.name, 'kind', g.kind, 'role', m.role) order by g.name), '[]')
                    from membership m join student_group g on g.id = m.group_id where m.person_id = p.id) groups,
                   array(select l.guardian_id from guardian_link l where l.child_id = p.id order by l.guardian_id) guardians
            from person p where p.id = {persons}""";

    private static Map<UUID, List<Placement>> placements(java.sql.ResultSet rs) throws java.sql.SQLException {
        Map<UUID, List<Placement>> placements = new HashMap<>();
        while (rs.next()) {
            placements.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(new Placement(rs.getObject(2, UUID.class),
                    rs.getString(3), rs.getString(4), rs.getObject(5, UUID.class), rs.getString(6), rs.getString(7), rs.getString(8),
                    rs.getString(9)));
        }
        return placements;
    }

    private static Map<UUID, PersonRecord> persons(java.sql.ResultSet rs, Map<UUID, List<Placement>> placements) throws java.sql.SQLException {
        Map<UUID, PersonRecord> records = new HashMap<>();
        while (rs.next()) {
            UUID id = rs.getObject(1, UUID.class);
            List<GroupMembership> groups = new ArrayList<>();
            for (JsonNode g : JSON.readTree(rs.getString(7))) {
                groups.add(new GroupMembership(UUID.fromString(g.get("id").asString()), text(g, "name"), text(g, "kind"), text(g, "role")));
            }
            java.sql.Array guardianArray = rs.getArray(8);
            List<UUID> guardians = guardianArray == null ? List.of() : List.of((UUID[]) guardianArray.getArray());
            records.put(id, new PersonRecord(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    Protection.valueOf(rs.getString(6)), placements.getOrDefault(id, List.of()), groups, guardians));
        }
        return records;
    }

    /**
     * The record of the person {@code :person} as a read to compose into one round trip ({@link OneRoundTrip}):
     * the same as {@link #of(UUID)}, in its two statements. Only the release policy may use it (ModularityTest).
     */
    public static final OneRoundTrip.Read<Optional<PersonRecord>> ONE = placedAnd(PERSONS.replace("{persons}", ":person"));

    /**
     * The person {@code :person} placed, and nothing more of them: placements (school units, organisers, grades,
     * roles there) and whether their identity is protected — what a release decides on — without names, civic
     * number, e-mail, groups or guardians (empty in the record). For a release that sends none of those: a refreshed
     * access token carries only the person's pseudonym, and reading their groups and guardians on every refresh
     * would be work for nothing. Only the release policy may use it (ModularityTest).
     */
    public static final OneRoundTrip.Read<Optional<PersonRecord>> PLACED = placedAnd(
            "select p.id, null, null, null, null, p.protection, '[]', null::uuid[] from person p where p.id = :person");

    /** The person {@code :person}'s placements, then {@code person}: a statement with {@link #PERSONS}' columns. */
    private static OneRoundTrip.Read<Optional<PersonRecord>> placedAnd(String person) {
        return new OneRoundTrip.Read<>(PLACEMENTS.replace("{persons}", ":person") + ";\n" + person, results -> {
            Map<UUID, List<Placement>> placements = results.next(PersonRecords::placements);
            return results.next(rs -> persons(rs, placements)).values().stream().findFirst();
        });
    }

    /**
     * The organisations the person {@code :person} belongs to, as SQL (a relation of {@code scope_id}): their school
     * units and the nearest organiser above each — {@link PersonRecord#organisationScopes()} — for a module that
     * matches agreements made at either level in the same statement.
     */
    public static final String ORGANISATION_SCOPES = """
            with recursive units as (
                select e.school_unit_id unit_id from enrolment e where e.person_id = :person
                union
                select d.organisation_id from duty d where d.person_id = :person
            ), """ + Organisers.NEAREST + """

            select unit_id from units
            union
            select id from organiser""";

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
