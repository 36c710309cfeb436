package org.tilldela.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** With no external database configured, Tilldela runs on its own PostgreSQL under the data directory. */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
class EmbeddedDatabaseConfiguration {

    /** What the application runs on: the restricted role, which may read and append to the ledger but never change it. */
    @Bean(destroyMethod = "close")
    @Primary
    DataSource dataSource(@Value("${tilldela.data-dir:./data}") String dataDir,
                          @Value("${tilldela.db.pool-size:10}") int poolSize,
                          @Value("${tilldela.db.synchronous-commit:on}") String synchronousCommit,
                          @Value("${tilldela.db.attach-to-server:false}") boolean attach) {
        Path dir = Path.of(dataDir);
        HikariConfig config = new HikariConfig();
        EmbeddedDatabase.Server server = EmbeddedDatabase.acquire(dir, attach);
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(EmbeddedDatabase.APP_ROLE);
        config.setPassword(server.password(EmbeddedDatabase.APP_ROLE));
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("tilldela-embedded");
        config.addDataSourceProperty("logServerErrorDetail", "false"); // see application.properties
        if (!"on".equals(synchronousCommit)) {
            // only the test suite turns it off (pom.xml): its database is thrown away after the run
            config.addDataSourceProperty("options", "-c synchronous_commit=" + synchronousCommit);
        }
        return new EmbeddedDataSource(config, dir);
    }

    /** Flyway migrates as the cluster's owner (it holds its lock on one connection while migrating on another). */
    @Bean(destroyMethod = "close")
    @FlywayDataSource
    DataSource migrationDataSource(@Value("${tilldela.data-dir:./data}") String dataDir,
                                   @Value("${tilldela.db.attach-to-server:false}") boolean attach) {
        Path dir = Path.of(dataDir);
        HikariConfig config = new HikariConfig();
        EmbeddedDatabase.Server server = EmbeddedDatabase.acquire(dir, attach);
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(EmbeddedDatabase.OWNER);
        config.setPassword(server.password(EmbeddedDatabase.OWNER));
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(0);
        config.setPoolName("tilldela-migration");
        config.addDataSourceProperty("logServerErrorDetail", "false");
        return new EmbeddedDataSource(config, dir);
    }

    /** Closing the pool (the context shutting down) lets go of the server, which stops with its last user. */
    static final class EmbeddedDataSource extends HikariDataSource {
        private final Path dataDir;
        private boolean released;

        EmbeddedDataSource(HikariConfig config, Path dataDir) {
            super(config);
            this.dataDir = dataDir;
        }

        @Override
        public synchronized void close() {
            super.close();
            if (!released) {
                released = true;
                EmbeddedDatabase.release(dataDir);
            }
        }
    }

    static class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("spring.datasource.url");
            return url == null || url.isBlank();
        }
    }
}
