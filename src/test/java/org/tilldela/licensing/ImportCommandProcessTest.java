package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.CommandProcess;
import org.tilldela.catalog.Product;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * {@code import oneroster} as a user runs it: a JVM of its own (the build's classes and jars), against the shared test
 * database as an external PostgreSQL, and with the data directory alone while this test's server runs on it (the command
 * attaches to its PostgreSQL). It ends with exit status 0 only after the follow-up its import started — licensing
 * following the directory, on another thread of that JVM — is done: the pupil who joined holds the rule's licence the
 * moment the process has ended (nothing in this test's server follows that import: the event was the command's own).
 * And a normal end prints no exception or stack trace.
 */
class ImportCommandProcessTest extends LicensingTestSupport {

    @Test
    void anImportCommandOnASharedDatabaseFinishesItsLicensingFollowUpAndEndsCleanly() throws Exception {
        EmbeddedDatabase.Server database = sharedDatabase();
        importTheNextDayByCommand(List.of("--spring.datasource.url=" + database.jdbcUrl(), "--spring.datasource.username=" + EmbeddedDatabase.APP_ROLE,
                        "--spring.flyway.user=" + EmbeddedDatabase.OWNER),
                // passwords in the environment, never on the command line (which ps shows)
                Map.of("SPRING_DATASOURCE_PASSWORD", database.password(EmbeddedDatabase.APP_ROLE),
                        "SPRING_FLYWAY_PASSWORD", database.password(EmbeddedDatabase.OWNER)));
    }

    /** As a user runs it with the embedded database while the server runs: the data directory alone (the command attaches). */
    @Test
    void anImportCommandBesideTheServerFinishesItsLicensingFollowUpAndEndsCleanly() throws Exception {
        String printed = importTheNextDayByCommand(List.of(), Map.of());
        if (madeAheadOfTime()) {
            assertThat(printed).contains("Command context made ahead of time");
        }
    }

    /** Whether the build made the command context ahead of time before this test (ImportCommandProcessIT: after package). */
    boolean madeAheadOfTime() {
        return false;
    }

    private String importTheNextDayByCommand(List<String> databaseArguments, Map<String, String> environment) throws Exception {
        String source = newSource("cli-process");
        Town town = Town.small();
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 30);
        pools.addRule(poolId, Selector.gradeAtUnit(org(source, "org-1"), "07"), "test");
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(6);

        // the next day two pupils join grade 7 at org-1, imported by the command
        Path nextDay = town.pupil("p9", "org-1", "07", "c-7b").pupil("p10", "org-1", "07", "c-7a").write(tmp.resolve("next-day-" + source + ".zip"));
        List<String> command = CommandProcess.fromClasses("import", "oneroster", nextDay.toString(), "--source", source,
                "--tilldela.data-dir=" + dataDir(), "--logging.level.org.tilldela.platform.AheadOfTime=DEBUG");
        command.addAll(databaseArguments);
        CommandProcess run = CommandProcess.run(command, environment, tmp, Duration.ofMinutes(2));
        String printed = run.printed();
        assertThat(run.exit()).as(printed).isZero();
        assertThat(printed).as("a normal end prints no exception").doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at \\S+\\(")
                .contains("persons");

        // done before the process ended: no waiting here
        assertThat(licences.holds(person(source, "p9"), product, TODAY)).as("p9 holds the licence").isTrue();
        assertThat(licences.holds(person(source, "p10"), product, TODAY)).as("p10 holds the licence").isTrue();
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(8);
        assertThat(jdbc.sql("""
                        select count(*) from event_publication
                        where completion_date is null and serialized_event like '%' || :run || '%'
                        """).param("run", lastRun(source).toString()).query(Long.class).single())
                .as("none of the command's publications left open").isZero();
        return printed;
    }

    private UUID lastRun(String source) {
        return jdbc.sql("select id from import_run where source = :s order by started_at desc limit 1").param("s", source).query(UUID.class).single();
    }
}
