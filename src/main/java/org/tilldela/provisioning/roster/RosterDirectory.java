package org.tilldela.provisioning.roster;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.licensing.Licences;

/**
 * What the roster API reads of the directory, scoped to a product's licence holders: ids, kinds, group and
 * organisation names, dates. A person's name, e-mail or grade is read here only to match a filter or sort
 * on it, and only where the release policy has said it may go ({@link #matchingValues}); what is sent
 * comes from the release alone. Read directly from the directory's tables (as sso's sign-in cards do) because paging,
 * counting and scoping 100,000 persons must happen in SQL. Every value the caller gives is a bound
 * parameter; no caller text reaches the SQL.
 */
@Component
class RosterDirectory {

    private final JdbcClient jdbc;

    /** How long what went is still told as 'tobedeleted' ({@link RosterRetention}). */
    private final java.time.Duration departuresKept;

    RosterDirectory(JdbcClient jdbc, @org.springframework.beans.factory.annotation.Value("${" + RosterRetention.DAYS + ":400}") int departuresKeptDays) {
        this.jdbc = jdbc;
        this.departuresKept = RosterRetention.kept(departuresKeptDays);
    }

    /**
     * A query of departures (each row with the moment it went, {@code gone_at}) as one statement that keeps only those still
     * told — gone within {@link RosterRetention}'s period (older ones' rows are deleted nightly) — in {@code orderBy}'s order.
     */
    private JdbcClient.StatementSpec stillTold(String departures, String orderBy) {
        return jdbc.sql("select * from (" + departures + ") x where x.gone_at >= :departedSince order by x." + orderBy)
                .param("departedSince", java.sql.Timestamp.from(Instant.now().minus(departuresKept)));
    }

    record Org(UUID id, String kind, String name, UUID parentId, String schoolUnitCode, Instant updatedAt) {
    }

    record Group(UUID id, String name, String kind, UUID organisationId, String schoolForm, String grades, LocalDate startDate, LocalDate endDate,
                 Instant updatedAt) {
    }

    /** A licence holder as a roster row, before anything about them is released: their id, when their record changed, their roles. */
    record Candidate(UUID personId, Instant updatedAt, List<String> roles) {
    }

    record Membership(UUID id, UUID groupId, UUID personId, String role, LocalDate startDate, LocalDate endDate, UUID schoolId, Instant updatedAt) {
    }

    /** Which persons a user collection holds: all licence holders, or those at a school or in a class, optionally in one role. */
    record PersonScope(UUID schoolId, UUID classId, String role, UUID personId) {
        static PersonScope all() {
            return new PersonScope(null, null, null, null);
        }
    }

    /**
     * A product's licence holders today, as the roster reads them: in SQL ({@link Licences#HOLDERS}), joined where
     * they are needed, so that paging and counting 100,000 holders never carries their ids through Java.
     */
    record Holders(UUID productId, LocalDate day) {
        JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec) {
            return spec.param(Licences.HOLDER_PRODUCT, productId).param(Licences.HOLDER_DAY, day);
        }
    }

    /**
     * The groups (classes) with at least one of these licence holders as a member. A class changed for the supplier when
     * it did, or when one of its members was given the licence (a class that had none comes back then).
     */
    List<Group> groups(Holders holders) {
        return holders.bind(jdbc.sql("""
                        select g.id, g.name, g.kind, g.organisation_id, g.school_form, g.grades, g.start_date, g.end_date,
                               greatest(g.updated_at, gs.since)
                        from student_group g
                        join (select hm.group_id, max(h.since) since from membership hm join (%s) h on h.person_id = hm.person_id
                              group by hm.group_id) gs on gs.group_id = g.id
                        order by g.id""".formatted(Licences.HOLDERS_SINCE)))
                .query((rs, n) -> new Group(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class), rs.getString(5),
                        rs.getString(6), rs.getObject(7, LocalDate.class), rs.getObject(8, LocalDate.class), rs.getTimestamp(9).toInstant()))
                .list();
    }

    /** The organisations where these licence holders are placed or their groups belong, and every organisation above them. */
    List<Org> organisations(Holders holders, Collection<UUID> groupOrganisations) {
        return holders.bind(jdbc.sql("""
                        with recursive holder as (%s), placed as (
                            select e.school_unit_id id from enrolment e where e.person_id in (select person_id from holder)
                            union select d.organisation_id from duty d where d.person_id in (select person_id from holder)
                            union select unnest(:g)
                        ), up as (
                            select o.id, o.parent_id, 0 depth from organisation o where o.id in (select id from placed)
                            union
                            select o.id, o.parent_id, up.depth + 1 from organisation o join up on o.id = up.parent_id where up.depth < 20
                        )
                        select o.id, o.kind, o.name, o.parent_id, o.school_unit_code, o.updated_at
                        from organisation o where o.id in (select id from up) order by o.id""".formatted(Licences.HOLDERS)))
                .param("g", groupOrganisations.toArray(UUID[]::new))
                .query((rs, n) -> new Org(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class), rs.getString(5),
                        rs.getTimestamp(6).toInstant()))
                .list();
    }

    /**
     * The licence holders in a scope. Only the scope's own conditions are written — fixed fragments chosen here, never
     * caller text — rather than {@code cast(:school as uuid) is null or exists …} for every one: a statement PostgreSQL
     * prepares generically (after five executions) keeps such optional conditions as sub-plans for every person, and
     * the count and the page of 55,000 holders each took several hundred milliseconds that way.
     */
    private static String inScope(PersonScope scope) {
        return inScope(scope, "from person p where p.id in (" + Licences.HOLDERS + ")");
    }

    /** The same, from {@code holders}: a from-clause with person as {@code p}, restricted to the licence holders by its where-clause. */
    private static String inScope(PersonScope scope, String holders) {
        StringBuilder sql = new StringBuilder(holders);
        String role = scope.role();
        if (scope.personId() != null) {
            sql.append(" and p.id = :person");
        }
        if (scope.schoolId() != null) {
            sql.append(" and (");
            if (role == null || role.equals("PUPIL")) {
                sql.append("exists (select 1 from enrolment e where e.person_id = p.id and e.school_unit_id = :school) or ");
            }
            sql.append("exists (select 1 from duty d where d.person_id = p.id and d.organisation_id = :school")
                    .append(role == null ? "" : " and d.role = :role").append("))");
        }
        if (scope.classId() != null) {
            sql.append(" and exists (select 1 from membership m where m.person_id = p.id and m.group_id = :class")
                    .append(role == null ? "" : " and m.role = :role").append(")");
        }
        if (role != null && role.equals("PUPIL")) {
            sql.append(" and (exists (select 1 from enrolment e where e.person_id = p.id)"
                    + " or exists (select 1 from membership m where m.person_id = p.id and m.role = 'PUPIL'))");
        } else if (role != null) {
            sql.append(" and (exists (select 1 from duty d where d.person_id = p.id and d.role = :role)"
                    + " or exists (select 1 from membership m where m.person_id = p.id and m.role = :role))");
        }
        return sql.append(' ').toString();
    }

    /**
     * The licence holders in a scope, in a stable order (by id); a page of them when {@code limit} is given.
     * The page is chosen first and only its persons' roles are looked up; the whole collection gets its
     * roles set-based, in one pass over the holders' enrolments, duties and memberships.
     */
    List<Candidate> candidates(Holders holders, PersonScope scope, Integer limit, Integer offset) {
        // a user changed for the supplier when the person did, or when they were given the licence (again): one lookup
        // per person of a page, one join for the whole collection (a delta dates every holder)
        String ids = limit != null
                ? "select p.id, greatest(p.updated_at, " + Licences.heldSince("p.id") + ") as updated_at " + inScope(scope)
                        + " order by p.id limit :limit offset :offset"
                : "select p.id, greatest(p.updated_at, h.since) as updated_at "
                        + inScope(scope, "from person p join (" + Licences.HOLDERS_SINCE + ") h on h.person_id = p.id where true") + " order by p.id";
        String sql = limit != null ? """
                select c.id, c.updated_at,
                       array(select 'PUPIL' from enrolment e where e.person_id = c.id
                             union select d.role from duty d where d.person_id = c.id
                             union select m.role from membership m where m.person_id = c.id) roles
                from (%s) c order by c.id""".formatted(ids) : """
                with holder as (%s), roles as (
                    select x.person_id, array_agg(distinct x.role) roles from (
                        select e.person_id, 'PUPIL' as role from enrolment e where e.person_id in (select person_id from holder)
                        union all select d.person_id, d.role from duty d where d.person_id in (select person_id from holder)
                        union all select m.person_id, m.role from membership m where m.person_id in (select person_id from holder)
                    ) x group by x.person_id
                )
                select c.id, c.updated_at, coalesce(r.roles, '{}') from (%s) c left join roles r on r.person_id = c.id order by c.id""".formatted(Licences.HOLDERS, ids);
        JdbcClient.StatementSpec spec = bind(jdbc.sql(sql), holders, scope);
        if (limit != null) {
            spec = spec.param("limit", limit).param("offset", offset);
        }
        return spec.query((rs, n) -> new Candidate(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), strings(rs.getArray(3)))).list();
    }

    int count(Holders holders, PersonScope scope) {
        return bind(jdbc.sql("select count(*) " + inScope(scope)), holders, scope).query(Integer.class).single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Holders holders, PersonScope scope) {
        return holders.bind(spec).param("person", scope.personId()).param("school", scope.schoolId()).param("class", scope.classId())
                .param("role", scope.role());
    }

    /**
     * The memberships of licence holders, at a school or in a class, of the persons given ({@code :only}) when
     * {@code onlyGiven}: only the conditions given are written (see {@link #inScope}).
     */
    private static String memberships(UUID schoolId, UUID classId, boolean onlyGiven) {
        return "from membership m where m.person_id in (" + Licences.HOLDERS + ")"
                + (schoolId == null ? "" : " and exists (select 1 from student_group g where g.id = m.group_id and g.organisation_id = :school)")
                + (classId == null ? "" : " and m.group_id = :class") + (onlyGiven ? " and m.person_id = any(:only)" : "") + " ";
    }

    /**
     * The group memberships (enrollments) of these licence holders, at a school or in a class when given, by
     * id; a page when {@code limit} is given (chosen before its groups and persons are joined).
     */
    List<Membership> memberships(Holders holders, UUID schoolId, UUID classId, Integer limit, Integer offset) {
        return memberships(holders, schoolId, classId, null, limit, offset);
    }

    /** As {@link #memberships(Holders, UUID, UUID, Integer, Integer)}, of these persons only ({@code only}; null: all). */
    List<Membership> memberships(Holders holders, UUID schoolId, UUID classId, UUID[] only, Integer limit, Integer offset) {
        String ids = "select m.id, m.group_id, m.person_id, m.role, m.start_date, m.end_date " + memberships(schoolId, classId, only != null) + " order by m.id"
                + (limit == null ? "" : " limit :limit offset :offset");
        JdbcClient.StatementSpec spec = holders.bind(jdbc.sql("""
                        select m.id, m.group_id, m.person_id, m.role, m.start_date, m.end_date, g.organisation_id,
                               greatest(p.updated_at, g.updated_at, %s)
                        from (%s) m join student_group g on g.id = m.group_id join person p on p.id = m.person_id %s
                        order by m.id""".formatted(limit != null ? Licences.heldSince("m.person_id") : "h.since", ids,
                        limit != null ? "" : "left join (" + Licences.HOLDERS_SINCE + ") h on h.person_id = m.person_id")))
                .param("school", schoolId).param("class", classId);
        if (only != null) {
            spec = spec.param("only", only);
        }
        if (limit != null) {
            spec = spec.param("limit", limit).param("offset", offset);
        }
        return spec.query((rs, n) -> new Membership(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                        rs.getObject(5, LocalDate.class), rs.getObject(6, LocalDate.class), rs.getObject(7, UUID.class), rs.getTimestamp(8).toInstant()))
                .list();
    }

    /** How many group memberships (enrollments) each of these licence holders has, at a school or in a class when given. */
    Map<UUID, Integer> membershipsPerPerson(Holders holders, UUID schoolId, UUID classId) {
        Map<UUID, Integer> counts = new HashMap<>();
        holders.bind(jdbc.sql("select m.person_id, count(*)::int " + memberships(schoolId, classId, false) + " group by m.person_id"))
                .param("school", schoolId).param("class", classId)
                .query(rs -> {
                    counts.put(rs.getObject(1, UUID.class), rs.getInt(2));
                });
        return counts;
    }

    /** Names, e-mail and grades of these persons, to match a filter or sort on — never sent from here. */
    Map<UUID, Map<String, Object>> matchingValues(UUID[] persons) {
        Map<UUID, Map<String, Object>> values = new HashMap<>();
        jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.email,
                               array(select distinct e.grade from enrolment e where e.person_id = p.id and e.grade is not null and e.grade <> '')
                        from person p where p.id = any(:p)""").param("p", persons)
                .query(rs -> {
                    Map<String, Object> v = new HashMap<>();
                    v.put("givenName", rs.getString(2));
                    v.put("familyName", rs.getString(3));
                    v.put("email", rs.getString(4));
                    List<String> grades = strings(rs.getArray(5));
                    v.put("grades", grades.isEmpty() ? null : grades);
                    values.put(rs.getObject(1, UUID.class), v);
                });
        return values;
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<String> list = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            list.add((String) o);
        }
        return list;
    }

    /**
     * When the directory last journalled one of {@code kinds} for the person in {@code personColumn}: one lookup in the
     * journal's index of moves and departures (directory_change_person_moved_left) for each row that needs it, not a
     * pass over a journal that grows by every import's changes (millions of rows: over half a second a pass).
     */
    private static String lastJournalled(String personColumn, String kinds) {
        return "(select max(c.recorded_at) from directory_change c where c.person_id = " + personColumn + " and c.kind in (" + kinds + "))";
    }

    /** A user this supplier was sent who is no longer one of the product's licence holders, and since when. */
    record Departed(UUID pseudonym, Instant goneAt) {
    }

    /**
     * The persons this supplier was sent over the roster API who held a seat of the product and are no longer among
     * its licence holders — the licence ended, or they left the directory — with the moment it happened: when the
     * licence ended (roster_departure), when the directory journalled them leaving (PERSON_LEFT), or else the first
     * day without the seat. For a delta's 'tobedeleted' users; nothing but the pseudonym the supplier already holds. Those
     * that went longer ago than {@link RosterRetention} keeps are left out.
     */
    List<Departed> departed(UUID supplierId, Holders holders) {
        return holders.bind(stillTold("""
                        with seat as (%s), former as (
                            select s.person_id, max(s.until) until from seat s group by s.person_id
                        )
                        select rp.pseudonym,
                               coalesce(greatest(d.departed_at, %s,
                                                 case when f.until <= cast(:holderDay as date) then cast(f.until as timestamptz) end), rp.sent_at) gone_at
                        from roster_pseudonym rp
                        join former f on f.person_id = rp.person_id
                        left join roster_departure d on d.product_id = :holderProduct and d.person_id = rp.person_id
                        where rp.supplier_id = :supplier
                          and (not exists (select 1 from person p where p.id = rp.person_id) or rp.person_id not in (%s))"""
                        .formatted(Licences.SEATS, lastJournalled("rp.person_id", "'PERSON_LEFT'"), Licences.HOLDERS), "pseudonym"))
                .param("supplier", supplierId)
                .query((rs, n) -> new Departed(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant())).list();
    }

    /** An enrollment this product's roster client was sent that is gone, as it was sent, and since when. */
    record DepartedEnrollment(UUID membershipId, UUID groupId, UUID schoolId, UUID pseudonym, String role, Instant goneAt) {
    }

    /**
     * The enrollments this product's roster client was sent (roster_enrollment) that are no longer among the memberships
     * of its licence holders — the pupil left the class, the class went, the licence ended — at a school or in a class when
     * given, with the moment they went: as recorded in the transaction that ended them, or else the person's licence
     * ending or their latest journalled move or leaving, or else when it was sent. Nothing but what was sent with it.
     */
    List<DepartedEnrollment> departedEnrollments(UUID supplierId, Holders holders, UUID schoolId, UUID classId) {
        return holders.bind(stillTold("""
                        select re.membership_id, re.group_id, re.school_id, rp.pseudonym, re.role,
                               coalesce(re.departed_at, d.departed_at, %s, re.sent_at) gone_at
                        from roster_enrollment re
                        join roster_pseudonym rp on rp.supplier_id = :supplier and rp.person_id = re.person_id
                        left join roster_departure d on d.product_id = re.product_id and d.person_id = re.person_id
                        where re.product_id = :holderProduct%s%s
                          and re.membership_id not in (select m.id from membership m where m.person_id in (%s))"""
                        .formatted(lastJournalled("re.person_id", "'PERSON_MOVED', 'PERSON_LEFT'"), schoolId == null ? "" : " and re.school_id = :school",
                                classId == null ? "" : " and re.group_id = :class", Licences.HOLDERS), "membership_id"))
                .param("supplier", supplierId).param("school", schoolId).param("class", classId)
                .query((rs, n) -> new DepartedEnrollment(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        rs.getObject(4, UUID.class), rs.getString(5), rs.getTimestamp(6).toInstant()))
                .list();
    }

    /** Remembers the enrollments a page sent (one statement per page); one sent again is no longer departed. */
    void rememberEnrollments(UUID productId, Collection<Membership> sent) {
        if (sent.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        insert into roster_enrollment (product_id, membership_id, person_id, group_id, school_id, role)
                        select :product, unnest(:memberships), unnest(:persons), unnest(:groups), unnest(:schools), unnest(:roles)
                        on conflict (product_id, membership_id) do update set departed_at = null where roster_enrollment.departed_at is not null""")
                .param("product", productId).param("memberships", sent.stream().map(Membership::id).toArray(UUID[]::new))
                .param("persons", sent.stream().map(Membership::personId).toArray(UUID[]::new))
                .param("groups", sent.stream().map(Membership::groupId).toArray(UUID[]::new))
                .param("schools", sent.stream().map(Membership::schoolId).toArray(UUID[]::new))
                .param("roles", sent.stream().map(Membership::role).toArray(String[]::new)).update();
    }

    /** The pseudonyms of the persons this product's roster client was sent an enrollment of at a school or in a class (in a role, when given). */
    java.util.Set<UUID> pseudonymsEnrolled(UUID productId, UUID supplierId, UUID schoolId, UUID classId, String role) {
        return new java.util.HashSet<>(jdbc.sql("""
                        select rp.pseudonym from roster_enrollment re join roster_pseudonym rp on rp.supplier_id = :supplier and rp.person_id = re.person_id
                        where re.product_id = :product%s%s%s""".formatted(schoolId == null ? "" : " and re.school_id = :school",
                        classId == null ? "" : " and re.group_id = :class", role == null ? "" : " and re.role = :role"))
                .param("supplier", supplierId).param("product", productId).param("school", schoolId).param("class", classId).param("role", role)
                .query(UUID.class).list());
    }

    /** A class this product's roster client was sent that is gone, as it was sent, and since when. */
    record DepartedClass(UUID groupId, UUID schoolId, String termId, Instant goneAt) {
    }

    /**
     * The classes this product's roster client was sent (roster_class) that no longer hold any of its licence holders —
     * removed, emptied, or their last holder lost the licence — at a school when given, with the moment they went: as
     * recorded in the transaction that ended them, or else the class's latest journalled change, or else when it was sent.
     */
    List<DepartedClass> departedClasses(Holders holders, UUID schoolId) {
        return holders.bind(stillTold("""
                        select rc.group_id, rc.school_id, rc.term_id,
                               coalesce(rc.departed_at, (select max(c.recorded_at) from directory_change c where c.group_id = rc.group_id), rc.sent_at) gone_at
                        from roster_class rc
                        where rc.product_id = :holderProduct%s
                          and rc.group_id not in (select m.group_id from membership m where m.person_id in (%s))"""
                        .formatted(schoolId == null ? "" : " and rc.school_id = :school", Licences.HOLDERS), "group_id"))
                .param("school", schoolId)
                .query((rs, n) -> new DepartedClass(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getTimestamp(4).toInstant()))
                .list();
    }

    /** Remembers the classes a page sent, with their school and term (one statement per page); one sent again is no longer departed. */
    void rememberClasses(UUID productId, Map<Group, String> termOfClass) {
        if (termOfClass.isEmpty()) {
            return;
        }
        List<Group> sent = List.copyOf(termOfClass.keySet());
        jdbc.sql("""
                        insert into roster_class (product_id, group_id, school_id, term_id)
                        select :product, unnest(:groups), unnest(:schools), unnest(:terms)
                        on conflict (product_id, group_id) do update set departed_at = null where roster_class.departed_at is not null""")
                .param("product", productId).param("groups", sent.stream().map(Group::id).toArray(UUID[]::new))
                .param("schools", sent.stream().map(Group::organisationId).toArray(UUID[]::new))
                .param("terms", sent.stream().map(termOfClass::get).toArray(String[]::new)).update();
    }

    /** The pseudonyms this supplier has already been sent over the roster API, by person. */
    Map<UUID, UUID> knownPseudonyms(UUID supplierId, Collection<UUID> personIds) {
        Map<UUID, UUID> known = new HashMap<>();
        if (personIds.isEmpty()) {
            return known;
        }
        jdbc.sql("select person_id, pseudonym from roster_pseudonym where supplier_id = :s and person_id = any(:p)")
                .param("s", supplierId).param("p", personIds.toArray(UUID[]::new))
                .query(rs -> {
                    known.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return known;
    }

    /** The person a pseudonym sent to this supplier stands for. */
    java.util.Optional<UUID> personOf(UUID supplierId, UUID pseudonym) {
        return jdbc.sql("select person_id from roster_pseudonym where supplier_id = :s and pseudonym = :p").param("s", supplierId).param("p", pseudonym)
                .query(UUID.class).optional();
    }

    /** Remembers the pseudonyms a page sent, so the supplier can ask for one by its sourcedId (one statement per page). */
    void rememberPseudonyms(UUID supplierId, Map<UUID, UUID> pseudonymByPerson) {
        if (pseudonymByPerson.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        insert into roster_pseudonym (supplier_id, person_id, pseudonym)
                        select :s, unnest(:persons), unnest(:pseudonyms)
                        on conflict do nothing""")
                .param("s", supplierId).param("persons", pseudonymByPerson.keySet().toArray(UUID[]::new))
                .param("pseudonyms", pseudonymByPerson.keySet().stream().map(pseudonymByPerson::get).toArray(UUID[]::new)).update();
    }
}
