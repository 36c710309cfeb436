package org.tilldela.directory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
        record Core(String given, String family, String civic, String email, Protection protection) {
        }
        Optional<Core> core = jdbc.sql("select given_name, family_name, civic_number, email, protection from person where id = :id")
                .param("id", personId)
                .query((rs, n) -> new Core(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Protection.valueOf(rs.getString(5))))
                .optional();
        if (core.isEmpty()) {
            return Optional.empty();
        }
        // the organiser is the nearest ORGANISER above the unit (units can sit under area offices)
        List<Placement> placements = new ArrayList<>(jdbc.sql("""
                        with recursive placed as (
                            select e.school_unit_id unit_id, e.school_form, e.grade, 'PUPIL' as role from enrolment e where e.person_id = :id
                            union all
                            select d.organisation_id, null, null, d.role from duty d where d.person_id = :id
                        ), up as (
                            select p.unit_id, o.id, o.parent_id, o.kind, o.name, 0 depth from placed p join organisation o on o.id = p.unit_id
                            union all
                            select up.unit_id, o.id, o.parent_id, o.kind, o.name, up.depth + 1 from up join organisation o on o.id = up.parent_id
                            where up.kind <> 'ORGANISER' and up.depth < 20
                        )
                        select p.unit_id, u.name, u.school_unit_code, org.id organiser_id, org.name organiser_name, p.school_form, p.grade, p.role
                        from placed p join organisation u on u.id = p.unit_id
                        left join lateral (select up.id, up.name from up where up.unit_id = p.unit_id and up.kind = 'ORGANISER' order by up.depth limit 1) org on true
                        order by u.name
                        """).param("id", personId)
                .query((rs, n) -> new Placement(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8))).list());
        List<GroupMembership> groups = jdbc.sql("""
                        select g.id, g.name, g.kind, m.role from membership m join student_group g on g.id = m.group_id
                        where m.person_id = :id order by g.name
                        """).param("id", personId)
                .query((rs, n) -> new GroupMembership(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4))).list();
        List<UUID> guardians = jdbc.sql("select guardian_id from guardian_link where child_id = :id order by guardian_id").param("id", personId)
                .query(UUID.class).list();
        Core c = core.get();
        return Optional.of(new PersonRecord(personId, c.given(), c.family(), c.civic(), c.email(), c.protection(), placements, groups, guardians));
    }
}
