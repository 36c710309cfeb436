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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

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
        Map<UUID, List<Placement>> placements = new HashMap<>();
        // the organiser is the nearest ORGANISER above the unit (units can sit under area offices)
        jdbc.sql("""
                        with recursive placed as (
                            select e.person_id, e.school_unit_id unit_id, e.school_form, e.grade, 'PUPIL' as role from enrolment e where e.person_id = any(:ids)
                            union all
                            select d.person_id, d.organisation_id, null, null, d.role from duty d where d.person_id = any(:ids)
                        ), units as (
                            select distinct unit_id from placed
                        ), up as (
                            select u.unit_id, o.id, o.parent_id, o.kind, o.name, 0 depth from units u join organisation o on o.id = u.unit_id
                            union all
                            select up.unit_id, o.id, o.parent_id, o.kind, o.name, up.depth + 1 from up join organisation o on o.id = up.parent_id
                            where up.kind <> 'ORGANISER' and up.depth < 20
                        ), organiser as (
                            select distinct on (unit_id) unit_id, id, name from up where kind = 'ORGANISER' order by unit_id, depth
                        )
                        select p.person_id, p.unit_id, u.name, u.school_unit_code, org.id, org.name, p.school_form, p.grade, p.role
                        from placed p join organisation u on u.id = p.unit_id left join organiser org on org.unit_id = p.unit_id
                        order by p.person_id, u.name
                        """).param("ids", ids)
                .query(rs -> {
                    placements.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(new Placement(rs.getObject(2, UUID.class),
                            rs.getString(3), rs.getString(4), rs.getObject(5, UUID.class), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9)));
                });
        Map<UUID, List<GroupMembership>> groups = new HashMap<>();
        jdbc.sql("""
                        select m.person_id, g.id, g.name, g.kind, m.role from membership m join student_group g on g.id = m.group_id
                        where m.person_id = any(:ids) order by m.person_id, g.name
                        """).param("ids", ids)
                .query(rs -> {
                    groups.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new GroupMembership(rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5)));
                });
        Map<UUID, List<UUID>> guardians = new HashMap<>();
        jdbc.sql("select child_id, guardian_id from guardian_link where child_id = any(:ids) order by child_id, guardian_id").param("ids", ids)
                .query(rs -> {
                    guardians.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(rs.getObject(2, UUID.class));
                });
        Map<UUID, PersonRecord> records = new HashMap<>();
        jdbc.sql("select id, given_name, family_name, civic_number, email, protection from person where id = any(:ids)").param("ids", ids)
                .query(rs -> {
                    UUID id = rs.getObject(1, UUID.class);
                    records.put(id, new PersonRecord(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Protection.valueOf(rs.getString(6)), placements.getOrDefault(id, List.of()), groups.getOrDefault(id, List.of()),
                            guardians.getOrDefault(id, List.of())));
                });
        return records;
    }
}
