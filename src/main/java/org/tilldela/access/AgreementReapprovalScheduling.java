package org.tilldela.access;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The re-approval job, hourly: data-access agreements not re-approved by the school by their re-approval date lapse,
 * and their suppliers fall back to MINIMAL ({@link DataAccessAgreements#lapseOverdue}). The release policy already stops
 * applying such an agreement the day after its date; this makes the lapse a recorded, audited step the school sees.
 * Its time is the application's {@link Clock} (the system's, unless one is configured), so tests move it.
 * Off with {@code tilldela.access.reapproval.job.enabled=false}.
 */
@Configuration
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.access.reapproval.job.enabled", havingValue = "true", matchIfMissing = true)
class AgreementReapprovalScheduling {

    private static final Logger log = LoggerFactory.getLogger(AgreementReapprovalScheduling.class);

    private final DataAccessAgreements agreements;
    private final Clock clock;

    AgreementReapprovalScheduling(DataAccessAgreements agreements, Optional<Clock> clock) {
        this.agreements = agreements;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    @Scheduled(cron = "${tilldela.access.reapproval.job-cron:0 17 * * * *}")
    void run() {
        int lapsed = agreements.lapseOverdue(LocalDate.now(clock));
        if (lapsed > 0) {
            log.info("Data-access agreements: {} not re-approved by their date lapsed to MINIMAL", lapsed);
        }
    }
}
