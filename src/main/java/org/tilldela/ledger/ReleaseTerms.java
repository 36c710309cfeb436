package org.tilldela.ledger;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The terms of a release (channel, attribute names, agreement, legal basis, purpose, retention), kept once in
 * {@code disclosure_terms} and named by id from every record that has them: a product's release to a whole school has
 * one set of terms, so a record carries 4 bytes instead of ~190. Ids are kept in memory once the transaction that looked
 * them up committed: a row it found may be its own, and a rolled-back one never existed.
 */
@Component
class ReleaseTerms {

    /** One release's terms, as a record holds them (attribute names sorted and comma-joined). */
    record Terms(String channel, String attributes, UUID agreementId, String legalBasis, String purpose, int retentionDays) {
    }

    /** Terms are few (a few per product); this bounds memory should something make many. */
    private static final int KEPT = 10_000;

    private final JdbcClient jdbc;
    private final Map<Terms, Integer> ids = new ConcurrentHashMap<>();

    ReleaseTerms(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The same order for every adder. A new terms row is held by the transaction that added it until it commits, and
     * a concurrent adder of the same terms waits for that: two appenders adding two new terms in opposite orders
     * would each wait for the other (PostgreSQL found the deadlock with two appenders of a 50 M ledger).
     */
    private static final java.util.Comparator<Terms> ORDER = java.util.Comparator.comparing(Terms::channel).thenComparing(Terms::attributes)
            .thenComparing(Terms::agreementId, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparing(Terms::legalBasis, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparing(Terms::purpose, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparingInt(Terms::retentionDays);

    /** The ids of these terms, each new one added in the caller's transaction, in {@link #ORDER}. */
    Map<Terms, Integer> idsOf(java.util.Collection<Terms> all) {
        Map<Terms, Integer> found = new java.util.TreeMap<>(ORDER);
        for (Terms t : all) {
            found.put(t, null);
        }
        found.replaceAll((t, none) -> idOf(t));
        return found;
    }

    /** The id of these terms, added in the caller's transaction if they are new. */
    private int idOf(Terms terms) {
        Integer id = ids.get(terms);
        if (id != null) {
            return id;
        }
        id = find(terms);
        if (id != null) {
            keepOnceCommitted(terms, id);
            return id;
        }
        // a concurrent adder of the same terms makes this wait for its commit, then add nothing: the second read sees its row
        jdbc.sql("""
                        insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days)
                        values (:channel, :attributes, cast(:agreement as uuid), :legal, :purpose, :retention) on conflict do nothing""")
                .param("channel", terms.channel()).param("attributes", terms.attributes()).param("agreement", terms.agreementId())
                .param("legal", terms.legalBasis()).param("purpose", terms.purpose()).param("retention", terms.retentionDays()).update();
        Integer added = find(terms);
        if (added == null) {
            throw new IllegalStateException("the release terms could not be recorded (the transaction's isolation hides a concurrent adder's row)");
        }
        keepOnceCommitted(terms, added);
        return added;
    }

    /**
     * Kept in memory when the caller's transaction commits, not before: a row found may be one this transaction added
     * (an earlier append in it; in an earlier build, an earlier record of the same batch) and goes if it rolls back.
     * Keeping such an id at once is how the 50 M benchmark's surviving appender came to name terms its deadlocked
     * partner had added (BENCHMARKS.md).
     */
    private void keepOnceCommitted(Terms terms, int id) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            // no commit to wait for (an append always runs in a transaction): not kept, read again next time
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                keep(terms, id);
            }
        });
    }

    private Integer find(Terms terms) {
        return jdbc.sql("""
                        select id from disclosure_terms
                        where channel = :channel and attributes = :attributes and agreement_id is not distinct from cast(:agreement as uuid)
                          and legal_basis is not distinct from cast(:legal as text) and purpose is not distinct from cast(:purpose as text)
                          and retention_days = :retention""")
                .param("channel", terms.channel()).param("attributes", terms.attributes()).param("agreement", terms.agreementId())
                .param("legal", terms.legalBasis()).param("purpose", terms.purpose()).param("retention", terms.retentionDays())
                .query(Integer.class).optional().orElse(null);
    }

    /**
     * Fails unless the caller's transaction sees every terms row of these ids (a few index probes). An id comes from
     * memory or an earlier statement, and a record naming a row that is not there breaks the chain for good: once, a
     * 50 M benchmark run's records named terms a rolled-back transaction had added (BENCHMARKS.md). On failure the ids
     * kept in memory are forgotten, so the next use of any terms reads them again.
     */
    void requirePresent(int[] termsIds) {
        int[] distinct = java.util.Arrays.stream(termsIds).distinct().toArray();
        long seen = jdbc.sql("select count(*) from disclosure_terms where id = any(:ids)").param("ids", distinct).query(Long.class).single();
        if (seen != distinct.length) {
            ids.clear();
            throw new IllegalStateException("release terms this append would name are not in the ledger (" + (distinct.length - seen) + " of "
                    + distinct.length + "): nothing was chained; the ids kept in memory are forgotten");
        }
    }

    private void keep(Terms terms, int id) {
        if (ids.size() >= KEPT) {
            ids.clear();
        }
        ids.put(terms, id);
    }
}
