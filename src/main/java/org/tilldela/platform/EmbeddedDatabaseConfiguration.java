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
import org.springframework.core.type.AnnotatedTypeMetadata;

/** With no external database configured, Tilldela runs on its own PostgreSQL under the data directory. */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
class EmbeddedDatabaseConfiguration {

    @Bean(destroyMethod = "close")
    DataSource dataSource(@Value("${tilldela.data-dir:./data}") String dataDir,
                          @Value("${tilldela.db.pool-size:10}") int poolSize) {
        Path dir = Path.of(dataDir);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(EmbeddedDatabase.acquire(dir));
        config.setUsername("postgres");
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("tilldela-embedded");
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
