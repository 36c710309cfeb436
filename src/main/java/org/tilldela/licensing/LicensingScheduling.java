package org.tilldela.licensing;

import java.time.LocalDate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The nightly sweep that ends passed grace periods and expired pools (trials end by themselves): nothing
 * else ends them on a day without imports. Off with {@code tilldela.licensing.sweep.enabled=false}.
 */
@Configuration
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.licensing.sweep.enabled", havingValue = "true", matchIfMissing = true)
class LicensingScheduling {

    private static final Logger log = LoggerFactory.getLogger(LicensingScheduling.class);

    private final AssignmentEngine engine;

    LicensingScheduling(AssignmentEngine engine) {
        this.engine = engine;
    }

    @Scheduled(cron = "${tilldela.licensing.sweep-cron:0 10 1 * * *}")
    void nightlySweep() {
        int ended = engine.sweep(LocalDate.now());
        log.info("Licence sweep ended {} assignments", ended);
    }
}
