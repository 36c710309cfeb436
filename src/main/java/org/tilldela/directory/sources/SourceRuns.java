package org.tilldela.directory.sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Conditional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.util.unit.DataSize;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.MassRemovalBlockedException;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.directory.ss12000.HostNotAllowedException;
import org.tilldela.directory.ss12000.Ss12000Log;
import org.tilldela.directory.ss12000.Ss12000Readers;

/**
 * Runs import sources when they are due: a delta every N minutes, a full import at its daily time, at once when
 * asked ("run now", a change notification). {@link #tick} looks at every due source; {@link #run} runs one, and
 * only while it holds the source's lock — a transaction-scoped advisory lock, taken without waiting on a
 * connection of its own — so two nodes (or two threads) never run one source at once: the second finds it busy
 * and leaves it. Whether it is still due is read again under the lock, so a run another node just finished is
 * not repeated. Times come in as parameters, so tests drive the schedule without waiting for it.
 */
@Service
public class SourceRuns {

    private static final Logger log = LoggerFactory.getLogger(SourceRuns.class);

    public enum Result { RAN, NOT_DUE, BUSY }

    /** Failures in plain words: each has a text in every language (sources.failure.*). */
    public enum Failure { UNREACHABLE, REFUSED_DATA, TOO_LARGE, HELD, HOST_NOT_ALLOWED, TOKEN_UNREADABLE, AUTHORIZATION_REFUSED, FOLDER_UNUSABLE,
        UNEXPECTED,
        /** Unreachable, for a source with a client certificate or its own CA certificates: the TLS handshake is the likely cause. */
        UNREACHABLE_TLS, CERTIFICATE_UNREADABLE }

    private final ImportSources sources;
    private final ImportRuns runs;
    private final Ss12000Readers readers;
    private final Ss12000Log ss12000Log;
    private final SourceFolders folders;
    private final SourceAlerts alerts;
    private final ImportLimits limits;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final Path downloads;
    private final DataSize maxPackage;
    /** How long fetching a OneRoster package may take, from the request to its last byte ({@code tilldela.import.sources.download-timeout}). */
    private final Duration downloadTimeout;
    /** Runs asked for now (run now, notifications): one at a time, off the caller's thread. */
    private final ExecutorService soon = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "import-sources");
        t.setDaemon(true);
        return t;
    });

    SourceRuns(ImportSources sources, ImportRuns runs, Ss12000Readers readers, Ss12000Log ss12000Log, SourceFolders folders, SourceAlerts alerts, ImportLimits limits, JdbcClient jdbc, DataSource dataSource,
               @Value("${tilldela.data-dir:./data}") String dataDir, @Value("${tilldela.upload.import-max-size:512MB}") DataSize maxPackage,
               @Value("${tilldela.import.sources.download-timeout:30m}") Duration downloadTimeout) {
        this.sources = sources;
        this.runs = runs;
        this.readers = readers;
        this.ss12000Log = ss12000Log;
        this.folders = folders;
        this.alerts = alerts;
        this.limits = limits;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.downloads = Path.of(dataDir).resolve("imports");
        this.maxPackage = maxPackage;
        this.downloadTimeout = downloadTimeout;
    }

    /** Runs every source due at {@code now}, one after the other, and minds subscriptions that are missing or about to end. */
    public int tick(Instant now) {
        List<UUID> due = jdbc.sql("""
                        select id from import_source
                        where enabled and (requested_at is not null or next_delta_at <= :now or next_full_at <= :now)
                        order by least(requested_at, next_delta_at, next_full_at)
                        """).param("now", Timestamp.from(now)).query(UUID.class).list();
        int ran = 0;
        for (UUID id : due) {
            if (run(id, now) == Result.RAN) {
                ran++;
            }
        }
        for (UUID id : sources.subscriptionsToMind(now)) {
            sources.reconcileSubscription(id);
        }
        return ran;
    }

    /** Runs the source soon, off this thread (after "run now" or a notification marked it due). */
    public void runSoon(UUID id) {
        soon.submit(() -> {
            try {
                run(id, Instant.now());
            } catch (Throwable e) {
                log.error("Import source {} could not be run: {}", id, e.getClass().getSimpleName());
            }
        });
    }

    /** Runs the source if it is due at {@code now} and nobody else runs it. */
    public Result run(UUID id, Instant now) {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try {
                try (PreparedStatement ps = lock.prepareStatement("select pg_try_advisory_xact_lock(hashtext('import-source:' || ?))")) {
                    ps.setString(1, id.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            return Result.BUSY;
                        }
                    }
                }
                return runLocked(id, now);
            } finally {
                lock.rollback(); // ends the transaction and so the lock
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the import source's lock could not be taken (SQL state " + e.getSQLState() + ")", e);
        }
    }

    private Result runLocked(UUID id, Instant now) {
        ImportSources.Source s = sources.find(id).orElse(null);
        if (s == null || !s.enabled()) {
            return Result.NOT_DUE;
        }
        boolean requested = s.requestedAt() != null;
        boolean fullDue = s.nextFullAt() != null && !s.nextFullAt().isAfter(now);
        boolean deltaDue = s.nextDeltaAt() != null && !s.nextDeltaAt().isAfter(now);
        if (!requested && !fullDue && !deltaDue) {
            return Result.NOT_DUE;
        }
        boolean requestedFull = Boolean.TRUE.equals(jdbc.sql("select requested_full from import_source where id = :id").param("id", id)
                .query(Boolean.class).optional().orElse(false));
        boolean full = fullDue || requestedFull && requested;
        // claimed: the next times are set before the run, so a run that fails waits for its next turn instead of repeating at every look
        jdbc.sql("""
                        update import_source set requested_at = null, requested_full = false, last_started_at = :started,
                               next_delta_at = case when delta_minutes is null then null else cast(:started as timestamptz) + make_interval(mins => delta_minutes) end,
                               next_full_at = case when cast(:full as boolean) then cast(:nextFull as timestamptz) else next_full_at end
                        where id = :id
                        """)
                .param("id", id).param("started", Timestamp.from(now)).param("full", full)
                .param("nextFull", s.fullAt() == null ? null : Timestamp.from(sources.nextFull(s.fullAt(), now))).update();
        String requestedBy = requested ? "run now or notification" : "schedule";
        Instant started = Instant.now();
        Outcome outcome;
        try {
            outcome = execute(s, !full, requestedBy);
        } catch (Throwable e) {
            log.error("Import source {} failed unexpectedly: {}", s.name(), e.getClass().getSimpleName());
            outcome = new Outcome(ImportSources.Outcome.FAILED, Failure.UNEXPECTED);
        }
        UUID runId = jdbc.sql("select id from import_run where source = :name and started_at >= cast(:started as timestamptz) - interval '1 second' "
                        + "order by started_at desc limit 1")
                .param("name", s.name()).param("started", Timestamp.from(started)).query(UUID.class).optional().orElse(null);
        // finished at the tick's time plus what the run took, so durations read right when tests drive the clock
        Instant finished = now.plus(Duration.between(started, Instant.now()));
        if (outcome.outcome() == null) {
            jdbc.sql("update import_source set last_finished_at = :finished where id = :id").param("id", id).param("finished", Timestamp.from(finished))
                    .update();
            return Result.RAN;
        }
        jdbc.sql("""
                        update import_source set last_run_id = :run, last_finished_at = :finished, last_outcome = :outcome, last_failure = :failure,
                               failures_in_a_row = case when :outcome = 'SUCCEEDED' then 0 else failures_in_a_row + 1 end
                        where id = :id
                        """)
                .param("id", id).param("run", runId).param("finished", Timestamp.from(finished)).param("outcome", outcome.outcome().name())
                .param("failure", outcome.failure() == null ? null : outcome.failure().name()).update();
        alert(s, outcome);
        if (outcome.failure() != null) {
            log.warn("Import source {}: {} import failed ({})", s.name(), full ? "full" : "delta", outcome.failure());
        }
        if (s.notifications() && s.subscriptionId() == null) {
            sources.reconcileSubscription(id);
        }
        return Result.RAN;
    }

    /**
     * E-mails the source's alert addresses when it starts failing (once a streak) and when it works again after they were
     * told. Said to be told only when the mail went out, so a failed mail is tried again at the next failed run.
     */
    private void alert(ImportSources.Source before, Outcome outcome) {
        ImportSources.Alerting alerting = sources.alerting(before.id());
        if (alerting.to().isEmpty() || !alerts.configured()) {
            return;
        }
        if (outcome.failure() != null && !alerting.told()) {
            ImportSources.Source now = sources.find(before.id()).orElse(before);
            if (alerts.failed(now, outcome.failure(), alerting.to())) {
                sources.told(before.id(), true);
            }
        } else if (outcome.failure() == null && alerting.told()) {
            if (alerts.recovered(before, alerting.to())) {
                sources.told(before.id(), false);
            }
        }
    }

    /** outcome null: there was nothing to import (an empty watched folder); the last outcome stands. */
    private record Outcome(ImportSources.Outcome outcome, Failure failure) {
    }

    private static final Outcome NOTHING_NEW = new Outcome(null, null);

    private Outcome execute(ImportSources.Source s, boolean delta, String requestedBy) {
        ImportOptions options = new ImportOptions(s.name(), false, requestedBy, false, sources.configuredBy(s.id()));
        ImportSources.Access access;
        try {
            access = sources.access(s.id());
        } catch (ImportSources.CertificateUnreadableException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.CERTIFICATE_UNREADABLE);
        } catch (IllegalStateException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.TOKEN_UNREADABLE);
        } catch (SourceTokens.AuthorizationFailedException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.AUTHORIZATION_REFUSED);
        } catch (HostNotAllowedException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.HOST_NOT_ALLOWED);
        }
        String token = access.token();
        Path download = null;
        Path dropped = null;
        boolean imported = false;
        try {
            if (s.kind() == ImportSources.Kind.ONEROSTER_FOLDER) {
                List<Path> waiting = folders.waiting(folders.open(s.folder()));
                if (waiting.isEmpty()) {
                    return NOTHING_NEW;
                }
                dropped = waiting.getFirst();
                if (waiting.size() > 1) {
                    // one package a run, oldest first: the next one at the next look
                    jdbc.sql("update import_source set requested_at = now() where id = :id").param("id", s.id()).update();
                }
                String name = dropped.getFileName().toString();
                runs.runNow("ONEROSTER", options, new OneRosterReader(dropped, name, limits), ImportProgress.NONE, "folder " + s.folder() + ": " + name);
            } else if (s.kind() == ImportSources.Kind.SS12000) {
                SnapshotReader reader = readers.reader(s.name(), s.url(), token, access.tls(), delta);
                runs.runNow("SS12000", options, reader, ImportProgress.NONE, s.url() + (delta ? " (delta)" : ""));
            } else {
                download = download(s, token);
                String name = URI.create(s.url()).getPath();
                name = name == null || name.isBlank() ? "package.zip" : name.substring(name.lastIndexOf('/') + 1);
                runs.runNow("ONEROSTER", options, new OneRosterReader(download, name, limits), ImportProgress.NONE, s.url());
            }
            imported = true;
            return new Outcome(ImportSources.Outcome.SUCCEEDED, null);
        } catch (SourceFolders.FolderRefusedException e) {
            log.warn("Import source {}: its folder cannot be used: {}", s.name(), e.getMessage());
            return new Outcome(ImportSources.Outcome.FAILED, Failure.FOLDER_UNUSABLE);
        } catch (HostNotAllowedException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.HOST_NOT_ALLOWED);
        } catch (MassRemovalBlockedException e) {
            return new Outcome(ImportSources.Outcome.HELD, Failure.HELD);
        } catch (ImportLimitExceededException e) {
            return new Outcome(ImportSources.Outcome.FAILED, Failure.TOO_LARGE);
        } catch (ImportRejectedException e) {
            boolean unreachable = e.problems().stream().anyMatch(Ss12000Readers::unreachable) || e.problems().stream().anyMatch(p -> p.reason().equals(UNREACHABLE));
            if (!unreachable && s.kind() == ImportSources.Kind.SS12000) {
                reportToSource(s, access, e.problems());
            }
            if (unreachable && s.auth() == ImportSources.Auth.OAUTH_CLIENT_CREDENTIALS) {
                sources.forgetAccessToken(s.id()); // perhaps revoked: the next run gets a new one
            }
            if (unreachable && access.tls() != null) {
                // the handshake's failure shows as nothing more than a dropped connection when the server refuses the
                // certificate after the client finished (TLS 1.3), so this is said as the likely cause, not the sure one
                return new Outcome(ImportSources.Outcome.FAILED, Failure.UNREACHABLE_TLS);
            }
            return new Outcome(ImportSources.Outcome.FAILED, unreachable ? Failure.UNREACHABLE : Failure.REFUSED_DATA);
        } finally {
            if (dropped != null) {
                try {
                    Path to = folders.setAside(dropped, imported);
                    log.info("Import source {}: package {} {}", s.name(), dropped.getFileName(), to == null ? "imported and deleted" : "moved to " + SourceFolders.FAILED);
                } catch (SourceFolders.FolderRefusedException e) {
                    log.error("Import source {}: {}; it will be read again at the next run", s.name(), e.getMessage());
                }
            }
            if (download != null) {
                try {
                    Files.deleteIfExists(download);
                } catch (IOException e) {
                    log.warn("Could not delete a downloaded import package {}", download.getFileName());
                }
            }
        }
    }

    /** Tells the SS 12000 server what it sent that Tilldela could not accept (its /log), so it can be fixed where it is kept. */
    private void reportToSource(ImportSources.Source s, ImportSources.Access access, List<ImportProblem> problems) {
        try {
            int sent = ss12000Log.report(s.url(), access.token(), access.tls(), problems);
            log.info("Import source {}: {} of {} problem(s) reported to the source's /log", s.name(), sent, problems.size());
        } catch (RuntimeException e) {
            log.warn("Import source {}: the problems could not be reported to the source: {}", s.name(), e.getClass().getSimpleName());
        }
    }

    private static final String UNREACHABLE = "the package could not be fetched (the server log says why); check the URL and the token";

    /**
     * Fetches a OneRoster package to a file of its own, no redirects followed, no more than the largest upload allowed,
     * within the download timeout from the request to the last byte: a server that sends its headers and then stalls or
     * trickles the body fails the run (unreachable) instead of holding the source's lock and this thread for ever — the
     * HTTP client's own request timeout ends at the headers.
     */
    private Path download(ImportSources.Source s, String token) {
        URI uri = URI.create(s.url());
        if (!readers.allowed(uri)) {
            throw new HostNotAllowedException(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        }
        Path file = null;
        try {
            file = org.tilldela.platform.SecretFiles.newOwnerOnlyFile(downloads, UUID.randomUUID().toString(), ".zip");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NEVER).build();
            long deadline = System.nanoTime() + downloadTimeout.toNanos();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(downloadTimeout).GET();
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token.strip());
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(file);
                 Deadline timeUp = new Deadline(in, deadline - System.nanoTime())) {
                if (response.statusCode() / 100 != 2) {
                    log.warn("Import source {}: the package server answered HTTP {}", s.name(), response.statusCode());
                    throw unreachable();
                }
                byte[] buffer = new byte[65536];
                long total = 0;
                try {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        total += n;
                        if (total > maxPackage.toBytes()) {
                            throw new ImportLimitExceededException(new ImportProblem(URI.create(s.url()).getHost(), 0, null,
                                    "the package is larger than " + ImportLimits.describe(maxPackage)));
                        }
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    if (!timeUp.expired()) {
                        throw e;
                    }
                }
                if (timeUp.expired()) {
                    // the shut stream may read as ended, or fail: a package cut off by the deadline is not a package
                    throw new java.net.http.HttpTimeoutException("the download took longer than " + downloadTimeout);
                }
            }
            Path fetched = file;
            file = null;
            return fetched;
        } catch (IOException e) {
            log.warn("Import source {}: the package could not be fetched{}: {}", s.name(), e instanceof java.net.http.HttpTimeoutException
                    ? " within " + downloadTimeout + " (tilldela.import.sources.download-timeout)" : "", e.getClass().getSimpleName());
            throw unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable();
        } finally {
            // nothing half-fetched stays behind (nor the empty file of a server that never answered): a broken-off
            // package is personal data no run will read
            deleteQuietly(file);
        }
    }

    /** Shuts the body's stream when the download's time is up, which ends a read that waits for bytes that do not come. */
    private static final class Deadline implements AutoCloseable {
        private static final java.util.concurrent.ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "import-download-deadline");
            t.setDaemon(true);
            return t;
        });
        private final java.util.concurrent.ScheduledFuture<?> shut;
        private volatile boolean expired;

        Deadline(InputStream body, long nanos) {
            this.shut = TIMER.schedule(() -> {
                expired = true;
                try {
                    body.close();
                } catch (IOException | RuntimeException e) {
                    log.warn("A stalled download's stream could not be shut: {}", e.getClass().getSimpleName());
                }
            }, Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        boolean expired() {
            return expired;
        }

        @Override
        public void close() {
            shut.cancel(false);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("A broken-off download could not be removed: {}", e.getClass().getSimpleName());
            }
        }
    }

    private static ImportRejectedException unreachable() {
        return new ImportRejectedException(new ImportProblem("package", 0, null, UNREACHABLE));
    }

    /**
     * The scheduler's beat ({@code tilldela.import.sources.tick-millis}, 15 s). On in a server; off where
     * {@code tilldela.bootstrap.enabled=false} (command-line tools, tests) unless {@code tilldela.import.sources.scheduler.enabled}
     * says otherwise.
     */
    @Configuration
    @EnableScheduling
    @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(
            "${tilldela.import.sources.scheduler.enabled:${tilldela.bootstrap.enabled:true}}")
    static class Beat {

        private final SourceRuns runs;

        Beat(SourceRuns runs) {
            this.runs = runs;
        }

        @Scheduled(fixedDelayString = "${tilldela.import.sources.tick-millis:15000}", initialDelayString = "${tilldela.import.sources.tick-millis:15000}")
        void tick() {
            try {
                runs.tick(Instant.now());
            } catch (RuntimeException e) {
                log.error("Import sources: the scheduler's look failed: {}", e.getClass().getSimpleName());
            }
        }
    }
}
