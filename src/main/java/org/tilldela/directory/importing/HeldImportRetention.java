package org.tilldela.directory.importing;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Imports held by the deletion guard keep the uploaded package (a whole municipality's persons) until someone decides;
 * nobody deciding must not keep it for ever. Held runs older than {@code tilldela.import.held-retention-days} (default 30)
 * are discarded nightly, and the import list says so. Off with {@code tilldela.import.held-retention-job.enabled=false}
 * (commands never run it).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.import.held-retention-job.enabled", havingValue = "true", matchIfMissing = true)
class HeldImportRetention {

    private static final Logger log = LoggerFactory.getLogger(HeldImportRetention.class);

    private final ImportRuns runs;
    private final int days;

    HeldImportRetention(ImportRuns runs, @Value("${tilldela.import.held-retention-days:30}") int days) {
        this.runs = runs;
        this.days = days;
    }

    @Scheduled(cron = "${tilldela.import.held-retention-cron:0 50 2 * * *}")
    void discardExpired() {
        int discarded = runs.discardExpired(Duration.ofDays(days));
        if (discarded > 0) {
            log.info("Discarded {} import run(s) held by the deletion guard for more than {} days", discarded, days);
        }
    }
}
