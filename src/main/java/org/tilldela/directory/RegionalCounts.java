package org.tilldela.directory;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.CallerScope;

/**
 * What a purchasing centre serving several organisers (REGIONAL) sees of the directory: per organiser within its
 * scope, counts of school units, pupils, staff and groups — within the scope too (a grant narrowed to a school form
 * counts that form only). Aggregates only: organisers are named, never a person, and no person id leaves this query.
 */
@Service
public class RegionalCounts {

    private final JdbcClient jdbc;

    RegionalCounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One organiser's counts. */
    public record Organiser(UUID id, String name, long schoolUnits, long pupils, long staff, long groups) {
    }

    @Transactional(readOnly = true)
    public List<Organiser> organisers(CallerScope scope) {
        // each organiser in scope with the units below it (at most 8 levels, as admin_scope_units walks); every count
        // filtered by the same scope, so a unit of the organiser outside the grant counts nothing
        String sql = """
                with recursive tree(organiser_id, unit_id, depth) as (
                    select o.id, o.id, 0 from organisation o where o.kind = 'ORGANISER' and %1$s
                    union all
                    select t.organiser_id, c.id, t.depth + 1 from tree t join organisation c on c.parent_id = t.unit_id where t.depth < 8
                )
                select o.id, o.name,
                       (select count(*) from tree t join organisation u on u.id = t.unit_id
                        where t.organiser_id = o.id and u.kind = 'SCHOOL_UNIT' and %2$s) school_units,
                       (select count(distinct e.person_id) from tree t join enrolment e on e.school_unit_id = t.unit_id
                        where t.organiser_id = o.id and %3$s) pupils,
                       (select count(distinct d.person_id) from tree t join duty d on d.organisation_id = t.unit_id
                        where t.organiser_id = o.id and %4$s) staff,
                       (select count(*) from tree t join student_group g on g.organisation_id = t.unit_id
                        where t.organiser_id = o.id and %5$s) groups
                from organisation o where o.id in (select organiser_id from tree) order by o.name, o.id
                """.formatted(scope.unit("o.id"), scope.unit("u.id"), scope.enrolment("e"), scope.duty("d"), scope.group("g"));
        return jdbc.sql(sql).params(scope.params())
                .query((rs, n) -> new Organiser(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)))
                .list();
    }
}
