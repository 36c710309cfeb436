package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * EGIL's depth against the independent EGIL server ({@link EgilTestServer}: UnboundID's scim2-sdk-server with EGIL's
 * schemas and its schema checker, refusing references to objects that are not there and deletions of objects still
 * referred to): a teacher's groups arrive as Activities naming the teacher's Employment, after the StudentGroups and
 * gone before them; a group sent again never carries a member whose release no longer lets the group go; and no
 * database transaction is open while the supplier takes its time.
 */
class EgilActivityTest extends IntegrationTest {

    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES,
            Attribute.GRADE, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);
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

    /** A teacher at a school unit with pupils enrolled there, and a teaching group of ours at the unit with them in it. */
    private record Teaching(UUID teacher, UUID unit, List<UUID> pupils, UUID group, UUID otherTeacher) {
    }

    private Teaching teaching(int pupils, int skip) {
        UUID teacher = jdbc.sql("""
                        select p.id from person p join duty d on d.person_id = p.id
                        where p.source = :s and p.protection = 'NONE' and d.role = 'TEACHER'
                          and (select count(*) from enrolment e join person q on q.id = e.person_id
                               where e.school_unit_id = d.organisation_id and q.protection = 'NONE') >= :n
                        order by p.id offset :skip limit 1
                        """).param("s", fx.source).param("n", pupils + skip).param("skip", skip).query(UUID.class).single();
        UUID unit = jdbc.sql("select organisation_id from duty where person_id = :p and role = 'TEACHER' order by organisation_id limit 1")
                .param("p", teacher).query(UUID.class).single();
        List<UUID> enrolled = jdbc.sql("""
                        select distinct p.id from enrolment e join person p on p.id = e.person_id
                        where e.school_unit_id = :u and p.protection = 'NONE' order by p.id offset :skip limit :n
                        """).param("u", unit).param("skip", skip).param("n", pupils).query(UUID.class).list();
        UUID group = UUID.randomUUID();
        jdbc.sql("""
                        insert into student_group (id, source, source_id, organisation_id, kind, name, school_form, content_hash)
                        values (:id, :s, :sid, :u, 'TEACHING_GROUP', :name, 'GR', :h)
                        """).param("id", group).param("s", fx.source).param("sid", "egil-" + group).param("u", unit)
                .param("name", "Ma " + group.toString().substring(0, 4)).param("h", UUID.randomUUID()).update();
        // a second teacher of the group, employed wherever they are (their employment there is the one named)
        UUID other = jdbc.sql("""
                        select p.id from person p join duty d on d.person_id = p.id
                        where p.source = :s and p.protection = 'NONE' and d.role = 'TEACHER' and p.id <> :t order by p.id offset :skip limit 1
                        """).param("s", fx.source).param("t", teacher).param("skip", skip).query(UUID.class).single();
        member(group, teacher, "TEACHER");
        member(group, other, "TEACHER");
        enrolled.forEach(p -> member(group, p, "PUPIL"));
        return new Teaching(teacher, unit, enrolled, group, other);
    }

    private void member(UUID group, UUID person, String role) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into membership (id, source, source_id, group_id, person_id, role, content_hash) values (:id, :s, :sid, :g, :p, :r, :h)")
                .param("id", id).param("s", fx.source).param("sid", id.toString()).param("g", group).param("p", person).param("r", role)
                .param("h", UUID.randomUUID()).update();
    }

    @Test
    void aTeachersGroupsArriveAsActivitiesAndAGroupSentAgainHoldsOnlyMembersWhoseReleaseLetsItGo() {
        Teaching t = teaching(3, 0);
        UUID product = product();
        try (EgilTestServer supplier = EgilTestServer.withToken("egil-activity")) {
            Connector connector = connector(supplier, "egil-activity", product);
            assertThat(connector.resourceTypes()).containsExactly("Organisation", "SchoolUnit", "Student", "Teacher", "Employment", "StudentGroup",
                    "Activity");
            UUID pool = fx.license(product, List.of(t.teacher(), t.otherTeacher(), t.pupils().get(0), t.pupils().get(1)));
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector.id(), "DONE") == 4);
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            String teacher = externalId(connector.id(), t.teacher());
            String first = externalId(connector.id(), t.pupils().get(0));
            String second = externalId(connector.id(), t.pupils().get(1));

            // the group with the two licensed pupils; its Activity names the group and the teacher's employment at its unit
            JsonNode group = supplier.studentGroups.get(t.group().toString());
            assertThat(EgilTestServer.Endpoint.values(group.path("studentMemberships"))).containsExactlyInAnyOrder(first, second);
            assertThat(group.path("studentGroupType").asText()).isEqualTo("Undervisning");
            String activityId = EgilObjects.activityId(t.group()).toString();
            JsonNode activity = supplier.activities.get(activityId);
            assertThat(activity).as("the group's activity").isNotNull();
            assertThat(activity.path("schemas").get(0).asText()).isEqualTo(EgilObjects.ACTIVITY);
            assertThat(activity.path("owner").path("value").asText()).isEqualTo(t.unit().toString());
            assertThat(EgilTestServer.Endpoint.values(activity.path("groups"))).containsExactly(t.group().toString());
            String employment = EgilObjects.employmentId(teacher, t.unit()).toString();
            String otherTeacher = externalId(connector.id(), t.otherTeacher());
            List<String> teachers = EgilTestServer.Endpoint.values(activity.path("teachers"));
            assertThat(teachers).hasSize(2).contains(employment);
            assertThat(teachers).extracting(e -> supplier.employments.get(e).path("user").path("value").asText())
                    .containsExactlyInAnyOrder(teacher, otherTeacher);
            // only licensed teachers in any activity; every activity's group is there; nothing names the third pupil
            supplier.activities.store.values().forEach(a -> {
                assertThat(EgilTestServer.Endpoint.values(a.getObjectNode().path("teachers"))).allSatisfy(e ->
                        assertThat(supplier.employments.get(e).path("user").path("value").asText()).isIn(teacher, otherTeacher));
                assertThat(supplier.studentGroups.store).containsKeys(EgilTestServer.Endpoint.values(a.getObjectNode().path("groups")).toArray(String[]::new));
            });
            // EGIL's order: the group before its activity
            List<EgilTestServer.Request> log = List.copyOf(supplier.log);
            assertThat(log.indexOf(new EgilTestServer.Request("POST", "StudentGroups", t.group().toString())))
                    .isGreaterThanOrEqualTo(0).isLessThan(log.indexOf(new EgilTestServer.Request("POST", "Activities", activityId)));

            // the second pupil and the second teacher leave the group without anything queued for them (their release today
            // no longer has it); the third pupil's licence sends the group and its activity again: with the first and the
            // third pupil, the first teacher — never the second pupil or the second teacher
            jdbc.sql("delete from membership where group_id = :g and person_id = any(:p)").param("g", t.group())
                    .param("p", new UUID[] {t.pupils().get(1), t.otherTeacher()}).update();
            // (the third pupil in no other group, which could also name the first pupil and record about them)
            jdbc.sql("delete from membership where person_id = :p and group_id <> :g").param("p", t.pupils().get(2)).param("g", t.group()).update();
            long ledgerBefore = ledger(t.pupils().get(0));
            pools.assignDirect(pool, List.of(t.pupils().get(2)), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector.id(), "DONE") == 5);
            String third = externalId(connector.id(), t.pupils().get(2));
            assertThat(EgilTestServer.Endpoint.values(supplier.studentGroups.get(t.group().toString()).path("studentMemberships")))
                    .containsExactlyInAnyOrder(first, third);
            assertThat(links(connector.id(), "StudentGroup", t.group())).containsExactlyInAnyOrder(t.pupils().get(0), t.pupils().get(2));
            assertThat(EgilTestServer.Endpoint.values(supplier.activities.get(activityId).path("teachers"))).containsExactly(employment);
            assertThat(links(connector.id(), "Activity", t.group())).containsExactly(t.teacher());
            // the first pupil's membership went again, so their release was asked again and is in the ledger
            assertThat(ledger(t.pupils().get(0))).isGreaterThan(ledgerBefore);
            // as what the group and its activity carry about them, the first pupil and the first teacher: who they are to
            // the supplier and that they are in it — not their names, which their own releases have and which did not go
            assertThat(lastDisclosed(t.pupils().get(0))).isEqualTo("GROUPS,PSEUDONYMOUS_ID");
            assertThat(lastDisclosed(t.teacher())).isEqualTo("GROUPS,PSEUDONYMOUS_ID");

            // the teacher's licence ends: out of the activity first, then the employment goes; the group stays with its pupils
            pools.withdrawDirect(pool, t.teacher(), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.employments.get(employment) == null);
            assertThat(EgilTestServer.Endpoint.values(supplier.activities.get(activityId).path("teachers"))).isEmpty();
            assertThat(supplier.studentGroups.get(t.group().toString())).isNotNull();
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();

            // the last licence holders go: the activity before its group, then the units
            int ending = supplier.log.size();
            for (UUID holder : List.of(t.pupils().get(0), t.pupils().get(1), t.pupils().get(2), t.otherTeacher())) {
                pools.withdrawDirect(pool, holder, "test");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.activities.store.isEmpty() && supplier.studentGroups.store.isEmpty()
                    && supplier.employments.store.isEmpty() && supplier.schoolUnits.store.isEmpty() && supplier.organisations.store.isEmpty());
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            List<EgilTestServer.Request> end = List.copyOf(supplier.log).subList(ending, supplier.log.size());
            assertThat(end.indexOf(new EgilTestServer.Request("DELETE", "Activities", activityId)))
                    .isGreaterThanOrEqualTo(0).isLessThan(end.indexOf(new EgilTestServer.Request("DELETE", "StudentGroups", t.group().toString())));
            assertThat(jdbc.sql("select count(*) from provisioned_egil_object where connector_id = :c").param("c", connector.id()).query(Integer.class)
                    .single()).isZero();
            assertThat(jdbc.sql("select count(*) from provisioned_egil_link where connector_id = :c").param("c", connector.id()).query(Integer.class)
                    .single()).isZero();
        }
    }

    @Test
    void noTransactionIsOpenWhileAStalledSupplierHasAGroup() throws Exception {
        Teaching t = teaching(1, 4);
        UUID product = product();
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        try (EgilTestServer supplier = EgilTestServer.withToken("egil-stall")) {
            supplier.arriving = request -> {
                if (request.endpoint().equals("StudentGroups") && request.id().equals(t.group().toString())) {
                    arrived.countDown();
                    try {
                        goOn.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Connector connector = connector(supplier, "egil-stall", product);
            try {
                fx.license(product, List.of(t.pupils().getFirst()));
                assertThat(arrived.await(20, TimeUnit.SECONDS)).as("the group's request reached the supplier").isTrue();
                // the worker waits for the supplier holding the group's lock: its connection is in no transaction
                // (autocommit, 'idle'), so it holds no row locks and pins no transaction while the supplier stalls
                List<String> holders = jdbc.sql("""
                                select a.state from pg_locks l join pg_stat_activity a on a.pid = l.pid
                                where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                                  and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(:key, 0)
                                """).param("key", EgilPush.lockKey(connector.id(), "StudentGroup", t.group())).query(String.class).list();
                assertThat(holders).containsExactly("idle");
                // and what it wrote before asking the supplier is committed: another connection sees and can change it
                assertThat(jdbc.sql("update provisioned_egil_object set updated_at = updated_at where connector_id = :c and kind = 'SchoolUnit'")
                        .param("c", connector.id()).update()).isPositive();
            } finally {
                goOn.countDown();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector.id(), "DONE") == 1);
            assertThat(EgilTestServer.Endpoint.values(supplier.studentGroups.get(t.group().toString()).path("studentMemberships")))
                    .containsExactly(externalId(connector.id(), t.pupils().getFirst()));
        }
    }

    private UUID product() {
        UUID product = fx.product(fx.supplierId, DECLARED);
        DataAccessAgreement agreement = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning och undervisningsgrupper", "Allmänt intresse", 30),
                "supplier");
        agreements.approve(agreement.id(), null, null, "school-admin");
        return product;
    }

    private Connector connector(EgilTestServer supplier, String token, UUID product) {
        return connectors.create(new Connector.Settings(fx.supplierId, "EGIL " + UUID.randomUUID().toString().substring(0, 6), supplier.baseUrl(),
                Connector.Auth.BEARER, token, null, null, null, null, List.of(product), true, 100.0, Connector.Profile.EGIL, null, null, null), "test");
    }

    private List<UUID> links(UUID connector, String kind, UUID id) {
        return new ArrayList<>(jdbc.sql("select person_id from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id")
                .param("c", connector).param("k", kind).param("id", id).query(UUID.class).list());
    }

    private long ledger(UUID person) {
        return jdbc.sql("select (select count(*) from disclosure where person_id = :p) + (select coalesce(sum(repeats), 0) from holding where person_id = :p)").param("p", person).query(Long.class).single();
    }

    /** The attribute names of the newest ledger record about the person. */
    private String lastDisclosed(UUID person) {
        return jdbc.sql("select attributes from disclosure where person_id = :p order by sequence desc limit 1").param("p", person)
                .query(String.class).single();
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
