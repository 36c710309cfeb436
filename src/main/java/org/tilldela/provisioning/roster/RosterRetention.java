package org.tilldela.provisioning.roster;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the roster API tells a supplier went — a user whose licence ended, an enrollment, a class — is told as
 * 'tobedeleted' for {@code tilldela.provisioning.roster.departures-kept-days} (default 400: a school year and its summer,
 * as the directory's journal) after it went, and no longer: every delta and every {@code status='tobedeleted'} listing
 * otherwise carried each leaver of every year for good. A consumer that has not synced for that long syncs in full (what
 * is absent from a full listing is gone). The rows that remember departures ({@code roster_departure}, and the departed
 * {@code roster_enrollment} and {@code roster_class} rows) are deleted nightly once past that. Off with
 * {@code tilldela.provisioning.roster.retention-job.enabled=false} (commands never run it).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.provisioning.roster.retention-job.enabled", havingValue = "true", matchIfMissing = true)
class RosterRetention {

    static final String DAYS = "tilldela.provisioning.roster.departures-kept-days";

    private static final Logger log = LoggerFactory.getLogger(RosterRetention.class);

    private final JdbcClient jdbc;
    private final Duration kept;

    RosterRetention(JdbcClient jdbc, @Value("${" + DAYS + ":400}") int days) {
        this.jdbc = jdbc;
        this.kept = kept(days);
    }

    static Duration kept(int days) {
        if (days < 1) {
            throw new IllegalArgumentException(DAYS + " must be at least 1, is " + days);
        }
        return Duration.ofDays(days);
    }

    @Scheduled(cron = "${tilldela.provisioning.roster.retention-cron:0 5 3 * * *}")
    void deleteOld() {
        int deleted = deleteDepartedBefore(Instant.now().minus(kept));
        if (deleted > 0) {
            log.info("Deleted {} roster departures told for more than {} days", deleted, kept.toDays());
        }
    }

    /** The departures that went before {@code before}: no longer told, so no longer kept. */
    @Transactional
    int deleteDepartedBefore(Instant before) {
        Timestamp at = Timestamp.from(before);
        return jdbc.sql("delete from roster_departure where departed_at < :at").param("at", at).update()
                + jdbc.sql("delete from roster_enrollment where departed_at < :at").param("at", at).update()
                + jdbc.sql("delete from roster_class where departed_at < :at").param("at", at).update();
    }
}
