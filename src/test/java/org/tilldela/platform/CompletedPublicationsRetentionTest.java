package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.CompletedEventPublications;
import org.tilldela.IntegrationTest;

/**
 * Completed event publications are kept for the configured days (30 here) and then deleted by the nightly job; the
 * unfinished and the failed stay, however old: the server still has work to do on them.
 */
class CompletedPublicationsRetentionTest extends IntegrationTest {

    @Autowired CompletedPublicationsRetention retention;
    @Autowired CompletedEventPublications completed;
    @Autowired JdbcClient jdbc;

    private final List<UUID> rows = new ArrayList<>();

    @AfterEach
    void removeRows() {
        jdbc.sql("delete from event_publication where id = any(:ids)").param("ids", rows.toArray(UUID[]::new)).update();
    }

    @Test
    void completedPublicationsOlderThanTheRetentionAreDeletedTheOthersStay() {
        Instant now = Instant.now();
        UUID oldCompleted = publication(now.minus(Duration.ofDays(41)), now.minus(Duration.ofDays(40)), "COMPLETED");
        UUID recentCompleted = publication(now.minus(Duration.ofDays(21)), now.minus(Duration.ofDays(20)), "COMPLETED");
        UUID oldUnfinished = publication(now.minus(Duration.ofDays(60)), null, null);
        UUID oldFailed = publication(now.minus(Duration.ofDays(60)), null, "FAILED");

        retention.deleteOld();

        assertThat(remaining()).doesNotContain(oldCompleted).contains(recentCompleted, oldUnfinished, oldFailed);
    }

    @Test
    void aRetentionOfLessThanADayIsRefused() {
        assertThatThrownBy(() -> new CompletedPublicationsRetention(completed, 0)).hasMessageContaining("completed-retention-days");
    }

    private List<UUID> remaining() {
        return jdbc.sql("select id from event_publication where id = any(:ids)").param("ids", rows.toArray(UUID[]::new)).query(UUID.class).list();
    }

    private UUID publication(Instant published, Instant completedAt, String status) {
        UUID id = UUID.randomUUID();
        rows.add(id);
        jdbc.sql("""
                        insert into event_publication (id, listener_id, event_type, serialized_event, publication_date, completion_date, status,
                                                       completion_attempts)
                        values (:id, 'test.Listener.on(test.Event)', 'test.Event', '{}', :published, :completed, :status, 1)
                        """).param("id", id).param("published", Timestamp.from(published))
                .param("completed", completedAt == null ? null : Timestamp.from(completedAt)).param("status", status).update();
        return id;
    }
}
