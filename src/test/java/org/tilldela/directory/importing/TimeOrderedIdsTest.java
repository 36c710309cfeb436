package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * Import run ids are UUIDs of version 7 as PostgreSQL reads them (its own uuid_extract_version), with the moment they
 * were made in their first 48 bits, and PostgreSQL orders them by that moment, so a new run's journal entries go to the
 * right end of the journal's (run, sequence) index.
 */
class TimeOrderedIdsTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void postgresReadsTheVersionAndTheMomentAndOrdersByIt() {
        List<Long> moments = List.of(1_000L, 1_700_000_000_000L, 1_700_000_000_001L, 1_765_000_000_123L, 4_102_444_800_000L);
        List<UUID> ids = new ArrayList<>();
        for (long at : moments) {
            ids.add(TimeOrderedIds.at(at));
        }
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(jdbc.sql("select uuid_extract_version(:id)").param("id", id).query(Integer.class).single()).isEqualTo(7);
            // PostgreSQL 17's uuid_extract_timestamp reads version 1 only: the moment is the first 48 bits of the text form
            assertThat(jdbc.sql("select cast(cast('x' || left(replace(cast(:id as text), '-', ''), 12) as bit(48)) as bigint)")
                    .param("id", id).query(Long.class).single()).isEqualTo(moments.get(i));
        }
        // in PostgreSQL's order (bytes, unsigned) the later moment comes after, whatever the random bits
        List<UUID> reversed = new ArrayList<>(ids.reversed());
        assertThat(jdbc.sql("select id from unnest(cast(:ids as uuid[])) id order by id")
                .param("ids", reversed.toArray(UUID[]::new)).query(UUID.class).list()).containsExactlyElementsOf(ids);

        // made in the same millisecond they still differ (74 random bits)
        var same = new HashSet<UUID>();
        for (int i = 0; i < 1000; i++) {
            same.add(TimeOrderedIds.at(1_765_000_000_000L));
        }
        assertThat(same).hasSize(1000);
        long before = System.currentTimeMillis();
        UUID now = TimeOrderedIds.next();
        assertThat(now.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());
    }
}
