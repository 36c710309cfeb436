package org.tilldela.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The persons a supplier has been sent a pseudonymous id of, as the holdings say: what a supplier can
 * rightly name a person by when it reports back (the usage module translates its pseudonyms with this).
 * Nothing is released: only who the supplier already holds.
 */
@Component
public class PseudonymousHolders {

    private final JdbcTemplate jdbc;

    PseudonymousHolders(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The persons whose holding at this supplier includes the pseudonymous id and changed after {@code after}
     * (null: all), handed over in chunks of at most {@code chunk} ids (a person held for several products may
     * come more than once). Read with a cursor, so a supplier of a million persons is never in memory at once.
     *
     * @return the latest change seen, or {@code after} when there was none
     */
    @Transactional(readOnly = true)
    public Instant changedAfter(UUID supplierId, Instant after, int chunk, Consumer<List<UUID>> persons) {
        List<UUID> batch = new ArrayList<>(chunk);
        Instant[] latest = {after};
        // the cursor needs the transaction: PostgreSQL's driver fetches in steps only outside autocommit
        jdbc.query(con -> {
            var ps = con.prepareStatement("""
                    select person_id, last_disclosed_at from holding
                    where supplier_id = ? and 'PSEUDONYMOUS_ID' = any (attributes) and (?::timestamptz is null or last_disclosed_at > ?)""");
            ps.setFetchSize(chunk);
            ps.setObject(1, supplierId);
            Timestamp since = after == null ? null : Timestamp.from(after);
            ps.setTimestamp(2, since);
            ps.setTimestamp(3, since);
            return ps;
        }, rs -> {
            batch.add(rs.getObject(1, UUID.class));
            Instant at = rs.getTimestamp(2).toInstant();
            if (latest[0] == null || at.isAfter(latest[0])) {
                latest[0] = at;
            }
            if (batch.size() == chunk) {
                persons.accept(List.copyOf(batch));
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            persons.accept(List.copyOf(batch));
        }
        return latest[0];
    }
}
