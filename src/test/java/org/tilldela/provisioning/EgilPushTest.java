package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;

/**
 * The EGIL profile end to end: licences reach an independent EGIL SCIM server ({@link EgilTestServer}: UnboundID's
 * scim2-sdk-server with EGIL's resource types and its schema checker, refusing objects out of order) as SchoolUnits,
 * Students and Teachers, Employments and StudentGroups — with only what the release policy let go, protected persons
 * minimal, groups holding only licence holders — and what nobody keeps any more deleted last.
 */
class EgilPushTest extends IntegrationTest {

    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES,
            Attribute.GRADE, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL, Attribute.CIVIC_NUMBER);
    private static AccessFixture fx;

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired DataAccessAgreements agreements;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
        }
    }

    @Test
    void schoolUnitsPersonsEmploymentsAndGroupsArriveInOrderWithOnlyWhatIsReleasedAndGoLast() {
        // a class of which only some pupils hold the licence, a protected pupil, and a teacher
        UUID klass = jdbc.sql("""
                        select g.id from student_group g join membership m on m.group_id = g.id join person p on p.id = m.person_id
                        where g.source = :s and g.kind = 'CLASS' and m.role = 'PUPIL' and p.protection = 'NONE'
                        group by g.id having count(*) >= 4 order by g.id limit 1
                        """).param("s", fx.source).query(UUID.class).single();
        List<UUID> classmates = jdbc.sql("""
                        select p.id from membership m join person p on p.id = m.person_id
                        where m.group_id = :g and m.role = 'PUPIL' and p.protection = 'NONE' order by p.id
                        """).param("g", klass).query(UUID.class).list();
        List<UUID> pupils = classmates.subList(0, 2);
        // not in the class: a protected pupil's MINIMAL release still has GROUPS, so one in the class would be a member of it
        // too, and the class's members below are the two pupils (the generated municipality differs from run to run)
        UUID protectedPupil = jdbc.sql("""
                        select p.id from person p where p.source = :s and p.protection <> 'NONE' and exists (select 1 from enrolment e where e.person_id = p.id)
                          and not exists (select 1 from membership m where m.person_id = p.id and m.group_id = :g)
                        order by p.id limit 1""").param("s", fx.source).param("g", klass).query(UUID.class).single();
        UUID teacher = jdbc.sql("""
                        select p.id from person p join duty d on d.person_id = p.id
                        where p.source = :s and p.protection = 'NONE' and d.role = 'TEACHER' order by p.id limit 1
                        """).param("s", fx.source).query(UUID.class).single();
        List<UUID> holders = new ArrayList<>(pupils);
        holders.add(protectedPupil);
        holders.add(teacher);

        UUID product = fx.product(fx.supplierId, DECLARED);
        // names may go (SMALL), e-mail and civic number may not, though the product declares them
        DataAccessAgreement agreement = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning och klasslistor", "Allmänt intresse", 30),
                "supplier");
        agreements.approve(agreement.id(), null, null, "school-admin");

        String token = "egil-" + UUID.randomUUID();
        try (EgilTestServer supplier = EgilTestServer.withToken(token)) {
            Connector connector = connectors.create(new Connector.Settings(fx.supplierId, "EGIL " + UUID.randomUUID().toString().substring(0, 6),
                    supplier.baseUrl(), Connector.Auth.BEARER, token, null, null, null, null, List.of(product), true, 100.0, Connector.Profile.EGIL,
                    null, null, null), "test");
            assertThat(connector.profile()).isEqualTo(Connector.Profile.EGIL);
            assertThat(connector.resourceTypes()).containsExactly("Organisation", "SchoolUnit", "Student", "Teacher", "Employment", "StudentGroup",
                    "Activity");
            UUID pool = fx.license(product, holders);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector.id(), "DONE") == holders.size());
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            Map<UUID, String> externalIds = new HashMap<>();
            holders.forEach(p -> externalIds.put(p, externalId(connector.id(), p)));
            assertThat(EgilTestServer.ids(supplier.users)).containsExactlyInAnyOrderElementsOf(externalIds.values());

            // only what was released: names under the agreement, no e-mail, no civic number; the pseudonym, never our id
            for (UUID pupil : pupils) {
                JsonNode user = supplier.users.get(externalIds.get(pupil));
                assertThat(user.path("schemas").toString()).contains(EgilObjects.USER_EXTENSION);
                assertThat(user.path("name").path("givenName").asText()).isNotBlank();
                assertThat(user.path("displayName").asText()).contains(user.path("name").path("familyName").asText());
                assertThat(user.has("emails")).isFalse();
                assertThat(user.path("userName").asText()).isEqualTo(externalIds.get(pupil));
                assertThat(user.path(EgilObjects.USER_EXTENSION).has("civicNo")).isFalse();
                JsonNode enrolments = user.path(EgilObjects.USER_EXTENSION).path("enrolments");
                assertThat(enrolments.size()).isPositive();
                enrolments.forEach(e -> assertThat(supplier.schoolUnits.store).containsKey(e.path("value").asText()));
                assertThat(user.toString()).doesNotContain(pupil.toString());
            }
            // a protected pupil: minimal, whatever the agreement says — no name (EGIL's name attributes are there, empty)
            JsonNode hidden = supplier.users.get(externalIds.get(protectedPupil));
            assertThat(hidden.path("name").path("givenName").asText()).isEmpty();
            assertThat(hidden.path("name").path("familyName").asText()).isEmpty();
            assertThat(hidden.path("displayName").asText()).isEmpty();
            assertThat(hidden.has("emails")).isFalse();
            // a teacher: no enrolments, an Employment at each of their units
            JsonNode teacherUser = supplier.users.get(externalIds.get(teacher));
            assertThat(teacherUser.path(EgilObjects.USER_EXTENSION).has("enrolments")).isFalse();
            List<JsonNode> employed = supplier.employments.store.values().stream().map(r -> (JsonNode) r.getObjectNode())
                    .filter(e -> e.path("user").path("value").asText().equals(externalIds.get(teacher))).toList();
            assertThat(employed).isNotEmpty().allSatisfy(e -> {
                assertThat(e.path("employmentRole").asText()).isEqualTo("Lärare");
                assertThat(supplier.schoolUnits.store).containsKey(e.path("employedAt").path("value").asText());
            });
            assertThat(supplier.employments.store).hasSize(employed.size());

            // the class is there with exactly the licensed pupils in it; no unlicensed classmate is anywhere
            JsonNode group = supplier.studentGroups.get(klass.toString());
            assertThat(group).isNotNull();
            assertThat(EgilTestServer.Endpoint.values(group.path("studentMemberships")))
                    .containsExactlyInAnyOrderElementsOf(pupils.stream().map(externalIds::get).toList());
            assertThat(group.path("studentGroupType").asText()).isEqualTo("Klass");
            Set<String> licensed = new HashSet<>(externalIds.values());
            supplier.studentGroups.store.values().forEach(g ->
                    assertThat(EgilTestServer.Endpoint.values(g.getObjectNode().path("studentMemberships"))).isSubsetOf(licensed));
            for (UUID unlicensed : classmates.subList(2, classmates.size())) {
                assertThat(supplier.users.store.values().toString()).doesNotContain(unlicensed.toString());
            }
            // the school units are the licence holders' (and their groups' owners), nothing else
            Set<String> units = new HashSet<>(jdbc.sql("""
                            select school_unit_id::text from enrolment where person_id = any(:p)
                            union select organisation_id::text from duty where person_id = any(:p)
                            """).param("p", holders.toArray(UUID[]::new)).query(String.class).list());
            supplier.studentGroups.store.values().forEach(g -> units.add(g.getObjectNode().path("owner").path("value").asText()));
            assertThat(EgilTestServer.ids(supplier.schoolUnits)).isEqualTo(units);
            // each refers to its organiser (huvudman), sent before it
            assertThat(EgilTestServer.ids(supplier.organisations)).containsExactly(fx.organiserId.toString());
            supplier.schoolUnits.store.values().forEach(u ->
                    assertThat(u.getObjectNode().path("organisation").path("value").asText()).isEqualTo(fx.organiserId.toString()));
            // order: a unit before the first object that refers to it, a user before the groups and employments naming it
            List<EgilTestServer.Request> log = List.copyOf(supplier.log);
            int firstUser = indexOf(log, "POST", "Users");
            int lastUnitCreate = lastIndexOf(log, "POST", "SchoolUnits");
            assertThat(indexOf(log, "POST", "SchoolUnits")).isLessThan(firstUser);
            assertThat(indexOf(log, "POST", "Organisations")).isGreaterThanOrEqualTo(0).isLessThan(indexOf(log, "POST", "SchoolUnits"));
            assertThat(indexOf(log, "POST", "StudentGroups")).isGreaterThan(firstUser);
            assertThat(indexOf(log, "POST", "Employments")).isGreaterThan(indexOf(log, "POST", "SchoolUnits"));
            assertThat(lastUnitCreate).isGreaterThanOrEqualTo(0);
            // a unit shared by several pupils is sent once (an unchanged object is not sent again)
            assertThat(log.stream().filter(r -> r.endpoint().equals("SchoolUnits")).count()).isEqualTo(units.size());

            // one pupil's licence ends: inactive, out of the class, which goes on with the other
            pools.withdrawDirect(pool, pupils.get(0), "test");
            await().atMost(Duration.ofSeconds(15)).until(() -> !supplier.users.get(externalIds.get(pupils.get(0))).path("active").asBoolean(true));
            await().atMost(Duration.ofSeconds(15)).until(() -> EgilTestServer.Endpoint.values(supplier.studentGroups.get(klass.toString())
                    .path("studentMemberships")).equals(List.of(externalIds.get(pupils.get(1)))));
            assertThat(supplier.users.get(externalIds.get(pupils.get(0))).path(EgilObjects.USER_EXTENSION).has("enrolments")).isFalse();

            // everyone's licence ends: every group, employment and school unit goes — deletions after the updates, in
            // reverse order (the server refuses to delete a unit something still refers to)
            await().atMost(Duration.ofSeconds(15)).until(() -> operations(connector.id(), "DONE") == holders.size() + 1);
            int withdrawn = supplier.log.size();
            for (UUID holder : holders.subList(1, holders.size())) {
                pools.withdrawDirect(pool, holder, "test");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.schoolUnits.store.isEmpty() && supplier.studentGroups.store.isEmpty() && supplier.activities.store.isEmpty()
                    && supplier.organisations.store.isEmpty()
                    && supplier.employments.store.isEmpty());
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            assertThat(supplier.users.store.values()).allSatisfy(u -> assertThat(u.getObjectNode().path("active").asBoolean(true)).isFalse());
            List<EgilTestServer.Request> ending = List.copyOf(supplier.log).subList(withdrawn, supplier.log.size());
            // per person, the user's deactivation comes before what it leaves is deleted
            for (UUID holder : holders.subList(1, holders.size())) {
                int deactivated = ending.indexOf(new EgilTestServer.Request("PUT", "Users", externalIds.get(holder)));
                assertThat(deactivated).as("deactivation of a holder").isGreaterThanOrEqualTo(0);
            }
            // the very last requests delete school units, then their organiser
            assertThat(lastIndexOf(ending, "DELETE", "Organisations")).isEqualTo(ending.size() - 1);
            assertThat(lastIndexOf(ending, "DELETE", "SchoolUnits")).isGreaterThan(lastIndexOf(ending, "DELETE", "StudentGroups"));
            // nothing left over here either
            assertThat(jdbc.sql("select count(*) from provisioned_egil_object where connector_id = :c").param("c", connector.id()).query(Integer.class)
                    .single()).isZero();
        }
    }

    @Test
    void aConnectorsProfileCannotChange() {
        UUID product = fx.product(fx.supplierId, DECLARED);
        Connector core = connectors.create(new Connector.Settings(fx.supplierId, "Kärna", "https://scim.core.example/v2", Connector.Auth.BEARER, "t",
                null, null, null, null, List.of(product), false), "test");
        assertThat(core.profile()).isEqualTo(Connector.Profile.SCIM_CORE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connectors.change(core.id(), new Connector.Settings(fx.supplierId, "Kärna",
                        "https://scim.core.example/v2", Connector.Auth.BEARER, null, null, null, null, null, List.of(product), false, null,
                        Connector.Profile.EGIL, null, null, null), "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("profile cannot change");
    }

    private static int indexOf(List<EgilTestServer.Request> log, String method, String endpoint) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).method().equals(method) && log.get(i).endpoint().equals(endpoint)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<EgilTestServer.Request> log, String method, String endpoint) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).method().equals(method) && log.get(i).endpoint().equals(endpoint)) {
                return i;
            }
        }
        return -1;
    }

    private String externalId(UUID connector, UUID person) {
        return jdbc.sql("select external_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                .param("p", person).query(String.class).single();
    }

    private String deadLetters(UUID connector) {
        return jdbc.sql("select string_agg(last_error, ' | ') from provisioning_operation where connector_id = :c and state = 'DEAD'")
                .param("c", connector).query(String.class).optional().orElse("");
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
    }
}
