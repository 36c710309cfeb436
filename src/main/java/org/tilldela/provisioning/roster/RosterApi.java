package org.tilldela.provisioning.roster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.tilldela.provisioning.roster.RosterDirectory.PersonScope;
import org.tilldela.sso.SignInClients;

/**
 * The OneRoster 1.2 rostering service's read endpoints (REST/JSON binding), for a product's roster client.
 * Collections answer {@code {"<collection>": [...]}} with {@code X-Total-Count} and RFC 8288 {@code Link}
 * headers (first, prev, next, last); single objects {@code {"<object>": {...}}}; refusals the imsx status
 * payload. Which scope each endpoint needs is set in {@link RosterSecurity}.
 */
@RestController
@RequestMapping(Roster.BASE)
@PreAuthorize("hasAnyAuthority('SCOPE_https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',"
        + "'SCOPE_https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',"
        + "'SCOPE_https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly')")
class RosterApi {

    private static final String PUPIL = "PUPIL", TEACHER = "TEACHER";

    private final Roster roster;
    private final SignInClients clients;

    RosterApi(Roster roster, SignInClients clients) {
        this.roster = roster;
        this.clients = clients;
    }

    private Roster.Client client(Authentication token) {
        UUID product = clients.productOf(token.getName()).orElseThrow(() -> new OneRosterError(HttpStatus.FORBIDDEN, "forbidden",
                "The client is bound to no product."));
        return roster.client(product, ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString());
    }

    // orgs and schools

    @GetMapping("/orgs")
    ResponseEntity<Map<String, Object>> orgs(@RequestParam Map<String, String> p, Authentication t) {
        return list("orgs", roster.orgs(client(t), RosterQuery.of(p, Roster.ORG_FIELDS), o -> true), p);
    }

    @GetMapping("/orgs/{id}")
    Map<String, Object> org(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("org", roster.org(client(t), uuid(id, "Org"), false), p, Roster.ORG_FIELDS);
    }

    @GetMapping("/schools")
    ResponseEntity<Map<String, Object>> schools(@RequestParam Map<String, String> p, Authentication t) {
        return list("orgs", roster.orgs(client(t), RosterQuery.of(p, Roster.ORG_FIELDS), Roster::isSchool), p);
    }

    @GetMapping("/schools/{id}")
    Map<String, Object> school(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("org", roster.org(client(t), uuid(id, "School"), true), p, Roster.ORG_FIELDS);
    }

    @GetMapping("/schools/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classes(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), uuid(id, "School"), null, null), p);
    }

    @GetMapping("/schools/{id}/courses")
    ResponseEntity<Map<String, Object>> coursesOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("courses", roster.courses(client(t), RosterQuery.of(p, Roster.COURSE_FIELDS), uuid(id, "School")), p);
    }

    @GetMapping("/schools/{id}/terms")
    ResponseEntity<Map<String, Object>> termsOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("academicSessions", roster.terms(client(t), RosterQuery.of(p, Roster.SESSION_FIELDS), uuid(id, "School")), p);
    }

    @GetMapping("/schools/{id}/enrollments")
    ResponseEntity<Map<String, Object>> enrollmentsOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("enrollments", roster.enrollments(client(t), RosterQuery.of(p, Roster.ENROLLMENT_FIELDS), uuid(id, "School"), null), p);
    }

    @GetMapping("/schools/{id}/students")
    ResponseEntity<Map<String, Object>> studentsOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(uuid(id, "School"), null, PUPIL, null));
    }

    @GetMapping("/schools/{id}/teachers")
    ResponseEntity<Map<String, Object>> teachersOfSchool(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(uuid(id, "School"), null, TEACHER, null));
    }

    @GetMapping("/schools/{id}/classes/{classId}/enrollments")
    ResponseEntity<Map<String, Object>> enrollmentsOfClassInSchool(@PathVariable String id, @PathVariable String classId,
                                                                   @RequestParam Map<String, String> p, Authentication t) {
        return list("enrollments", roster.enrollments(client(t), RosterQuery.of(p, Roster.ENROLLMENT_FIELDS), uuid(id, "School"),
                uuid(classId, "Class")), p);
    }

    @GetMapping("/schools/{id}/classes/{classId}/students")
    ResponseEntity<Map<String, Object>> studentsOfClassInSchool(@PathVariable String id, @PathVariable String classId,
                                                                @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(uuid(id, "School"), uuid(classId, "Class"), PUPIL, null));
    }

    @GetMapping("/schools/{id}/classes/{classId}/teachers")
    ResponseEntity<Map<String, Object>> teachersOfClassInSchool(@PathVariable String id, @PathVariable String classId,
                                                                @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(uuid(id, "School"), uuid(classId, "Class"), TEACHER, null));
    }

    // classes, courses, sessions

    @GetMapping("/classes")
    ResponseEntity<Map<String, Object>> classes(@RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classes(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), null, null, null), p);
    }

    @GetMapping("/classes/{id}")
    Map<String, Object> clazz(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("class", roster.clazz(client(t), uuid(id, "Class")), p, Roster.CLASS_FIELDS);
    }

    @GetMapping("/classes/{id}/students")
    ResponseEntity<Map<String, Object>> studentsOfClass(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(null, uuid(id, "Class"), PUPIL, null));
    }

    @GetMapping("/classes/{id}/teachers")
    ResponseEntity<Map<String, Object>> teachersOfClass(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(null, uuid(id, "Class"), TEACHER, null));
    }

    @GetMapping("/courses")
    ResponseEntity<Map<String, Object>> courses(@RequestParam Map<String, String> p, Authentication t) {
        return list("courses", roster.courses(client(t), RosterQuery.of(p, Roster.COURSE_FIELDS), null), p);
    }

    @GetMapping("/courses/{id}")
    Map<String, Object> course(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("course", roster.course(client(t), id), p, Roster.COURSE_FIELDS);
    }

    @GetMapping("/courses/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfCourse(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classes(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), null, id, null), p);
    }

    @GetMapping("/academicSessions")
    ResponseEntity<Map<String, Object>> academicSessions(@RequestParam Map<String, String> p, Authentication t) {
        return list("academicSessions", roster.terms(client(t), RosterQuery.of(p, Roster.SESSION_FIELDS), null), p);
    }

    @GetMapping("/academicSessions/{id}")
    Map<String, Object> academicSession(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("academicSession", roster.term(client(t), id), p, Roster.SESSION_FIELDS);
    }

    @GetMapping("/terms")
    ResponseEntity<Map<String, Object>> terms(@RequestParam Map<String, String> p, Authentication t) {
        return list("academicSessions", roster.terms(client(t), RosterQuery.of(p, Roster.SESSION_FIELDS), null), p);
    }

    @GetMapping("/terms/{id}")
    Map<String, Object> term(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return one("academicSession", roster.term(client(t), id), p, Roster.SESSION_FIELDS);
    }

    @GetMapping("/terms/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfTerm(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classes(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), null, null, id), p);
    }

    /** The directory keeps no grading periods: an empty collection, and none to find. */
    @GetMapping("/gradingPeriods")
    ResponseEntity<Map<String, Object>> gradingPeriods(@RequestParam Map<String, String> p, Authentication t) {
        RosterQuery.of(p, Roster.SESSION_FIELDS);
        return list("academicSessions", new RosterPage(List.of(), 0), p);
    }

    @GetMapping("/gradingPeriods/{id}")
    Map<String, Object> gradingPeriod(@PathVariable String id) {
        throw OneRosterError.notFound("Grading period");
    }

    @GetMapping("/terms/{id}/gradingPeriods")
    ResponseEntity<Map<String, Object>> gradingPeriodsOfTerm(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        roster.term(client(t), id);
        RosterQuery.of(p, Roster.SESSION_FIELDS);
        return list("academicSessions", new RosterPage(List.of(), 0), p);
    }

    // users, students, teachers

    @GetMapping("/users")
    ResponseEntity<Map<String, Object>> users(@RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, PersonScope.all());
    }

    @GetMapping("/users/{id}")
    Map<String, Object> user(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        RosterQuery query = RosterQuery.of(p, Roster.USER_FIELDS);
        return Map.of("user", query.select(roster.user(client(t), id, null, "User")));
    }

    @GetMapping("/users/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfUser(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classesOfUser(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), id, null, "User"), p);
    }

    @GetMapping("/students")
    ResponseEntity<Map<String, Object>> students(@RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(null, null, PUPIL, null));
    }

    @GetMapping("/students/{id}")
    Map<String, Object> student(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        RosterQuery query = RosterQuery.of(p, Roster.USER_FIELDS);
        return Map.of("user", query.select(roster.user(client(t), id, PUPIL, "Student")));
    }

    @GetMapping("/students/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfStudent(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classesOfUser(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), id, PUPIL, "Student"), p);
    }

    @GetMapping("/teachers")
    ResponseEntity<Map<String, Object>> teachers(@RequestParam Map<String, String> p, Authentication t) {
        return users(p, t, new PersonScope(null, null, TEACHER, null));
    }

    @GetMapping("/teachers/{id}")
    Map<String, Object> teacher(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        RosterQuery query = RosterQuery.of(p, Roster.USER_FIELDS);
        return Map.of("user", query.select(roster.user(client(t), id, TEACHER, "Teacher")));
    }

    @GetMapping("/teachers/{id}/classes")
    ResponseEntity<Map<String, Object>> classesOfTeacher(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        return list("classes", roster.classesOfUser(client(t), RosterQuery.of(p, Roster.CLASS_FIELDS), id, TEACHER, "Teacher"), p);
    }

    // enrollments

    @GetMapping("/enrollments")
    ResponseEntity<Map<String, Object>> enrollments(@RequestParam Map<String, String> p, Authentication t) {
        return list("enrollments", roster.enrollments(client(t), RosterQuery.of(p, Roster.ENROLLMENT_FIELDS), null, null), p);
    }

    @GetMapping("/enrollments/{id}")
    Map<String, Object> enrollment(@PathVariable String id, @RequestParam Map<String, String> p, Authentication t) {
        RosterQuery query = RosterQuery.of(p, Roster.ENROLLMENT_FIELDS);
        return Map.of("enrollment", query.select(roster.enrollment(client(t), id)));
    }

    // demographics: Tilldela holds none (no birth dates, sex or ethnicity reach a supplier through it)

    @GetMapping("/demographics")
    ResponseEntity<Map<String, Object>> demographics(@RequestParam Map<String, String> p) {
        RosterQuery.of(p, Roster.DEMOGRAPHICS_FIELDS);
        return list("demographics", new RosterPage(List.of(), 0), p);
    }

    @GetMapping("/demographics/{id}")
    Map<String, Object> demographic(@PathVariable String id) {
        throw OneRosterError.notFound("Demographics");
    }

    /** A single object, its fields selected ({@code fields}, checked before anything is read). */
    private static Map<String, Object> one(String name, Map<String, Object> record, Map<String, String> p, java.util.Set<String> fields) {
        return Map.of(name, RosterQuery.of(p, fields).select(record));
    }

    private ResponseEntity<Map<String, Object>> users(Map<String, String> p, Authentication t, PersonScope scope) {
        return list("users", roster.users(client(t), RosterQuery.of(p, Roster.USER_FIELDS), scope), p);
    }

    /** A collection with its total and RFC 8288 links to the first, previous, next and last pages. */
    private static ResponseEntity<Map<String, Object>> list(String name, RosterPage page, Map<String, String> params) {
        int limit = Math.min(RosterQuery.MAX_LIMIT, Math.max(1, parse(params.get("limit"), RosterQuery.DEFAULT_LIMIT)));
        int offset = Math.max(0, parse(params.get("offset"), 0));
        HttpHeaders headers = new HttpHeaders();
        headers.set("X-Total-Count", Integer.toString(page.total()));
        StringBuilder links = new StringBuilder();
        link(links, "first", 0, limit);
        if (offset > 0) {
            link(links, "prev", Math.max(0, offset - limit), limit);
        }
        if (offset + limit < page.total()) {
            link(links, "next", offset + limit, limit);
        }
        link(links, "last", page.total() == 0 ? 0 : ((page.total() - 1) / limit) * limit, limit);
        headers.set(HttpHeaders.LINK, links.toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(name, page.records());
        return ResponseEntity.ok().headers(headers).body(body);
    }

    private static void link(StringBuilder links, String rel, int offset, int limit) {
        String uri = ServletUriComponentsBuilder.fromCurrentRequest().replaceQueryParam("offset", offset).replaceQueryParam("limit", limit)
                .build().toUriString();
        if (!links.isEmpty()) {
            links.append(", ");
        }
        links.append('<').append(uri).append(">; rel=\"").append(rel).append('"');
    }

    private static int parse(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static UUID uuid(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw OneRosterError.notFound(what);
        }
    }

    @ExceptionHandler(OneRosterError.class)
    ResponseEntity<Map<String, Object>> refused(OneRosterError e) {
        return ResponseEntity.status(e.status()).body(e.payload());
    }
}
