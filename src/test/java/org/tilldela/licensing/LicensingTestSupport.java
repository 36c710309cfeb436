package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.TestFiles;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * Shared helpers of the licensing tests: a small synthetic municipality written as a OneRoster 1.1
 * package (mutable, for "next day" versions), imported into a source of the test's own; products in the
 * catalogue; waiting for the asynchronous import follower.
 */
abstract class LicensingTestSupport extends IntegrationTest {

    @Autowired
    Ids ids;

    @Autowired
    ImportRuns importRuns;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Catalog catalog;
    @Autowired
    LicencePools pools;
    @Autowired
    Licences licences;
    @Autowired
    AssignmentEngine engine;
    @Autowired
    Profiles profiles;

    @TempDir
    Path tmp;

    /**
     * After every test, whatever it did (seats given, ended, kept through grace, swept, picked by hand, at once with a
     * buyer): each pool's seats held, kept on the pool by triggers, are its live seats counted — the engine's free seats
     * come from it.
     */
    @org.junit.jupiter.api.AfterEach
    void everyPoolsSeatsHeldAreItsLiveSeatsCounted() {
        assertThat(jdbc.sql("""
                select count(*) from licence_pool p
                where p.held <> (select count(*) from licence_assignment a where a.pool_id = p.id and a.state <> 'ENDED')""")
                .query(Long.class).single()).as("pools whose seats held differ from their live seats").isZero();
        assertThat(jdbc.sql("select coalesce(sum(held), 0) from licence_pool").query(Long.class).single()).as("something to check").isPositive();
    }

    static final LocalDate TODAY = LocalDate.now();

    static String newSource(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * An organiser (org-0) with two compulsory schools: org-1 with classes 7A, 7B (grade 07) and 8A (08),
     * teaching group "Engelska 7" and teacher t1; org-2 with class 7X and teacher t2. Pupils p1–p4 in 7A
     * (p1, p2 also in Engelska 7), p5, p6 in 7B, p7 in 8A, p8 in 7X at org-2.
     */
    static final class Town {
        record Klass(String id, String title, String type, String school, String grade) {
        }

        record User(String id, String role, String org, String grade) {
        }

        final List<Klass> classes = new ArrayList<>();
        final List<User> users = new ArrayList<>();
        final Map<String, List<String>> enrolments = new LinkedHashMap<>();

        static Town small() {
            Town t = new Town();
            t.classes.add(new Klass("c-7a", "7A", "homeroom", "org-1", "07"));
            t.classes.add(new Klass("c-7b", "7B", "homeroom", "org-1", "07"));
            t.classes.add(new Klass("c-8a", "8A", "homeroom", "org-1", "08"));
            t.classes.add(new Klass("c-en7", "Engelska 7", "scheduled", "org-1", "07"));
            t.classes.add(new Klass("c-7x", "7X", "homeroom", "org-2", "07"));
            t.pupil("p1", "org-1", "07", "c-7a", "c-en7");
            t.pupil("p2", "org-1", "07", "c-7a", "c-en7");
            t.pupil("p3", "org-1", "07", "c-7a");
            t.pupil("p4", "org-1", "07", "c-7a");
            t.pupil("p5", "org-1", "07", "c-7b");
            t.pupil("p6", "org-1", "07", "c-7b");
            t.pupil("p7", "org-1", "08", "c-8a");
            t.pupil("p8", "org-2", "07", "c-7x");
            t.users.add(new User("t1", "teacher", "org-1", ""));
            t.enrolments.put("t1", new ArrayList<>(List.of("c-7a", "c-7b", "c-en7")));
            t.users.add(new User("t2", "teacher", "org-2", ""));
            t.enrolments.put("t2", new ArrayList<>(List.of("c-7x")));
            return t;
        }

        /** {@code n} more pupils, {@code prefix}1 … {@code prefix}n, in one class of that grade at that school. */
        Town pupils(String prefix, int n, String org, String grade, String classId) {
            for (int i = 1; i <= n; i++) {
                pupil(prefix + i, org, grade, classId);
            }
            return this;
        }

        Town pupil(String id, String org, String grade, String... classIds) {
            users.add(new User(id, "student", org, grade));
            enrolments.put(id, new ArrayList<>(List.of(classIds)));
            return this;
        }

        /** Moves a pupil from one class to another (same school and grade). */
        Town move(String id, String from, String to) {
            List<String> c = enrolments.get(id);
            c.set(c.indexOf(from), to);
            return this;
        }

        Town remove(String id) {
            users.removeIf(u -> u.id().equals(id));
            enrolments.remove(id);
            return this;
        }

        Path write(Path file) {
            Map<String, String> files = new LinkedHashMap<>();
            files.put("manifest.csv", TestFiles.csv(List.of("propertyName", "value"), List.of(List.of("manifest.version", "1.0"), List.of("oneroster.version", "1.1"),
                    List.of("file.academicSessions", "absent"), List.of("file.categories", "absent"), List.of("file.classes", "bulk"),
                    List.of("file.classResources", "absent"), List.of("file.courses", "absent"), List.of("file.demographics", "absent"),
                    List.of("file.enrollments", "bulk"), List.of("file.orgs", "bulk"), List.of("file.users", "bulk"),
                    List.of("source.systemName", "Tilldela licensing test"))));
            files.put("orgs.csv", TestFiles.csv(List.of("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId",
                    "metadata.schoolForms", "metadata.municipalityCode"), List.of(
                    List.of("org-0", "active", "2026-08-01", "Provby kommun", "district", "", "", "", "1980"),
                    List.of("org-1", "active", "2026-08-01", "Ekbacka skola", "school", "12345678", "org-0", "GR", "1980"),
                    List.of("org-2", "active", "2026-08-01", "Björkdala skola", "school", "23456789", "org-0", "GR", "1980"))));
            files.put("classes.csv", TestFiles.csv(List.of("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods", "metadata.schoolForm",
                    "metadata.groupType"), classes.stream().map(k -> List.of(k.id(), "active", "2026-08-01", k.title(), k.grade(), "", "", k.type(), "",
                    k.school(), "", "", "", "", "GR", "")).toList()));
            files.put("users.csv", TestFiles.csv(List.of("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
                    "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
                    "metadata.securityMarking", "metadata.schoolForm"), users.stream().map(u -> List.of(u.id(), "active", "2026-08-01", "true", u.org(),
                    u.role(), "user." + u.id(), "", "Namn" + u.id(), "Testsson", "", "", "", "", "", "", u.grade(), "", "Ingen",
                    u.role().equals("student") ? "GR" : "")).toList()));
            List<List<String>> rows = new ArrayList<>();
            for (User u : users) {
                for (String c : enrolments.getOrDefault(u.id(), List.of())) {
                    String school = classes.stream().filter(k -> k.id().equals(c)).findFirst().orElseThrow().school();
                    rows.add(List.of("e-" + u.id() + "-" + c, "active", "2026-08-01", c, school, u.id(), u.role().equals("student") ? "student" : "teacher",
                            "false", "2026-08-15", ""));
                }
            }
            files.put("enrollments.csv", TestFiles.csv(List.of("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
                    "role", "primary", "beginDate", "endDate"), rows));
            return TestFiles.zip(file, files);
        }

    }

    ImportSummary importTown(String source, Town town) {
        Path zip = town.write(tmp.resolve(UUID.randomUUID() + ".zip"));
        return importRuns.runNow("ONEROSTER", new ImportOptions(source, true, "test"), new OneRosterReader(zip, "town.zip"), ImportProgress.NONE,
                "town.zip");
    }

    UUID person(String source, String id) {
        return ids.of(source, Entity.PERSON, id);
    }

    UUID group(String source, String id) {
        return ids.of(source, Entity.GROUP, id);
    }

    UUID org(String source, String id) {
        return ids.of(source, Entity.ORGANISATION, id);
    }

    UUID product(Product.LicenceModel model, Integer trialDays) {
        UUID supplier = UUID.randomUUID();
        String n = supplier.toString().substring(0, 8);
        catalog.save(new Supplier(supplier, "Läromedel " + n + " AB", "55" + n, "SE", Set.of("SE"), List.of(), List.of(),
                new Supplier.Contact("Kontakt", "kontakt@example.org", null)));
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "LIC-" + n, supplier, "Matematik " + n, "", Product.Kind.DIGITAL, List.of("GR"), List.of("07"), List.of(), model, 12,
                new BigDecimal("99.00"), "SEK", trialDays, Product.AccessMethod.ROSTER_PULL, List.of()));
        return id;
    }

    UUID pool(UUID product, String source, String scope, Integer seats) {
        return pools.create(new NewPool(product, org(source, "org-0"), org(source, scope), seats, TODAY.minusDays(1), TODAY.plusYears(1), false, null,
                "test"));
    }

    /** States of the pool's assignments by person, ended ones included. */
    Map<UUID, String> states(UUID poolId) {
        Map<UUID, String> states = new LinkedHashMap<>();
        jdbc.sql("select person_id, state from licence_assignment where pool_id = :p order by id").param("p", poolId)
                .query(rs -> {
                    states.merge(rs.getObject(1, UUID.class), rs.getString(2), (a, b) -> b);
                });
        return states;
    }

    /** Everything about a pool's assignments and shortfall, condensed, to compare before and after. */
    String snapshot(UUID poolId) {
        return jdbc.sql("""
                select coalesce(string_agg(id || ':' || person_id || ':' || state || ':' || coalesce(grace_until::text, '') || ':'
                       || coalesce(ended_on::text, ''), ',' order by id), '') || '|' ||
                       coalesce((select string_agg(person_id || ':' || since, ',' order by person_id) from licence_shortfall where pool_id = :p), '')
                from licence_assignment where pool_id = :p
                """).param("p", poolId).query(String.class).single();
    }

    /** Waits until the engine's own following of every import (DirectoryFollower, in the background) is done. */
    void awaitImportsFollowed() {
        eventually(() -> jdbc.sql("""
                select count(*) filter (where completion_date is null) = 0 and count(*) filter (where completion_date is not null) > 0
                from event_publication where listener_id like '%DirectoryFollower%'
                """).query(Boolean.class).single(), "the import followed");
    }

    static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
