package org.tilldela.ledger;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
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
 * The ledger's overview of recipients: per supplier, how many persons it holds data about, through how many products,
 * and how many of its holdings are past their deletion date. Counting that reads every holding — seconds at the
 * 3.5 million of a national deployment, on every visit — so from {@code tilldela.ledger.overview.live-below}
 * holdings on (PostgreSQL's estimate of the table) the overview is the count kept in {@code ledger_supplier_summary}:
 * made every {@code tilldela.ledger.overview.recount-every} (by one node at a time), when an officer asks for it, and
 * on the first visit when there is none; the page says when it was made. Below that, it is counted on each visit.
 */
@Service
public class SupplierOverview {

    private static final Logger log = LoggerFactory.getLogger(SupplierOverview.class);

    /** The overview; {@code countedAt} is when the counts were made, null when they were made for this visit. */
    public record Overview(List<LedgerReports.SupplierSummary> suppliers, Instant countedAt) {
    }

    private final JdbcClient jdbc;
    private final LedgerReports reports;
    private volatile long liveBelow;

    SupplierOverview(JdbcClient jdbc, LedgerReports reports, @Value("${tilldela.ledger.overview.live-below:200000}") long liveBelow) {
        this.jdbc = jdbc;
        this.reports = reports;
        this.liveBelow = liveBelow;
    }

    /** The overview as of {@code today}: counted now while the holdings are few, else the count kept (made now if there is none). */
    @Transactional
    public Overview overview(LocalDate today) {
        return overview(today, org.tilldela.governance.CallerScope.wholeInstallation());
    }

    /**
     * The overview for an officer exercising {@code scope}. A scoped officer's is always counted now, over their persons'
     * holdings: the kept counts are over the whole installation and would tell them about persons outside their scope.
     */
    @Transactional
    public Overview overview(LocalDate today, org.tilldela.governance.CallerScope scope) {
        if (!scope.isWholeInstallation()) {
            return new Overview(reports.suppliers(today, scope), null);
        }
        if (!large()) {
            return new Overview(reports.suppliers(today), null);
        }
        Instant counted = jdbc.sql("select max(counted_at) from ledger_supplier_summary").query(Timestamp.class).optional()
                .map(Timestamp::toInstant).orElse(null);
        if (counted == null) {
            counted = recount(today);
        }
        List<LedgerReports.SupplierCounts> rows = jdbc.sql("select supplier_id, persons, products, overdue from ledger_supplier_summary")
                .query((rs, n) -> new LedgerReports.SupplierCounts(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(3), rs.getLong(4))).list();
        return new Overview(reports.named(rows), counted);
    }

    /** From how many holdings on the overview is kept (tests change it on the running application). */
    void liveBelow(long holdings) {
        this.liveBelow = holdings;
    }

    long liveBelow() {
        return liveBelow;
    }

    /** Whether there are so many holdings that the overview is kept rather than counted on each visit. */
    boolean large() {
        // the planner's estimate: free to read, refreshed by autovacuum's analyze; -1 before the table was first analysed
        long estimate = jdbc.sql("select greatest(c.reltuples, 0)::bigint from pg_class c where c.oid = 'holding'::regclass").query(Long.class).single();
        return estimate >= liveBelow;
    }

    /**
     * Counts every supplier's holdings again and keeps the counts (one statement: suppliers that hold nothing any more
     * leave the table); answers when. Two nodes do not count at once: the second waits and then counts again.
     */
    @Transactional
    public Instant recount(LocalDate today) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('ledger_supplier_summary'))").query(Object.class).list();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS); // as PostgreSQL keeps it
        jdbc.sql("""
                        with counted as (%s
                        ), gone as (
                            delete from ledger_supplier_summary s where not exists (select 1 from counted c where c.supplier_id = s.supplier_id)
                        )
                        insert into ledger_supplier_summary (supplier_id, persons, products, overdue, counted_at)
                        select supplier_id, persons, products, overdue, :now from counted
                        on conflict (supplier_id) do update set persons = excluded.persons, products = excluded.products,
                            overdue = excluded.overdue, counted_at = excluded.counted_at""".formatted(LedgerReports.SUPPLIER_COUNTS.formatted("true")))
                .param("today", today).param("now", Timestamp.from(now)).update();
        return now;
    }

    /** Every {@code recount-every} (10 minutes): counted again where the overview is kept; nothing to do where it is not. */
    @Configuration
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.ledger.overview.enabled", havingValue = "true", matchIfMissing = true)
    static class Recounting {

        private final SupplierOverview overview;

        Recounting(SupplierOverview overview) {
            this.overview = overview;
        }

        @Scheduled(fixedDelayString = "${tilldela.ledger.overview.recount-every:10m}", initialDelayString = "${tilldela.ledger.overview.recount-every:10m}")
        void run() {
            if (overview.large()) {
                long t = System.nanoTime();
                overview.recount(LocalDate.now());
                log.info("Ledger overview of recipients counted again in {} ms", Duration.ofNanos(System.nanoTime() - t).toMillis());
            }
        }
    }
}
