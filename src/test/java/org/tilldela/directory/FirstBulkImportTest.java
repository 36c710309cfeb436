package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
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
            ImportRuns runs = app.getBean(ImportRuns.class);
            long personStorage = storage(jdbc, "person");
            long membershipStorage = storage(jdbc, "membership");

            var first = runs.runNow("ONEROSTER", new ImportOptions("bulk", false, "test"), new OneRosterReader(zip, "m.zip"), ImportProgress.NONE, "m.zip");

            assertThat(indexes(jdbc)).isEqualTo(before).contains("membership_group", "membership_person", "membership_pkey", "person_search_family_given", "guardian_link_child");
            assertThat(foreignKeys(jdbc)).isEqualTo(keysBefore).contains("person.person_source_fkey FOREIGN KEY (source) REFERENCES directory_source(name)");
            assertThat(first.entities().get("persons").created()).isEqualTo(2000);
            // the empty tables were given new storage in the import's transaction (so that, at the embedded server's
            // wal_level minimal, their rows were written without WAL): persons by CLUSTER (other tables refer to them),
            // memberships by TRUNCATE; and CLUSTER's mark on the key is not left behind
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
            // again: a repeated id fails the whole transaction, and the key is there afterwards. Persons keep theirs (other
            // tables' foreign keys refer to it).
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

    /** The table's storage (its relfilenode): new after TRUNCATE or CLUSTER. */
    private static long storage(JdbcClient jdbc, String table) {
        return jdbc.sql("select pg_relation_filenode(cast(:t as regclass))").param("t", table).query(Long.class).single();
    }

    private static List<String> foreignKeys(JdbcClient jdbc) {
        return jdbc.sql("select conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where contype = 'f' "
                + "and conrelid::regclass::text in ('organisation', 'person', 'enrolment', 'student_group', 'membership', 'duty', 'guardian_link') "
                + "order by 1").query(String.class).list();
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
