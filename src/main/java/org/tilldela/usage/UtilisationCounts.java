package org.tilldela.usage;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The utilisation page's figures for its default period (the last {@link #DEFAULT_DAYS} days), kept. Counting seats
 * assigned and used reads every assignment and every usage day of the period — seconds for an organiser of a million
 * persons, on every visit — so from {@code tilldela.usage.utilisation.live-below} rows (PostgreSQL's estimate of the
 * assignments and usage days together) the default period's figures are read from {@code utilisation_kept}: made every
 * {@code tilldela.usage.utilisation.recount-every} (by one node at a time), and on the first visit when there are none;
 * the page says when they were counted. Other periods are counted on each visit, as are all figures
 * below that size. Like the ledger's overview of recipients ({@code SupplierOverview}).
 */
@Service
public class UtilisationCounts {

    private static final Logger log = LoggerFactory.getLogger(UtilisationCounts.class);

    /** The period shown when none is asked for: the last 30 days, today included. */
    public static final int DEFAULT_DAYS = 30;

    private final JdbcClient jdbc;
    private final Utilisation utilisation;
    private volatile long liveBelow;

    UtilisationCounts(JdbcClient jdbc, Utilisation utilisation, @Value("${tilldela.usage.utilisation.live-below:50000}") long liveBelow) {
        this.jdbc = jdbc;
        this.utilisation = utilisation;
        this.liveBelow = liveBelow;
    }

    /** The first day of the default period ending {@code today}. */
    public static LocalDate defaultFrom(LocalDate today) {
        return today.minusDays(DEFAULT_DAYS - 1);
    }

    /**
     * When the kept figures were counted (counted now if there are none at all); empty while the installation is small
     * enough to count on each visit. Figures counted for the period ending yesterday are shown until the next recount
     * (at most {@code recount-every} away): counting them again for the first visitor after midnight would keep that
     * visitor waiting minutes at a million persons. The page says when they were counted.
     */
    @Transactional
    public Optional<Instant> kept(LocalDate today) {
        if (!large()) {
            return Optional.empty();
        }
        Optional<Instant> counted = jdbc.sql("select counted_at from utilisation_kept_state").query(Timestamp.class).optional()
                .map(Timestamp::toInstant);
        return Optional.of(counted.orElseGet(() -> recount(today)));
    }

    /**
     * Counts the default period ending {@code today} again and keeps it; answers when. Two nodes do not count at once: the
     * second waits and then counts again. Readers see the former figures until this commits.
     */
    @Transactional
    public Instant recount(LocalDate today) {
        lock();
        return count(today, changes());
    }

    /**
     * What the scheduled recount does: counts again unless nothing the figures are counted from has changed since they were
     * counted, on the same day (a new day moves the period). Answers when it counted, or empty when it did not need to.
     */
    @Transactional
    public Optional<Instant> recountIfChanged(LocalDate today) {
        lock();
        long changes = changes();
        boolean unchanged = jdbc.sql("select period_to = :today and changes = :changes from utilisation_kept_state")
                .param("today", today).param("changes", changes).query(Boolean.class).optional().orElse(false);
        return unchanged ? Optional.empty() : Optional.of(count(today, changes));
    }

    private void lock() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('utilisation_kept'))").query(Object.class).list();
    }

    private Instant count(LocalDate today, long changes) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS); // as PostgreSQL keeps it
        LocalDate from = defaultFrom(today);
        utilisation.recount(today, from, today);
        jdbc.sql("""
                        insert into utilisation_kept_state (id, period_from, period_to, counted_at, changes) values (1, :from, :to, :now, :changes)
                        on conflict (id) do update set period_from = excluded.period_from, period_to = excluded.period_to,
                            counted_at = excluded.counted_at, changes = excluded.changes""")
                .param("from", from).param("to", today).param("now", Timestamp.from(now)).param("changes", changes).update();
        return now;
    }

    /**
     * Rows inserted, updated and deleted so far in the tables the figures are counted from: pools, assignments, usage (kept
     * and folded), and the placements that split them per school unit. PostgreSQL's cumulative statistics, free to read and
     * a second or so behind; read before counting, so a change made during a count moves it on and the next turn counts
     * again. A reset of the statistics only makes the next turn count. (A backend reports its counts at most once a second,
     * and an idle one within ten: the benchmark waits for this to stand still before it counts.)
     */
    public long changes() {
        return jdbc.sql("""
                        select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint from pg_stat_user_tables
                        where relid in ('licence_pool'::regclass, 'licence_assignment'::regclass, 'usage_day'::regclass, 'usage_month'::regclass,
                                        'enrolment'::regclass, 'duty'::regclass)""").query(Long.class).single();
    }

    /** From how many rows on the figures are kept (tests change it on the running application). */
    void liveBelow(long rows) {
        this.liveBelow = rows;
    }

    long liveBelow() {
        return liveBelow;
    }

    /** Whether there are so many assignments and usage days that the default period's figures are kept. */
    boolean large() {
        // the planner's estimate (refreshed by autovacuum's analyze; -1 before a table was first analysed) or PostgreSQL's
        // count of live rows (moved by every insert and delete within seconds), whichever is larger: right after a large
        // ingest autovacuum has not analysed yet, and the first visitors would count millions of rows on every visit
        long estimate = jdbc.sql("""
                        select coalesce(sum(greatest(c.reltuples, s.n_live_tup, 0)), 0)::bigint
                        from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
                        where c.oid in ('licence_assignment'::regclass, 'usage_day'::regclass)""").query(Long.class).single();
        return estimate >= liveBelow;
    }

    /**
     * Every {@code recount-every} (10 minutes): counted again where the figures are kept and something they are counted from
     * changed; nothing to do where they are not kept.
     */
    @Configuration
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.usage.utilisation.enabled", havingValue = "true", matchIfMissing = true)
    static class Recounting {

        private final UtilisationCounts counts;

        Recounting(UtilisationCounts counts) {
            this.counts = counts;
        }

        @Scheduled(fixedDelayString = "${tilldela.usage.utilisation.recount-every:10m}",
                initialDelayString = "${tilldela.usage.utilisation.recount-every:10m}")
        void run() {
            if (counts.large()) {
                long t = System.nanoTime();
                if (counts.recountIfChanged(LocalDate.now()).isPresent()) {
                    log.info("Utilisation figures of the last {} days counted again in {} ms", DEFAULT_DAYS,
                            Duration.ofNanos(System.nanoTime() - t).toMillis());
                } else {
                    log.debug("Utilisation figures of the last {} days unchanged since they were counted: not counted again", DEFAULT_DAYS);
                }
            }
        }
    }
}
