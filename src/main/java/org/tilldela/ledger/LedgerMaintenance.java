package org.tilldela.ledger;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The ledger's monthly partitions over time (see migration V2026.12.03.51): months made ahead, a signed
 * checkpoint at the last record of every month that has ended (once the chain up to it verified — so a
 * verification never has to start further back than a month), and the ledger's own retention: months older
 * than {@code tilldela.ledger.retention-years} removed, oldest first, each leaving its checkpoint so the chain
 * after it still verifies. Daily ({@code tilldela.ledger.maintenance-cron}), and by {@code ledger maintain}.
 *
 * <p>The application cannot create or drop tables: both go through functions that run as the owner and do only
 * that, and the retention years are the owner's setting, so the application's database password is not enough
 * to remove a recent month.
 */
@Component
public class LedgerMaintenance {

    private static final Logger log = LoggerFactory.getLogger(LedgerMaintenance.class);
    static final int MONTHS_AHEAD = 3;

    /** What one run did: months made, months signed at their end, months removed (oldest first). */
    public record Outcome(int monthsMade, List<Long> monthEndsSigned, List<Removed> removed, String problem) {
    }

    public record Removed(LocalDate month, Long cut, long records) {
    }

    private final JdbcClient jdbc;
    private final LedgerCheckpoints checkpoints;

    LedgerMaintenance(JdbcClient jdbc, LedgerCheckpoints checkpoints) {
        this.jdbc = jdbc;
        this.checkpoints = checkpoints;
    }

    public Outcome run() {
        int made = jdbc.sql("select ledger_add_months(:ahead)").param("ahead", MONTHS_AHEAD).query(Integer.class).single();
        List<Long> signed = new ArrayList<>();
        String problem = null;
        List<Long> ends = unsignedMonthEnds();
        if (!ends.isEmpty()) {
            // sign months' ends only once the chain through them verified: once, from the latest checkpoint before the
            // first of them that holds, to the head (which covers the later ones too)
            ChainVerification v = checkpoints.verifySinceLatest(ends.getFirst());
            if (!v.intact()) {
                problem = "the ledger is broken at record " + v.firstBrokenSequence() + " (" + v.reason() + "): no month end signed, none removed";
                log.error("Ledger maintenance: {}", problem);
                return new Outcome(made, signed, List.of(), problem);
            }
            for (long last : ends) {
                checkpoints.makeAt(last);
                signed.add(last);
            }
        }
        List<Removed> removed = new ArrayList<>();
        while (true) {
            Optional<Removed> r = jdbc.sql("select removed_month, cut, removed_records from ledger_remove_expired_month()")
                    .query((rs, n) -> new Removed(rs.getObject(1, LocalDate.class), (Long) rs.getObject(2), rs.getLong(3))).optional();
            if (r.isEmpty()) {
                break;
            }
            removed.add(r.get());
            log.info("Ledger retention removed {} ({} records; the chain now starts after record {})", r.get().month(), r.get().records(), r.get().cut());
        }
        return new Outcome(made, signed, removed, problem);
    }

    /**
     * The last record of each month partition that has ended and has no checkpoint there yet, oldest first. Read
     * per partition (the catalogue names them), so each is an index-only look at one month.
     */
    private List<Long> unsignedMonthEnds() {
        List<LocalDate> ended = jdbc.sql("""
                        select to_date(substring(c.relname from 'disclosure_(\\d{4}_\\d{2})'), 'YYYY_MM') as month
                        from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        where i.inhparent = 'disclosure_record'::regclass and c.relname ~ '^disclosure_\\d{4}_\\d{2}$'
                        order by month""").query(LocalDate.class).list();
        LocalDate thisMonth = LocalDate.now(java.time.ZoneOffset.UTC).withDayOfMonth(1);
        List<Long> ends = new ArrayList<>();
        for (LocalDate month : ended) {
            if (!month.isBefore(thisMonth)) {
                continue;
            }
            // through the parent (the application has no privileges on a partition itself): pruned to the one month
            Long last = jdbc.sql("select max(sequence) from disclosure_record where disclosed_at >= :from and disclosed_at < :to")
                    .param("from", java.sql.Timestamp.from(month.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))
                    .param("to", java.sql.Timestamp.from(month.plusMonths(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))
                    .query(Long.class).optional().orElse(null);
            if (last != null && jdbc.sql("select not exists (select 1 from ledger_checkpoint where sequence = :s)").param("s", last)
                    .query(Boolean.class).single()) {
                ends.add(last);
            }
        }
        return ends;
    }

    /** Daily; off with {@code tilldela.ledger.maintenance.enabled=false}. */
    @Configuration
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.ledger.maintenance.enabled", havingValue = "true", matchIfMissing = true)
    static class Daily {

        private final LedgerMaintenance maintenance;

        Daily(LedgerMaintenance maintenance) {
            this.maintenance = maintenance;
        }

        @Scheduled(cron = "${tilldela.ledger.maintenance-cron:0 20 3 * * *}")
        void run() {
            Outcome o = maintenance.run();
            log.info("Ledger maintenance: {} months made ahead, {} month ends signed, {} months removed", o.monthsMade(), o.monthEndsSigned().size(),
                    o.removed().size());
        }
    }
}
