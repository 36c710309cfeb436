package org.tilldela.provisioning.roster;

import static org.tilldela.catalog.Attribute.*;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.ledger.Channel;

/**
 * The OneRoster 1.2 rostering service for one product's roster client. What a supplier sees is bounded
 * twice: only the product's licence holders (and the organisations, classes, courses and terms that hold
 * them), and about each person only what {@link ReleasePolicy} lets go to that supplier now. A page of
 * persons is decided in two steps: which of the page's persons may be sent at all (names only, nothing
 * recorded — a person about whom the collection's defining attribute may not go, say a class's pupil whose
 * groups may not, is left out), then one {@code releaseAll} for those sent, which writes the page's ledger
 * records in one batch. Every person's value in the answer comes from that release.
 *
 * <p>Identifiers: a user's sourcedId is the supplier's pairwise pseudonym; an enrollment's is made from
 * the supplier and the membership, so two suppliers cannot link their enrollments; organisations and
 * classes keep the directory's ids (they are no personal data). Courses and terms are derived: the
 * directory has neither, so each class is its own course and each distinct class period a term.
 *
 * <p>Deltas: with a filter ({@code dateLastModified>'…'}, {@code status='tobedeleted'}, …) users, enrollments and
 * classes sent before that are gone are listed too, as 'tobedeleted' with the moment they went and only what the
 * supplier was sent with them (roster_pseudonym, roster_enrollment, roster_class; the moments from
 * {@link RosterDepartures}); the plain collections list only what there is.
 */
@Service
class Roster {

    static final String BASE = "/ims/oneroster/rostering/v1p2";

    static final Set<String> ORG_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "name", "type", "identifier", "parent", "children");
    static final Set<String> SESSION_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "title", "startDate", "endDate", "type",
            "parent", "children", "schoolYear");
    static final Set<String> COURSE_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "title", "schoolYear", "courseCode", "grades",
            "subjects", "org", "subjectCodes", "resources");
    static final Set<String> CLASS_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "title", "classCode", "classType", "location",
            "grades", "subjects", "course", "school", "terms", "subjectCodes", "periods", "resources");
    static final Set<String> USER_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "userMasterIdentifier", "username", "userIds",
            "enabledUser", "givenName", "familyName", "middleName", "preferredFirstName", "preferredMiddleName", "preferredLastName", "pronouns",
            "roles", "userProfiles", "identifier", "email", "sms", "phone", "agents", "grades", "password", "resources", "primaryOrg");
    static final Set<String> ENROLLMENT_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "user", "class", "school", "role",
            "primary", "beginDate", "endDate");
    static final Set<String> DEMOGRAPHICS_FIELDS = Set.of("sourcedId", "status", "dateLastModified", "metadata", "birthDate", "sex",
            "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
            "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
            "publicSchoolResidenceStatus");

    /**
     * The user fields known before any release (from the directory's ids and dates); the rest need a release decision —
     * roles too: a filter or sort on them would otherwise pick out the teachers of an agreement that does not let roles go.
     */
    private static final Set<String> USER_FIELDS_BEFORE_RELEASE = Set.of("sourcedId", "status", "dateLastModified", "enabledUser");

    /** What an enrollment tells about its user: the pseudonym, the class (a group) and the role in it. */
    private static final Set<Attribute> ENROLLMENT_SENT = java.util.Collections.unmodifiableSet(EnumSet.of(PSEUDONYMOUS_ID, GROUPS, ROLES));

    private final RosterDirectory directory;
    private final ReleasePolicy policy;
    private final Catalog catalog;

    Roster(RosterDirectory directory, ReleasePolicy policy, Catalog catalog) {
        this.directory = directory;
        this.policy = policy;
        this.catalog = catalog;
    }

    /** Who asks: the product the roster client is bound to, its supplier, and the base of every href in the answer. */
    record Client(UUID productId, UUID supplierId, String baseUrl) {
    }

    Client client(UUID productId, String baseUrl) {
        Product product = catalog.product(productId).orElseThrow(() -> new OneRosterError(org.springframework.http.HttpStatus.FORBIDDEN, "forbidden",
                "The client's product is no longer in the catalogue."));
        return new Client(productId, product.supplierId(), baseUrl);
    }

    private static RosterDirectory.Holders holders(Client client) {
        return new RosterDirectory.Holders(client.productId(), LocalDate.now());
    }

    // ---------------------------------------------------------------- orgs, classes, courses, terms

    /** The organisation-side of the roster, read once per request. */
    private record Structure(Map<UUID, RosterDirectory.Org> orgs, Map<UUID, RosterDirectory.Group> groups) {
    }

    private Structure structure(Client client) {
        RosterDirectory.Holders holders = holders(client);
        List<RosterDirectory.Group> groups = directory.groups(holders);
        Map<UUID, RosterDirectory.Group> byId = new LinkedHashMap<>();
        groups.forEach(g -> byId.put(g.id(), g));
        Map<UUID, RosterDirectory.Org> orgs = new LinkedHashMap<>();
        directory.organisations(holders, groups.stream().map(RosterDirectory.Group::organisationId).distinct().toList()).forEach(o -> orgs.put(o.id(), o));
        return new Structure(orgs, byId);
    }

    @Transactional(readOnly = true)
    public RosterPage orgs(Client client, RosterQuery query, Function<RosterDirectory.Org, Boolean> which) {
        Structure s = structure(client);
        List<Map<String, Object>> all = s.orgs().values().stream().filter(which::apply).map(o -> org(client, o, s)).toList();
        return page(all, query);
    }

    @Transactional(readOnly = true)
    public Map<String, Object> org(Client client, UUID id, boolean schoolOnly) {
        Structure s = structure(client);
        RosterDirectory.Org o = s.orgs().get(id);
        if (o == null || (schoolOnly && !"school".equals(orgType(o)))) {
            throw OneRosterError.notFound(schoolOnly ? "School" : "Org");
        }
        return org(client, o, s);
    }

    static boolean isSchool(RosterDirectory.Org o) {
        return "school".equals(orgType(o));
    }

    private static String orgType(RosterDirectory.Org o) {
        return switch (o.kind()) {
            case "ORGANISER" -> "district";
            case "SCHOOL_UNIT" -> "school";
            default -> "department";
        };
    }

    private Map<String, Object> org(Client client, RosterDirectory.Org o, Structure s) {
        Map<String, Object> m = base(o.id().toString(), o.updatedAt());
        m.put("name", o.name());
        m.put("type", orgType(o));
        // required by the binding: the school unit code (skolenhetskod) where there is one, else empty
        m.put("identifier", o.schoolUnitCode() != null ? o.schoolUnitCode() : "");
        if (o.parentId() != null && s.orgs().containsKey(o.parentId())) {
            m.put("parent", ref(client, "orgs", o.parentId().toString(), "org"));
        }
        m.put("children", s.orgs().values().stream().filter(c -> o.id().equals(c.parentId())).map(c -> ref(client, "orgs", c.id().toString(), "org"))
                .toList());
        return m;
    }

    /**
     * Classes: all, of a school, of a course or of a term (by the derived ids). With a filter (a delta,
     * {@code dateLastModified>'…'}, or {@code status='tobedeleted'}) also the classes sent before that are gone, as
     * 'tobedeleted' — as {@link #users} does for users; the plain collection lists only the classes there are.
     */
    @Transactional
    public RosterPage classes(Client client, RosterQuery query, UUID schoolId, String courseId, String termId) {
        Structure s = structure(client);
        if (schoolId != null && (!s.orgs().containsKey(schoolId) || !isSchool(s.orgs().get(schoolId)))) {
            throw OneRosterError.notFound("School");
        }
        List<RosterDirectory.Group> chosen = new ArrayList<>();
        boolean courseFound = courseId == null, termFound = termId == null;
        for (RosterDirectory.Group g : s.groups().values()) {
            boolean ofCourse = courseId == null || courseId.equals(courseId(g));
            boolean ofTerm = termId == null || termId.equals(term(g).id());
            courseFound |= courseId != null && ofCourse;
            termFound |= termId != null && ofTerm;
            if ((schoolId == null || schoolId.equals(g.organisationId())) && ofCourse && ofTerm) {
                chosen.add(g);
            }
        }
        List<Map<String, Object>> departed = new ArrayList<>();
        if (query.filters()) {
            for (RosterDirectory.DepartedClass d : directory.departedClasses(holders(client), schoolId)) {
                boolean ofCourse = courseId == null || courseId.equals(courseId(d.groupId()));
                boolean ofTerm = termId == null || termId.equals(d.termId());
                courseFound |= courseId != null && ofCourse;
                termFound |= termId != null && ofTerm;
                if (ofCourse && ofTerm) {
                    departed.add(departedClass(client, d));
                }
            }
        }
        if (!courseFound) {
            throw OneRosterError.notFound("Course");
        }
        if (!termFound) {
            throw OneRosterError.notFound("Term");
        }
        return classPage(client, chosen, departed, query);
    }

    @Transactional
    public Map<String, Object> clazz(Client client, UUID id) {
        RosterDirectory.Group g = structure(client).groups().get(id);
        if (g == null) {
            throw OneRosterError.notFound("Class");
        }
        directory.rememberClasses(client.productId(), Map.of(g, term(g).id()));
        return clazz(client, g);
    }

    /** A page of classes (and of gone ones, when a filter asks), remembering the classes the page sends, so that their going can be told. */
    private RosterPage classPage(Client client, List<RosterDirectory.Group> groups, List<Map<String, Object>> departed, RosterQuery query) {
        Map<Map<String, Object>, RosterDirectory.Group> byView = new java.util.IdentityHashMap<>();
        List<Map<String, Object>> views = new ArrayList<>();
        for (RosterDirectory.Group g : groups) {
            Map<String, Object> view = clazz(client, g);
            byView.put(view, g);
            views.add(view);
        }
        views.addAll(departed);
        List<Map<String, Object>> matching = query.apply(views);
        List<Map<String, Object>> page = query.page(matching);
        Map<RosterDirectory.Group, String> sent = new LinkedHashMap<>();
        page.stream().map(byView::get).filter(java.util.Objects::nonNull).forEach(g -> sent.put(g, term(g).id()));
        directory.rememberClasses(client.productId(), sent);
        return new RosterPage(page.stream().map(query::select).toList(), matching.size());
    }

    /**
     * A class sent before that is gone: OneRoster's 'tobedeleted', with its sourcedId, when it went, and the references
     * it was sent with (its course, school and term); no title — the fields the binding requires are empty.
     */
    private static Map<String, Object> departedClass(Client client, RosterDirectory.DepartedClass d) {
        Map<String, Object> m = base(d.groupId().toString(), d.goneAt());
        m.put("status", "tobedeleted");
        m.put("title", "");
        m.put("course", ref(client, "courses", courseId(d.groupId()), "course"));
        m.put("school", ref(client, "schools", d.schoolId().toString(), "org"));
        m.put("terms", List.of(ref(client, "terms", d.termId(), "academicSession")));
        return m;
    }

    private Map<String, Object> clazz(Client client, RosterDirectory.Group g) {
        Map<String, Object> m = base(g.id().toString(), g.updatedAt());
        m.put("title", g.name());
        m.put("classType", "CLASS".equals(g.kind()) ? "homeroom" : "scheduled");
        m.put("grades", grades(g.grades()));
        m.put("course", ref(client, "courses", courseId(g), "course"));
        m.put("school", ref(client, "schools", g.organisationId().toString(), "org"));
        m.put("terms", List.of(ref(client, "terms", term(g).id(), "academicSession")));
        if (g.schoolForm() != null) {
            m.put("metadata", Map.of("schoolForm", g.schoolForm()));
        }
        return m;
    }

    private static List<String> grades(String grades) {
        if (grades == null || grades.isBlank()) {
            return List.of();
        }
        return List.of(grades.split("\\s*,\\s*"));
    }

    /** Each class is its own course (the directory keeps no courses): a stable id derived from the class's. */
    static String courseId(RosterDirectory.Group g) {
        return courseId(g.id());
    }

    private static String courseId(UUID classId) {
        return UUID.nameUUIDFromBytes(("tilldela-course:" + classId).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    @Transactional(readOnly = true)
    public RosterPage courses(Client client, RosterQuery query, UUID schoolId) {
        Structure s = structure(client);
        if (schoolId != null && (!s.orgs().containsKey(schoolId) || !isSchool(s.orgs().get(schoolId)))) {
            throw OneRosterError.notFound("School");
        }
        List<Map<String, Object>> all = s.groups().values().stream().filter(g -> schoolId == null || schoolId.equals(g.organisationId()))
                .map(g -> course(client, g)).toList();
        return page(all, query);
    }

    @Transactional(readOnly = true)
    public Map<String, Object> course(Client client, String id) {
        return structure(client).groups().values().stream().filter(g -> courseId(g).equals(id)).findFirst().map(g -> course(client, g))
                .orElseThrow(() -> OneRosterError.notFound("Course"));
    }

    private Map<String, Object> course(Client client, RosterDirectory.Group g) {
        Map<String, Object> m = base(courseId(g), g.updatedAt());
        m.put("title", g.name());
        m.put("courseCode", g.name()); // required by the binding; the directory keeps no course codes, and each class is its own course
        m.put("grades", grades(g.grades()));
        m.put("org", ref(client, "orgs", g.organisationId().toString(), "org"));
        return m;
    }

    /** A term: a distinct period of classes; a class without dates belongs to the school year of today (1 July to 30 June). */
    record Term(String id, LocalDate start, LocalDate end) {
    }

    static Term term(RosterDirectory.Group g) {
        LocalDate start = g.startDate(), end = g.endDate();
        if (start == null || end == null) {
            LocalDate today = LocalDate.now();
            int year = today.getMonthValue() >= 7 ? today.getYear() : today.getYear() - 1;
            start = start != null ? start : LocalDate.of(year, 7, 1);
            end = end != null ? end : LocalDate.of(year + 1, 6, 30);
        }
        String id = UUID.nameUUIDFromBytes(("tilldela-term:" + start + ":" + end).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        return new Term(id, start, end);
    }

    /** academicSessions and terms (the same here: every session is a term); a school's are those of its classes. */
    @Transactional(readOnly = true)
    public RosterPage terms(Client client, RosterQuery query, UUID schoolId) {
        Structure s = structure(client);
        if (schoolId != null && (!s.orgs().containsKey(schoolId) || !isSchool(s.orgs().get(schoolId)))) {
            throw OneRosterError.notFound("School");
        }
        Map<String, Map<String, Object>> terms = new LinkedHashMap<>();
        for (RosterDirectory.Group g : s.groups().values()) {
            if (schoolId == null || schoolId.equals(g.organisationId())) {
                Term t = term(g);
                Map<String, Object> existing = terms.get(t.id());
                Instant modified = existing == null ? g.updatedAt() : max(g.updatedAt(), Instant.parse((String) existing.get("dateLastModified")));
                terms.put(t.id(), session(t, modified));
            }
        }
        return page(new ArrayList<>(terms.values()), query);
    }

    @Transactional(readOnly = true)
    public Map<String, Object> term(Client client, String id) {
        Map<String, Object> found = null;
        for (RosterDirectory.Group g : structure(client).groups().values()) {
            Term t = term(g);
            if (t.id().equals(id)) {
                Instant modified = found == null ? g.updatedAt() : max(g.updatedAt(), Instant.parse((String) found.get("dateLastModified")));
                found = session(t, modified);
            }
        }
        if (found == null) {
            throw OneRosterError.notFound("Academic session");
        }
        return found;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private Map<String, Object> session(Term t, Instant modified) {
        Map<String, Object> m = base(t.id(), modified);
        m.put("title", t.start() + " – " + t.end());
        m.put("type", "term");
        m.put("startDate", t.start().toString());
        m.put("endDate", t.end().toString());
        m.put("schoolYear", Integer.toString(t.end().getYear()));
        m.put("children", List.of());
        return m;
    }

    // ---------------------------------------------------------------- users

    /** A user collection: all licence holders, or a school's, a class's; in a role (PUPIL, TEACHER) or any. */
    @Transactional
    public RosterPage users(Client client, RosterQuery query, RosterDirectory.PersonScope scope) {
        checkScope(client, scope);
        RosterDirectory.Holders holders = holders(client);
        Set<Attribute> needed = needed(scope);
        // a collection that tells something of its own (the role, the school, the class) counts only the persons about
        // whom that may go: X-Total-Count of /teachers would otherwise be the number of teachers under an agreement
        // that does not let roles go
        boolean collectionTells = !needed.equals(EnumSet.of(PSEUDONYMOUS_ID));
        List<RosterDirectory.Candidate> chosen;
        int total;
        if (!query.needsEveryRecord() && !collectionTells) {
            // plain paging: count and page in SQL
            total = directory.count(holders, scope);
            chosen = directory.candidates(holders, scope, query.limit(), query.offset());
        } else {
            List<RosterDirectory.Candidate> all = directory.candidates(holders, scope, null, null);
            Map<UUID, UUID> known = directory.knownPseudonyms(client.supplierId(), all.stream().map(RosterDirectory.Candidate::personId).toList());
            Map<UUID, Set<Attribute>> permitted = !collectionTells && USER_FIELDS_BEFORE_RELEASE.containsAll(query.fieldsRead()) ? null
                    : policy.permittedAll(all.stream().map(RosterDirectory.Candidate::personId).toList(), client.productId());
            Map<Map<String, Object>, RosterDirectory.Candidate> byView = new java.util.IdentityHashMap<>();
            List<Map<String, Object>> views = new ArrayList<>();
            for (RosterDirectory.Candidate c : all) {
                if (permitted != null && !permitted.getOrDefault(c.personId(), Set.of()).containsAll(needed)) {
                    continue; // would not be sent: must not be counted or matched either
                }
                Map<String, Object> view = userView(c, known.get(c.personId()), permitted == null ? null : permitted.get(c.personId()));
                byView.put(view, c);
                views.add(view);
            }
            if (permitted != null) {
                addWithheldValues(views, byView, permitted);
            }
            if (scope.schoolId() == null && scope.classId() == null && scope.personId() == null && query.filters()) {
                // a delta (dateLastModified>'…') must also tell who went: users sent before whose licence ended or who left.
                // For /students and /teachers too: which role a departed user had is no longer released, so every one of
                // them is listed there — a consumer ignores an id it does not hold, where one left out would stay for good
                directory.departed(client.supplierId(), holders).forEach(d -> views.add(departedUser(d)));
            } else if ((scope.classId() != null || scope.schoolId() != null) && scope.personId() == null && query.filters()) {
                // a class's or school's: those of them sent in an enrollment there (in the role asked for). A pupil who only
                // left the class is no user to delete: that going is told by the enrollment ('tobedeleted' in /enrollments)
                Set<UUID> enrolled = directory.pseudonymsEnrolled(client.productId(), client.supplierId(), scope.schoolId(), scope.classId(),
                        scope.role());
                directory.departed(client.supplierId(), holders).stream().filter(d -> enrolled.contains(d.pseudonym()))
                        .forEach(d -> views.add(departedUser(d)));
            }
            List<Map<String, Object>> matching = query.apply(views);
            total = matching.size();
            List<Map<String, Object>> page = query.page(matching);
            Map<UUID, Map<String, Object>> released = releaseUsers(client, page.stream().map(byView::get).filter(java.util.Objects::nonNull).toList(),
                    needed, scope);
            List<Map<String, Object>> records = new ArrayList<>();
            for (Map<String, Object> view : page) {
                RosterDirectory.Candidate c = byView.get(view);
                Map<String, Object> record = c == null ? view : released.get(c.personId());
                if (record != null) {
                    records.add(query.select(record));
                }
            }
            return new RosterPage(records, total);
        }
        return new RosterPage(releaseUsers(client, chosen, needed, scope).values().stream().map(query::select).toList(), total);
    }

    /**
     * A user the supplier was sent who is gone (licence ended, or left the directory): OneRoster's 'tobedeleted', with
     * nothing but the pseudonym it holds and when they went; the fields the binding requires are empty.
     */
    private static Map<String, Object> departedUser(RosterDirectory.Departed d) {
        Map<String, Object> m = base(d.pseudonym().toString(), d.goneAt());
        m.put("status", "tobedeleted");
        m.put("enabledUser", "false");
        m.put("givenName", "");
        m.put("familyName", "");
        m.put("roles", List.of());
        m.put("agents", List.of());
        return m;
    }

    /** A user by sourcedId (a pseudonym this supplier was sent), within a scope (a student must be a pupil, a teacher a teacher). */
    @Transactional
    public Map<String, Object> user(Client client, String sourcedId, String role, String what) {
        UUID person = pseudonymPerson(client, sourcedId).orElseThrow(() -> OneRosterError.notFound(what));
        RosterDirectory.PersonScope scope = new RosterDirectory.PersonScope(null, null, role, person);
        List<RosterDirectory.Candidate> found = directory.candidates(holders(client), scope, 1, 0);
        Map<UUID, Map<String, Object>> users = releaseUsers(client, found, needed(scope), scope);
        if (users.isEmpty()) {
            throw OneRosterError.notFound(what);
        }
        return users.values().iterator().next();
    }

    /** The classes of a user (its groups, as the release lets them go). */
    @Transactional
    public RosterPage classesOfUser(Client client, RosterQuery query, String sourcedId, String role, String what) {
        UUID person = pseudonymPerson(client, sourcedId).orElseThrow(() -> OneRosterError.notFound(what));
        RosterDirectory.PersonScope scope = new RosterDirectory.PersonScope(null, null, role, person);
        if (directory.candidates(holders(client), scope, 1, 0).isEmpty()) {
            throw OneRosterError.notFound(what);
        }
        // what goes: the pseudonym it was asked by, the groups — and, asked as a student's or a teacher's, the role (a user
        // of another role is not found, which tells it); recorded as exactly that
        Set<Attribute> sent = role == null ? EnumSet.of(PSEUDONYMOUS_ID, GROUPS) : EnumSet.of(PSEUDONYMOUS_ID, GROUPS, ROLES);
        Release release = policy.releaseOnly(List.of(person), client.productId(), Channel.ROSTER_PULL, sent, sent).getFirst();
        if (release.values().isEmpty()) {
            throw OneRosterError.notFound(what);
        }
        Set<String> groupIds = new LinkedHashSet<>();
        if (release.values().get(GROUPS) instanceof Collection<?> groups) {
            groups.forEach(g -> groupIds.add(String.valueOf(((Map<?, ?>) g).get("id"))));
        }
        Structure s = structure(client);
        return classPage(client, s.groups().values().stream().filter(g -> groupIds.contains(g.id().toString())).toList(), List.of(), query);
    }

    private Optional<UUID> pseudonymPerson(Client client, String sourcedId) {
        try {
            return directory.personOf(client.supplierId(), UUID.fromString(sourcedId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void checkScope(Client client, RosterDirectory.PersonScope scope) {
        if (scope.schoolId() == null && scope.classId() == null) {
            return;
        }
        Structure s = structure(client);
        if (scope.schoolId() != null && (!s.orgs().containsKey(scope.schoolId()) || !isSchool(s.orgs().get(scope.schoolId())))) {
            throw OneRosterError.notFound("School");
        }
        if (scope.classId() != null && (!s.groups().containsKey(scope.classId())
                || (scope.schoolId() != null && !scope.schoolId().equals(s.groups().get(scope.classId()).organisationId())))) {
            throw OneRosterError.notFound("Class");
        }
    }

    /** What must go about a person for them to appear in a collection: their pseudonym, and what the collection itself tells. */
    private static Set<Attribute> needed(RosterDirectory.PersonScope scope) {
        Set<Attribute> needed = EnumSet.of(PSEUDONYMOUS_ID);
        if (scope.role() != null) {
            needed.add(ROLES);
        }
        if (scope.schoolId() != null) {
            needed.add(SCHOOL_UNIT);
        }
        if (scope.classId() != null) {
            needed.add(GROUPS);
        }
        return needed;
    }

    /** What filter and sort may see of a licence holder before any release: ids, dates, roles; and withheld values as absent. */
    private static Map<String, Object> userView(RosterDirectory.Candidate c, UUID pseudonym, Set<Attribute> permitted) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (pseudonym != null) {
            m.put("sourcedId", pseudonym.toString());
        }
        m.put("status", "active");
        m.put("dateLastModified", timestamp(c.updatedAt()));
        m.put("enabledUser", "true"); // the binding's enabledUser is the string "true"/"false"
        if (permitted == null || permitted.contains(ROLES)) {
            m.put("roles", c.roles().stream().map(r -> Map.<String, Object>of("role", role(r))).toList());
        }
        return m;
    }

    /**
     * Filters on values only a release would show (names, e-mail, grades, …) see them only where the release
     * policy lets them go: decided names-only for every candidate, then the values of exactly those attributes
     * read for matching and sorting here — they leave only through the release of the page.
     */
    private void addWithheldValues(List<Map<String, Object>> views, Map<Map<String, Object>, RosterDirectory.Candidate> byView,
                                   Map<UUID, Set<Attribute>> permitted) {
        List<UUID> ids = views.stream().map(v -> byView.get(v).personId()).toList();
        Map<UUID, Map<String, Object>> values = matchingValues(ids);
        for (Map<String, Object> view : views) {
            UUID id = byView.get(view).personId();
            Set<Attribute> allowed = permitted.getOrDefault(id, Set.of());
            Map<String, Object> v = values.getOrDefault(id, Map.of());
            putIf(view, "givenName", allowed.contains(GIVEN_NAME), v.get("givenName"));
            putIf(view, "familyName", allowed.contains(FAMILY_NAME), v.get("familyName"));
            putIf(view, "email", allowed.contains(EMAIL), v.get("email"));
            putIf(view, "grades", allowed.contains(GRADE), v.get("grades"));
        }
    }

    private static void putIf(Map<String, Object> view, String field, boolean allowed, Object value) {
        if (allowed && value != null) {
            view.put(field, value);
        }
    }

    private Map<UUID, Map<String, Object>> matchingValues(List<UUID> ids) {
        return directory.matchingValues(ids.toArray(UUID[]::new));
    }

    /**
     * Releases the chosen in one batch — decided once: a person about whom not all the collection needs may go gets
     * an empty release and is left out, recorded nowhere — and maps the releases to OneRoster users.
     */
    private Map<UUID, Map<String, Object>> releaseUsers(Client client, List<RosterDirectory.Candidate> chosen, Set<Attribute> needed,
                                                        RosterDirectory.PersonScope scope) {
        if (chosen.isEmpty()) {
            return Map.of();
        }
        List<Release> releases = policy.releaseAll(chosen.stream().map(RosterDirectory.Candidate::personId).toList(), client.productId(),
                Channel.ROSTER_PULL, needed);
        Map<UUID, UUID> pseudonyms = new LinkedHashMap<>();
        Map<UUID, Map<String, Object>> users = new LinkedHashMap<>();
        for (int i = 0; i < releases.size(); i++) {
            Release r = releases.get(i);
            Object pseudonym = r.values().get(PSEUDONYMOUS_ID);
            if (pseudonym == null) {
                continue; // nothing may go, or not all the collection needs
            }
            pseudonyms.put(r.personId(), UUID.fromString(pseudonym.toString()));
            users.put(r.personId(), user(client, r, chosen.get(i)));
        }
        directory.rememberPseudonyms(client.supplierId(), pseudonyms);
        return users;
    }

    /** A OneRoster user made of one release: every released attribute, nothing else about the person. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> user(Client client, Release r, RosterDirectory.Candidate c) {
        Map<Attribute, Object> v = r.values();
        Map<String, Object> m = base(v.get(PSEUDONYMOUS_ID).toString(), c.updatedAt());
        m.put("enabledUser", "true"); // the binding's enabledUser is the string "true"/"false"
        // required by the binding; empty where the release withholds the name (e.g. a protected identity)
        m.put("givenName", v.getOrDefault(GIVEN_NAME, ""));
        m.put("familyName", v.getOrDefault(FAMILY_NAME, ""));
        if (v.containsKey(EMAIL)) {
            m.put("email", v.get(EMAIL));
        }
        if (v.containsKey(CIVIC_NUMBER)) {
            m.put("identifier", v.get(CIVIC_NUMBER));
        }
        if (v.containsKey(PHONE)) {
            m.put("phone", v.get(PHONE));
        }
        if (v.containsKey(GRADE)) {
            m.put("grades", v.get(GRADE));
        }
        List<Map<String, Object>> orgs = new ArrayList<>();
        if (v.get(SCHOOL_UNIT) instanceof List<?> units) {
            units.forEach(u -> orgs.add(ref(client, "schools", String.valueOf(((Map<String, Object>) u).get("id")), "org")));
        }
        if (orgs.isEmpty() && v.get(ORGANISATION) instanceof List<?> organisers) {
            organisers.forEach(o -> orgs.add(ref(client, "orgs", String.valueOf(((Map<String, Object>) o).get("id")), "org")));
        }
        List<Map<String, Object>> roles = new ArrayList<>();
        if (v.get(ROLES) instanceof Collection<?> held) {
            boolean primary = true;
            for (Object role : held) {
                for (Map<String, Object> org : orgs) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("roleType", primary ? "primary" : "secondary");
                    entry.put("role", role(String.valueOf(role)));
                    entry.put("org", org);
                    roles.add(entry);
                    primary = false;
                }
            }
        }
        m.put("roles", roles);
        if (!orgs.isEmpty()) {
            m.put("primaryOrg", orgs.getFirst());
        }
        // required by the binding; guardians only as this supplier's pseudonyms of them, where the release lets them go
        m.put("agents", v.get(GUARDIAN_LINKS) instanceof Collection<?> guardians
                ? guardians.stream().map(g -> ref(client, "users", String.valueOf(g), "user")).toList() : List.of());
        // what OneRoster has no field for goes in metadata, so that what the ledger records is what was sent
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (v.get(GROUPS) instanceof Collection<?> groups) {
            metadata.put("tilldela.classes", groups.stream().map(g -> ref(client, "classes", String.valueOf(((Map<String, Object>) g).get("id")), "class"))
                    .toList());
        }
        if (v.get(ORGANISATION) instanceof List<?> organisers) {
            metadata.put("tilldela.organisers", organisers.stream().map(o -> ref(client, "orgs", String.valueOf(((Map<String, Object>) o).get("id")), "org"))
                    .toList());
        }
        if (v.containsKey(PROTECTION_FLAG)) {
            metadata.put("tilldela.protectedIdentity", v.get(PROTECTION_FLAG));
        }
        if (!metadata.isEmpty()) {
            m.put("metadata", metadata);
        }
        return m;
    }

    /** Tilldela's roles in OneRoster 1.2's vocabulary; others as extensions (ext:…), as the binding allows. */
    static String role(String role) {
        return switch (role) {
            case "PUPIL" -> "student";
            case "TEACHER" -> "teacher";
            case "PRINCIPAL" -> "principal";
            case "AIDE" -> "aide";
            case "COUNSELLOR" -> "counselor";
            case "PROCTOR" -> "proctor";
            case "GUARDIAN" -> "guardian";
            case "ADMINISTRATOR" -> "siteAdministrator";
            default -> "ext:" + role.toLowerCase(java.util.Locale.ROOT);
        };
    }

    // ---------------------------------------------------------------- enrollments

    /**
     * Enrollments (group memberships) of licence holders: all, a school's, a class's. With a filter (a delta,
     * {@code dateLastModified>'…'}, or {@code status='tobedeleted'}) also the enrollments sent before that are gone —
     * the pupil left the class, the class went, the licence ended — as 'tobedeleted', as {@link #users} does for users;
     * the plain collection lists only the enrollments there are.
     */
    @Transactional
    public RosterPage enrollments(Client client, RosterQuery query, UUID schoolId, UUID classId) {
        checkScope(client, new RosterDirectory.PersonScope(schoolId, classId, null, null));
        RosterDirectory.Holders holders = holders(client);
        if (!query.needsEveryRecord()) {
            // plain paging in SQL over the enrollments that may go, and the total of those: counting every membership would
            // tell how many a protected person, or an agreement without roles, withholds — and paging over all of them
            // beside such a total would end before the last page
            Map<UUID, Integer> perPerson = directory.membershipsPerPerson(holders, schoolId, classId);
            Map<UUID, Set<Attribute>> permitted = policy.permittedAll(perPerson.keySet(), client.productId());
            UUID[] sendable = perPerson.keySet().stream().filter(p -> permitted.getOrDefault(p, Set.of()).containsAll(ENROLLMENT_SENT)).toArray(UUID[]::new);
            int total = java.util.Arrays.stream(sendable).mapToInt(perPerson::get).sum();
            List<RosterDirectory.Membership> chosen = directory.memberships(holders, schoolId, classId, sendable, query.limit(), query.offset());
            return new RosterPage(releaseEnrollments(client, chosen).values().stream().map(query::select).toList(), total);
        }
        List<RosterDirectory.Membership> all = directory.memberships(holders, schoolId, classId, null, null);
        List<UUID> persons = all.stream().map(RosterDirectory.Membership::personId).distinct().toList();
        Map<UUID, UUID> known = directory.knownPseudonyms(client.supplierId(), persons);
        // an enrollment that would not be sent (releaseEnrollments) must not be matched or counted either: a filter on
        // the role would count a school's teachers for an agreement that does not let roles go
        Map<UUID, Set<Attribute>> permitted = policy.permittedAll(persons, client.productId());
        Map<Map<String, Object>, RosterDirectory.Membership> byView = new java.util.IdentityHashMap<>();
        List<Map<String, Object>> views = new ArrayList<>();
        for (RosterDirectory.Membership m : all) {
            if (!permitted.getOrDefault(m.personId(), Set.of()).containsAll(ENROLLMENT_SENT)) {
                continue;
            }
            UUID pseudonym = known.get(m.personId());
            Map<String, Object> view = enrollment(client, m, pseudonym == null ? null : pseudonym.toString());
            byView.put(view, m);
            views.add(view);
        }
        if (query.filters()) {
            directory.departedEnrollments(client.supplierId(), holders, schoolId, classId).forEach(d -> views.add(departedEnrollment(client, d)));
        }
        List<Map<String, Object>> matching = query.apply(views);
        List<Map<String, Object>> page = query.page(matching);
        Map<UUID, Map<String, Object>> released = releaseEnrollments(client, page.stream().map(byView::get).filter(java.util.Objects::nonNull).toList());
        List<Map<String, Object>> records = new ArrayList<>();
        for (Map<String, Object> view : page) {
            RosterDirectory.Membership m = byView.get(view);
            Map<String, Object> record = m == null ? view : released.get(m.id());
            if (record != null) {
                records.add(query.select(record));
            }
        }
        return new RosterPage(records, matching.size());
    }

    @Transactional
    public Map<String, Object> enrollment(Client client, String id) {
        List<RosterDirectory.Membership> found = directory.memberships(holders(client), null, null, null, null).stream()
                .filter(m -> enrollmentId(client, m).equals(id)).toList();
        Map<UUID, Map<String, Object>> released = releaseEnrollments(client, found);
        if (released.isEmpty()) {
            throw OneRosterError.notFound("Enrollment");
        }
        return released.values().iterator().next();
    }

    /**
     * Releases the persons of a page of memberships in one batch; answers the enrollments whose groups went, by
     * membership, in the page's order, and remembers them as sent (so that their going can be told).
     */
    private Map<UUID, Map<String, Object>> releaseEnrollments(Client client, List<RosterDirectory.Membership> chosen) {
        if (chosen.isEmpty()) {
            return Map.of();
        }
        List<UUID> persons = chosen.stream().map(RosterDirectory.Membership::personId).distinct().toList();
        Map<UUID, Release> releases = new HashMap<>();
        // an enrollment tells the user's pseudonym, the class and the role in it: only where all three may go, and the
        // ledger records those three, not everything the person's own release would carry
        policy.releaseOnly(persons, client.productId(), Channel.ROSTER_PULL, ENROLLMENT_SENT, ENROLLMENT_SENT).forEach(r -> releases.put(r.personId(), r));
        Map<UUID, UUID> pseudonyms = new LinkedHashMap<>();
        Map<UUID, Map<String, Object>> records = new LinkedHashMap<>();
        List<RosterDirectory.Membership> sent = new ArrayList<>();
        for (RosterDirectory.Membership m : chosen) {
            Release r = releases.get(m.personId());
            if (r == null || r.values().get(PSEUDONYMOUS_ID) == null || !(r.values().get(GROUPS) instanceof Collection<?> groups)
                    || groups.stream().noneMatch(g -> m.groupId().toString().equals(String.valueOf(((Map<?, ?>) g).get("id"))))) {
                continue;
            }
            String pseudonym = r.values().get(PSEUDONYMOUS_ID).toString();
            pseudonyms.put(m.personId(), UUID.fromString(pseudonym));
            records.put(m.id(), enrollment(client, m, pseudonym));
            sent.add(m);
        }
        directory.rememberPseudonyms(client.supplierId(), pseudonyms);
        directory.rememberEnrollments(client.productId(), sent);
        return records;
    }

    /**
     * An enrollment sent before that is gone: OneRoster's 'tobedeleted', with its sourcedId, when it went, and only what
     * it was sent with (the user's pseudonym, the class, the school, the role); nothing about the person beyond that.
     */
    private static Map<String, Object> departedEnrollment(Client client, RosterDirectory.DepartedEnrollment d) {
        Map<String, Object> e = base(enrollmentId(client, d.membershipId()), d.goneAt());
        e.put("status", "tobedeleted");
        e.put("user", ref(client, "users", d.pseudonym().toString(), "user"));
        e.put("class", ref(client, "classes", d.groupId().toString(), "class"));
        e.put("school", ref(client, "schools", d.schoolId().toString(), "org"));
        e.put("role", enrollmentRole(d.role()));
        return e;
    }

    /** An enrollment's id, pairwise per supplier (made from the supplier and the membership, like a pseudonym). */
    static String enrollmentId(Client client, RosterDirectory.Membership m) {
        return enrollmentId(client, m.id());
    }

    private static String enrollmentId(Client client, UUID membershipId) {
        ByteBuffer b = ByteBuffer.allocate(48).put("tilldela-enrollment:".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 16);
        b.putLong(client.supplierId().getMostSignificantBits()).putLong(client.supplierId().getLeastSignificantBits());
        b.putLong(membershipId.getMostSignificantBits()).putLong(membershipId.getLeastSignificantBits());
        return UUID.nameUUIDFromBytes(b.array()).toString();
    }

    private Map<String, Object> enrollment(Client client, RosterDirectory.Membership m, String userSourcedId) {
        Map<String, Object> e = base(enrollmentId(client, m), m.updatedAt());
        if (userSourcedId != null) {
            e.put("user", ref(client, "users", userSourcedId, "user"));
        }
        e.put("class", ref(client, "classes", m.groupId().toString(), "class"));
        e.put("school", ref(client, "schools", m.schoolId().toString(), "org"));
        e.put("role", enrollmentRole(m.role()));
        e.put("primary", "false"); // a string in the binding
        if (m.startDate() != null) {
            e.put("beginDate", m.startDate().toString());
        }
        if (m.endDate() != null) {
            e.put("endDate", m.endDate().toString());
        }
        return e;
    }

    /** An enrollment's roles are administrator, proctor, student, teacher; others as extensions. */
    private static String enrollmentRole(String role) {
        return switch (role) {
            case "PUPIL" -> "student";
            case "TEACHER" -> "teacher";
            case "PROCTOR" -> "proctor";
            case "AIDE" -> "ext:aide";
            default -> "administrator";
        };
    }

    // ---------------------------------------------------------------- shared

    private static RosterPage page(List<Map<String, Object>> all, RosterQuery query) {
        List<Map<String, Object>> matching = query.apply(all);
        return new RosterPage(query.page(matching).stream().map(query::select).toList(), matching.size());
    }

    private static Map<String, Object> base(String sourcedId, Instant modified) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sourcedId", sourcedId);
        m.put("status", "active");
        m.put("dateLastModified", timestamp(modified));
        return m;
    }

    static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC).toInstant());
    }

    /** A GUIDRef: where the object is, its id, its type. */
    private static Map<String, Object> ref(Client client, String collection, String sourcedId, String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("href", client.baseUrl() + BASE + "/" + collection + "/" + sourcedId);
        r.put("sourcedId", sourcedId);
        r.put("type", type);
        return r;
    }
}
