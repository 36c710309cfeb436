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
import java.util.HashMap;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;

/**
 * Browsing the organisation: organiser → school units → groups → members, with counts at every level
 * and search by name. Administrators use it now; buyers will pick licence recipients in it later.
 *
 * <p>What an administrator sees is filtered, in each statement, by their {@link CallerScope} (for the
 * directory: their DIRECTORY_ADMIN grants): organisations, groups and persons outside it are not found and
 * are not counted. The methods without a scope see the whole installation, for the system's own work.
 *
 * <p>Protected persons are shown without name or civic number to anyone without the right to see them
 * (VIEW_PROTECTED_IDENTITIES, within its own scope), and every time one is shown — masked or not — the view
 * is audited.
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

    /**
     * A person as shown in a listing: name is null and masked true when the viewer may not see who it is;
     * {@code civicNumberKind} SE or DK says what to call the civic number ({@link CivicNumbers}), null when it could be either.
     */
    public record Member(UUID personId, String givenName, String familyName, boolean masked, boolean protectedIdentity, String role,
                         String civicNumberMasked, String civicNumberKind) {
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
     * Organisations chosen by {@code where} (over {@code o}) within the scope, each with counts over itself and
     * every unit below it, counting only what is within the scope: the units are gathered once (recursively,
     * at most 8 levels, so a loop in bad data cannot run away) and counted with one join per table, not a
     * subquery per organisation.
     */
    private static String organisations(String where, String orderAndLimit, CallerScope scope) {
        return """
                with recursive listed as (
                    select o.* from organisation o where (%s) and %s %s
                ), scope(org, unit, depth) as (
                    select l.id, l.id, 0 from listed l
                    union all
                    select s.org, c.id, s.depth + 1 from scope s join organisation c on c.parent_id = s.unit where s.depth < 8
                )
                select l.id, l.name, l.kind, l.parent_id, l.school_unit_code, l.municipality_code, l.school_forms, l.source,
                       (select count(*) from organisation c where c.parent_id = l.id and %s) child_units,
                       coalesce(g.n, 0) groups, coalesce(p.n, 0) pupils, coalesce(st.n, 0) staff
                from listed l
                left join (select s.org, count(*) n from scope s join student_group g on g.organisation_id = s.unit where %s group by s.org) g on g.org = l.id
                left join (select s.org, count(distinct e.person_id) n from scope s join enrolment e on e.school_unit_id = s.unit where %s group by s.org) p on p.org = l.id
                left join (select s.org, count(distinct d.person_id) n from scope s join duty d on d.organisation_id = s.unit where %s group by s.org) st on st.org = l.id
                order by l.name
                """.formatted(where, scope.organisation("o"), orderAndLimit, scope.organisation("c"), scope.group("g"), scope.enrolment("e"),
                scope.duty("d"));
    }

    /** An organiser or school unit as a picker offers it: its name, what it is, its code, and the unit above it (to tell like names apart). */
    public record Pickable(UUID id, String name, String kind, String code, String parentName) {
    }

    /**
     * Organisers and school units within the scope whose name holds the words (folded, so "ostra" finds Östra skolan), by
     * name, at most {@code limit}; {@code organisersOnly} leaves the school units out. Without the counts the browser shows:
     * a picker asks on every keystroke, and counting an organiser's pupils would cost more than finding it.
     */
    @Transactional(readOnly = true)
    public List<Pickable> pickable(String words, CallerScope scope, boolean organisersOnly, int limit) {
        String q = words == null ? "" : words.strip().toLowerCase();
        if (q.length() < 2 || scope.isNothing()) {
            return List.of();
        }
        return jdbc.sql("""
                        select o.id, o.name, o.kind, coalesce(o.school_unit_code, o.municipality_code), up.name
                        from organisation o left join organisation up on up.id = o.parent_id
                        where search_fold(o.name) like %s and %s
                          and (o.parent_id is null or (not :organisers_only and o.kind = 'SCHOOL_UNIT'))
                        order by o.name, up.name limit :limit""".formatted(FOLDED_CONTAINS, scope.organisation("o")))
                .param("q", q).param("organisers_only", organisersOnly).param("limit", limit).params(scope.params())
                .query((rs, n) -> new Pickable(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5))).list();
    }

    /** Parameters of two scopes in one statement (they name the same account, so one value serves both). */
    private static Map<String, Object> params(CallerScope a, CallerScope b) {
        Map<String, Object> both = new HashMap<>(a.params());
        both.putAll(b.params());
        return both;
    }

    @Transactional(readOnly = true)
    public List<Organisation> roots() {
        return roots(CallerScope.wholeInstallation());
    }

    /**
     * The tops of what the scope covers: the organisers for the whole installation, else the highest units
     * within the scope (a school unit admin starts at their school).
     */
    @Transactional(readOnly = true)
    public List<Organisation> roots(CallerScope scope) {
        String top = scope.isWholeInstallation() ? "o.parent_id is null" : "o.parent_id is null or not " + scope.unit("o.parent_id");
        return jdbc.sql(organisations(top, "", scope)).params(scope.params()).query(this::mapOrganisation).list();
    }

    @Transactional(readOnly = true)
    public Optional<Organisation> organisation(UUID id) {
        return organisation(id, CallerScope.wholeInstallation());
    }

    /** The organisation with counts within the scope; none when it is outside it. */
    @Transactional(readOnly = true)
    public Optional<Organisation> organisation(UUID id, CallerScope scope) {
        return jdbc.sql(organisations("o.id = :id", "", scope)).param("id", id).params(scope.params()).query(this::mapOrganisation).optional();
    }

    /**
     * The organisation and its ancestors, from the top down: names only, for a breadcrumb, without the
     * counts (which at an organiser's level aggregate the whole municipality).
     */
    @Transactional(readOnly = true)
    public List<UnitName> ancestry(UUID id) {
        return ancestry(id, CallerScope.wholeInstallation());
    }

    /** The breadcrumb within the scope: the ancestors above it are left out (their pages would not be found). */
    @Transactional(readOnly = true)
    public List<UnitName> ancestry(UUID id, CallerScope scope) {
        return jdbc.sql("""
                        with recursive up(id, name, parent_id, depth) as (
                            select id, name, parent_id, 0 from organisation where id = :id
                            union all
                            select o.id, o.name, o.parent_id, up.depth + 1 from up join organisation o on o.id = up.parent_id where up.depth < 8
                        )
                        select id, name from up where %s order by depth desc
                        """.formatted(scope.unit("up.id"))).param("id", id).params(scope.params())
                .query((rs, n) -> new UnitName(rs.getObject(1, UUID.class), rs.getString(2))).list();
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
        return children(id, CallerScope.wholeInstallation());
    }

    @Transactional(readOnly = true)
    public List<Organisation> children(UUID id, CallerScope scope) {
        return jdbc.sql(organisations("o.parent_id = :id", "", scope)).param("id", id).params(scope.params()).query(this::mapOrganisation).list();
    }

    private static final String GROUP_SELECT = """
            select g.id, g.name, g.kind, g.organisation_id, o.name organisation_name, g.school_form, g.grades,
                   (select count(*) from membership m where m.group_id = g.id) members
            from student_group g join organisation o on o.id = g.organisation_id
            """;

    @Transactional(readOnly = true)
    public List<Group> groups(UUID organisationId) {
        return groups(organisationId, CallerScope.wholeInstallation());
    }

    /** The groups at the unit within the scope (a preschool grant sees the unit's preschool groups only). */
    @Transactional(readOnly = true)
    public List<Group> groups(UUID organisationId, CallerScope scope) {
        return jdbc.sql(GROUP_SELECT + " where g.organisation_id = :id and " + scope.group("g") + " order by g.kind, g.grades, g.name")
                .param("id", organisationId).params(scope.params()).query(this::mapGroup).list();
    }

    @Transactional(readOnly = true)
    public Optional<Group> group(UUID id) {
        return group(id, CallerScope.wholeInstallation());
    }

    @Transactional(readOnly = true)
    public Optional<Group> group(UUID id, CallerScope scope) {
        return jdbc.sql(GROUP_SELECT + " where g.id = :id and " + scope.group("g")).param("id", id).params(scope.params()).query(this::mapGroup).optional();
    }

    /** Masked: protected, and outside the viewer's scope for protected identities. */
    static String masked(Viewer viewer) {
        return "(p.protection <> 'NONE' and not " + viewer.protectedIdentities().person("p.id") + ")";
    }

    /**
     * The members of a group within the viewer's scope (none when the group is outside it); protected persons
     * masked unless the viewer may see them; each shown one audited.
     */
    public List<Member> members(UUID groupId, Viewer viewer) {
        List<Member> members = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, m.role, %s masked
                        from membership m join person p on p.id = m.person_id
                        where m.group_id = :id and m.group_id in (select g.id from student_group g where %s)
                        order by case m.role when 'PUPIL' then 1 else 0 end,
                                 -- masked persons last: their place in the alphabet would hint at their name
                                 case when %s then 1 else 0 end,
                                 p.family_name, p.given_name
                        """.formatted(masked(viewer), viewer.scope().group("g"), masked(viewer)))
                .param("id", groupId).params(params(viewer.scope(), viewer.protectedIdentities()))
                .query((rs, n) -> member(rs, rs.getString("role"))).list();
        auditProtected(members, viewer, "group", groupId.toString());
        return members;
    }

    /**
     * One person as a listing shows them (for reports about a person, such as the disclosure ledger's), if
     * within the viewer's scope: masked unless the viewer may see a protected person, and audited when protected.
     */
    public Optional<Member> person(UUID id, Viewer viewer) {
        Optional<Member> person = jdbc.sql("select p.id, p.given_name, p.family_name, p.protection, p.civic_number, %s masked from person p where p.id = :id and %s"
                        .formatted(masked(viewer), viewer.scope().person("p.id")))
                .param("id", id).params(params(viewer.scope(), viewer.protectedIdentities())).query((rs, n) -> member(rs, null)).optional();
        person.ifPresent(m -> auditProtected(List.of(m), viewer, "person", id.toString()));
        return person;
    }

    /** Where a person is placed: a pupil enrolled at a unit (school form, grade) or staff on duty there (role). */
    public record Placement(UUID unitId, String unitName, String role, String schoolForm, String grade) {
    }

    /** A group the person belongs to, with their role in it. */
    public record Membership(UUID groupId, String groupName, String kind, UUID unitId, String unitName, String role) {
    }

    /** A guardian link as the person's page lists it: the other person, and which way the link goes. */
    public record Relative(Member person, String relation, boolean guardian) {
    }

    /**
     * Everything the directory holds about a person that an administrator's page about them shows: the person as a
     * listing shows them, their placements, groups, and guardians and children. Only what lies within the viewer's
     * scope is listed (a school admin does not see the person's class at another school).
     */
    public record Profile(Member person, List<Placement> placements, List<Membership> groups, List<Relative> relatives) {
    }

    /**
     * The person's profile, if within the viewer's scope: masked as a listing masks them, and audited when protected
     * (as are guardians and children shown with them). Placements, groups and relatives outside the scope are left out.
     */
    public Optional<Profile> profile(UUID id, Viewer viewer) {
        Optional<Member> found = person(id, viewer);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        CallerScope scope = viewer.scope();
        List<Placement> placements = jdbc.sql("""
                        select o.id, o.name, 'PUPIL' role, e.school_form, e.grade from enrolment e join organisation o on o.id = e.school_unit_id
                        where e.person_id = :id and %s
                        union all
                        select o.id, o.name, d.role, null, null from duty d join organisation o on o.id = d.organisation_id
                        where d.person_id = :id and %s
                        order by 2, 3
                        """.formatted(scope.enrolment("e"), scope.duty("d")))
                .param("id", id).params(scope.params())
                .query((rs, n) -> new Placement(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5))).list();
        List<Membership> groups = jdbc.sql("""
                        select g.id, g.name, g.kind, o.id, o.name, m.role
                        from membership m join student_group g on g.id = m.group_id join organisation o on o.id = g.organisation_id
                        where m.person_id = :id and %s order by g.name
                        """.formatted(scope.group("g")))
                .param("id", id).params(scope.params())
                .query((rs, n) -> new Membership(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                        rs.getString(5), rs.getString(6))).list();
        // both ways: a pupil's guardians, and a guardian's children; each other person within the scope only
        List<Relative> relatives = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, %s masked, gl.relation, true guardian
                        from guardian_link gl join person p on p.id = gl.guardian_id where gl.child_id = :id and %s
                        union all
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, %s masked, gl.relation, false guardian
                        from guardian_link gl join person p on p.id = gl.child_id where gl.guardian_id = :id and %s
                        -- masked persons last: their place in the alphabet would hint at their name
                        order by 8 desc, 6, 3, 2
                        """.formatted(masked(viewer), scope.person("p.id"), masked(viewer), scope.person("p.id")))
                .param("id", id).params(params(scope, viewer.protectedIdentities()))
                .query((rs, n) -> new Relative(member(rs, null), rs.getString("relation"), rs.getBoolean("guardian"))).list();
        auditProtected(relatives.stream().map(Relative::person).toList(), viewer, "person-page", id.toString());
        return Optional.of(new Profile(found.get(), placements, groups, relatives));
    }

    /** Is the person within the scope? A quiet check for other modules' pages about a person: nothing is shown, so nothing is audited. */
    @Transactional(readOnly = true)
    public boolean isWithin(UUID personId, CallerScope scope) {
        return jdbc.sql("select exists (select 1 from person p where p.id = :id and " + scope.person("p.id") + ")").param("id", personId)
                .params(scope.params()).query(Boolean.class).single();
    }

    /**
     * Search by name within the viewer's scope; a protected person is found only by a viewer who may see them
     * (a masked hit would reveal the name). Persons are found the way the UI writes them — "Bergkvist, Östen" or
     * "Östen Bergkvist", or the start of either name — and without regard to accents ("ostman" finds Östman, "Soren"
     * Søren, "aase" Åse): both the names and the words are folded by the database's {@code search_fold} (migration
     * V2026.12.02.70), whose two indexes answer the prefix searches.
     */
    public SearchResult search(String query, Viewer viewer, int limit) {
        return search(query, viewer, limit, null);
    }

    /** What was typed (bound as {@code :q}), folded as names are and with LIKE's wildcards taken literally. */
    private static final String FOLDED = "replace(replace(replace(search_fold(cast(:q as text)), '\\', '\\\\'), '%', '\\%'), '_', '\\_')";
    private static final String FOLDED_PREFIX = "(" + FOLDED + " || '%')";
    private static final String FOLDED_CONTAINS = "('%' || " + FOLDED + " || '%')";
    /** What was typed, lower-cased only (not folded), with LIKE's wildcards taken literally, anywhere in a name. */
    private static final String LOWER_CONTAINS = "('%' || replace(replace(replace(lower(cast(:q as text)), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')";

    /** The units under a unit (its subtree, itself included), bound as {@code :within}; SQL for {@code … in WITHIN}. */
    private static final String WITHIN = """
            (with recursive sub(id) as (select cast(:within as uuid) union all select o2.id from organisation o2 join sub on o2.parent_id = sub.id)
             select id from sub)""";

    /**
     * {@link #search(String, Viewer, int)} narrowed to one unit's subtree ({@code within}; null: no narrowing), for a
     * picker that chooses among one organiser's units, groups and persons (a pool's rules and holders): in a
     * municipality of many schools, every 9A of the others would crowd its own out of the first matches.
     */
    public SearchResult search(String query, Viewer viewer, int limit, UUID within) {
        String q = query == null ? "" : query.trim().toLowerCase();
        if (q.length() < 2) {
            return new SearchResult(List.of(), List.of(), List.of());
        }
        CallerScope scope = viewer.scope();
        // units: the folded words anywhere in the name ("ostra" finds Östra skolan), few enough (hundreds) to fold each;
        // groups: lower-cased only, as before — tens of thousands at a million persons, and folding each name on every
        // keystroke would cost a few hundred milliseconds
        List<Organisation> orgs = jdbc.sql(organisations("search_fold(o.name) like " + FOLDED_CONTAINS
                                + " and (cast(:within as uuid) is null or o.id in " + WITHIN + ")", "order by o.name limit :limit", scope))
                .param("q", q).param("limit", limit).param("within", within).params(scope.params()).query(this::mapOrganisation).list();
        List<Group> groups = jdbc.sql(GROUP_SELECT + " where lower(g.name) like " + LOWER_CONTAINS + " and " + scope.group("g")
                        + " and (cast(:within as uuid) is null or g.organisation_id in " + WITHIN + ") order by g.name limit :limit")
                .param("q", q).param("limit", limit).param("within", within).params(scope.params()).query(this::mapGroup).list();
        // persons: the folded words as the start of "family given" or of "given family". Each ordering is read from its own
        // index in the index's order (USING ~<~, the order of text_pattern_ops) and stops at the limit, so a two-letter
        // prefix shared by a hundred thousand persons reads a few dozen rows, not all of them (about 10 ms at a million
        // persons against half a second with both indexes OR-ed and the hits sorted); the pattern is folded from the bound
        // words when the statement is planned, so the planner sees its prefix.
        String filters = """
                %s
                and (p.protection = 'NONE' or %s)
                and (cast(:within as uuid) is null
                     or exists (select 1 from enrolment e where e.person_id = p.id and e.school_unit_id in %s)
                     or exists (select 1 from duty d where d.person_id = p.id and d.organisation_id in %s)
                     or exists (select 1 from membership m join student_group g on g.id = m.group_id
                                where m.person_id = p.id and g.organisation_id in %s))
                """.formatted(scope.person("p.id"), viewer.protectedIdentities().person("p.id"), WITHIN, WITHIN, WITHIN);
        List<Member> persons = jdbc.sql("""
                        with hits as (
                            (select p.id from person p where search_fold(p.family_name || ' ' || p.given_name) like {prefix} and {filters}
                             order by search_fold(p.family_name || ' ' || p.given_name) using ~<~ limit :limit)
                            union
                            (select p.id from person p where search_fold(p.given_name || ' ' || p.family_name) like {prefix} and {filters}
                             order by search_fold(p.given_name || ' ' || p.family_name) using ~<~ limit :limit)
                        )
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, null role, false masked
                        from person p join hits h on h.id = p.id
                        order by p.family_name, p.given_name limit :limit
                        """.replace("{filters}", filters).replace("{prefix}", FOLDED_PREFIX))
                .param("q", q).param("within", within)
                .params(params(scope, viewer.protectedIdentities()))
                .param("limit", limit).query((rs, n) -> member(rs, null)).list();
        auditProtected(persons, viewer, "search", null);
        return new SearchResult(orgs, groups, persons);
    }

    @Transactional(readOnly = true)
    public DirectoryStats stats() {
        return stats(CallerScope.wholeInstallation());
    }

    /** Counts within the scope only: an administrator never learns how much lies outside it. */
    @Transactional(readOnly = true)
    public DirectoryStats stats(CallerScope scope) {
        return jdbc.sql("""
                select (select count(*) from organisation o where %s) organisations, (select count(*) from person p where %s) persons,
                       (select count(*) from student_group g where %s) groups,
                       (select count(*) from membership m join student_group g on g.id = m.group_id where %s) memberships,
                       (select count(*) from duty d where %s) duties, (select count(*) from guardian_link gl where %s) guardian_links,
                       (select count(*) from person p where p.protection <> 'NONE' and %s) protected_persons
                """.formatted(scope.organisation("o"), scope.person("p.id"), scope.group("g"), scope.group("g"), scope.duty("d"),
                scope.person("gl.child_id"), scope.person("p.id"))).params(scope.params()).query((rs, n) -> new DirectoryStats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
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

    /** A person's row as a listing shows it; the row's {@code masked} column says whether the viewer may not see who it is. */
    static Member member(ResultSet rs, String role) throws SQLException {
        boolean isProtected = !"NONE".equals(rs.getString("protection"));
        boolean masked = isProtected && rs.getBoolean("masked");
        return new Member(rs.getObject("id", UUID.class), masked ? null : rs.getString("given_name"), masked ? null : rs.getString("family_name"),
                masked, isProtected, role, masked ? null : maskCivicNumber(rs.getString("civic_number")),
                masked ? null : CivicNumbers.kind(rs.getString("civic_number")));
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
