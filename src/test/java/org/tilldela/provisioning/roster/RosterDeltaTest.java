package org.tilldela.provisioning.roster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deltas over the roster API (OneRoster 1.2 {@code filter=dateLastModified>'…'}): a supplier that fetched its users
 * and asks later for what changed since gets, besides the changed, the users whose licence ended since then, as
 * {@code status='tobedeleted'} with the moment it ended — carrying only the pseudonym it already holds, and written
 * to no ledger (nothing new leaves).
 */
class RosterDeltaTest extends IntegrationTest {

    static final String BASE = "/ims/oneroster/rostering/v1p2";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired SignInClients clients;

    final JsonMapper json = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    RosterRetention retention;

    /** A municipality whose product has a roster client, with its token and what its first full fetch learnt: person → pseudonym. */
    private record Fetched(AccessFixture fx, String token, Map<UUID, String> pseudonymOf) {
    }

    private Fetched firstFullFetch(String clientName) throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        SignInClients.Registration client = clients.registerSystemClient(fx.productId, clientName, Set.of(OneRosterScopes.CORE), "test");
        String token = RosterTokens.token(baseUrl(), client, OneRosterScopes.CORE);
        // every licence holder, each under its pseudonym
        Map<UUID, String> pseudonymOf = new HashMap<>();
        for (Map<String, Object> u : users(get("/users?limit=1000", token))) {
            assertThat(u.get("status")).isEqualTo("active");
            pseudonymOf.put(personOf(fx, (String) u.get("sourcedId")), (String) u.get("sourcedId"));
        }
        return new Fetched(fx, token, pseudonymOf);
    }

    @Test
    void aDepartureIsToldForAYearAndItsSummerAndThenNoLongerNorKept() throws Exception {
        Fetched fetched = firstFullFetch("Roster forgetting");
        AccessFixture fx = fetched.fx();
        String token = fetched.token();
        Map<UUID, String> pseudonymOf = fetched.pseudonymOf();
        UUID leaving = fx.persons.get(0);
        pools.withdrawDirect(fx.poolId, leaving, "test");
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).extracting(u -> u.get("sourcedId"))
                .containsExactly(pseudonymOf.get(leaving));

        // as if it had been 401 days ago (default kept: 400): the seat's end and the departure recorded then
        jdbc.sql("""
                        update licence_assignment set assigned_at = now() - interval '500 days', ended_on = current_date - 401,
                            grace_until = case when grace_until is null then null else current_date - 402 end
                        where pool_id = :pool and person_id = :person""").param("pool", fx.poolId).param("person", leaving).update();
        jdbc.sql("update roster_departure set departed_at = now() - interval '401 days' where person_id = :person").param("person", leaving).update();
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).as("no longer told").isEmpty();
        assertThat(users(get("/users?filter=" + q("dateLastModified>'" + Instant.now().minus(java.time.Duration.ofDays(800)) + "'"), token)))
                .extracting(u -> u.get("sourcedId")).doesNotContain(pseudonymOf.get(leaving));

        // and the nightly job forgets the rows that remembered it
        assertThat(retention.deleteDepartedBefore(Instant.now().minus(java.time.Duration.ofDays(400)))).isPositive();
        assertThat(jdbc.sql("select count(*) from roster_departure where person_id = :p").param("p", leaving).query(Long.class).single()).isZero();
        assertThat(users(get("/users?limit=1000", token))).extracting(u -> u.get("sourcedId")).doesNotContain(pseudonymOf.get(leaving))
                .contains(pseudonymOf.get(fx.persons.get(1)));
    }

    @Test
    void aDeltaTellsWhoseLicenceEndedSinceAsToBeDeleted() throws Exception {
        // the supplier's first full fetch
        Fetched fetched = firstFullFetch("Roster delta");
        AccessFixture fx = fetched.fx();
        String token = fetched.token();
        Map<UUID, String> pseudonymOf = fetched.pseudonymOf();
        UUID leaving = fx.persons.get(0), staying = fx.persons.get(1);
        assertThat(pseudonymOf).containsKeys(leaving, staying);
        Instant since = Instant.now();
        Thread.sleep(5); // the ending must fall after 'since', not in the same millisecond

        pools.withdrawDirect(fx.poolId, leaving, "test");
        long ledgerBefore = releases(fx);

        String delta = "/users?filter=" + q("dateLastModified>'" + since + "'");
        Map<String, Object> answer = get(delta, token);
        List<Map<String, Object>> changed = users(answer);
        assertThat(changed).extracting(u -> u.get("sourcedId")).contains(pseudonymOf.get(leaving)).doesNotContain(pseudonymOf.get(staying));
        Map<String, Object> gone = changed.stream().filter(u -> u.get("sourcedId").equals(pseudonymOf.get(leaving))).findFirst().orElseThrow();
        assertThat(gone.get("status")).isEqualTo("tobedeleted");
        assertThat(Instant.parse((String) gone.get("dateLastModified"))).isAfter(since).isBefore(Instant.now().plusSeconds(1));
        assertThat(gone.get("enabledUser")).isEqualTo("false");
        // nothing about them but the pseudonym the supplier holds
        assertThat(gone.get("givenName")).isEqualTo("");
        assertThat(gone.get("familyName")).isEqualTo("");
        assertThat(gone).doesNotContainKeys("email", "identifier", "metadata", "primaryOrg");
        assertThat(releases(fx)).as("a departure is no release").isEqualTo(ledgerBefore);

        // /students, which a consumer may sync instead of /users, tells it too
        assertThat(users(get("/students?filter=" + q("dateLastModified>'" + since + "'"), token)))
                .extracting(u -> u.get("sourcedId") + "/" + u.get("status")).contains(pseudonymOf.get(leaving) + "/tobedeleted");
        // the spec's status filter finds them too; an earlier 'since' is no reason to list them twice, a later one excludes them
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).extracting(u -> u.get("sourcedId"))
                .containsExactly(pseudonymOf.get(leaving));
        assertThat(users(get("/users?filter=" + q("dateLastModified>'" + Instant.now().plusSeconds(60) + "'"), token))).isEmpty();
        // the plain collection lists only those who hold a licence
        assertThat(users(get("/users?limit=1000", token))).extracting(u -> u.get("sourcedId")).doesNotContain(pseudonymOf.get(leaving))
                .contains(pseudonymOf.get(staying));

        // given a licence again, they are active once more, not gone — and the next delta says so: a consumer that
        // deleted them on 'tobedeleted' gets them back without a full sync
        Instant beforeReturn = Instant.now();
        Thread.sleep(5);
        fx.license(fx.productId, List.of(leaving));
        assertThat(users(get("/users?filter=" + q("status='tobedeleted'"), token))).isEmpty();
        assertThat(users(get("/users?filter=" + q("dateLastModified>'" + beforeReturn + "'"), token)))
                .extracting(u -> u.get("sourcedId") + "/" + u.get("status")).containsExactly(pseudonymOf.get(leaving) + "/active");
    }

    @Test
    void aDeltaTellsWhichEnrollmentsAndClassesWentWithALicenceAsToBeDeleted() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        String token = RosterTokens.token(baseUrl(), clients.registerSystemClient(fx.productId, "Roster delta", Set.of(OneRosterScopes.CORE), "test"),
                OneRosterScopes.CORE);
        // two pupils lose their licence: one shares a class with a classmate given a licence here (that class stays), the
        // other is the only licence holder in their class (with the licence the class goes too) at a school that keeps others
        UUID sharing = null, shared = null;
        for (UUID p : fx.persons) {
            List<Map<String, Object>> mate = jdbc.sql("""
                            select m.group_id, q.person_id from membership m join membership q on q.group_id = m.group_id and q.person_id <> m.person_id
                            where m.person_id = :p and q.person_id not in (%s) order by 1, 2 limit 1""".formatted(Licences.HOLDERS))
                    .param("p", p).param(Licences.HOLDER_PRODUCT, fx.productId).param(Licences.HOLDER_DAY, java.time.LocalDate.now()).query().listOfRows();
            if (!mate.isEmpty()) {
                fx.license(fx.productId, List.of((UUID) mate.getFirst().get("person_id")));
                sharing = p;
                shared = (UUID) mate.getFirst().get("group_id");
                break;
            }
        }
        assertThat(sharing).isNotNull();
        Map<UUID, UUID> soleHolderOf = soleHolders(fx);
        Map<UUID, UUID> schoolOfClass = new HashMap<>();
        jdbc.sql("select id, organisation_id from student_group where id = any(:g)").param("g", heldClasses(fx).toArray(UUID[]::new))
                .query(rs -> {
                    schoolOfClass.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        UUID sharingPupil = sharing, sharedClass = shared;
        Map.Entry<UUID, UUID> alone = soleHolderOf.entrySet().stream()
                .filter(e -> fx.persons.contains(e.getValue()) && !e.getValue().equals(sharingPupil))
                .filter(e -> schoolOfClass.entrySet().stream().anyMatch(o -> !o.getKey().equals(e.getKey()) && o.getValue().equals(schoolOfClass.get(e.getKey()))
                        && !e.getValue().equals(soleHolderOf.get(o.getKey())) && !o.getKey().equals(sharedClass)))
                .findFirst().orElseThrow();
        UUID alonePupil = alone.getValue(), emptied = alone.getKey();
        assertThat(soleHolderOf).doesNotContainKey(sharedClass);

        // the supplier's full fetch
        List<Map<String, Object>> enrollments = list(get("/enrollments?limit=1000", token), "enrollments");
        List<Map<String, Object>> classes = list(get("/classes?limit=1000", token), "classes");
        Set<String> leavers = Set.of(pseudonymOf(fx, sharingPupil), pseudonymOf(fx, alonePupil));
        List<Object> theirEnrollments = enrollments.stream().filter(e -> leavers.contains(ref(e, "user"))).map(e -> e.get("sourcedId")).toList();
        List<Object> othersEnrollments = enrollments.stream().filter(e -> !leavers.contains(ref(e, "user"))).map(e -> e.get("sourcedId")).toList();
        assertThat(theirEnrollments).hasSizeGreaterThanOrEqualTo(2);
        assertThat(othersEnrollments).isNotEmpty();
        assertThat(classes).extracting(c -> c.get("sourcedId")).contains(emptied.toString(), sharedClass.toString());
        Instant since = Instant.now();
        Thread.sleep(5);

        pools.withdrawDirect(fx.poolId, sharingPupil, "test");
        pools.withdrawDirect(fx.poolId, alonePupil, "test");
        long ledgerBefore = releases(fx);

        // their enrollments are gone, with the moment, and nothing but what they were sent with; the others' are not listed
        List<Map<String, Object>> changed = list(get("/enrollments?filter=" + q("dateLastModified>'" + since + "'"), token), "enrollments");
        assertThat(changed).extracting(e -> e.get("sourcedId")).containsExactlyInAnyOrderElementsOf(theirEnrollments);
        for (Map<String, Object> gone : changed) {
            assertThat(gone.get("status")).isEqualTo("tobedeleted");
            assertThat(Instant.parse((String) gone.get("dateLastModified"))).isAfter(since).isBefore(Instant.now().plusSeconds(1));
            assertThat(gone).containsOnlyKeys("sourcedId", "status", "dateLastModified", "user", "class", "school", "role");
            assertThat(leavers).contains(ref(gone, "user"));
        }
        // the class whose only holder went is gone too, without its name; the class still held is not listed
        List<Map<String, Object>> changedClasses = list(get("/classes?filter=" + q("dateLastModified>'" + since + "'"), token), "classes");
        assertThat(changedClasses).extracting(c -> c.get("sourcedId")).contains(emptied.toString()).doesNotContain(sharedClass.toString());
        assertThat(changedClasses).allSatisfy(c -> assertThat(c.get("status")).isEqualTo("tobedeleted"));
        Map<String, Object> goneClass = changedClasses.stream().filter(c -> c.get("sourcedId").equals(emptied.toString())).findFirst().orElseThrow();
        assertThat(Instant.parse((String) goneClass.get("dateLastModified"))).isAfter(since);
        assertThat(goneClass.get("title")).isEqualTo("");
        // the nested collections: the school's classes and enrollments, and the shared class's students
        String school = ref(goneClass, "school");
        assertThat(list(get("/schools/" + school + "/classes?filter=" + q("status='tobedeleted'"), token), "classes")).extracting(c -> c.get("sourcedId"))
                .contains(emptied.toString()).doesNotContain(sharedClass.toString());
        assertThat(list(get("/schools/" + school + "/enrollments?filter=" + q("dateLastModified>'" + since + "'"), token), "enrollments"))
                .extracting(e -> ref(e, "class")).contains(emptied.toString());
        assertThat(list(get("/classes/" + sharedClass + "/students?filter=" + q("dateLastModified>'" + since + "'"), token), "users"))
                .extracting(u -> u.get("sourcedId") + "/" + u.get("status")).containsExactly(pseudonymOf(fx, sharingPupil) + "/tobedeleted");
        assertThat(releases(fx)).as("a departure is no release").isEqualTo(ledgerBefore);

        // as for users: the status filter finds them, a later 'since' does not, and the plain collections list only what there is
        assertThat(list(get("/enrollments?filter=" + q("status='tobedeleted'"), token), "enrollments")).extracting(e -> e.get("sourcedId"))
                .containsExactlyInAnyOrderElementsOf(theirEnrollments);
        assertThat(list(get("/enrollments?filter=" + q("dateLastModified>'" + Instant.now().plusSeconds(60) + "'"), token), "enrollments")).isEmpty();
        List<Map<String, Object>> plain = list(get("/enrollments?limit=1000", token), "enrollments");
        assertThat(plain).extracting(e -> e.get("sourcedId")).doesNotContainAnyElementsOf(theirEnrollments).containsAll(othersEnrollments);
        assertThat(plain).extracting(e -> e.get("status")).containsOnly("active");
        assertThat(list(get("/classes?limit=1000", token), "classes")).extracting(c -> c.get("sourcedId")).doesNotContain(emptied.toString())
                .contains(sharedClass.toString());

        // given a licence again, their enrollments and the class are there once more, not gone, and in the next delta
        Instant beforeReturn = Instant.now();
        Thread.sleep(5);
        fx.license(fx.productId, List.of(sharingPupil, alonePupil));
        assertThat(list(get("/enrollments?filter=" + q("status='tobedeleted'"), token), "enrollments")).isEmpty();
        assertThat(list(get("/classes?filter=" + q("status='tobedeleted'"), token), "classes")).isEmpty();
        String returned = "dateLastModified>'" + beforeReturn + "'";
        assertThat(list(get("/enrollments?filter=" + q(returned), token), "enrollments")).extracting(e -> e.get("sourcedId"))
                .containsAll(theirEnrollments).doesNotContainAnyElementsOf(othersEnrollments);
        assertThat(list(get("/classes?filter=" + q(returned), token), "classes")).extracting(c -> c.get("sourcedId") + "/" + c.get("status"))
                .contains(emptied + "/active");
    }

    private List<UUID> heldClasses(AccessFixture fx) {
        return jdbc.sql("select distinct m.group_id from membership m where m.person_id in (" + Licences.HOLDERS + ")")
                .param(Licences.HOLDER_PRODUCT, fx.productId).param(Licences.HOLDER_DAY, java.time.LocalDate.now()).query(UUID.class).list();
    }

    @Test
    void aPupilLeavingAClassInAnImportTellsTheEnrollmentAndTheEmptiedClassAsToBeDeleted() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        String token = RosterTokens.token(baseUrl(), clients.registerSystemClient(fx.productId, "Roster delta", Set.of(OneRosterScopes.CORE), "test"),
                OneRosterScopes.CORE);
        Map<UUID, UUID> soleHolderOf = soleHolders(fx);
        Map.Entry<UUID, UUID> left = soleHolderOf.entrySet().stream().filter(e -> fx.persons.contains(e.getValue())).findFirst().orElseThrow();
        UUID pupil = left.getValue(), emptied = left.getKey();
        String membershipSource = jdbc.sql("select source_id from membership where person_id = :p and group_id = :g").param("p", pupil)
                .param("g", emptied).query(String.class).single();

        List<Map<String, Object>> enrollments = list(get("/enrollments?limit=1000", token), "enrollments");
        assertThat(list(get("/classes?limit=1000", token), "classes")).extracting(c -> c.get("sourcedId")).contains(emptied.toString());
        String pseudonym = pseudonymOf(fx, pupil);
        String leftEnrollment = enrollments.stream().filter(e -> ref(e, "user").equals(pseudonym) && ref(e, "class").equals(emptied.toString()))
                .map(e -> (String) e.get("sourcedId")).findFirst().orElseThrow();
        Instant since = Instant.now();
        Thread.sleep(5);

        // the next import: the same municipality, but the pupil is no longer in that class (and keeps the licence)
        Path zip = Files.createTempFile("roster-delta-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 0, 0)).writeTo(zip);
        Path without = withoutEnrollment(zip, membershipSource);
        imports.runNow("ONEROSTER", new ImportOptions(fx.source, false, "test"), new OneRosterReader(without, "next-day.zip"), ImportProgress.NONE,
                "next-day.zip");
        Files.delete(zip);
        Files.delete(without);
        assertThat(jdbc.sql("select count(*) from membership where source_id = :s and source = :src").param("s", membershipSource)
                .param("src", fx.source).query(Integer.class).single()).isZero();

        List<Map<String, Object>> changed = list(get("/enrollments?filter=" + q("dateLastModified>'" + since + "'"), token), "enrollments");
        Map<String, Object> gone = changed.stream().filter(e -> e.get("sourcedId").equals(leftEnrollment)).findFirst().orElseThrow();
        assertThat(gone.get("status")).isEqualTo("tobedeleted");
        assertThat(Instant.parse((String) gone.get("dateLastModified"))).isAfter(since).isBefore(Instant.now().plusSeconds(1));
        assertThat(ref(gone, "class")).isEqualTo(emptied.toString());
        // only that one went: the pupil's other enrollments are not gone
        assertThat(changed).filteredOn(e -> "tobedeleted".equals(e.get("status"))).extracting(e -> e.get("sourcedId")).containsExactly(leftEnrollment);
        Map<String, Object> goneClass = list(get("/classes?filter=" + q("dateLastModified>'" + since + "'"), token), "classes").stream()
                .filter(c -> c.get("sourcedId").equals(emptied.toString())).findFirst().orElseThrow();
        assertThat(goneClass.get("status")).isEqualTo("tobedeleted");
        assertThat(Instant.parse((String) goneClass.get("dateLastModified"))).isAfter(since);
        // the pupil still holds the licence: no user to delete
        assertThat(list(get("/users?filter=" + q("status='tobedeleted'"), token), "users")).extracting(u -> u.get("sourcedId")).doesNotContain(pseudonym);
        assertThat(list(get("/enrollments?limit=1000", token), "enrollments")).extracting(e -> e.get("sourcedId")).doesNotContain(leftEnrollment);
    }

    @Test
    void aLicenceHolderWhoLeavesTheDirectoryIsToBeDeletedFromWhenTheImportJournalledTheirLeaving() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> pupils = jdbc.sql("select distinct p.id from person p join enrolment e on e.person_id = p.id where p.source = :s order by p.id")
                .param("s", fx.source).query(UUID.class).list();
        fx.license(fx.productId, pupils);
        String token = RosterTokens.token(baseUrl(), clients.registerSystemClient(fx.productId, "Roster delta", Set.of(OneRosterScopes.CORE), "test"),
                OneRosterScopes.CORE);
        List<Map<String, Object>> all = users(get("/users?limit=1000", token));
        assertThat(all).hasSizeGreaterThanOrEqualTo(pupils.size());
        Instant since = Instant.now();
        Thread.sleep(5);

        // the next day: 15% of the persons changed, a third of them replaced — some pupils left the directory
        Path zip = Files.createTempFile("roster-delta-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 15, 1)).writeTo(zip);
        UUID run = imports.runNow("ONEROSTER", new ImportOptions(fx.source, false, "test"), new OneRosterReader(zip, "next-day.zip"),
                ImportProgress.NONE, "next-day.zip").runId();
        Files.delete(zip);
        List<UUID> left = jdbc.sql("select person_id from directory_change where import_run_id = :r and kind = 'PERSON_LEFT' and person_id = any(:p)")
                .param("r", run).param("p", pupils.toArray(UUID[]::new)).query(UUID.class).list();
        assertThat(left).isNotEmpty();
        Instant journalled = jdbc.sql("select max(recorded_at) from directory_change where import_run_id = :r and kind = 'PERSON_LEFT'")
                .param("r", run).query(java.sql.Timestamp.class).single().toInstant();

        // each is gone for the supplier, at the earliest from when the import journalled them leaving
        Map<String, Map<String, Object>> changed = new HashMap<>();
        users(get("/users?filter=" + q("dateLastModified>'" + since + "'"), token)).forEach(u -> changed.put((String) u.get("sourcedId"), u));
        for (UUID leaver : left) {
            Map<String, Object> gone = changed.get(pseudonymOf(fx, leaver));
            assertThat(gone).as("the leaver in the delta").isNotNull();
            assertThat(gone.get("status")).isEqualTo("tobedeleted");
            assertThat(Instant.parse((String) gone.get("dateLastModified"))).isAfterOrEqualTo(journalled.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                    .isBefore(Instant.now().plusSeconds(1));
        }
    }

    /** The classes with exactly one licence holder of the fixture's product, and who that is. */
    private Map<UUID, UUID> soleHolders(AccessFixture fx) {
        Map<UUID, UUID> sole = new HashMap<>();
        jdbc.sql("""
                        select m.group_id, (array_agg(m.person_id))[1] from membership m
                        where m.person_id in (%s) group by m.group_id having count(distinct m.person_id) = 1 order by m.group_id""".formatted(Licences.HOLDERS))
                .param(Licences.HOLDER_PRODUCT, fx.productId).param(Licences.HOLDER_DAY, java.time.LocalDate.now())
                .query(rs -> {
                    sole.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return sole;
    }

    /** A copy of an import package without one line of its enrollments.csv (by the enrollment's sourcedId). */
    private static Path withoutEnrollment(Path zip, String sourcedId) throws Exception {
        Path out = Files.createTempFile("roster-delta-", ".zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip)); ZipOutputStream to = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().endsWith("enrollments.csv")) {
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    StringBuilder kept = new StringBuilder();
                    int dropped = 0;
                    for (String line : text.split("(?<=\n)")) {
                        String first = line.split(",", 2)[0].replace("\"", "").strip();
                        if (first.equals(sourcedId)) {
                            dropped++;
                        } else {
                            kept.append(line);
                        }
                    }
                    assertThat(dropped).as("the enrollment's line in the package").isEqualTo(1);
                    bytes = kept.toString().getBytes(StandardCharsets.UTF_8);
                }
                to.putNextEntry(new ZipEntry(e.getName()));
                to.write(bytes);
                to.closeEntry();
            }
        }
        return out;
    }

    private String pseudonymOf(AccessFixture fx, UUID person) {
        return jdbc.sql("select pseudonym::text from roster_pseudonym where supplier_id = :s and person_id = :p").param("s", fx.supplierId)
                .param("p", person).query(String.class).single();
    }

    @SuppressWarnings("unchecked")
    private static String ref(Map<String, Object> record, String field) {
        return (String) ((Map<String, Object>) record.get(field)).get("sourcedId");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> answer, String name) {
        return (List<Map<String, Object>>) answer.get(name);
    }

    private long releases(AccessFixture fx) {
        return jdbc.sql("select coalesce(sum(disclosures), 0) from holding where supplier_id = :s and product_id = :p").param("s", fx.supplierId)
                .param("p", fx.productId).query(Long.class).single();
    }

    private UUID personOf(AccessFixture fx, String sourcedId) {
        return jdbc.sql("select person_id from roster_pseudonym where supplier_id = :s and pseudonym = :p").param("s", fx.supplierId)
                .param("p", UUID.fromString(sourcedId)).query(UUID.class).single();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> users(Map<String, Object> answer) {
        return (List<Map<String, Object>>) answer.get("users");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String pathAndQuery, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + BASE + pathAndQuery)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readValue(response.body(), Map.class);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
