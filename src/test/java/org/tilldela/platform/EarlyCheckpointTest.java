package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * A command begins the embedded cluster's checkpoint while its follow-up work runs, so that the stop has little left to
 * write ({@link EmbeddedDatabase#checkpointAhead}); a cluster this JVM does not run is left alone.
 */
class EarlyCheckpointTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path elsewhere;

    @Test
    void theClusterThisJvmRunsIsCheckpointed() throws Exception {
        long requested = requestedCheckpoints();
        String before = checkpointLocation();

        EmbeddedDatabase.checkpointAhead(dataDir()).get(60, TimeUnit.SECONDS);

        assertThat(requestedCheckpoints()).isGreaterThan(requested);
        assertThat(checkpointLocation()).isNotEqualTo(before);
    }

    @Test
    void aDataDirectoryWhoseClusterThisJvmDoesNotRunIsLeftAlone() throws Exception {
        long requested = requestedCheckpoints();

        var checkpoint = EmbeddedDatabase.checkpointAhead(elsewhere);

        assertThat(checkpoint).isCompleted();
        assertThat(requestedCheckpoints()).isEqualTo(requested);
        assertThat(elsewhere.resolve("postgres")).doesNotExist();
    }

    private long requestedCheckpoints() {
        jdbc.sql("select pg_stat_clear_snapshot()").query(Object.class).list();
        return jdbc.sql("select num_requested from pg_stat_checkpointer").query(Long.class).single();
    }

    private String checkpointLocation() {
        return jdbc.sql("select checkpoint_lsn::text from pg_control_checkpoint()").query(String.class).single();
    }
}
