package org.tilldela.usage;

import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The utilisation page's figures for a period chosen by hand, on an installation so large that its default period is
 * kept ({@link UtilisationCounts}). Counting a period there takes from seconds to a minute (an organiser of a million
 * persons: about half a minute on 2 cores), longer than a page may keep someone waiting with nothing said. So the count
 * runs in the background, the page says that it is counting and shows the figures once they are there, and they are kept
 * in {@code utilisation_period_count} for {@code recount-every} (10 minutes, as the default period's), per the viewer's
 * scope, product, renewal horizon and period: the next visits, from any node, read them. One count per such key at a
 * time across nodes: the first request starts it, the others wait for it.
 */
@Service
public class PeriodCounts {

    private static final Logger log = LoggerFactory.getLogger(PeriodCounts.class);

    /** A count still not done after this is taken for lost (its node stopped) and started again by the next visit. */
    static final Duration GIVE_UP = Duration.ofMinutes(15);

    /** A failed count is shown as failed for this long before a visit starts it again, so that a page does not retry in a loop. */
    static final Duration FAILED_SHOWN = Duration.ofMinutes(1);

    /** Counts kept longer than this are deleted when a new one starts: they were for another day. */
    static final Duration KEPT_AT_MOST = Duration.ofDays(1);

    /**
     * Where a period's count stands: counted ({@code sections} and when), still counting (since {@code startedAt}), or
     * failed (at {@code finishedAt}).
     */
    public record State(Utilisation.Sections sections, Instant startedAt, Instant finishedAt, boolean failed) {

        public boolean counted() {
            return sections != null;
        }

        public boolean counting() {
            return sections == null && !failed;
        }
    }

    private final JdbcClient jdbc;
    private final Utilisation utilisation;
    private final UtilisationCounts counts;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration freshFor;
    /**
     * Counts run here, one at a time on a node (each takes four connections, its sections counted at once); more wait their
     * turn, the page saying that it is counting all the same.
     */
    private final ExecutorService counting = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("period-count").daemon().factory());

    PeriodCounts(JdbcClient jdbc, Utilisation utilisation, UtilisationCounts counts, JsonMapper json, Optional<Clock> clock,
                 @Value("${tilldela.usage.utilisation.recount-every:10m}") Duration freshFor) {
        this.jdbc = jdbc;
        this.utilisation = utilisation;
        this.counts = counts;
        this.json = json;
        this.clock = clock.orElse(Clock.systemDefaultZone());
        this.freshFor = freshFor;
    }

    @PreDestroy
    void stop() {
        counting.shutdownNow();
    }

    /**
     * The figures of a chosen period as far as they are counted, starting the count when nobody has (or it is stale);
     * empty when the installation is small enough to count on the visit.
     */
    public Optional<State> ask(Viewer viewer, UUID product, int horizonDays, LocalDate from, LocalDate to, LocalDate today) {
        if (!counts.large()) {
            return Optional.empty();
        }
        String key = key(viewer, product, horizonDays, from, to, today);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<State> found = read(key, now);
        if (found.isPresent()) {
            return found;
        }
        // nobody counts it, or what there is has gone stale: one request across the nodes wins the right to count
        jdbc.sql("delete from utilisation_period_count where started_at < :old").param("old", Timestamp.from(now.minus(KEPT_AT_MOST))).update();
        int won = jdbc.sql("""
                        insert into utilisation_period_count (key, state, started_at) values (:key, 'COUNTING', :now)
                        on conflict (key) do update set state = 'COUNTING', started_at = excluded.started_at, finished_at = null, sections = null
                        where utilisation_period_count.state = 'DONE' and utilisation_period_count.finished_at < :freshAfter
                           or utilisation_period_count.state = 'FAILED' and utilisation_period_count.finished_at < :failedAfter
                           or utilisation_period_count.state = 'COUNTING' and utilisation_period_count.started_at < :giveUpAfter""")
                .param("key", key).param("now", Timestamp.from(now)).param("freshAfter", Timestamp.from(now.minus(freshFor)))
                .param("failedAfter", Timestamp.from(now.minus(FAILED_SHOWN))).param("giveUpAfter", Timestamp.from(now.minus(GIVE_UP))).update();
        if (won == 1) {
            counting.submit(() -> count(key, now, viewer, product, horizonDays, from, to, today));
            return Optional.of(new State(null, now, null, false));
        }
        // another request started it a moment ago
        return Optional.of(readAny(key).orElse(new State(null, now, null, false)));
    }

    /**
     * The figures of a chosen period if they are counted and fresh, without starting a count: what a table's CSV reads, so
     * that it holds the figures the page shows. Empty on a small installation, or when they are not counted.
     */
    public Optional<Utilisation.Sections> counted(Viewer viewer, UUID product, int horizonDays, LocalDate from, LocalDate to, LocalDate today) {
        if (!counts.large()) {
            return Optional.empty();
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return read(key(viewer, product, horizonDays, from, to, today), now).filter(State::counted).map(State::sections);
    }

    /** The state of the key if it is still good to show: counted and fresh, counting and not lost, or failed a moment ago. */
    private Optional<State> read(String key, Instant now) {
        return readAny(key).filter(s -> s.counted() ? s.finishedAt().isAfter(now.minus(freshFor))
                : s.failed() ? s.finishedAt().isAfter(now.minus(FAILED_SHOWN))
                : s.startedAt().isAfter(now.minus(GIVE_UP)));
    }

    private Optional<State> readAny(String key) {
        return jdbc.sql("select state, started_at, finished_at, sections::text from utilisation_period_count where key = :key").param("key", key)
                .query((rs, n) -> {
                    String state = rs.getString(1);
                    Instant started = rs.getTimestamp(2).toInstant();
                    Instant finished = rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant();
                    Utilisation.Sections sections = "DONE".equals(state) ? json.readValue(rs.getString(4), Utilisation.Sections.class) : null;
                    return new State(sections, started, finished, "FAILED".equals(state));
                }).optional();
    }

    private void count(String key, Instant started, Viewer viewer, UUID product, int horizonDays, LocalDate from, LocalDate to, LocalDate today) {
        long t = System.nanoTime();
        try {
            Utilisation.Sections sections = utilisation.sections(viewer, product, today, horizonDays, from, to);
            // only the count that started is written: one started again after this was given up for lost may have taken over
            jdbc.sql("""
                            update utilisation_period_count set state = 'DONE', finished_at = :now, sections = cast(:sections as jsonb)
                            where key = :key and started_at = :started""")
                    .param("key", key).param("started", Timestamp.from(started)).param("now", Timestamp.from(clock.instant()))
                    .param("sections", json.writeValueAsString(sections)).update();
            log.info("Utilisation figures of a chosen period ({} days) counted in {} ms", ChronoUnit.DAYS.between(from, to) + 1,
                    Duration.ofNanos(System.nanoTime() - t).toMillis());
        } catch (RuntimeException e) {
            // the database's message can quote values: only the kind of failure goes to the log
            log.warn("Utilisation figures of a chosen period could not be counted ({})", e.getClass().getSimpleName());
            jdbc.sql("update utilisation_period_count set state = 'FAILED', finished_at = :now where key = :key and started_at = :started")
                    .param("key", key).param("started", Timestamp.from(started)).param("now", Timestamp.from(clock.instant())).update();
        }
    }

    /** What the figures depend on: whose they are, the product, the renewal horizon, the period, and the day (renewals count from it). */
    static String key(Viewer viewer, UUID product, int horizonDays, LocalDate from, LocalDate to, LocalDate today) {
        return viewer.key() + "|" + (product == null ? "all" : product) + "|" + horizonDays + "|" + from + "|" + to + "|" + today;
    }
}
