package org.tilldela.directory.importing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.directory.DirectoryChangesRecorded;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

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
    private final JsonMapper json;
    private final ImportLimits limits;
    /** Which build this is (META-INF/build-info.properties); null when run without one. */
    private final BuildProperties build;

    /** The requesting administrator's grant (an import asked for within a scope adds nothing above it). */
    private final org.tilldela.governance.Scopes scopes;
    private final org.tilldela.governance.AdminAccounts accounts;

    DirectoryImporter(DataSource dataSource, JdbcClient jdbc, PlatformTransactionManager txManager, ApplicationEventPublisher events, Ids ids,
                      JsonMapper json, ImportLimits limits, ObjectProvider<BuildProperties> build,
                      @Value("${tilldela.import.mass-removal-threshold-percent:10}") double massRemovalThresholdPercent,
                      @Value("${tilldela.import.defer-indexes-from-rows:50000}") long deferIndexesFrom,
                      org.tilldela.governance.Scopes scopes, org.tilldela.governance.AdminAccounts accounts) {
        this.scopes = scopes;
        this.accounts = accounts;
        this.deferIndexesFrom = deferIndexesFrom;
        this.ids = ids;
        this.json = json;
        this.limits = limits;
        this.build = build.getIfAvailable();
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txManager);
        this.events = events;
        this.massRemovalThresholdPercent = massRemovalThresholdPercent;
    }

    public ImportSummary run(UUID runId, ImportOptions options, SnapshotReader reader, ImportProgress progress) {
        long started = System.nanoTime();
        Map<String, Long> phases = new LinkedHashMap<>();
        Optional<byte[]> digest = reader.packageDigest();
        if (digest.isPresent()) {
            lap(phases, "package digest", started); // a package has one; an SS 12000 server none (no timing to show)
        }
        ImportSummary summary = tx.execute(status -> {
            // One import per source at a time, across every node sharing the database.
            lock("advisory_xact_lock", "hashtext('directory-import:' || :source)", Map.of("source", options.source()), progress);
            // And every import says it is under way, before its stage takes a share lock on the directory's tables: a
            // first bulk import lays a table's indexes aside only when it alone is (see StagedSnapshot#deferIndexesOfEmptyTable).
            lock("advisory_xact_lock_shared", StagedSnapshot.IMPORTS_UNDER_WAY, Map.of(), progress);
            ensureSource(options.source(), reader.sourceKind());
            byte[] key = digest.map(d -> packageKey(d, reader.sourceKind())).orElse(null);
            ImportSummary unchanged = key == null || options.reread() ? null : unchangedPackage(runId, options.source(), key);
            if (unchanged != null) {
                jdbc.sql("update directory_source set last_import_at = now() where name = :name").param("name", options.source()).update();
                return unchanged;
            }
            Connection connection = DataSourceUtils.getConnection(dataSource);
            StagedSnapshot stage = new StagedSnapshot(dataSource, connection, jdbc, options.source(), ids, deferIndexesFrom);
            if (options.reread()) {
                stage.compareEveryRow(); // read again on request: every row compared, none taken as it was by its record's fingerprint
            }
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

                if (withinAGrant(options.requestedBy()) || configuredWithinAGrant(options.configuredBy())) {
                    stage.refuseNewTopOrganisations();
                }
                stage.guardMassRemoval(options.allowMassRemoval(), massRemovalThresholdPercent);
                t = lap(phases, "deletion guard", t);

                progress.phase("apply", 0);
                StagedSnapshot.Applied applied = stage.apply(runId);
                t = lap(phases, "journal and apply", t);

                // remembered only if the package read is the one digested before (a file replaced meanwhile is not)
                boolean same = key != null && reader.packageDigest().map(after -> Arrays.equals(after, digest.get())).orElse(false);
                jdbc.sql("update directory_source set last_import_at = now(), last_package_key = :key, last_package_rows = cast(:rows as jsonb), "
                                + "last_package_read_at = case when :remembered then now() end where name = :name")
                        .param("name", options.source()).param("key", same ? key : null).param("remembered", same)
                        .param("rows", same ? json.writeValueAsString(rowsAfter(applied.counts())) : null).update();
                if (applied.changes() > 0) {
                    Range range = jdbc.sql("select min(seq) first, max(seq) last from directory_change where import_run_id = :run")
                            .param("run", runId).query((rs, n) -> new Range(rs.getLong("first"), rs.getLong("last"))).single();
                    events.publishEvent(new DirectoryChangesRecorded(runId, options.source(), range.first(), range.last()));
                }
                lap(phases, "finish", t);
                stage.timings().forEach((step, ms) -> phases.put("  " + step, ms));
                return new ImportSummary(runId, options.source(), applied.counts(), applied.changes(), 0, phases, null);
            } finally {
                stage.close();
            }
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info("Import {} of source {} done in {} ms ({} changes journalled)", runId, options.source(), millis, summary.changesRecorded());
        return new ImportSummary(summary.runId(), summary.source(), summary.entities(), summary.changesRecorded(), millis, phases,
                summary.unchangedSince());
    }

    /** The phase of an import that waits for another one (of its source, or a first import laying indexes aside). */
    static final String WAITING_FOR_ANOTHER_IMPORT = "waiting for another import";

    /**
     * Takes an advisory lock for the import's transaction ({@code pg_<function>} on {@code key}, whose parameters are
     * {@code params}); when another import holds it ({@code pg_try_<function>} says no), the run says so before it waits,
     * instead of seeming stuck.
     */
    private void lock(String function, String key, Map<String, ?> params, ImportProgress progress) {
        if (jdbc.sql("select pg_try_" + function + "(" + key + ")").params(params).query(Boolean.class).single()) {
            return;
        }
        progress.phase(WAITING_FOR_ANOTHER_IMPORT, 0);
        jdbc.sql("select pg_" + function + "(" + key + ")").params(params).query().singleRow();
    }

    /**
     * The package's digest together with everything else reading it depends on: this build of Tilldela (its
     * mapping may differ from another's), the school forms known and the import limits (either can refuse
     * what passed before). Null — never recognised — when the build is not known (run from an IDE).
     */
    private byte[] packageKey(byte[] digest, String kind) {
        if (build == null) {
            return null;
        }
        String schoolForms = jdbc.sql("select coalesce(string_agg(code, ',' order by code), '') from school_form").query(String.class).single();
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(digest);
            for (String part : List.of(kind, build.getVersion(), String.valueOf(build.getTime()), schoolForms, limits.toString())) {
                sha256.update((part + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The summary of an import that finds the package the source's last import read: nothing to read, nothing changed. */
    private ImportSummary unchangedPackage(UUID runId, String source, byte[] key) {
        record Last(byte[] key, String rows, Instant at) {
        }
        Last last = jdbc.sql("select last_package_key, last_package_rows::text, last_package_read_at from directory_source where name = :name")
                .param("name", source).query((rs, n) -> new Last(rs.getBytes(1), rs.getString(2), rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant()))
                .single();
        if (last.key() == null || !MessageDigest.isEqual(last.key(), key) || last.rows() == null) {
            return null;
        }
        Map<String, Long> rows = json.readValue(last.rows(), new TypeReference<Map<String, Long>>() {
        });
        Map<String, ImportSummary.Counts> counts = new LinkedHashMap<>();
        for (Entity e : Entity.values()) {
            counts.put(e.label(), new ImportSummary.Counts(0, 0, 0, rows.getOrDefault(e.label(), 0L)));
        }
        return new ImportSummary(runId, source, counts, 0, 0, new LinkedHashMap<>(), last.at());
    }

    /** Rows per entity the source has once the import is applied. */
    private static Map<String, Long> rowsAfter(Map<String, ImportSummary.Counts> counts) {
        Map<String, Long> rows = new LinkedHashMap<>();
        counts.forEach((label, c) -> rows.put(label, c.created() + c.updated() + c.unchanged()));
        return rows;
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

    /**
     * A source's run imports what whoever last configured it pointed it at: an administrator's account unless it holds
     * DIRECTORY_ADMIN over the whole installation now is bounded as its upload would be — also when it holds no right any
     * more (a disabled account leaves its sources bounded, not free). A source set up by no account (a test's) is not.
     */
    private boolean configuredWithinAGrant(String configuredBy) {
        return configuredBy != null && accounts.exists(configuredBy)
                && !scopes.of(configuredBy, org.tilldela.governance.AdminRight.DIRECTORY_ADMIN).isWholeInstallation();
    }

    /**
     * Whether the import was asked for by an administrator whose DIRECTORY_ADMIN grant covers part of the installation
     * (not all of it). A schedule, the command line or a benchmark is no administrator: a source's run is bounded instead
     * by whoever configured the source ({@link #configuredWithinAGrant}).
     */
    private boolean withinAGrant(String requestedBy) {
        if (requestedBy == null) {
            return false;
        }
        org.tilldela.governance.CallerScope scope = scopes.of(requestedBy, org.tilldela.governance.AdminRight.DIRECTORY_ADMIN);
        return !scope.isWholeInstallation() && !scope.isNothing();
    }

    private static long lap(Map<String, Long> phases, String name, long since) {
        long now = System.nanoTime();
        phases.merge(name, (now - since) / 1_000_000, Long::sum);
        return now;
    }
}
