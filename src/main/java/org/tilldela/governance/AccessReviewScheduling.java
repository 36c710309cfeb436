package org.tilldela.governance;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The access-review job, hourly: revokes what was not confirmed by a passed deadline (and tells the reviewer the
 * outcome and their manager, or the organiser's account administrators), reminds reviewers whose deadline is near,
 * mails those notices ({@link AccessReviewMail}), starts the campaigns the schedule owes, and
 * brings rights from duties in line with the duties held today ({@link DutyGrants#reconcile}).
 * Its time is the application's {@link Clock} (the system's, unless one is configured), so tests move it. Off with {@code tilldela.governance.reviews.job.enabled=false}.
 */
@Configuration
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.governance.reviews.job.enabled", havingValue = "true", matchIfMissing = true)
class AccessReviewScheduling {

    private static final Logger log = LoggerFactory.getLogger(AccessReviewScheduling.class);

    private final AccessReviews reviews;
    private final DutyGrants dutyGrants;
    private final AccessReviewMail mail;
    private final Clock clock;

    AccessReviewScheduling(AccessReviews reviews, DutyGrants dutyGrants, AccessReviewMail mail, Optional<Clock> clock) {
        this.reviews = reviews;
        this.mail = mail;
        this.dutyGrants = dutyGrants;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    @Scheduled(cron = "${tilldela.governance.reviews.job-cron:0 23 * * * *}")
    void run() {
        Instant now = clock.instant();
        int revoked = reviews.closeOverdue(now);
        int reminded = reviews.remind(now);
        // the notices just made, and any whose mail failed at an earlier run
        int mailed = mail.sendPending(now);
        int started = reviews.startScheduled(now).size();
        // rights from duties follow what no import announces: a duty's end date passing, a rule's author losing a
        // right, an account disabled (grants from rules are not in access reviews, so this is what takes them away)
        DutyGrants.Reconciled duties = dutyGrants.reconcile("SCHEDULE", null);
        if (duties.granted() > 0 || duties.revoked() > 0) {
            log.info("Rights from duties: {} granted, {} revoked", duties.granted(), duties.revoked());
        }
        if (revoked > 0 || started > 0 || reminded > 0 || mailed > 0) {
            log.info("Access reviews: {} unconfirmed grants revoked at their deadline, {} reviewers reminded, {} notices mailed, {} scheduled campaigns started",
                    revoked, reminded, mailed, started);
        }
    }
}
