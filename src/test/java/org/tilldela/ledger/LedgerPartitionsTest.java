package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.platform.DatabaseCredentials;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * The ledger partitioned by month, and its own retention. The shared database shows the partitions and what
 * the application's role may not do to them; the retention runs in a database of its own on the same server
 * (removing months cuts the chain, which the other ledger tests must not see): months older than the retention
 * go, oldest first, each leaving a signed checkpoint, and the chain after the cut still verifies — and breaks
 * where it should.
 */
class LedgerPartitionsTest extends LedgerTestSupport {

    @Test
    void theLedgerIsPartitionedByMonthAndItsPartitionsAreAppendOnlyForTheApplication() {
        long sequence = append(batch(1, UUID.randomUUID(), UUID.randomUUID()))[0];
        String month = "disclosure_" + LocalDate.now(ZoneOffset.UTC).toString().substring(0, 7).replace('-', '_');
        assertThat(jdbc.sql("select tableoid::regclass::text from disclosure_record where sequence = :s").param("s", sequence).query(String.class).single())
                .as("a record lands in its month's partition").isIn(month, "disclosure_default");
        assertThat(jdbc.sql("""
                        select count(*) from pg_inherits where inhparent = 'disclosure_record'::regclass
                          and inhrelid::regclass::text ~ '^disclosure_\\d{4}_\\d{2}$'""").query(Integer.class).single())
                .as("this month and three ahead at least").isGreaterThanOrEqualTo(4);
        assertThat(jdbc.sql("select ledger_add_months(3)").query(Integer.class).single()).as("made already").isZero();

        String partition = jdbc.sql("select tableoid::regclass::text from disclosure_record where sequence = :s").param("s", sequence).query(String.class).single();
        for (String sql : List.of("delete from " + partition + " where sequence = " + sequence, "truncate " + partition,
                "update disclosure set purpose = 'x' where sequence = " + sequence, "drop table " + partition,
                "select ledger_make_month('disclosure_record', date '2001-01-01')")) {
            assertThatThrownBy(() -> jdbc.sql(sql).update()).as(sql).satisfies(e -> assertThat(
                    org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e).getMessage()).containsAnyOf("permission denied", "must be owner"));
        }
    }

    @Test
    void monthsOlderThanTheRetentionGoOldestFirstAndTheChainAfterTheCutStillVerifies() throws Exception {
        String name = "ledger_retention_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection su = superuser(); var st = su.createStatement()) {
            st.execute("create database " + name + " owner " + EmbeddedDatabase.OWNER);
        }
        String url = jdbcUrl().replaceAll("/[^/]+$", "/" + name);
        DatabaseCredentials credentials = DatabaseCredentials.read(dataDir());
        try {
            Flyway.configure().dataSource(url, EmbeddedDatabase.OWNER, credentials.password(EmbeddedDatabase.OWNER)).locations("classpath:db/migration")
                    .placeholders(Map.of("appRole", EmbeddedDatabase.APP_ROLE, "ledgerRetentionYears", "5", "auditSignInRetentionDays", "365")).load().migrate();
            SimpleDriverDataSource owner = new SimpleDriverDataSource(new org.postgresql.Driver(), url, EmbeddedDatabase.OWNER,
                    credentials.password(EmbeddedDatabase.OWNER));
            SimpleDriverDataSource app = new SimpleDriverDataSource(new org.postgresql.Driver(), url, EmbeddedDatabase.APP_ROLE,
                    credentials.password(EmbeddedDatabase.APP_ROLE));
            JdbcClient asOwner = JdbcClient.create(owner);
            JdbcClient db = JdbcClient.create(app);
            TransactionTemplate inTx = new TransactionTemplate(new DataSourceTransactionManager(app));
            ChainVerifier chain = new ChainVerifier(app, 2, 4);
            LedgerCheckpoints signed = new LedgerCheckpoints(db, chain, dataDir().toString(), "", Optional.empty());
            DisclosureLedger ledger = new DisclosureLedger(db, signed, new ReleaseTerms(db), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            LedgerMaintenance maintenance = new LedgerMaintenance(db, signed);

            // two months well past five years, one within them, and now
            for (String month : List.of("2019-01-01", "2019-02-01", "2024-06-01")) {
                asOwner.sql("select ledger_make_month('disclosure_record', cast(:m as date))").param("m", month).query(Boolean.class).single();
            }
            UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), kept = UUID.randomUUID();
            for (String day : List.of("2019-01-10", "2019-01-20", "2019-01-30", "2019-02-03", "2019-02-14", "2019-02-27", "2024-06-01", "2024-06-30")) {
                Instant at = LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
                UUID person = day.equals("2019-01-10") ? kept : UUID.randomUUID();
                inTx.execute(s -> ledger.append(List.of(new Disclosure(person, supplier, product, Channel.SCIM_PUSH, SMALL, null,
                        "GDPR art. 6.1 e (public task)", "Roster", at, 90, null))));
            }
            inTx.execute(s -> ledger.append(batch(3, supplier, product)));
            assertThat(ledger.verify().recordsChecked()).isEqualTo(11);

            LedgerMaintenance.Outcome outcome = maintenance.run();
            assertThat(outcome.problem()).isNull();
            assertThat(outcome.monthEndsSigned()).as("each ended month's last record").containsExactly(3L, 6L, 8L);
            assertThat(outcome.removed()).extracting(LedgerMaintenance.Removed::month)
                    .containsExactly(LocalDate.parse("2019-01-01"), LocalDate.parse("2019-02-01"));
            assertThat(outcome.removed()).extracting(LedgerMaintenance.Removed::cut).containsExactly(3L, 6L);
            assertThat(db.sql("select count(*) from disclosure").query(Long.class).single()).isEqualTo(5);
            assertThat(db.sql("select to_regclass('disclosure_2019_01') is null and to_regclass('disclosure_2019_02') is null").query(Boolean.class).single())
                    .isTrue();

            ChainVerification across = ledger.verify();
            assertThat(across.intact()).as(String.valueOf(across)).isTrue();
            assertThat(across.recordsChecked()).as("the records after the cut").isEqualTo(5);
            assertThat(maintenance.run().removed()).as("nothing more is due").isEmpty();
            // the relation of January 2019 still lasts: the same release now repeats it, whose record went with its month
            long[] again = inTx.execute(s -> ledger.append(List.of(new Disclosure(kept, supplier, product, Channel.SCIM_PUSH, SMALL, null,
                    "GDPR art. 6.1 e (public task)", "Roster", Instant.now(), 90, null))));
            assertThat(again).containsExactly(0L);
            assertThat(db.sql("select repeats from holding where person_id = :p").param("p", kept).query(Long.class).single()).isEqualTo(1);
            String first = db.sql("select signed from ledger_checkpoint where sequence = 3").query(String.class).single();
            assertThat(signed.check(first).finding()).as("a checkpoint of a removed month").isEqualTo(LedgerCheckpoints.Finding.REMOVED);

            // after the cut the chain is checked as before: a changed record breaks it
            try (Connection su = owner.getConnection(); var st = su.createStatement()) {
                st.execute("set session_replication_role = replica");
                changePurpose(su, 7, "Marketing", null, null);
                assertThat(ledger.verify().firstBrokenSequence()).isEqualTo(7L);
                changePurpose(su, 7, "Roster", null, null);
            }
            assertThat(ledger.verify().intact()).isTrue();

            // a month is removed only after a checkpoint was signed at its last record
            asOwner.sql("select ledger_make_month('disclosure_record', date '2018-06-01')").query(Boolean.class).single();
            inTx.execute(s -> ledger.append(List.of(new Disclosure(UUID.randomUUID(), supplier, product, Channel.SCIM_PUSH, SMALL, null,
                    "GDPR art. 6.1 e (public task)", "Roster", LocalDate.parse("2018-06-15").atStartOfDay(ZoneOffset.UTC).toInstant(), 90, null))));
            assertThatThrownBy(() -> db.sql("select * from ledger_remove_expired_month()").query().listOfRows())
                    .hasMessageContaining("sign a checkpoint at record 12");

            // the application's role cannot write a cut at all (only the owner's retention function does)
            assertThatThrownBy(() -> db.sql("insert into ledger_cut (sequence, hash, month, records) values (10, :h, date '2020-01-01', 9)")
                    .param("h", new byte[32]).update()).rootCause().hasMessageContaining("permission denied");
            // one written into the database by hand is not vouched for by any signature
            asOwner.sql("insert into ledger_cut (sequence, hash, month, records) values (7, :h, date '2020-01-01', 1)").param("h", new byte[32]).update();
            ChainVerification forged = ledger.verify();
            assertThat(forged.intact()).isFalse();
            assertThat(forged.reason()).startsWith("cut:");
            // nor one at a signed checkpoint (June 2024's last record) whose records are still there: the verification would
            // have skipped every record up to it
            byte[] hashOf8 = asOwner.sql("select hash from disclosure_record where sequence = 8").query(byte[].class).single();
            asOwner.sql("insert into ledger_cut (sequence, hash, month, records) values (8, :h, date '2020-01-01', 1)").param("h", hashOf8).update();
            ChainVerification atACheckpoint = ledger.verify();
            assertThat(atACheckpoint.intact()).isFalse();
            assertThat(atACheckpoint.reason()).startsWith("cut:");
        } finally {
            try (Connection su = superuser(); var st = su.createStatement()) {
                st.execute("drop database if exists " + name + " with (force)");
            }
        }
    }
}
