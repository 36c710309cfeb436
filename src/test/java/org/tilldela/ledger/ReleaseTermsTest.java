package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A release's terms are kept once and named by id from its records; the chain still covers their values. */
class ReleaseTermsTest extends LedgerTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    ReleaseTerms releaseTerms;

    private static Disclosure release(UUID supplier, UUID product, UUID agreement, String purpose) {
        return new Disclosure(UUID.randomUUID(), supplier, product, Channel.SCIM_PUSH, SMALL, agreement, "GDPR art. 6.1 e (public task)", purpose,
                Instant.now(), 90, null);
    }

    @Test
    void recordsOfOneProductsReleaseShareOneTermsRow() {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        List<Disclosure> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(release(supplier, product, agreement, i < 30 ? "Roster" : "Sign-in"));
        }
        append(batch);
        append(List.of(release(supplier, product, agreement, "Roster")));
        var terms = jdbc.sql("""
                        select t.purpose, count(distinct r.terms_id), count(*) from disclosure_record r join disclosure_terms t on t.id = r.terms_id
                        where r.product_id = :p group by t.purpose order by 1""")
                .param("p", product).query((rs, n) -> rs.getString(1) + ":" + rs.getLong(2) + ":" + rs.getLong(3)).list();
        assertThat(terms).as("purpose : terms rows : records").containsExactly("Roster:1:31", "Sign-in:1:10");
        assertThat(jdbc.sql("select count(*) from disclosure where product_id = :p and purpose = 'Roster' and agreement_id = :a and retention_days = 90")
                .param("p", product).param("a", agreement).query(Long.class).single()).as("the view shows each record with its terms").isEqualTo(31);
    }

    @Test
    void appendersAddNewTermsInOneOrderSoNoneHoldsOneWhileWaitingForAnother() throws Exception {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        String tag = UUID.randomUUID().toString();
        String first = "A " + tag, second = "B " + tag; // the same terms but for the purpose, which puts them in this order
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection holder = superuser()) {
            // another transaction is adding the first terms and has not committed
            holder.setAutoCommit(false);
            try (var add = holder.prepareStatement("insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days) "
                    + "values (?, ?, ?, ?, ?, 90)")) {
                add.setString(1, Channel.SCIM_PUSH.name());
                add.setString(2, String.join(",", DisclosureLedger.sortedNames(SMALL)));
                add.setObject(3, agreement);
                add.setString(4, "GDPR art. 6.1 e (public task)");
                add.setString(5, first);
                add.executeUpdate();
            }
            // a batch naming the second terms, then the first, waits for that transaction
            Future<long[]> both = pool.submit(() -> append(List.of(release(supplier, product, agreement, second), release(supplier, product, agreement, first))));
            awaitLockWait("%insert into disclosure_terms%", "the batch waits for the first terms");
            // it has not added the second terms meanwhile (in the batch's own order it would have, and this append would wait for it)
            Future<long[]> alone = pool.submit(() -> append(List.of(release(supplier, product, agreement, second))));
            assertThat(alone.get(20, TimeUnit.SECONDS)).hasSize(1);
            holder.rollback();
            assertThat(both.get(20, TimeUnit.SECONDS)).hasSize(2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.sql("select count(*) from disclosure_terms where purpose in (:a, :b)").param("a", first).param("b", second).query(Long.class).single())
                .isEqualTo(2);
        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
    }

    @Test
    void anAppendThatLosesADeadlockLeavesNothingBehindThatLaterAppendsName() throws Exception {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        UUID one = UUID.randomUUID(), two = UUID.randomUUID();
        append(List.of(new Disclosure(one, supplier, product, Channel.SCIM_PUSH, SMALL, agreement, "GDPR art. 6.1 e (public task)", "Setup", Instant.now(), 90, null),
                new Disclosure(two, supplier, product, Channel.SCIM_PUSH, SMALL, agreement, "GDPR art. 6.1 e (public task)", "Setup", Instant.now(), 90, null)));
        String tag = UUID.randomUUID().toString();
        java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> futures = new ArrayList<>();
        for (UUID[] order : new UUID[][] {{one, two}, {two, one}}) {
            futures.add(pool.submit(() -> tx.executeWithoutResult(s -> {
                // each holds one holding, appends (new terms, then the ledger's head) and wants the other's holding: one loses
                jdbc.sql("update holding set repeats = repeats where person_id = :p").param("p", order[0]).update();
                try {
                    both.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                ledger.append(List.of(release(supplier, product, agreement, "Deadlock " + tag + " " + order[0])));
                jdbc.sql("update holding set repeats = repeats where person_id = :p").param("p", order[1]).update();
            })));
        }
        int lost = 0;
        for (Future<?> f : futures) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                lost++;
            }
        }
        pool.shutdown();
        assertThat(lost).as("PostgreSQL ends one of them").isEqualTo(1);
        // every connection of the pool, in turn, appends with the loser's terms and others
        for (int i = 0; i < 20; i++) {
            append(List.of(release(supplier, product, agreement, "Deadlock " + tag + " " + one), release(supplier, product, agreement, "Deadlock " + tag + " " + two),
                    release(supplier, product, agreement, "After " + tag + " " + i)));
        }
        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
    }

    @Test
    void anAppendNamingTermsThatAreNotThereChainsNothingAndTheNextOneAddsThemAgain() throws Exception {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        String purpose = "Guarded " + UUID.randomUUID();
        String attributes = String.join(",", DisclosureLedger.sortedNames(SMALL));
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days) values ('SCIM_PUSH', '"
                    + attributes + "', '" + agreement + "', 'GDPR art. 6.1 e (public task)', '" + purpose + "', 90)");
        }
        // a transaction looked the terms up and committed: their id is kept in memory
        ReleaseTerms.Terms looked = new ReleaseTerms.Terms(Channel.SCIM_PUSH.name(), attributes, agreement, "GDPR art. 6.1 e (public task)", purpose, 90);
        tx.executeWithoutResult(s -> releaseTerms.idsOf(List.of(looked)));
        // then the row disappears behind the application's back (as only a superuser can), naming no record
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("delete from disclosure_terms where purpose = '" + purpose + "'");
        }
        long head = ledger.head().lastSequence();
        assertThatThrownBy(() -> append(List.of(release(supplier, product, agreement, purpose))))
                .hasMessageContaining("release terms this append would name are not in the ledger");
        assertThat(ledger.head().lastSequence()).as("nothing chained").isEqualTo(head);

        long sequence = append(List.of(release(supplier, product, agreement, purpose)))[0];
        assertThat(jdbc.sql("select purpose from disclosure where sequence = :s").param("s", sequence).query(String.class).single()).isEqualTo(purpose);
        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
    }

    @Test
    void termsAddedByATransactionThatRolledBackAreAddedAgainNotRemembered() {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        String purpose = "Trial " + UUID.randomUUID();
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            ledger.append(List.of(release(supplier, product, agreement, purpose)));
            // a second append in the same transaction finds the terms row the first one added, not yet committed (an
            // earlier build kept such an id in memory at once: the benchmark's two appenders then named
            // terms a deadlock had rolled back)
            ledger.append(List.of(release(supplier, product, agreement, purpose)));
            throw new IllegalStateException("the release failed after it was recorded");
        })).hasMessageContaining("release failed");
        assertThat(jdbc.sql("select count(*) from disclosure_terms where purpose = :p").param("p", purpose).query(Long.class).single()).isZero();

        long sequence = append(List.of(release(supplier, product, agreement, purpose)))[0];
        assertThat(jdbc.sql("select purpose from disclosure where sequence = :s").param("s", sequence).query(String.class).single()).isEqualTo(purpose);
        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
    }

    @Test
    void aChangedTermsRowBreaksTheFirstRecordNamingItAndAMissingOneIsNamed() throws Exception {
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        String purpose = "Roster " + UUID.randomUUID();
        long[] sequences = append(List.of(release(supplier, product, agreement, purpose), release(supplier, product, agreement, purpose)));
        int terms = jdbc.sql("select terms_id from disclosure_record where sequence = :s").param("s", sequences[0]).query(Integer.class).single();
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("update disclosure_terms set purpose = 'Marketing' where id = " + terms);
            try {
                ChainVerification v = ledger.verify();
                assertThat(v.intact()).isFalse();
                assertThat(v.firstBrokenSequence()).isEqualTo(sequences[0]);
                assertThat(v.reason()).startsWith("hash mismatch");
            } finally {
                st.execute("update disclosure_terms set purpose = '" + purpose + "' where id = " + terms);
            }
            st.execute("update disclosure_record set terms_id = -1 where sequence = " + sequences[1]);
            try {
                ChainVerification v = ledger.verify();
                assertThat(v.firstBrokenSequence()).isEqualTo(sequences[1]);
                assertThat(v.reason()).isEqualTo(ChainVerifier.TERMS_MISSING);
            } finally {
                st.execute("update disclosure_record set terms_id = " + terms + " where sequence = " + sequences[1]);
            }
        }
        assertThat(ledger.verify().intact()).isTrue();
    }
}
