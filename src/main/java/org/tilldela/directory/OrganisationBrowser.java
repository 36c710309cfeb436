package org.tilldela.directory;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * Browsing the organisation: organiser → school units → groups → members, with counts at every level
 * and search by name. Administrators use it now; buyers will pick licence recipients in it later.
 *
 * <p>Protected persons are shown without name or civic number to anyone without the right to see them,
 * and every time one is shown — masked or not — the view is audited.
 */
@Service
@Transactional
public class OrganisationBrowser {

    public record Organisation(UUID id, String name, String kind, UUID parentId, String schoolUnitCode, String municipalityCode,
                               List<String> schoolForms, String source, long childUnits, long groups, long pupils, long staff) {
    }

    /** An organisation as named in a breadcrumb. */
    public record UnitName(UUID id, String name) {
    }

    public record Group(UUID id, String name, String kind, UUID organisationId, String organisationName, String schoolForm, String grades,
                        long members) {
    }

    /** A person as shown in a listing: name is null and masked true when the viewer may not see who it is. */
    public record Member(UUID personId, String givenName, String familyName, boolean masked, boolean protectedIdentity, String role,
                         String civicNumberMasked) {
    }

    public record SearchResult(List<Organisation> organisations, List<Group> groups, List<Member> persons) {
    }

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    OrganisationBrowser(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /**
     * Organisations chosen by {@code where} (over {@code o}), each with counts over itself and every unit
     * below it: the units are gathered once (recursively, at most 8 levels, so a loop in bad data cannot run
     * away) and counted with one join per table, not a subquery per organisation.
     */
    private static String organisations(String where, String orderAndLimit) {
        return """
                with recursive listed as (
                    select o.* from organisation o where %s %s
                ), scope(org, unit, depth) as (
                    select l.id, l.id, 0 from listed l
                    union all
                    select s.org, c.id, s.depth + 1 from scope s join organisation c on c.parent_id = s.unit where s.depth < 8
                )
                select l.id, l.name, l.kind, l.parent_id, l.school_unit_code, l.municipality_code, l.school_forms, l.source,
                       (select count(*) from organisation c where c.parent_id = l.id) child_units,
                       coalesce(g.n, 0) groups, coalesce(p.n, 0) pupils, coalesce(st.n, 0) staff
                from listed l
                left join (select s.org, count(*) n from scope s join student_group g on g.organisation_id = s.unit group by s.org) g on g.org = l.id
                left join (select s.org, count(distinct e.person_id) n from scope s join enrolment e on e.school_unit_id = s.unit group by s.org) p on p.org = l.id
                left join (select s.org, count(distinct d.person_id) n from scope s join duty d on d.organisation_id = s.unit group by s.org) st on st.org = l.id
                order by l.name
                """.formatted(where, orderAndLimit);
    }

    @Transactional(readOnly = true)
    public List<Organisation> roots() {
        return jdbc.sql(organisations("o.parent_id is null", "")).query(this::mapOrganisation).list();
    }

    @Transactional(readOnly = true)
    public Optional<Organisation> organisation(UUID id) {
        return jdbc.sql(organisations("o.id = :id", "")).param("id", id).query(this::mapOrganisation).optional();
    }

    /**
     * The organisation and its ancestors, from the top down: names only, for a breadcrumb, without the
     * counts (which at an organiser's level aggregate the whole municipality).
     */
    @Transactional(readOnly = true)
    public List<UnitName> ancestry(UUID id) {
        return jdbc.sql("""
                        with recursive up(id, name, parent_id, depth) as (
                            select id, name, parent_id, 0 from organisation where id = :id
                            union all
                            select o.id, o.name, o.parent_id, up.depth + 1 from up join organisation o on o.id = up.parent_id where up.depth < 8
                        )
                        select id, name from up order by depth desc
                        """).param("id", id).query((rs, n) -> new UnitName(rs.getObject(1, UUID.class), rs.getString(2))).list();
    }

    /**
     * The unit's organiser (huvudman): the nearest organisation of kind ORGANISER above it, as the release policy
     * names a person's organiser ({@link Organisers#NEAREST}); the unit itself when it is one; none when it has none.
     */
    @Transactional(readOnly = true)
    public Optional<UnitName> organiser(UUID unitId) {
        return jdbc.sql("with recursive units as (select cast(:unit as uuid) unit_id), " + Organisers.NEAREST + """

                        select id, name from organiser
                        """).param("unit", unitId).query((rs, n) -> new UnitName(rs.getObject(1, UUID.class), rs.getString(2))).optional();
    }

    @Transactional(readOnly = true)
    public List<Organisation> children(UUID id) {
        return jdbc.sql(organisations("o.parent_id = :id", "")).param("id", id).query(this::mapOrganisation).list();
    }

    private static final String GROUP_SELECT = """
            select g.id, g.name, g.kind, g.organisation_id, o.name organisation_name, g.school_form, g.grades,
                   (select count(*) from membership m where m.group_id = g.id) members
            from student_group g join organisation o on o.id = g.organisation_id
            """;

    @Transactional(readOnly = true)
    public List<Group> groups(UUID organisationId) {
        return jdbc.sql(GROUP_SELECT + " where g.organisation_id = :id order by g.kind, g.grades, g.name").param("id", organisationId)
                .query(this::mapGroup).list();
    }

    @Transactional(readOnly = true)
    public Optional<Group> group(UUID id) {
        return jdbc.sql(GROUP_SELECT + " where g.id = :id").param("id", id).query(this::mapGroup).optional();
    }

    /** The members of a group; protected persons masked unless the viewer may see them; each shown one audited. */
    public List<Member> members(UUID groupId, Viewer viewer) {
        List<Member> members = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, m.role
                        from membership m join person p on p.id = m.person_id
                        where m.group_id = :id
                        order by case m.role when 'PUPIL' then 1 else 0 end,
                                 -- masked persons last: their place in the alphabet would hint at their name
                                 case when p.protection <> 'NONE' and not :mayView then 1 else 0 end,
                                 p.family_name, p.given_name
                        """).param("id", groupId).param("mayView", viewer.mayViewProtected())
                .query((rs, n) -> member(rs, viewer, rs.getString("role"))).list();
        auditProtected(members, viewer, "group", groupId.toString());
        return members;
    }

    /**
     * One person as a listing shows them (for reports about a person, such as the disclosure ledger's):
     * masked unless the viewer may see a protected person, and audited when protected.
     */
    public Optional<Member> person(UUID id, Viewer viewer) {
        Optional<Member> person = jdbc.sql("select p.id, p.given_name, p.family_name, p.protection, p.civic_number from person p where p.id = :id")
                .param("id", id).query((rs, n) -> member(rs, viewer, null)).optional();
        person.ifPresent(m -> auditProtected(List.of(m), viewer, "person", id.toString()));
        return person;
    }

    /** Search by name; a protected person is found only by a viewer who may see them (a masked hit would reveal the name). */
    public SearchResult search(String query, Viewer viewer, int limit) {
        String q = query == null ? "" : query.trim().toLowerCase();
        if (q.length() < 2) {
            return new SearchResult(List.of(), List.of(), List.of());
        }
        String prefix = escapeLike(q) + "%";
        String contains = "%" + escapeLike(q) + "%";
        List<Organisation> orgs = jdbc.sql(organisations("lower(o.name) like :c", "order by o.name limit :limit"))
                .param("c", contains).param("limit", limit).query(this::mapOrganisation).list();
        List<Group> groups = jdbc.sql(GROUP_SELECT + " where lower(g.name) like :c order by g.name limit :limit")
                .param("c", contains).param("limit", limit).query(this::mapGroup).list();
        String[] words = q.split("\\s+");
        String first = escapeLike(words[0]) + "%";
        String second = words.length > 1 ? escapeLike(words[1]) + "%" : null;
        List<Member> persons = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, null role from person p
                        where (lower(p.family_name) like :prefix or lower(p.given_name) like :prefix
                               or (cast(:second as text) is not null and lower(p.given_name) like :first and lower(p.family_name) like :second))
                          and (p.protection = 'NONE' or :mayView)
                        order by p.family_name, p.given_name limit :limit
                        """)
                .param("prefix", prefix).param("first", first).param("second", second).param("mayView", viewer.mayViewProtected())
                .param("limit", limit).query((rs, n) -> member(rs, viewer, null)).list();
        auditProtected(persons, viewer, "search", null);
        return new SearchResult(orgs, groups, persons);
    }

    @Transactional(readOnly = true)
    public DirectoryStats stats() {
        return jdbc.sql("""
                select (select count(*) from organisation) organisations, (select count(*) from person) persons,
                       (select count(*) from student_group) groups, (select count(*) from membership) memberships,
                       (select count(*) from duty) duties, (select count(*) from guardian_link) guardian_links,
                       (select count(*) from person where protection <> 'NONE') protected_persons
                """).query((rs, n) -> new DirectoryStats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), rs.getLong(7))).single();
    }

    void auditProtected(List<Member> shown, Viewer viewer, String context, String contextId) {
        for (Member m : shown) {
            if (m.protectedIdentity()) {
                audit.record(viewer.username(), "VIEW_PROTECTED_PERSON", "person", m.personId().toString(),
                        contextId == null ? Map.of("in", context, "masked", m.masked()) : Map.of("in", context, "id", contextId, "masked", m.masked()));
            }
        }
    }

    static Member member(ResultSet rs, Viewer viewer, String role) throws SQLException {
        boolean isProtected = !"NONE".equals(rs.getString("protection"));
        boolean masked = isProtected && !viewer.mayViewProtected();
        return new Member(rs.getObject("id", UUID.class), masked ? null : rs.getString("given_name"), masked ? null : rs.getString("family_name"),
                masked, isProtected, role, masked ? null : maskCivicNumber(rs.getString("civic_number")));
    }

    private static final Pattern BIRTH_DATE = Pattern.compile("^(\\d{8}|\\d{6})(?=[-+]?\\d{4}$)");

    /**
     * The birth-date part only (YYYYMMDD or YYMMDD / DDMMYY): the full civic number is never shown by
     * default. Anything not shaped like a civic number shows nothing.
     */
    static String maskCivicNumber(String civic) {
        if (civic == null) {
            return null;
        }
        Matcher m = BIRTH_DATE.matcher(civic.strip());
        return m.find() ? m.group(1) + "-****" : null;
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private Organisation mapOrganisation(ResultSet rs, int n) throws SQLException {
        Array forms = rs.getArray("school_forms");
        return new Organisation(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("kind"), rs.getObject("parent_id", UUID.class),
                rs.getString("school_unit_code"), rs.getString("municipality_code"),
                forms == null ? List.of() : List.of((String[]) forms.getArray()), rs.getString("source"),
                rs.getLong("child_units"), rs.getLong("groups"), rs.getLong("pupils"), rs.getLong("staff"));
    }

    private Group mapGroup(ResultSet rs, int n) throws SQLException {
        return new Group(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("kind"), rs.getObject("organisation_id", UUID.class),
                rs.getString("organisation_name"), rs.getString("school_form"), rs.getString("grades"), rs.getLong("members"));
    }
}
