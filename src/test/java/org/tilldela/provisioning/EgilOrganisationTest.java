package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
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
 * EGIL's Organisations (huvudmän) against the independent EGIL server ({@link EgilTestServer}, which refuses to delete
 * an object still referred to): the organiser sent is the one the release policy names, and it stays while a school
 * unit at the supplier refers to it, whoever keeps the unit.
 */
class EgilOrganisationTest extends IntegrationTest {

    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.ROLES,
            Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);
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

    /** Two pupils enrolled at one school unit, and at no other. */
    private record Classmates(UUID unit, UUID first, UUID second) {
    }

    private Classmates classmates(int skip) {
        UUID unit = jdbc.sql("""
                        select e.school_unit_id from enrolment e join person p on p.id = e.person_id
                        where p.source = :s and p.protection = 'NONE' and (select count(*) from enrolment x where x.person_id = p.id) = 1
                        group by e.school_unit_id having count(*) >= 2 order by e.school_unit_id offset :skip limit 1
                        """).param("s", fx.source).param("skip", skip).query(UUID.class).single();
        List<UUID> pupils = jdbc.sql("""
                        select p.id from enrolment e join person p on p.id = e.person_id
                        where e.school_unit_id = :u and p.protection = 'NONE' and (select count(*) from enrolment x where x.person_id = p.id) = 1
                        order by p.id limit 2
                        """).param("u", unit).query(UUID.class).list();
        return new Classmates(unit, pupils.get(0), pupils.get(1));
    }

    @Test
    void anOrganiserStaysWhileASchoolUnitThereRefersToIt() throws Exception {
        Classmates c = classmates(0);
        UUID product = product();
        try (EgilTestServer supplier = EgilTestServer.withToken("egil-organiser")) {
            Connector connector = connector(supplier, "egil-organiser", product);
            UUID pool = fx.license(product, List.of(c.first(), c.second()));
            await().atMost(Duration.ofSeconds(20)).until(() -> settled(connector.id(), 2));
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            assertThat(EgilTestServer.ids(supplier.organisations)).containsExactly(fx.organiserId.toString());
            assertThat(supplier.schoolUnits.get(c.unit().toString()).path("organisation").path("value").asText()).isEqualTo(fx.organiserId.toString());

            // as an upgrade from before organisers were sent leaves it: the first pupil was at the unit already (linked to
            // it, to no organiser), the second pupil's next operation sent the organiser and the unit referring to it; and
            // the units sent then are known by what that version took as their organiser (the migration's backfill)
            jdbc.sql("delete from provisioned_egil_link where connector_id = :c and kind = 'Organisation' and person_id = :p")
                    .param("c", connector.id()).param("p", c.first()).update();
            jdbc.sql("update provisioned_egil_object set organisation_id = null where connector_id = :c").param("c", connector.id()).update();
            jdbc.sql(backfill()).update();
            assertThat(jdbc.sql("select organisation_id from provisioned_egil_object where connector_id = :c and kind = 'SchoolUnit' and external_id = :u")
                    .param("c", connector.id()).param("u", c.unit()).query(UUID.class).single()).isEqualTo(fx.organiserId);

            // the second pupil goes: the first still keeps the unit, and the unit refers to the organiser, so both stay
            // (deleting the organiser would be refused, and the second pupil's operation would end as a dead letter)
            pools.withdrawDirect(pool, c.second(), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> settled(connector.id(), 3));
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            assertThat(supplier.schoolUnits.get(c.unit().toString())).isNotNull();
            assertThat(EgilTestServer.ids(supplier.organisations)).containsExactly(fx.organiserId.toString());

            // the first pupil goes too: the unit, then the organiser nobody is linked to and no unit refers to any more
            int ending = supplier.log.size();
            pools.withdrawDirect(pool, c.first(), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> settled(connector.id(), 4));
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            assertThat(supplier.schoolUnits.store).isEmpty();
            assertThat(supplier.organisations.store).isEmpty();
            List<EgilTestServer.Request> end = List.copyOf(supplier.log).subList(ending, supplier.log.size());
            assertThat(end.indexOf(new EgilTestServer.Request("DELETE", "SchoolUnits", c.unit().toString())))
                    .isGreaterThanOrEqualTo(0).isLessThan(end.indexOf(new EgilTestServer.Request("DELETE", "Organisations", fx.organiserId.toString())));
            assertThat(jdbc.sql("select count(*) from provisioned_egil_object where connector_id = :c").param("c", connector.id()).query(Integer.class)
                    .single()).isZero();
        }
    }

    @Test
    void theOrganiserSentIsTheNearestOrganiserNotTheTopOfTheAncestry() {
        Classmates c = classmates(1);
        UUID product = product();
        // an import's national organisation above the organiser (as OneRoster's state and national orgs, and SS 12000's
        // parents that are no Huvudman, are imported): kind OTHER, not an organiser
        UUID national = UUID.randomUUID();
        jdbc.sql("""
                        insert into organisation (id, source, source_id, kind, name, content_hash)
                        values (:id, :s, :sid, 'OTHER', 'Riket', :h)
                        """).param("id", national).param("s", fx.source).param("sid", "national-" + national).param("h", UUID.randomUUID()).update();
        jdbc.sql("update organisation set parent_id = :n where id = :o").param("n", national).param("o", fx.organiserId).update();
        try (EgilTestServer supplier = EgilTestServer.withToken("egil-nearest")) {
            Connector connector = connector(supplier, "egil-nearest", product);
            fx.license(product, List.of(c.first()));
            await().atMost(Duration.ofSeconds(20)).until(() -> settled(connector.id(), 1));
            assertThat(operations(connector.id(), "DEAD")).as(deadLetters(connector.id())).isZero();
            // the organiser the release policy names for the pupil (whose processing agreement lets anything go at all)
            assertThat(EgilTestServer.ids(supplier.organisations)).containsExactly(fx.organiserId.toString());
            assertThat(supplier.organisations.get(fx.organiserId.toString()).path("displayName").asText())
                    .isEqualTo(jdbc.sql("select name from organisation where id = :o").param("o", fx.organiserId).query(String.class).single());
            assertThat(supplier.schoolUnits.get(c.unit().toString()).path("organisation").path("value").asText()).isEqualTo(fx.organiserId.toString());
        } finally {
            jdbc.sql("update organisation set parent_id = null where id = :o").param("o", fx.organiserId).update();
            jdbc.sql("delete from organisation where id = :n").param("n", national).update();
        }
    }

    /** The migration's backfill of the units already sent: its statement after the column is added. */
    private static String backfill() throws Exception {
        String migration = new ClassPathResource("db/migration/provisioning/V2026.12.01.129__provisioning_egil_unit_organisation.sql")
                .getContentAsString(StandardCharsets.UTF_8);
        return migration.substring(migration.indexOf("with recursive"));
    }

    private UUID product() {
        UUID product = fx.product(fx.supplierId, DECLARED);
        DataAccessAgreement agreement = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30),
                "supplier");
        agreements.approve(agreement.id(), null, null, "school-admin");
        return product;
    }

    private Connector connector(EgilTestServer supplier, String token, UUID product) {
        return connectors.create(new Connector.Settings(fx.supplierId, "EGIL " + UUID.randomUUID().toString().substring(0, 6), supplier.baseUrl(),
                Connector.Auth.BEARER, token, null, null, null, null, List.of(product), true, 100.0, Connector.Profile.EGIL, null, null, null), "test");
    }

    private String deadLetters(UUID connector) {
        return jdbc.sql("select string_agg(last_error, ' | ') from provisioning_operation where connector_id = :c and state = 'DEAD'")
                .param("c", connector).query(String.class).optional().orElse("");
    }

    /** At least {@code n} operations have ended (done, or dead letters) and none is waiting. */
    private boolean settled(UUID connector, int n) {
        return jdbc.sql("""
                        select count(*) filter (where state in ('DONE', 'DEAD')) >= :n and count(*) filter (where state not in ('DONE', 'DEAD')) = 0
                        from provisioning_operation where connector_id = :c
                        """).param("c", connector).param("n", n).query(Boolean.class).single();
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
    }
}
