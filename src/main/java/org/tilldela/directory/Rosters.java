package org.tilldela.directory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who is in a roster: the persons a selector picks ("the members of group Y", "the pupils of grade 7 at
 * school X", "the teachers at school Z", "everyone under this organisation"), computed set-based in SQL
 * for thousands of selectors at once. Other modules (licensing) keep their assignments following the
 * directory with it without reading the directory's tables themselves.
 *
 * <p>Only ids come out: no names, no civic numbers, nothing about a person but that a selector picks them.
 */
@Service
// Not read-only: matching fills temporary tables, which PostgreSQL refuses in a read-only transaction.
@Transactional
public class Rosters {

    /** How a selector picks persons. */
    public enum Kind {
        /** One person ({@code personId}), as long as they are in the directory. */
        PERSON,
        /**
         * The members of a group ({@code groupId}); {@code role} (PUPIL, TEACHER, …) narrows to members in that role,
         * STAFF to every member who is not a pupil (buying for a class takes its pupils; its staff are a choice of their own).
         */
        GROUP,
        /** The pupils enrolled at a school unit ({@code organisationId}) in a grade ({@code grade}, e.g. "07"). */
        GRADE_AT_UNIT,
        /** The staff with a duty at a unit ({@code organisationId}); {@code role} (TEACHER, PRINCIPAL, …) narrows, null is any duty. */
        ROLE_AT_UNIT,
        /** Every pupil enrolled at a school unit ({@code organisationId}). */
        ALL_PUPILS_AT_UNIT,
        /**
         * Everyone with an enrolment or a duty at the organisation ({@code organisationId}) or any unit below it.
         * {@code role} PUPIL takes pupils only, STAFF staff only, a duty role (TEACHER, …) staff in that role.
         */
        ORGANISATION
    }

    /**
     * A selector. {@code grade} and {@code schoolForm} narrow pupils (GRADE_AT_UNIT, ALL_PUPILS_AT_UNIT,
     * ORGANISATION); {@code within}, when set, keeps the selector inside an organisation's subtree (a
     * licence bought for one school reaches nobody at another): a group, unit or person outside it picks
     * nobody, an organisation partly outside it only its part inside.
     */
    public record Selector(Kind kind, UUID organisationId, UUID groupId, UUID personId, String grade, String role, String schoolForm,
                           UUID within) {
        public Selector {
            Objects.requireNonNull(kind, "kind");
            switch (kind) {
                case PERSON -> Objects.requireNonNull(personId, "personId");
                case GROUP -> Objects.requireNonNull(groupId, "groupId");
                case GRADE_AT_UNIT -> {
                    Objects.requireNonNull(organisationId, "organisationId");
                    Objects.requireNonNull(grade, "grade");
                }
                case ROLE_AT_UNIT, ALL_PUPILS_AT_UNIT, ORGANISATION -> Objects.requireNonNull(organisationId, "organisationId");
            }
        }
    }

    /**
     * The (selector index, person id) pairs a match found, each pair once, in compact arrays (a full
     * recompute over a million persons yields millions of pairs).
     */
    public static final class Matches {
        private int size;
        private int[] selector = new int[1024];
        private long[] high = new long[1024];
        private long[] low = new long[1024];

        void add(int index, UUID person) {
            if (size == selector.length) {
                int n = size * 2;
                selector = Arrays.copyOf(selector, n);
                high = Arrays.copyOf(high, n);
                low = Arrays.copyOf(low, n);
            }
            selector[size] = index;
            high[size] = person.getMostSignificantBits();
            low[size] = person.getLeastSignificantBits();
            size++;
        }

        public int size() {
            return size;
        }

        /** The index, in the list given to {@link #match}, of the selector of pair {@code i}. */
        public int selector(int i) {
            return selector[i];
        }

        public UUID person(int i) {
            return new UUID(high[i], low[i]);
        }
    }

    private final JdbcTemplate jdbc;

    Rosters(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        // stream big results instead of holding them whole in the driver (works inside a transaction)
        this.jdbc.setFetchSize(20_000);
    }

    /** The persons one selector picks. */
    public List<UUID> persons(Selector selector) {
        Matches m = match(List.of(selector), null);
        UUID[] ids = new UUID[m.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = m.person(i);
        }
        return List.of(ids);
    }

    /**
     * Every (selector, person) pair: which persons each selector picks. With {@code onlyPersons} not null,
     * only those persons are considered — what an incremental update after an import needs.
     */
    public Matches match(List<Selector> selectors, Collection<UUID> onlyPersons) {
        Matches matches = new Matches();
        if (selectors.isEmpty() || onlyPersons != null && onlyPersons.isEmpty()) {
            return matches;
        }
        // Working tables of this transaction only; they go at commit.
        jdbc.execute("""
                create temp table if not exists roster_selector (idx int, kind text, org_id uuid, group_id uuid, person_id uuid,
                    grade text, role text, school_form text, within uuid) on commit drop;
                create temp table if not exists roster_scope (scope uuid, unit uuid) on commit drop;
                create temp table if not exists roster_subtree (idx int, unit uuid) on commit drop;
                create temp table if not exists roster_person (id uuid primary key) on commit drop;
                truncate roster_selector, roster_scope, roster_subtree, roster_person
                """);
        int n = selectors.size();
        Integer[] idx = new Integer[n];
        String[] kind = new String[n];
        UUID[] org = new UUID[n];
        UUID[] group = new UUID[n];
        UUID[] person = new UUID[n];
        String[] grade = new String[n];
        String[] role = new String[n];
        String[] form = new String[n];
        UUID[] within = new UUID[n];
        for (int i = 0; i < n; i++) {
            Selector s = selectors.get(i);
            idx[i] = i;
            kind[i] = s.kind().name();
            org[i] = s.organisationId();
            group[i] = s.groupId();
            person[i] = s.personId();
            grade[i] = s.grade();
            role[i] = s.role();
            form[i] = s.schoolForm();
            within[i] = s.within();
        }
        jdbc.update(con -> arrays(con, """
                insert into roster_selector select * from unnest(?::int[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[],
                    ?::text[], ?::uuid[])
                """, new Object[][] {idx, kind, org, group, person, grade, role, form, within},
                new String[] {"int4", "text", "uuid", "uuid", "uuid", "text", "text", "text", "uuid"}));
        boolean restricted = onlyPersons != null;
        if (restricted) {
            jdbc.update(con -> arrays(con, "insert into roster_person select distinct unnest(?::uuid[])",
                    new Object[][] {onlyPersons.toArray(UUID[]::new)}, new String[] {"uuid"}));
            jdbc.execute("analyze roster_person");
        }
        jdbc.execute("analyze roster_selector");
        // The units of every scope a selector is kept within (at most 8 levels: a loop in bad data cannot run away).
        jdbc.update("""
                insert into roster_scope
                with recursive s(scope, unit, depth) as (
                    select w, w, 0 from (select distinct within w from roster_selector where within is not null) x
                    union all
                    select s.scope, o.id, s.depth + 1 from s join organisation o on o.parent_id = s.unit where s.depth < 8
                )
                select distinct scope, unit from s
                """);
        // A selector anchored outside its scope picks nobody; deciding it per selector costs nothing per person.
        jdbc.update("""
                delete from roster_selector s where s.within is not null and (
                    (s.kind = 'GROUP' and not exists (select 1 from student_group g join roster_scope sc on sc.unit = g.organisation_id
                                                      where g.id = s.group_id and sc.scope = s.within))
                    or (s.kind in ('GRADE_AT_UNIT', 'ROLE_AT_UNIT', 'ALL_PUPILS_AT_UNIT')
                        and not exists (select 1 from roster_scope sc where sc.scope = s.within and sc.unit = s.org_id)))
                """);
        jdbc.update("""
                insert into roster_subtree
                with recursive t(idx, unit, depth) as (
                    select idx, org_id, 0 from roster_selector where kind = 'ORGANISATION'
                    union all
                    select t.idx, o.id, t.depth + 1 from t join organisation o on o.parent_id = t.unit where t.depth < 8
                )
                select distinct t.idx, t.unit from t join roster_selector s on s.idx = t.idx
                where s.within is null or exists (select 1 from roster_scope sc where sc.scope = s.within and sc.unit = t.unit)
                """);
        jdbc.execute("analyze roster_subtree");
        String sql = """
                select distinct idx, person_id from (
                    select s.idx, m.person_id from roster_selector s join membership m on m.group_id = s.group_id %1$s
                    where s.kind = 'GROUP' and (s.role is null or m.role = s.role or (s.role = 'STAFF' and m.role <> 'PUPIL'))
                  union all
                    select s.idx, e.person_id from roster_selector s join enrolment e on e.school_unit_id = s.org_id %2$s
                    where s.kind in ('GRADE_AT_UNIT', 'ALL_PUPILS_AT_UNIT') and (s.grade is null or e.grade = s.grade)
                      and (s.school_form is null or e.school_form = s.school_form)
                  union all
                    select s.idx, d.person_id from roster_selector s join duty d on d.organisation_id = s.org_id %3$s
                    where s.kind = 'ROLE_AT_UNIT' and (s.role is null or d.role = s.role)
                  union all
                    select s.idx, e.person_id from roster_subtree t join roster_selector s on s.idx = t.idx
                    join enrolment e on e.school_unit_id = t.unit %2$s
                    where (s.role is null or s.role = 'PUPIL') and (s.grade is null or e.grade = s.grade)
                      and (s.school_form is null or e.school_form = s.school_form)
                  union all
                    select s.idx, d.person_id from roster_subtree t join roster_selector s on s.idx = t.idx
                    join duty d on d.organisation_id = t.unit %3$s
                    where s.role is distinct from 'PUPIL' and s.grade is null and s.school_form is null
                      and (s.role is null or s.role = 'STAFF' or d.role = s.role)
                  union all
                    select s.idx, p.id from roster_selector s join person p on p.id = s.person_id %4$s
                    where s.kind = 'PERSON' and (s.within is null
                        or exists (select 1 from enrolment e join roster_scope sc on sc.unit = e.school_unit_id
                                   where e.person_id = p.id and sc.scope = s.within)
                        or exists (select 1 from duty d join roster_scope sc on sc.unit = d.organisation_id
                                   where d.person_id = p.id and sc.scope = s.within))
                ) x
                """.formatted(only(restricted, "m.person_id"), only(restricted, "e.person_id"), only(restricted, "d.person_id"),
                only(restricted, "p.id"));
        jdbc.query(sql, rs -> {
            matches.add(rs.getInt(1), rs.getObject(2, UUID.class));
        });
        return matches;
    }

    private static String only(boolean restricted, String column) {
        return restricted ? "join roster_person rp on rp.id = " + column : "";
    }

    /**
     * The sequence number of the newest entry of the change journal: a reader that has just evaluated the
     * whole directory has seen everything up to here.
     */
    public long journalHead() {
        Long head = jdbc.queryForObject("select coalesce(max(seq), 0) from directory_change", Long.class);
        return head == null ? 0 : head;
    }

    /** Which of these persons are no longer in the directory (they left their source). */
    public Set<UUID> absent(Collection<UUID> personIds) {
        if (personIds.isEmpty()) {
            return Set.of();
        }
        Set<UUID> absent = new HashSet<>();
        jdbc.query(con -> arrays(con, "select i.id from unnest(?::uuid[]) i(id) where not exists (select 1 from person p where p.id = i.id)",
                new Object[][] {personIds.toArray(UUID[]::new)}, new String[] {"uuid"}), rs -> {
            absent.add(rs.getObject(1, UUID.class));
        });
        return absent;
    }

    /**
     * These persons in an order that puts class-mates next to each other: by the person's class (or, with none, their
     * first group), then by person; persons in no group last. For a module that sends many persons' group memberships
     * in batches and wants one group's members in the same batch (SCIM push: one PATCH per group, not per member).
     */
    public List<UUID> classmatesTogether(Collection<UUID> personIds) {
        if (personIds.isEmpty()) {
            return List.of();
        }
        List<UUID> ordered = new java.util.ArrayList<>(personIds.size());
        jdbc.query(con -> arrays(con, """
                        select i.id from unnest(?::uuid[]) i(id)
                        order by (select m.group_id from membership m join student_group g on g.id = m.group_id where m.person_id = i.id
                                  order by g.kind <> 'CLASS', g.id limit 1) nulls last, i.id""",
                new Object[][] {personIds.toArray(UUID[]::new)}, new String[] {"uuid"}), rs -> {
            ordered.add(rs.getObject(1, UUID.class));
        });
        return ordered;
    }

    private static PreparedStatement arrays(Connection con, String sql, Object[][] values, String[] types) throws SQLException {
        PreparedStatement ps = con.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            Array array = con.createArrayOf(types[i], values[i]);
            ps.setArray(i + 1, array);
        }
        return ps;
    }
}
