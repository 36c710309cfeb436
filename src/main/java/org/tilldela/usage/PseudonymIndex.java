package org.tilldela.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.access.SupplierPseudonyms;
import org.tilldela.ledger.PseudonymousHolders;

/**
 * Turns a supplier's pseudonyms back into persons (table usage_pseudonym). A pseudonym not yet in the index
 * makes the index catch up with the supplier's holdings changed since it last did, once per report; what is
 * still unknown after that is a pseudonym the supplier was never given.
 */
@Component
class PseudonymIndex {

    /**
     * How far back a catch-up looks again: a release still in flight (its transaction not yet committed) may
     * carry an earlier time than the latest one seen, and must not be skipped for good.
     */
    static final Duration IN_FLIGHT = Duration.ofMinutes(10);
    private static final int CHUNK = 10_000;

    private final JdbcClient jdbc;
    private final PseudonymousHolders holders;
    private final SupplierPseudonyms pseudonyms;
    private final Clock clock;

    PseudonymIndex(JdbcClient jdbc, PseudonymousHolders holders, SupplierPseudonyms pseudonyms, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.holders = holders;
        this.pseudonyms = pseudonyms;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    /** Pseudonym → person, for those of {@code reported} the supplier was given. Call within a read-write transaction. */
    Map<UUID, UUID> persons(UUID supplierId, Collection<UUID> reported) {
        Map<UUID, UUID> found = lookUp(supplierId, reported);
        if (found.size() < reported.size()) {
            catchUp(supplierId);
            found = lookUp(supplierId, reported);
        }
        return found;
    }

    private Map<UUID, UUID> lookUp(UUID supplierId, Collection<UUID> reported) {
        Map<UUID, UUID> found = new HashMap<>(reported.size() * 2);
        jdbc.sql("select pseudonym, person_id from usage_pseudonym where supplier_id = :s and pseudonym = any (:p)")
                .param("s", supplierId).param("p", reported.toArray(UUID[]::new))
                .query(rs -> {
                    found.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return found;
    }

    private void catchUp(UUID supplierId) {
        Instant started = clock.instant();
        Instant through = jdbc.sql("select indexed_through from usage_pseudonym_progress where supplier_id = :s for update").param("s", supplierId)
                .query(Instant.class).optional().orElse(null);
        Instant latest = holders.changedAfter(supplierId, through, CHUNK, persons -> add(supplierId, persons));
        if (latest == null) {
            return;
        }
        Instant next = latest.isAfter(started.minus(IN_FLIGHT)) ? started.minus(IN_FLIGHT) : latest;
        if (through == null || next.isAfter(through)) {
            jdbc.sql("""
                            insert into usage_pseudonym_progress (supplier_id, indexed_through) values (:s, :t)
                            on conflict (supplier_id) do update set indexed_through = excluded.indexed_through""")
                    .param("s", supplierId).param("t", java.sql.Timestamp.from(next)).update();
        }
    }

    private void add(UUID supplierId, List<UUID> persons) {
        Map<UUID, UUID> of = pseudonyms.of(supplierId, persons);
        UUID[] people = of.keySet().toArray(UUID[]::new);
        UUID[] names = new UUID[people.length];
        for (int i = 0; i < people.length; i++) {
            names[i] = of.get(people[i]);
        }
        jdbc.sql("""
                        insert into usage_pseudonym (supplier_id, pseudonym, person_id)
                        select :s, pseudonym, person_id from unnest(:pseudonyms::uuid[], :persons::uuid[]) as u (pseudonym, person_id)
                        on conflict (supplier_id, pseudonym) do nothing""")
                .param("s", supplierId).param("pseudonyms", names).param("persons", people).update();
    }
}
