package org.tilldela.purchase;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.datafaker.Faker;
import org.tilldela.TestFiles;

/**
 * A small synthetic municipality as a OneRoster 1.1 CSV package (the column headers of the directory's
 * own test package), mutable so a test can import a "next day" in which a pupil changed class. One
 * organiser (org-0) with a compulsory school (org-1: classes 7A, 7B, 8A) and another school (org-2:
 * class 9A). Pupils p1–p4 in 7A (p1 with protected identity), p5–p7 in 7B, p8–p9 in 8A, p10–p11 in 9A;
 * teacher t1 teaches 7A and 7B at org-1, t2 teaches 9A at org-2. Names are Datafaker's (Swedish).
 */
final class Municipality {

    record Org(String id, String name, String type, String identifier, String parent, String schoolForms) {
    }

    record Klass(String id, String title, String school, String grade) {
    }

    record User(String id, String role, String org, String givenName, String familyName, String grade, String marking) {
    }

    record Enrollment(String classId, String school, String user, String role) {
    }

    static final List<String> ORGS_HEADER = List.of("sourcedId", "status", "dateLastModified", "name", "type", "identifier",
            "parentSourcedId", "metadata.schoolForms", "metadata.municipalityCode");
    static final List<String> CLASSES_HEADER = List.of("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
            "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
            "metadata.schoolForm", "metadata.groupType");
    static final List<String> USERS_HEADER = List.of("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
            "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
            "grades", "password", "metadata.securityMarking", "metadata.schoolForm");
    static final List<String> ENROLLMENTS_HEADER = List.of("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
            "userSourcedId", "role", "primary", "beginDate", "endDate");

    final String tag;
    final List<Org> orgs = new ArrayList<>();
    final List<Klass> classes = new ArrayList<>();
    final List<User> users = new ArrayList<>();
    final List<Enrollment> enrollments = new ArrayList<>();

    Municipality(String tag) {
        this.tag = tag;
        Faker faker = new Faker(Locale.of("sv", "SE"), new Random(tag.hashCode()));
        orgs.add(new Org("org-0", "Provby kommun " + tag, "district", "", "", ""));
        orgs.add(new Org("org-1", "Ekbackaskolan " + tag, "school", "1" + Math.abs(tag.hashCode() % 10_000_000), "org-0", "GR"));
        orgs.add(new Org("org-2", "Björkskolan " + tag, "school", "2" + Math.abs(tag.hashCode() % 10_000_000), "org-0", "GR"));
        classes.add(new Klass("c-7a", "7A", "org-1", "07"));
        classes.add(new Klass("c-7b", "7B", "org-1", "07"));
        classes.add(new Klass("c-8a", "8A", "org-1", "08"));
        classes.add(new Klass("c-9a", "9A", "org-2", "09"));
        String[][] pupils = {{"p1", "c-7a"}, {"p2", "c-7a"}, {"p3", "c-7a"}, {"p4", "c-7a"}, {"p5", "c-7b"}, {"p6", "c-7b"}, {"p7", "c-7b"},
                {"p8", "c-8a"}, {"p9", "c-8a"}, {"p10", "c-9a"}, {"p11", "c-9a"}};
        for (String[] p : pupils) {
            Klass k = klass(p[1]);
            users.add(new User(p[0], "student", k.school(), faker.name().firstName(), faker.name().lastName(), k.grade(),
                    p[0].equals("p1") ? "Skyddad folkbokföring" : "Ingen"));
            enrollments.add(new Enrollment(p[1], k.school(), p[0], "student"));
        }
        users.add(new User("t1", "teacher", "org-1", faker.name().firstName(), faker.name().lastName(), "", ""));
        users.add(new User("t2", "teacher", "org-2", faker.name().firstName(), faker.name().lastName(), "", ""));
        enrollments.add(new Enrollment("c-7a", "org-1", "t1", "teacher"));
        enrollments.add(new Enrollment("c-7b", "org-1", "t1", "teacher"));
        enrollments.add(new Enrollment("c-9a", "org-2", "t2", "teacher"));
    }

    Klass klass(String id) {
        return classes.stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    User user(String id) {
        return users.stream().filter(u -> u.id().equals(id)).findFirst().orElseThrow();
    }

    /** Moves a pupil to another class at the same school (a mover in the next import). */
    void move(String pupil, String toClass) {
        Klass to = klass(toClass);
        enrollments.removeIf(e -> e.user().equals(pupil));
        enrollments.add(new Enrollment(toClass, to.school(), pupil, "student"));
        users.replaceAll(u -> u.id().equals(pupil) ? new User(u.id(), u.role(), to.school(), u.givenName(), u.familyName(), to.grade(), u.marking()) : u);
    }

    Path write(Path file) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.csv", TestFiles.csv(List.of("propertyName", "value"), List.of(List.of("manifest.version", "1.0"), List.of("oneroster.version", "1.1"),
                List.of("file.academicSessions", "absent"), List.of("file.categories", "absent"), List.of("file.classes", "bulk"),
                List.of("file.classResources", "absent"), List.of("file.courses", "absent"), List.of("file.demographics", "absent"),
                List.of("file.enrollments", "bulk"), List.of("file.orgs", "bulk"), List.of("file.users", "bulk"),
                List.of("source.systemName", "Tilldela purchase test"))));
        files.put("orgs.csv", TestFiles.csv(ORGS_HEADER, orgs.stream().map(o -> List.of(o.id(), "active", "2026-08-01", o.name(), o.type(), o.identifier(),
                o.parent(), o.schoolForms(), "1980")).toList()));
        files.put("classes.csv", TestFiles.csv(CLASSES_HEADER, classes.stream().map(k -> List.of(k.id(), "active", "2026-08-01", k.title(), k.grade(), "", "",
                "homeroom", "", k.school(), "", "", "", "", "GR", "CLASS")).toList()));
        files.put("users.csv", TestFiles.csv(USERS_HEADER, users.stream().map(u -> List.of(u.id(), "active", "2026-08-01", "true", u.org(), u.role(),
                (u.id() + "." + tag).toLowerCase(), "", u.givenName(), u.familyName(), "", "", u.id() + "." + tag + "@example.org", "", "", "",
                u.grade(), "", u.marking(), u.role().equals("student") ? "GR" : "")).toList()));
        files.put("enrollments.csv", TestFiles.csv(ENROLLMENTS_HEADER, enrollments.stream().map(e -> List.of("e-" + e.user() + "-" + e.classId(), "active",
                "2026-08-01", e.classId(), e.school(), e.user(), e.role(), "false", "2026-08-15", "")).toList()));
        return TestFiles.zip(file, files);
    }

}
