package org.tilldela.platform;

import org.flywaydb.core.Flyway;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Healthy only when the database answers and every migration this build carries has been applied. */
@Component("migrations")
class DatabaseMigratedHealthIndicator implements HealthIndicator {

    private final Flyway flyway;

    DatabaseMigratedHealthIndicator(Flyway flyway) {
        this.flyway = flyway;
    }

    @Override
    public Health health() {
        try {
            int pending = flyway.info().pending().length;
            var current = flyway.info().current();
            Health.Builder builder = pending == 0 ? Health.up() : Health.down();
            return builder.withDetail("pending", pending).withDetail("version", current == null || current.getVersion() == null ? "none" : current.getVersion().toString()).build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("error", "database unreachable").build();
        }
    }
}
