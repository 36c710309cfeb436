package org.tilldela.governance;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.tilldela.platform.InBatches;

/**
 * The audit trail's sign-in records are kept {@code tilldela.audit.sign-in-retention-days} (default 365; 0: for ever),
 * then removed nightly: a person's sign-ins through an upstream identity provider, refusals and failed sign-ins — one
 * row a sign-in, with the address it came from, millions a day nationally. Everything else in the trail (what
 * administrators did, who looked at a protected person) is kept. The days are the migrating owner's setting and the
 * removal runs as the owner (migration V2026.12.12.81): the application's database role can remove nothing recent
 * and nothing else. Each removal is itself recorded ({@code AUDIT_SIGN_INS_REMOVED}, with how many).
 */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    /** Rows removed per transaction. */
    static final int BATCH = 10_000;

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    AuditRetention(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** Removes the expired sign-in records, a batch a transaction; returns how many went. */
    long removeExpiredSignIns() {
        long removed = InBatches.untilShort(BATCH,
                () -> jdbc.sql("select audit_remove_expired_sign_ins(:batch)").param("batch", BATCH).query(Integer.class).single());
        if (removed > 0) {
            audit.record("retention", "AUDIT_SIGN_INS_REMOVED", "audit_trail", null, Map.of("removed", removed));
        }
        return removed;
    }

    /** Nightly ({@code tilldela.audit.retention-cron}); off with {@code tilldela.audit.retention-job.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.audit.retention-job.enabled", havingValue = "true", matchIfMissing = true)
    static class Nightly {

        private final AuditRetention retention;

        Nightly(AuditRetention retention) {
            this.retention = retention;
        }

        @Scheduled(cron = "${tilldela.audit.retention-cron:0 30 3 * * *}")
        void run() {
            log.info("Audit trail retention: {} expired sign-in records removed", retention.removeExpiredSignIns());
        }
    }
}
