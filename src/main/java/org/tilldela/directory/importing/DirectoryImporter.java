package org.tilldela.directory.importing;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.directory.DirectoryChangesRecorded;

/**
 * Runs an import as one transaction: stage the snapshot, check it, apply the deletion guard, journal
 * and apply the difference, announce it. All or nothing.
 */
@Service
public class DirectoryImporter {

    private static final Logger log = LoggerFactory.getLogger(DirectoryImporter.class);

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final double massRemovalThresholdPercent;
    private final long deferIndexesFrom;
    private final Ids ids;

    DirectoryImporter(DataSource dataSource, JdbcClient jdbc, PlatformTransactionManager txManager, ApplicationEventPublisher events, Ids ids,
                      @Value("${tilldela.import.mass-removal-threshold-percent:10}") double massRemovalThresholdPercent,
                      @Value("${tilldela.import.defer-indexes-from-rows:50000}") long deferIndexesFrom) {
        this.deferIndexesFrom = deferIndexesFrom;
        this.ids = ids;
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
        this.events = events;
        this.massRemovalThresholdPercent = massRemovalThresholdPercent;
    }

    public ImportSummary run(UUID runId, ImportOptions options, SnapshotReader reader, ImportProgress progress) {
        long started = System.nanoTime();
        Map<String, Long> phases = new LinkedHashMap<>();
        ImportSummary summary = tx.execute(status -> {
            // One import per source at a time, across every node sharing the database.
            jdbc.sql("select pg_advisory_xact_lock(hashtext('directory-import:' || :source))").param("source", options.source()).query().singleRow();
            ensureSource(options.source(), reader.sourceKind());
            Connection connection = DataSourceUtils.getConnection(dataSource);
            StagedSnapshot stage = new StagedSnapshot(dataSource, connection, jdbc, options.source(), ids, deferIndexesFrom);
            try {
                long t = System.nanoTime();
                stage.createTables();
                TimedProgress timed = new TimedProgress(progress);
                reader.read(stage, timed);
                timed.end();
                stage.problems().throwIfAny();
                t = lap(phases, "read and stage", t);
                timed.timings.forEach((phase, ms) -> phases.put("  read " + phase, ms));

                progress.phase("check", 0);
                stage.finishReading();
                stage.checkReferences();
                t = lap(phases, "check", t);

                stage.guardMassRemoval(options.allowMassRemoval(), massRemovalThresholdPercent);
                t = lap(phases, "deletion guard", t);

                progress.phase("apply", 0);
                StagedSnapshot.Applied applied = stage.apply(runId);
                t = lap(phases, "journal and apply", t);

                jdbc.sql("update directory_source set last_import_at = now() where name = :name").param("name", options.source()).update();
                if (applied.changes() > 0) {
                    Range range = jdbc.sql("select min(seq) first, max(seq) last from directory_change where import_run_id = :run")
                            .param("run", runId).query((rs, n) -> new Range(rs.getLong("first"), rs.getLong("last"))).single();
                    events.publishEvent(new DirectoryChangesRecorded(runId, options.source(), range.first(), range.last()));
                }
                lap(phases, "finish", t);
                stage.timings().forEach((step, ms) -> phases.put("  " + step, ms));
                return new ImportSummary(runId, options.source(), applied.counts(), applied.changes(), 0, phases);
            } finally {
                stage.close();
            }
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info("Import {} of source {} done in {} ms ({} changes journalled)", runId, options.source(), millis, summary.changesRecorded());
        return new ImportSummary(summary.runId(), summary.source(), summary.entities(), summary.changesRecorded(), millis, phases);
    }

    private record Range(long first, long last) {
    }

    /** Passes progress on and notes how long each phase of reading took. */
    private static final class TimedProgress implements ImportProgress {
        private final ImportProgress delegate;
        private final Map<String, Long> timings = new LinkedHashMap<>();
        private String phase;
        private long since;

        TimedProgress(ImportProgress delegate) {
            this.delegate = delegate;
        }

        @Override
        public void phase(String name, long total) {
            end();
            phase = name;
            since = System.nanoTime();
            delegate.phase(name, total);
        }

        @Override
        public void advance(long n) {
            delegate.advance(n);
        }

        @Override
        public void records(long n) {
            delegate.records(n);
        }

        void end() {
            if (phase != null) {
                timings.merge(phase, (System.nanoTime() - since) / 1_000_000, Long::sum);
                phase = null;
            }
        }
    }

    private void ensureSource(String source, String kind) {
        String existing = jdbc.sql("select kind from directory_source where name = :name").param("name", source)
                .query(String.class).optional().orElse(null);
        if (existing == null) {
            jdbc.sql("insert into directory_source (name, kind) values (:name, :kind)").param("name", source).param("kind", kind).update();
        } else if (!existing.equals(kind)) {
            throw new ImportRejectedException(new ImportProblem("source " + source, 0, null,
                    "this source was imported as " + existing + " before; a source is one system's snapshot, so use another --source name for " + kind));
        }
    }

    private static long lap(Map<String, Long> phases, String name, long since) {
        long now = System.nanoTime();
        phases.merge(name, (now - since) / 1_000_000, Long::sum);
        return now;
    }
}
