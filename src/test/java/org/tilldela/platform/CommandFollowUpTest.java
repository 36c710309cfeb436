package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * A command waits at its end for the follow-up work its events started (listeners running after its transaction,
 * on other threads) before its context — and with it the database — closes: it returns once that work is complete,
 * and waits neither for publications that failed nor for other processes' (a server it runs beside, an earlier run).
 */
class CommandFollowUpTest extends IntegrationTest {

    @Autowired ConfigurableApplicationContext context;
    @Autowired JdbcClient jdbc;

    private final List<UUID> rows = new java.util.ArrayList<>();

    @AfterEach
    void removeRows() {
        jdbc.sql("delete from event_publication where id = any(:ids)").param("ids", rows.toArray(UUID[]::new)).update();
    }

    @Test
    void aCommandReturnsOnlyOnceItsFollowUpWorkIsDone() throws Exception {
        Instant since = Instant.now();
        publication(since.minusSeconds(60), null); // an earlier run's, never finished: not this command's to wait for
        publication(since.plusMillis(1), "PROCESSING"); // the server's, meanwhile: its own work, not waited for
        UUID failed = publication(since.plusMillis(2), "FAILED"); // this command's, failed: the server retries it
        UUID running = publication(since.plusMillis(3), "PROCESSING"); // this command's
        var own = java.util.Set.of(failed, running);
        Thread finisher = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                return;
            }
            jdbc.sql("update event_publication set completion_date = now(), status = 'COMPLETED' where id = :id").param("id", running).update();
        });
        long started = System.nanoTime();
        CommandContext.awaitFollowUps(context, own);
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        finisher.join();
        assertThat(waited).as("waited for the running listener").isGreaterThanOrEqualTo(Duration.ofMillis(1_400)).isLessThan(Duration.ofSeconds(10));

        // nothing of its own open: returns at once
        started = System.nanoTime();
        CommandContext.awaitFollowUps(context, own);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theCommandKnowsWhichPublicationsItStored() {
        var repository = context.getBean(org.springframework.modulith.events.core.EventPublicationRepository.class);
        OwnPublications own = new OwnPublications();
        var recording = (org.springframework.modulith.events.core.EventPublicationRepository) own.postProcessAfterInitialization(repository, "repository");

        var stored = recording.create(org.springframework.modulith.events.core.TargetEventPublication.of("a command's event",
                org.springframework.modulith.events.core.PublicationTargetIdentifier.of("test.Listener.on(java.lang.String)")));
        rows.add(stored.getIdentifier());
        publication(Instant.now(), null); // stored by someone else (not through this process's repository)

        assertThat(own.ids()).containsExactly(stored.getIdentifier());
        assertThat(jdbc.sql("select count(*) from event_publication where id = :id and completion_date is null").param("id", stored.getIdentifier())
                .query(Long.class).single()).isOne();
    }

    private UUID publication(Instant at, String status) {
        UUID id = UUID.randomUUID();
        rows.add(id);
        jdbc.sql("""
                        insert into event_publication (id, listener_id, event_type, serialized_event, publication_date, status, completion_attempts)
                        values (:id, 'test.Listener.on(test.Event)', 'test.Event', '{}', :at, :status, 0)
                        """).param("id", id).param("at", java.sql.Timestamp.from(at)).param("status", status).update();
        return id;
    }
}
