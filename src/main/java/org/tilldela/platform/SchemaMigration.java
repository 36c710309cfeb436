package org.tilldela.platform;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How the database is brought to this release's schema at start, embedded or external. */
@Configuration(proxyBeanMethods = false)
class SchemaMigration {

    /**
     * Flyway migrates unless the database already carries this release's stamp ({@link SchemaStamp}). A command
     * attached to the running server's database ({@link EmbeddedDatabase#acquire(Path, boolean)}) does not migrate under
     * it: the server migrated its database when it started. It checks that the database is at this release's schema
     * version, and refuses to run otherwise (a server of an older release would be changed under its feet; against a
     * newer one this release's queries may not fit).
     */
    @Bean
    FlywayMigrationStrategy migrationUnlessStampedOrAttached(@Value("${tilldela.data-dir:./data}") String dataDir) {
        Path dir = Path.of(dataDir);
        return flyway -> {
            if (!EmbeddedDatabase.attached(dir)) {
                SchemaStamp.migrateUnlessStamped(flyway);
                return;
            }
            // stamped by a server of this release: the same schema; otherwise every migration this release has is applied,
            // and the database has none it does not know (a newer release's)
            if (SchemaStamp.carriesThisRelease(flyway)) {
                return;
            }
            var info = flyway.info();
            var all = info.all();
            boolean sameRelease = all.length > 0
                    && Arrays.stream(all).allMatch(m -> m.getState().isResolved() && m.getState().isApplied() && !m.getState().isFailed());
            if (!sameRelease) {
                var latest = Arrays.stream(all).filter(m -> m.getState().isResolved()).map(m -> m.getVersion())
                        .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
                throw new IllegalStateException("The server running on " + dir.toAbsolutePath().normalize() + " is of another release, or still migrating at its "
                        + "start (its database is at schema version " + (info.current() == null ? "none" : info.current().getVersion())
                        + ", this release's is " + latest + "): run the command with the server's release, or stop the server (a command on its own "
                        + "migrates the database)");
            }
        };
    }
}
