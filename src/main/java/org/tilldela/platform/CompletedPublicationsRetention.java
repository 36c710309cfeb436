package org.tilldela.platform;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.modulith.events.CompletedEventPublications;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Spring Modulith keeps each event publication once its listener has completed it (completion mode "update"): the
 * record that the follow-up ran. Nothing reads them after that, yet they grow with every import and every licence that
 * ends, and they hold what the event said — a licence's end names the person. Completed publications older than
 * {@code tilldela.events.completed-retention-days} (default 30) are deleted nightly through Modulith's own
 * {@link CompletedEventPublications}; unfinished and failed ones are never touched (the server retries them). Off with
 * {@code tilldela.events.retention-job.enabled=false} (commands never run it).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.events.retention-job.enabled", havingValue = "true", matchIfMissing = true)
class CompletedPublicationsRetention {

    private static final Logger log = LoggerFactory.getLogger(CompletedPublicationsRetention.class);

    private final CompletedEventPublications completed;
    private final Duration keep;

    CompletedPublicationsRetention(CompletedEventPublications completed, @Value("${tilldela.events.completed-retention-days:30}") int days) {
        if (days < 1) {
            throw new IllegalArgumentException("tilldela.events.completed-retention-days must be at least 1, is " + days);
        }
        this.completed = completed;
        this.keep = Duration.ofDays(days);
    }

    @Scheduled(cron = "${tilldela.events.retention-cron:0 40 2 * * *}")
    void deleteOld() {
        completed.deletePublicationsOlderThan(keep);
        log.info("Deleted the event publications completed more than {} days ago", keep.toDays());
    }
}
