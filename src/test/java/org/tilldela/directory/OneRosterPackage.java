package org.tilldela.directory;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.tilldela.TestFiles;

/**
 * A small, entirely synthetic municipality as a OneRoster CSV package, written as 1.1 (users.csv with
 * role and orgSourcedIds) or 1.2 (roles.csv), mutable so that tests can make a "next day" snapshot or a
 * broken one. Files come out as text (for tests to damage) and are zipped on request.
 */
final class OneRosterPackage {

    record Org(String id, String name, String type, String identifier, String parent, String schoolForms, String municipalityCode) {
    }

    record Klass(String id, String title, String classType, String school, String grades, String schoolForm, String groupType) {
        Klass withTitle(String newTitle) {
            return new Klass(id, newTitle, classType, school, grades, schoolForm, groupType);
        }
    }

    /** {@code role} is OneRoster 1.1's; {@code orgs} and {@code agents} are comma-separated source ids. */
    record User(String id, String role, String orgs, String givenName, String familyName, String agents, String grades,
                String marking, String schoolForm) {
        User withAgents(String newAgents) {
            return new User(id, role, orgs, givenName, familyName, newAgents, grades, marking, schoolForm);
        }
    }

    record Enrollment(String id, String classId, String school, String user, String role) {
        Enrollment withClass(String newClass) {
            return new Enrollment(id, newClass, school, user, role);
        }
    }

    static final List<String> ORGS_HEADER = List.of("sourcedId", "status", "dateLastModified", "name", "type", "identifier",
            "parentSourcedId", "metadata.schoolForms", "metadata.municipalityCode");
    static final List<String> CLASSES_HEADER = List.of("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
            "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
            "metadata.schoolForm", "metadata.groupType");
    static final List<String> USERS_HEADER_11 = List.of("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
            "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
            "grades", "password", "metadata.securityMarking", "metadata.schoolForm");
    static final List<String> USERS_HEADER_12 = List.of("sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
            "givenName", "familyName", "middleName", "preferredFirstName", "identifier", "email", "sms", "phone", "agentSourcedIds",
            "grades", "password", "userMasterIdentifier", "primaryOrgSourcedId", "metadata.securityMarking", "metadata.schoolForm");
    static final List<String> ROLES_HEADER = List.of("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
            "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId");
    static final List<String> ENROLLMENTS_HEADER = List.of("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
            "userSourcedId", "role", "primary", "beginDate", "endDate");

    final List<Org> orgs = new ArrayList<>();
    final List<Klass> classes = new ArrayList<>();
    final List<User> users = new ArrayList<>();
    final List<Enrollment> enrollments = new ArrayList<>();

    /**
     * An organiser (org-0) with a compulsory school (org-1, three school forms) and an upper secondary
     * school (org-2, one). Five groups: classes 7A, 7B and NA1a, a teaching group and a mentor group.
     * Pupils p1–p8 (p1 protected registration, p2 confidential, p3 explicitly none), teachers t1 and t2
     * (t2 at both schools), an administrator a1, guardian g1 (listing its children too) and parent g2.
     * Users appear in users.csv in this order: p1 on line 2 … g2 on line 14.
     */
    static OneRosterPackage small() {
        OneRosterPackage p = new OneRosterPackage();
        p.orgs.add(new Org("org-0", "Provby kommun", "district", "", "", "", "1980"));
        p.orgs.add(new Org("org-1", "Ekbacka skola", "school", "12345678", "org-0", "GR,FKLASS,FTH", "1980"));
        p.orgs.add(new Org("org-2", "Lindgymnasiet", "school", "87654321", "org-0", "GY", "1980"));

        p.classes.add(new Klass("c-7a", "7A", "homeroom", "org-1", "07", "GR", ""));
        p.classes.add(new Klass("c-7b", "7B", "homeroom", "org-1", "07", "GR", ""));
        p.classes.add(new Klass("c-ma7", "Matematik 7", "scheduled", "org-1", "07", "GR", ""));
        p.classes.add(new Klass("c-men", "Mentorsgrupp Eken", "scheduled", "org-1", "07", "GR", "MENTOR_GROUP"));
        p.classes.add(new Klass("c-na1", "NA1a", "homeroom", "org-2", "10", "GY", ""));

        p.users.add(new User("p1", "student", "org-1", "Alva", "Provsson", "g1,g2", "07", "Skyddad folkbokföring", "GR"));
        p.users.add(new User("p2", "student", "org-1", "Bruno", "Provsson", "g1", "07", "Sekretessmarkering", "GR"));
        p.users.add(new User("p3", "student", "org-1", "Cilla", "Testberg", "", "07", "Ingen", "GR"));
        p.users.add(new User("p4", "student", "org-1", "Dante", "Exempelsson", "", "07", "", "GR"));
        p.users.add(new User("p5", "student", "org-1", "Ebba", "Fiktivsdotter", "", "07", "", "GR"));
        p.users.add(new User("p6", "student", "org-1", "Frans", "Påhittad", "", "07", "", "GR"));
        p.users.add(new User("p7", "student", "org-2", "Greta", "Syntes", "", "10", "", ""));
        p.users.add(new User("p8", "student", "org-2", "Hugo", "Låtsasson", "", "10", "", "GY"));
        p.users.add(new User("t1", "teacher", "org-1", "Ines", "Lärarsson", "", "", "", ""));
        p.users.add(new User("t2", "teacher", "org-1,org-2", "Jonas", "Pedagogsson", "", "", "", ""));
        p.users.add(new User("a1", "administrator", "org-1", "Kerstin", "Rektorsson", "", "", "", ""));
        p.users.add(new User("g1", "guardian", "", "Lars", "Provsson", "p1,p2", "", "", ""));
        p.users.add(new User("g2", "parent", "", "Maja", "Provsson", "p1", "", "", ""));

        p.enroll("p1", "c-7a", "c-ma7", "c-men");
        p.enroll("p2", "c-7a", "c-ma7");
        p.enroll("p3", "c-7a");
        p.enroll("p4", "c-7a");
        p.enroll("p5", "c-7b");
        p.enroll("p6", "c-7b");
        p.enroll("p7", "c-na1");
        p.enroll("p8", "c-na1");
        p.enroll("t1", "c-7a", "c-7b", "c-ma7", "c-men");
        p.enroll("t2", "c-na1");
        return p;
    }

    /** Adds n more pupils (x1…xn) in class 7B, each enrolled in it. */
    OneRosterPackage addPupils(int n) {
        for (int i = 1; i <= n; i++) {
            String id = "x" + i;
            users.add(new User(id, "student", "org-1", "Elev" + i, "Massberg", "", "07", "", "GR"));
            enroll(id, "c-7b");
        }
        return this;
    }

    void enroll(String user, String... classIds) {
        String role = users.stream().filter(u -> u.id().equals(user)).findFirst().orElseThrow().role();
        for (String classId : classIds) {
            Klass k = klass(classId);
            enrollments.add(new Enrollment("e-" + user + "-" + classId, classId, k.school(), user, role.equals("student") ? "student" : "teacher"));
        }
    }

    Klass klass(String id) {
        return classes.stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    void replaceClass(String id, UnaryOperator<Klass> change) {
        classes.replaceAll(k -> k.id().equals(id) ? change.apply(k) : k);
    }

    void replaceEnrollment(String id, UnaryOperator<Enrollment> change) {
        enrollments.replaceAll(e -> e.id().equals(id) ? change.apply(e) : e);
    }

    /** Removes a user with their enrollments and every mention of them in others' agentSourcedIds. */
    void removeUser(String id) {
        users.removeIf(u -> u.id().equals(id));
        enrollments.removeIf(e -> e.user().equals(id));
        users.replaceAll(u -> u.withAgents(String.join(",", Arrays.stream(u.agents().split(",")).filter(a -> !a.isEmpty() && !a.equals(id)).toList())));
    }

    // ---- files

    Map<String, String> v11Files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.csv", manifest("1.1"));
        files.put("orgs.csv", orgsCsv());
        files.put("classes.csv", classesCsv());
        files.put("users.csv", csv(USERS_HEADER_11, users.stream().map(u -> List.of(u.id(), "active", "2026-08-01", "true", u.orgs(), u.role(),
                username(u), "", u.givenName(), u.familyName(), "", "", username(u) + "@example.org", "", "", u.agents(), u.grades(), "",
                u.marking(), u.schoolForm())).toList()));
        files.put("enrollments.csv", enrollmentsCsv());
        return files;
    }

    Map<String, String> v12Files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.csv", manifest("1.2"));
        files.put("orgs.csv", orgsCsv());
        files.put("classes.csv", classesCsv());
        files.put("users.csv", csv(USERS_HEADER_12, users.stream().map(u -> List.of(u.id(), "active", "2026-08-01", "true", username(u), "",
                u.givenName(), u.familyName(), "", "", "", username(u) + "@example.org", "", "", u.agents(), u.grades(), "", "",
                u.orgs().isEmpty() ? "org-1" : u.orgs().split(",")[0], u.marking(), u.schoolForm())).toList()));
        List<List<String>> roles = new ArrayList<>();
        for (User u : users) {
            // 1.2 gives every user a role at an org; guardians get theirs at the school.
            String[] userOrgs = u.orgs().isEmpty() ? new String[] {"org-1"} : u.orgs().split(",");
            String role = u.role().equals("administrator") ? "siteAdministrator" : u.role();
            for (int i = 0; i < userOrgs.length; i++) {
                roles.add(List.of("r-" + u.id() + "-" + userOrgs[i], "active", "2026-08-01", u.id(), i == 0 ? "primary" : "secondary", role,
                        "", "", userOrgs[i], ""));
            }
        }
        files.put("roles.csv", csv(ROLES_HEADER, roles));
        files.put("enrollments.csv", enrollmentsCsv());
        return files;
    }

    private static String username(User u) {
        return (u.givenName() + "." + u.id()).toLowerCase();
    }

    private static String manifest(String version) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("manifest.version", "1.0"));
        rows.add(List.of("oneroster.version", version));
        rows.add(List.of("file.academicSessions", "absent"));
        rows.add(List.of("file.categories", "absent"));
        rows.add(List.of("file.classes", "bulk"));
        rows.add(List.of("file.classResources", "absent"));
        rows.add(List.of("file.courses", "absent"));
        rows.add(List.of("file.demographics", "absent"));
        rows.add(List.of("file.enrollments", "bulk"));
        rows.add(List.of("file.orgs", "bulk"));
        if (version.equals("1.2")) {
            rows.add(List.of("file.roles", "bulk"));
        }
        rows.add(List.of("file.users", "bulk"));
        rows.add(List.of("source.systemName", "Tilldela test package"));
        return csv(List.of("propertyName", "value"), rows);
    }

    private String orgsCsv() {
        return csv(ORGS_HEADER, orgs.stream().map(o -> List.of(o.id(), "active", "2026-08-01", o.name(), o.type(), o.identifier(), o.parent(),
                o.schoolForms(), o.municipalityCode())).toList());
    }

    private String classesCsv() {
        return csv(CLASSES_HEADER, classes.stream().map(k -> List.of(k.id(), "active", "2026-08-01", k.title(), k.grades(), "", "",
                k.classType(), "", k.school(), "", "", "", "", k.schoolForm(), k.groupType())).toList());
    }

    private String enrollmentsCsv() {
        return csv(ENROLLMENTS_HEADER, enrollments.stream().map(e -> List.of(e.id(), "active", "2026-08-01", e.classId(), e.school(), e.user(),
                e.role(), e.role().equals("student") && e.classId().startsWith("c-7") ? "true" : "false", "2026-08-15", "")).toList());
    }

    // ---- text helpers

    static String csv(List<String> header, List<List<String>> rows) {
        return TestFiles.csv(header, rows);
    }

    /** The same CSV text without one column. */
    static String dropColumn(String csvText, String column) {
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(csvText)).setFormat(CSVFormat.RFC4180).get()) {
            List<CSVRecord> records = parser.getRecords();
            int index = records.get(0).toList().indexOf(column);
            if (index < 0) {
                throw new IllegalArgumentException("no column " + column);
            }
            List<List<String>> rows = new ArrayList<>();
            for (CSVRecord r : records) {
                List<String> fields = new ArrayList<>(r.toList());
                fields.remove(index);
                rows.add(fields);
            }
            return csv(rows.get(0), rows.subList(1, rows.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same CSV text with one more line appended. */
    static String appendLine(String csvText, String line) {
        return csvText + line + "\r\n";
    }

    // ---- zips

    static Path zip(Path file, Map<String, String> files) {
        return TestFiles.zip(file, files);
    }

    static Path zipBytes(Path file, Map<String, byte[]> files) {
        try {
            Files.write(file, zipToBytes(files));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] zipToBytes(Map<String, byte[]> files) {
        return TestFiles.zipToBytes(files);
    }

    Path writeV11(Path file) {
        return zip(file, v11Files());
    }

    Path writeV12(Path file) {
        return zip(file, v12Files());
    }
}
