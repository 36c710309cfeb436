package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.TilldelaApplication;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.importing.StagedSnapshot;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * The first big import into an empty database builds secondary indexes and adds its foreign keys (and the primary keys
 * nothing refers to) after inserting instead of row by row. Here with a low threshold, on a database of its own: afterwards every index and key is
 * back, the data is complete, and a second import (into filled tables, indexes maintained as usual) still works.
 */
class FirstBulkImportTest {

    @Test
    void indexesAreRebuiltAfterTheFirstBulkImport(@TempDir Path dataDir, @TempDir Path files) {
        Path zip = files.resolve("m.zip");
        Path next = files.resolve("m2.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(2000, 9, "sv", 0, 0)).writeTo(zip);
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(2000, 9, "sv", 5, 3)).writeTo(next);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TilldelaApplication.class).web(WebApplicationType.NONE)
                .run("--tilldela.data-dir=" + dataDir, "--tilldela.bootstrap.enabled=false", "--spring.main.banner-mode=off",
                        "--tilldela.import.defer-indexes-from-rows=100")) {
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            List<String> before = indexes(jdbc);
            List<String> keysBefore = foreignKeys(jdbc);
            List<String> referringBefore = referringKeys(jdbc, "person");
            ImportRuns runs = app.getBean(ImportRuns.class);
            long personStorage = storage(jdbc, "person");
            long membershipStorage = storage(jdbc, "membership");

            var first = runs.runNow("ONEROSTER", new ImportOptions("bulk", false, "test"), new OneRosterReader(zip, "m.zip"), ImportProgress.NONE, "m.zip");

            assertThat(indexes(jdbc)).isEqualTo(before).contains("membership_group", "membership_person", "membership_pkey", "person_search_family_given", "guardian_link_child");
            assertThat(foreignKeys(jdbc)).isEqualTo(keysBefore).contains("person.person_source_fkey FOREIGN KEY (source) REFERENCES directory_source(name)");
            assertThat(referringKeys(jdbc, "person")).isEqualTo(referringBefore).hasSize(2);
            assertThat(first.entities().get("persons").created()).isEqualTo(2000);
            // the empty tables were given new storage in the import's transaction (so that, at the embedded server's
            // wal_level minimal, their rows were written without WAL), by TRUNCATE: the persons too, since the tables that
            // refer to them (sign-in accounts and cards) were empty and their keys laid aside with the persons' own; and
            // no clustering mark is left behind
            assertThat(jdbc.sql("show wal_level").query(String.class).single()).isEqualTo("minimal");
            assertThat(storage(jdbc, "person")).isNotEqualTo(personStorage);
            assertThat(storage(jdbc, "membership")).isNotEqualTo(membershipStorage);
            assertThat(jdbc.sql("select count(*) from pg_index where indisclustered").query(Long.class).single()).isZero();
            assertThat(jdbc.sql("select count(*) from membership where source = 'bulk'").query(Long.class).single())
                    .isEqualTo(first.entities().get("memberships").created());

            var second = runs.runNow("ONEROSTER", new ImportOptions("bulk", false, "test"), new OneRosterReader(next, "m2.zip"), ImportProgress.NONE, "m2.zip");
            assertThat(second.entities().get("persons").removed()).isPositive();
            assertThat(indexes(jdbc)).isEqualTo(before);
            assertThat(jdbc.sql("select count(*) from person where source = 'bulk'").query(Long.class).single()).isEqualTo(2000);

            // The same package read again (--reread; else it is recognised by its digest and not read at all): every stored
            // row is read back (binary COPY, into a table sized from the planner's estimate, which may be none yet) and
            // recognised as unchanged; nothing is staged or journalled.
            var again = runs.runNow("ONEROSTER", new ImportOptions("bulk", false, "test", true), new OneRosterReader(next, "m2.zip"),
                    ImportProgress.NONE, "m2.zip");
            assertThat(again.unchangedSince()).isNull();
            assertThat(again.changesRecorded()).isZero();
            again.entities().forEach((entity, counts) -> assertThat(counts.changedAnything()).as(entity).isFalse());
            assertThat(again.entities().get("persons").unchanged()).isEqualTo(2000);
            assertThat(again.entities().get("memberships").unchanged())
                    .isEqualTo(jdbc.sql("select count(*) from membership where source = 'bulk'").query(Long.class).single());

            // A foreign key laid aside for a bulk insert still checks every inserted row when it is added again: a person of a
            // source that does not exist fails the whole transaction, and the key is there afterwards
            TransactionTemplate tx = app.getBean(TransactionTemplate.class);
            assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                assertThat(jdbc.sql("select defer_secondary_indexes(cast('person' as regclass))").query(Integer.class).single()).isGreaterThan(1);
                assertThat(foreignKeys(jdbc)).noneMatch(key -> key.startsWith("person."));
                jdbc.sql("insert into person (id, source, source_id, given_name, family_name, protection, content_hash) "
                        + "values (gen_random_uuid(), 'no-such-source', 'x', 'Test', 'Person', 'NONE', gen_random_uuid())").update();
                jdbc.sql("select restore_secondary_indexes(cast('person' as regclass))").query(Integer.class).single();
            })).hasMessageContaining("person_source_fkey");
            assertThat(foreignKeys(jdbc)).isEqualTo(keysBefore);
            assertThat(indexes(jdbc)).isEqualTo(before);
            assertThat(jdbc.sql("select count(*) from person where source = 'no-such-source'").query(Long.class).single()).isZero();

            // A primary key laid aside (memberships: no other table refers to them) still checks every row when it is added
            // again: a repeated id fails the whole transaction, and the key is there afterwards.
            long memberships = jdbc.sql("select count(*) from membership").query(Long.class).single();
            assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                jdbc.sql("select defer_secondary_indexes(cast('membership' as regclass))").query(Integer.class).single();
                assertThat(primaryKeys(jdbc)).doesNotContain("membership").contains("person");
                jdbc.sql("insert into membership select * from membership limit 1").update();
                jdbc.sql("select restore_secondary_indexes(cast('membership' as regclass))").query(Integer.class).single();
            })).hasMessageContaining("membership_pkey");
            assertThat(primaryKeys(jdbc)).contains("membership", "person");
            assertThat(indexes(jdbc)).isEqualTo(before);
            assertThat(jdbc.sql("select count(*) from membership").query(Long.class).single()).isEqualTo(memberships);

            // The persons' key is laid aside with the foreign keys that refer to it only while every table they belong to
            // is empty (as on a new installation); those keys are put back last, after the key they need, and check their
            // rows when they are: an account of a person who does not exist fails the whole transaction
            assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                jdbc.sql("select defer_secondary_indexes(cast('person' as regclass))").query(Integer.class).single();
                assertThat(primaryKeys(jdbc)).doesNotContain("person");
                assertThat(referringKeys(jdbc, "person")).isEmpty();
                jdbc.sql("insert into sso_person_account (person_id, username, password_hash, password_set_by) "
                        + "values (gen_random_uuid(), 'nobody', 'x', 'test')").update();
                jdbc.sql("select restore_secondary_indexes(cast('person' as regclass))").query(Integer.class).single();
            })).hasMessageContaining("sso_person_account_person_id_fkey");
            assertThat(referringKeys(jdbc, "person")).isEqualTo(referringBefore);
            assertThat(primaryKeys(jdbc)).contains("person");
            tx.executeWithoutResult(status -> {
                jdbc.sql("insert into sso_person_account (person_id, username, password_hash, password_set_by) "
                        + "select id, 'somebody', 'x', 'test' from person limit 1").update();
                jdbc.sql("select defer_secondary_indexes(cast('person' as regclass))").query(Integer.class).single();
                assertThat(primaryKeys(jdbc)).contains("person");
                assertThat(referringKeys(jdbc, "person")).isEqualTo(referringBefore);
                jdbc.sql("select restore_secondary_indexes(cast('person' as regclass))").query(Integer.class).single();
                status.setRollbackOnly();
            });
            assertThat(indexes(jdbc)).isEqualTo(before);

            // Laying aside the indexes of a table that holds rows keeps its rows and its storage (only an empty table is
            // given new storage), also when the transaction commits
            long persons = jdbc.sql("select count(*) from person").query(Long.class).single();
            long personsStorage = storage(jdbc, "person");
            tx.executeWithoutResult(status -> {
                for (String table : List.of("membership", "person")) {
                    jdbc.sql("select defer_secondary_indexes(cast(:t as regclass))").param("t", table).query(Integer.class).single();
                    jdbc.sql("select restore_secondary_indexes(cast(:t as regclass))").param("t", table).query(Integer.class).single();
                }
            });
            assertThat(jdbc.sql("select count(*) from membership").query(Long.class).single()).isEqualTo(memberships);
            assertThat(jdbc.sql("select count(*) from person").query(Long.class).single()).isEqualTo(persons);
            assertThat(storage(jdbc, "person")).isEqualTo(personsStorage);
            assertThat(indexes(jdbc)).isEqualTo(before);

            // A table emptied in this transaction counts as empty under READ COMMITTED, which sees everything committed
            // before each statement; under REPEATABLE READ (whose snapshot may be older than the table's last rows) it
            // keeps its storage
            long dutyStorage = storage(jdbc, "duty");
            for (int isolation : List.of(TransactionDefinition.ISOLATION_READ_COMMITTED, TransactionDefinition.ISOLATION_REPEATABLE_READ)) {
                TransactionTemplate at = new TransactionTemplate(app.getBean(PlatformTransactionManager.class));
                at.setIsolationLevel(isolation);
                long inside = at.execute(status -> {
                    jdbc.sql("delete from duty").update();
                    jdbc.sql("select defer_secondary_indexes(cast('duty' as regclass))").query(Integer.class).single();
                    long now = storage(jdbc, "duty");
                    status.setRollbackOnly();
                    return now;
                });
                if (isolation == TransactionDefinition.ISOLATION_READ_COMMITTED) {
                    assertThat(inside).isNotEqualTo(dutyStorage);
                } else {
                    assertThat(inside).isEqualTo(dutyStorage);
                }
            }
            assertThat(storage(jdbc, "duty")).isEqualTo(dutyStorage);
            assertThat(indexes(jdbc)).isEqualTo(before);
        }
    }

    /**
     * Two sources' first imports into a new installation at the same moment. Each import's transaction holds a share
     * lock on the directory's tables from its start (its stage is made from them); laying a table's indexes aside needs
     * the table to itself. It used to wait for the other import to end, while the other, at its own apply, queued
     * behind that wait: PostgreSQL ended one of them as a deadlock. Now a first import lays indexes aside only when no
     * other import is under way (it maintains them as it inserts otherwise), and an import that starts while one is
     * laying them aside waits for it to finish before it begins. Here the other import is held in the middle of its
     * reading, so the two overlap for certain.
     */
    @Test
    void aFirstBulkImportBesideAnotherImportDoesNotDeadlock(@TempDir Path dataDir, @TempDir Path files) throws Exception {
        Path big = files.resolve("big.zip");
        Path small = files.resolve("small.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(2000, 9, "sv", 0, 0)).writeTo(big);
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(200, 3, "da", 0, 0)).writeTo(small);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TilldelaApplication.class).web(WebApplicationType.NONE)
                .run("--tilldela.data-dir=" + dataDir, "--tilldela.bootstrap.enabled=false", "--spring.main.banner-mode=off",
                        "--tilldela.import.defer-indexes-from-rows=100")) {
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            ImportRuns runs = app.getBean(ImportRuns.class);
            List<String> before = indexes(jdbc);
            long personStorage = storage(jdbc, "person");

            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch goOn = new CountDownLatch(1);
            OneRosterReader smallReader = new OneRosterReader(small, "small.zip");
            SnapshotReader heldInReading = new SnapshotReader() {
                @Override
                public String sourceKind() {
                    return smallReader.sourceKind();
                }

                @Override
                public void read(StagedSnapshot stage, ImportProgress progress) {
                    smallReader.read(stage, progress);
                    reading.countDown();
                    try {
                        goOn.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Future<ImportSummary> other = threads.submit(() ->
                    runs.runNow("ONEROSTER", new ImportOptions("other", false, "test"), heldInReading, ImportProgress.NONE, "small.zip"));
            assertThat(reading.await(60, TimeUnit.SECONDS)).isTrue();
            Future<ImportSummary> first = threads.submit(() ->
                    runs.runNow("ONEROSTER", new ImportOptions("bulk", false, "test"), new OneRosterReader(big, "big.zip"), ImportProgress.NONE, "big.zip"));
            ImportSummary bulk;
            try {
                bulk = first.get(60, TimeUnit.SECONDS); // before: waited here for the other import, which waits for this one
            } finally {
                goOn.countDown();
            }
            ImportSummary held = other.get(60, TimeUnit.SECONDS);

            assertThat(bulk.entities().get("persons").created()).isEqualTo(2000);
            assertThat(held.entities().get("persons").created()).isEqualTo(200);
            // with another import under way the first import kept the table's indexes and storage
            assertThat(bulk.phaseMillis()).doesNotContainKey("  rebuild indexes and keys of persons");
            assertThat(storage(jdbc, "person")).isEqualTo(personStorage);
            assertThat(indexes(jdbc)).isEqualTo(before);
            assertThat(jdbc.sql("select source, count(*) from person group by source order by source")
                    .query((rs, n) -> rs.getString(1) + "=" + rs.getLong(2)).list()).containsExactly("bulk=2000", "other=200");
        } finally {
            threads.shutdownNow();
        }
    }

    /** The table's storage (its relfilenode): new after TRUNCATE or CLUSTER. */
    private static long storage(JdbcClient jdbc, String table) {
        return jdbc.sql("select pg_relation_filenode(cast(:t as regclass))").param("t", table).query(Long.class).single();
    }

    private static List<String> foreignKeys(JdbcClient jdbc) {
        return jdbc.sql("select conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where contype = 'f' "
                + "and conrelid::regclass::text in ('organisation', 'person', 'enrolment', 'student_group', 'membership', 'duty', 'guardian_link') "
                + "order by 1").query(String.class).list();
    }

    /** The foreign keys of other tables that refer to {@code table}. */
    private static List<String> referringKeys(JdbcClient jdbc, String table) {
        return jdbc.sql("select conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint "
                + "where contype = 'f' and confrelid = cast(:t as regclass) and conrelid <> confrelid order by 1")
                .param("t", table).query(String.class).list();
    }

    private static List<String> primaryKeys(JdbcClient jdbc) {
        return jdbc.sql("select conrelid::regclass::text from pg_constraint where contype = 'p' "
                + "and conrelid::regclass::text in ('organisation', 'person', 'enrolment', 'student_group', 'membership', 'duty', 'guardian_link') "
                + "order by 1").query(String.class).list();
    }

    private static List<String> indexes(JdbcClient jdbc) {
        return jdbc.sql("select indexname from pg_indexes where schemaname = current_schema() and tablename in "
                + "('organisation', 'person', 'enrolment', 'student_group', 'membership', 'duty', 'guardian_link') order by indexname")
                .query(String.class).list();
    }
}
