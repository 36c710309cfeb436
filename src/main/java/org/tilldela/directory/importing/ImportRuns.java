package org.tilldela.directory.importing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.governance.AuditTrail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Import runs as users see them: each run is recorded (who, what, when, how far, outcome) so that the
 * web UI can show live progress and the history, and so that a run held by the deletion guard can be
 * approved later. The recording happens outside the import's own transaction, which is all or nothing.
 */
@Service
public class ImportRuns {

    private static final Logger log = LoggerFactory.getLogger(ImportRuns.class);

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED, AWAITING_APPROVAL, DISCARDED }

    /** The phase of a discarded run: discarded by an administrator, or by the retention limit on held runs. */
    public static final String DISCARDED_BY_ADMINISTRATOR = "discarded", DISCARDED_EXPIRED = "expired";

    /** A run as listed and shown in the UI and API. */
    public record Run(UUID id, String source, String format, Status status, String requestedBy, Instant startedAt, Instant finishedAt,
                      String phase, long progressDone, long progressTotal, Long progressRecords, ImportSummary summary, List<ImportProblem> problems,
                      String inputName, Integer wouldRemove, boolean inputKept) {
        /** A held run can be approved when its input was kept (uploaded files are; fetches from a server are not). */
        public boolean approvable() {
            return status == Status.AWAITING_APPROVAL && inputKept;
        }

        public int percent() {
            return progressTotal <= 0 ? 0 : (int) Math.min(100, progressDone * 100 / progressTotal);
        }

        /**
         * Where the phase reads a file by its bytes and counts its records besides ({@code progressRecords}; null where
         * the phase counts records in {@code progressDone} itself): about how many records the whole file
         * holds, from those read so far and the share of the bytes they took (0 until a record is read). Else 0.
         */
        public long recordsExpected() {
            if (progressRecords == null || progressRecords <= 0 || progressDone <= 0 || progressTotal <= 0) {
                return 0;
            }
            return Math.max(progressRecords, Math.round((double) progressRecords * progressTotal / progressDone));
        }
    }

    private final DirectoryImporter importer;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "directory-import");
        t.setDaemon(true);
        return t;
    });

    /** Transactions of their own (REQUIRES_NEW): progress while an import runs, approvals, the start-up sweep. */
    private final TransactionTemplate ownTx;

    private final AuditTrail audit;

    private final io.micrometer.core.instrument.MeterRegistry meters;

    ImportRuns(DirectoryImporter importer, JdbcClient jdbc, JsonMapper json, PlatformTransactionManager txManager, AuditTrail audit,
               io.micrometer.core.instrument.MeterRegistry meters) {
        this.importer = importer;
        this.meters = meters;
        this.audit = audit;
        this.ownTx = new TransactionTemplate(txManager);
        this.ownTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Runs an import now, in this thread, reporting to {@code progress}; throws what the import throws. */
    public ImportSummary runNow(String format, ImportOptions options, SnapshotReader reader, ImportProgress progress, String inputName) {
        UUID id = TimeOrderedIds.next();
        insert(id, format, options, inputName, null);
        return execute(id, options, () -> reader, progress);
    }

    /**
     * Queues an import of a stored input to run in the background; {@code readerFor} builds the reader
     * from the stored path. Returns the run id at once.
     */
    public UUID submit(String format, ImportOptions options, Path input, String inputName, Function<Path, SnapshotReader> readerFor) {
        UUID id = TimeOrderedIds.next();
        insert(id, format, options, inputName, input);
        background.submit(() -> runStored(id, options, input, readerFor));
        return id;
    }

    /** Queues an import that reads from somewhere else than a stored file (an SS 12000 server). */
    public UUID submit(String format, ImportOptions options, String inputName, Supplier<SnapshotReader> reader) {
        UUID id = TimeOrderedIds.next();
        insert(id, format, options, inputName, null);
        background.submit(() -> {
            try {
                execute(id, options, reader, new RecordingProgress(id));
            } catch (Throwable e) {
                // recorded on the run and logged by execute; an executor would swallow it silently anyway
            }
        });
        return id;
    }

    /** Who a run held by the deletion guard would remove: counts per school unit, and the first persons by name. */
    public record RemovalPreview(List<MassRemovalBlockedException.UnitCount> byUnit, List<UUID> first) {
    }

    /** For a run waiting for approval: who it would remove (empty for any other run, or one held before this was kept). */
    public java.util.Optional<RemovalPreview> removalPreview(UUID run) {
        return jdbc.sql("select removal_by_unit, removal_persons from import_run where id = :id and status = 'AWAITING_APPROVAL' "
                        + "and removal_by_unit is not null")
                .param("id", run)
                .query((rs, n) -> new RemovalPreview(List.of(json.readValue(rs.getString(1), MassRemovalBlockedException.UnitCount[].class)),
                        rs.getArray(2) == null ? List.of() : List.of((UUID[]) rs.getArray(2).getArray())))
                .optional();
    }

    /**
     * An administrator's "no" to a run the deletion guard held: nothing of it is applied, its kept input is deleted, the
     * list of who it would have removed is dropped, and the decision is audited. A run no longer held cannot be discarded.
     */
    public void discard(UUID heldRun, String discardedBy) {
        Run held = find(heldRun).orElseThrow(() -> new IllegalArgumentException("no import run " + heldRun));
        String input = ownTx.execute(status -> {
            var claimed = jdbc.sql("select input_path from import_run where id = :id and status = 'AWAITING_APPROVAL' for update")
                    .param("id", heldRun).query((rs, n) -> java.util.Optional.ofNullable(rs.getString(1))).optional();
            if (claimed.isEmpty()) {
                throw new IllegalStateException("import run " + heldRun + " is not waiting for approval (it is " + held.status() + ")");
            }
            markDiscarded(heldRun, DISCARDED_BY_ADMINISTRATOR);
            audit.record(discardedBy, "IMPORT_DISCARDED", "import_run", heldRun.toString(),
                    Map.of("source", held.source(), "wouldRemove", held.wouldRemove() == null ? 0 : held.wouldRemove()));
            return claimed.get().orElse(null);
        });
        if (input != null) {
            deleteQuietly(Path.of(input));
        }
    }

    /**
     * The retention limit on held runs: those held longer than {@code keep} are discarded (their inputs are uploaded
     * files of the whole municipality), each audited. Answers how many.
     */
    public int discardExpired(java.time.Duration keep) {
        List<UUID> expired = jdbc.sql("select id from import_run where status = 'AWAITING_APPROVAL' and finished_at < now() - make_interval(secs => :keep)")
                .param("keep", (double) keep.toSeconds()).query(UUID.class).list();
        int discarded = 0;
        for (UUID id : expired) {
            String input = ownTx.execute(status -> {
                var claimed = jdbc.sql("select source, input_path, would_remove from import_run where id = :id and status = 'AWAITING_APPROVAL' for update")
                        .param("id", id).query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))}).optional();
                if (claimed.isEmpty()) {
                    return null; // approved or discarded meanwhile
                }
                markDiscarded(id, DISCARDED_EXPIRED);
                audit.record("system", "IMPORT_DISCARDED", "import_run", id.toString(),
                        Map.of("source", claimed.get()[0], "wouldRemove", Integer.parseInt(claimed.get()[2]), "heldLongerThanDays", keep.toDays()));
                return claimed.get()[1] == null ? "" : claimed.get()[1];
            });
            if (input != null) {
                discarded++;
                if (!input.isEmpty()) {
                    deleteQuietly(Path.of(input));
                }
            }
        }
        return discarded;
    }

    private void markDiscarded(UUID run, String phase) {
        jdbc.sql("""
                        update import_run set status = 'DISCARDED', phase = :phase, input_path = null, removal_persons = null, removal_by_unit = null
                        where id = :id""").param("id", run).param("phase", phase).update();
    }

    /**
     * An administrator's approval of a run the deletion guard held: runs it again with mass removal
     * allowed, from the input kept for it.
     */
    public UUID approveMassRemoval(UUID heldRun, String approvedBy, Function<Path, SnapshotReader> readerFor) {
        Run held = find(heldRun).orElseThrow(() -> new IllegalArgumentException("no import run " + heldRun));
        // Claimed in one transaction with its audit entry: two approvals cannot both run it.
        String path = ownTx.execute(status -> {
            String input = jdbc.sql("select input_path from import_run where id = :id and status = 'AWAITING_APPROVAL' "
                    + "and input_path is not null for update").param("id", heldRun).query(String.class).optional().orElse(null);
            if (input == null) {
                throw new IllegalStateException("import run " + heldRun + " is not waiting for approval with its input kept (it is "
                        + held.status() + "); run the import again with mass removal allowed");
            }
            boolean newer = jdbc.sql("select exists (select 1 from import_run where source = :source and status = 'SUCCEEDED' "
                    + "and started_at > :held)").param("source", held.source()).param("held", Timestamp.from(held.startedAt()))
                    .query(Boolean.class).single();
            if (newer) {
                throw new IllegalStateException("source " + held.source() + " has been imported since this run was held; "
                        + "approving it would bring back an older snapshot: import a current one instead");
            }
            jdbc.sql("update import_run set status = 'FAILED', input_path = null, removal_persons = null, phase = 'superseded by an approved run' "
                    + "where id = :id")
                    .param("id", heldRun).update();
            audit.record(approvedBy, "IMPORT_MASS_REMOVAL_APPROVED", "import_run", heldRun.toString(),
                    Map.of("source", held.source(), "wouldRemove", held.wouldRemove() == null ? 0 : held.wouldRemove()));
            return input;
        });
        return submit(held.format(), new ImportOptions(held.source(), true, approvedBy), Path.of(path), held.inputName(), readerFor);
    }

    private void runStored(UUID id, ImportOptions options, Path input, Function<Path, SnapshotReader> readerFor) {
        boolean keepInput = false;
        try {
            execute(id, options, () -> readerFor.apply(input), new RecordingProgress(id));
        } catch (MassRemovalBlockedException e) {
            keepInput = true; // kept for the approval
        } catch (Throwable e) {
            // recorded on the run and logged by execute
        } finally {
            if (!keepInput) {
                deleteQuietly(input);
            }
        }
    }

    /**
     * Runs the import and records how it ended. Whatever is thrown — an Error too, even OutOfMemoryError —
     * ends the run FAILED with a reason and is logged: a run must never stay RUNNING with nothing said.
     */
    private ImportSummary execute(UUID id, ImportOptions options, Supplier<SnapshotReader> readerFor, ImportProgress progress) {
        io.micrometer.core.instrument.Timer.Sample timing = io.micrometer.core.instrument.Timer.start(meters);
        String outcome = "failed";
        try {
            jdbc.sql("update import_run set status = 'RUNNING' where id = :id").param("id", id).update();
            ImportSummary summary = importer.run(id, options, readerFor.get(), progress);
            outcome = "succeeded";
            countRows(summary);
            jdbc.sql("update import_run set status = 'SUCCEEDED', finished_at = now(), phase = 'done', summary = cast(:summary as jsonb), input_path = null where id = :id")
                    .param("id", id).param("summary", json.writeValueAsString(summary)).update();
            return summary;
        } catch (MassRemovalBlockedException e) {
            outcome = "held";
            jdbc.sql("update import_run set status = 'AWAITING_APPROVAL', finished_at = now(), would_remove = :n, "
                            + "problems = cast(:problems as jsonb), removal_by_unit = cast(:byUnit as jsonb), removal_persons = :first where id = :id")
                    .param("id", id).param("n", e.wouldRemove())
                    .param("byUnit", json.writeValueAsString(e.byUnit())).param("first", e.first().toArray(UUID[]::new))
                    .param("problems", json.writeValueAsString(List.of(new ImportProblem(options.source(), 0, null, e.getMessage())))).update();
            throw e;
        } catch (ImportLimitExceededException e) {
            outcome = "refused";
            // The reason names a file of the package and a limit, never content: it can be logged.
            log.warn("Import run {} refused: {}", id, e.problems().getFirst());
            failQuietly(id, e.problems());
            throw e;
        } catch (ImportRejectedException e) {
            outcome = "refused";
            fail(id, e.problems());
            throw e;
        } catch (Throwable e) {
            // Messages of unexpected failures (a database error, say) can quote row content: neither the log
            // nor the run gets them, only what kind of failure it was. DEBUG logging shows the whole story.
            log.error("Import run {} failed unexpectedly: {}", id, kindOf(e));
            log.debug("Import run {} failure", id, e);
            failQuietly(id, List.of(new ImportProblem(options.source(), 0, null,
                    "the import failed unexpectedly (" + kindOf(e) + "); nothing was changed")));
            throw e;
        } finally {
            // the source's name is the operator's own (a system, not a person); the format and outcome are fixed words
            timing.stop(meters.timer("tilldela.import.duration", "source", options.source(), "outcome", outcome));
        }
    }

    /** Rows an import applied, by entity and what happened to them (created, updated, removed, unchanged). */
    private void countRows(ImportSummary summary) {
        summary.entities().forEach((entity, counts) -> {
            meters.counter("tilldela.import.rows", "entity", entity, "change", "created").increment(counts.created());
            meters.counter("tilldela.import.rows", "entity", entity, "change", "updated").increment(counts.updated());
            meters.counter("tilldela.import.rows", "entity", entity, "change", "removed").increment(counts.removed());
            meters.counter("tilldela.import.rows", "entity", entity, "change", "unchanged").increment(counts.unchanged());
        });
    }

    /**
     * Records the failure without letting a second failure (the database gone, memory still short) hide
     * the first one, which the caller rethrows.
     */
    private void failQuietly(UUID id, List<ImportProblem> problems) {
        try {
            fail(id, problems);
        } catch (Throwable e) {
            log.error("Import run {} failed and its failure could not be recorded: {}", id, kindOf(e));
        }
    }

    /**
     * At start: runs left QUEUED or RUNNING by a server that stopped are marked failed (their import's
     * transaction was rolled back), and their stored inputs removed. A run whose source is being imported
     * right now — by another node, holding the source's lock — is left alone.
     */
    @EventListener(ApplicationReadyEvent.class)
    void onStart(ApplicationReadyEvent ready) {
        // the server's start, not a command-line tool's (which must not touch the server's queue)
        if (ready.getApplicationContext().getEnvironment().getProperty("tilldela.bootstrap.enabled", Boolean.class, true)) {
            sweepInterrupted();
        }
    }

    public void sweepInterrupted() {
        List<Run> unfinished = jdbc.sql(SELECT + " where status in ('QUEUED', 'RUNNING')").query(this::map).list();
        for (Run run : unfinished) {
            ownTx.executeWithoutResult(status -> {
                boolean idle = jdbc.sql("select pg_try_advisory_xact_lock(hashtext('directory-import:' || :source))")
                        .param("source", run.source()).query(Boolean.class).single();
                if (!idle) {
                    return;
                }
                String input = jdbc.sql("select input_path from import_run where id = :id").param("id", run.id())
                        .query((rs, n) -> rs.getString(1)).optional().orElse(null);
                fail(run.id(), List.of(new ImportProblem(run.source(), 0, null,
                        "the import was interrupted when the server stopped; nothing was changed: start it again")));
                if (input != null) {
                    deleteQuietly(Path.of(input));
                }
            });
        }
    }

    /** The exception's kind and, for database errors, the SQL state: no message text. */
    private static String kindOf(Throwable e) {
        StringBuilder kind = new StringBuilder(e.getClass().getSimpleName());
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                kind.append(", SQL state ").append(sql.getSQLState());
                break;
            }
        }
        return kind.toString();
    }

    private void fail(UUID id, List<ImportProblem> problems) {
        jdbc.sql("update import_run set status = 'FAILED', finished_at = now(), problems = cast(:problems as jsonb), input_path = null where id = :id")
                .param("id", id).param("problems", json.writeValueAsString(problems)).update();
    }

    private void insert(UUID id, String format, ImportOptions options, String inputName, Path input) {
        jdbc.sql("insert into import_run (id, source, format, mode, status, requested_by, input_path, input_name) "
                        + "values (:id, :source, :format, 'FULL', 'QUEUED', :by, :path, :name)")
                .param("id", id).param("source", options.source()).param("format", format).param("by", options.requestedBy())
                .param("path", input == null ? null : input.toString()).param("name", inputName).update();
        audit.record(options.requestedBy(), "IMPORT_STARTED", "import_run", id.toString(),
                Map.of("source", options.source(), "format", format, "allowMassRemoval", options.allowMassRemoval()));
    }

    public Optional<Run> find(UUID id) {
        return jdbc.sql(SELECT + " where id = :id").param("id", id).query(this::map).optional();
    }

    public List<Run> recent(int limit) {
        return recent(org.tilldela.governance.CallerScope.wholeInstallation(), limit);
    }

    /** A run of a source the caller covers ({@link SourceScopes#covered}); empty otherwise, whether or not it exists (404). */
    public Optional<Run> find(org.tilldela.governance.CallerScope caller, UUID id) {
        return jdbc.sql(SELECT + " where id = :id and " + SourceScopes.covered(caller, "import_run.source")).params(caller.params()).param("id", id)
                .query(this::map).optional();
    }

    /** The newest runs of the sources the caller covers. */
    public List<Run> recent(org.tilldela.governance.CallerScope caller, int limit) {
        return jdbc.sql(SELECT + " where " + SourceScopes.covered(caller, "import_run.source") + " order by started_at desc limit :limit")
                .params(caller.params()).param("limit", limit).query(this::map).list();
    }

    private static final String SELECT = "select id, source, format, status, requested_by, started_at, finished_at, phase, progress_done, "
            + "progress_total, progress_records, summary, problems, input_name, would_remove, input_path is not null input_kept from import_run";

    private Run map(ResultSet rs, int n) throws SQLException {
        String summary = rs.getString("summary");
        String problems = rs.getString("problems");
        List<ImportProblem> problemList = new ArrayList<>();
        if (problems != null) {
            problemList.addAll(List.of(json.readValue(problems, ImportProblem[].class)));
        }
        Timestamp finished = rs.getTimestamp("finished_at");
        Object wouldRemove = rs.getObject("would_remove");
        return new Run(rs.getObject("id", UUID.class), rs.getString("source"), rs.getString("format"), Status.valueOf(rs.getString("status")),
                rs.getString("requested_by"), rs.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant(),
                rs.getString("phase"), rs.getLong("progress_done"), rs.getLong("progress_total"), (Long) rs.getObject("progress_records", Long.class),
                summary == null ? null : json.readValue(summary, ImportSummary.class), problemList, rs.getString("input_name"),
                wouldRemove == null ? null : ((Number) wouldRemove).intValue(), rs.getBoolean("input_kept"));
    }

    /**
     * Writes progress to the run's row, outside the import's transaction: when a phase starts, and then once per
     * {@link #STEP} records (or units of a phase counted in records) — a 1,000,000-person import writes about a
     * hundred small updates, and a count compared per batch costs less than asking the clock.
     */
    private final class RecordingProgress implements ImportProgress {
        private final UUID id;
        private String phase;
        private long done;
        private long total;
        private long records;
        /** Where the counts stood at the last write. */
        private long doneWritten;
        private long recordsWritten;
        /** The phase tells records apart from its units (a file's bytes): its units then do not prompt a write. */
        private boolean countsRecords;

        RecordingProgress(UUID id) {
            this.id = id;
        }

        @Override
        public void phase(String name, long total) {
            this.phase = name;
            this.total = total;
            this.done = 0;
            this.records = 0;
            this.countsRecords = false;
            write();
        }

        @Override
        public void advance(long n) {
            done += n;
            if (!countsRecords && done - doneWritten >= STEP) {
                write();
            }
        }

        @Override
        public void records(long n) {
            // the first word of records in a phase is written at once: until then the page would read its bytes as records
            boolean first = !countsRecords;
            countsRecords = true;
            records += n;
            if (first || records - recordsWritten >= STEP) {
                write();
            }
        }

        private void write() {
            doneWritten = done;
            recordsWritten = records;
            // The import's transaction holds this thread's connection; progress must be visible now,
            // so it is written in a transaction of its own.
            ownTx.executeWithoutResult(status -> jdbc.sql("""
                            update import_run set phase = :phase, progress_done = :done, progress_total = :total, progress_records = :records
                            where id = :id""")
                    .param("id", id).param("phase", phase).param("done", done).param("total", total).param("records", countsRecords ? records : null, java.sql.Types.BIGINT).update());
        }
    }

    /** How many records (or units of a phase counted in records) pass between two writes of a run's progress. */
    static final long STEP = 10_000;

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("Could not delete stored import input {}", p.getFileName());
        }
    }
}
