package org.tilldela.governance;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The access-review job, hourly: revokes what was not confirmed by a passed deadline, then starts the
 * campaigns the schedule owes. Off with {@code tilldela.governance.reviews.job.enabled=false}.
 */
@Configuration
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.governance.reviews.job.enabled", havingValue = "true", matchIfMissing = true)
class AccessReviewScheduling {

    private static final Logger log = LoggerFactory.getLogger(AccessReviewScheduling.class);

    private final AccessReviews reviews;

    AccessReviewScheduling(AccessReviews reviews) {
        this.reviews = reviews;
    }

    @Scheduled(cron = "${tilldela.governance.reviews.job-cron:0 23 * * * *}")
    void run() {
        Instant now = Instant.now();
        int revoked = reviews.closeOverdue(now);
        int started = reviews.startScheduled(now).size();
        if (revoked > 0 || started > 0) {
            log.info("Access reviews: {} unconfirmed grants revoked at their deadline, {} scheduled campaigns started", revoked, started);
        }
    }
}
