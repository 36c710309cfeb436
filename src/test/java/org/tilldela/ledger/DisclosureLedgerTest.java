package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.IllegalTransactionStateException;
import org.tilldela.catalog.Attribute;

/**
 * The ledger on real PostgreSQL: one record per release with the attribute names, a chain that verifies,
 * tampering named by sequence, no update or delete path (not for the application's role, not even for a
 * superuser unless it switches triggers off), appends only inside a transaction, and concurrent
 * appenders chained without gaps.
 */
class DisclosureLedgerTest extends LedgerTestSupport {

    @Autowired
    ChainVerifier verifier;

    @Test
    void appendWritesOneRecordPerDisclosureWithTheAttributeNames() {
        UUID person = UUID.randomUUID();
        UUID supplier = UUID.randomUUID();
        UUID product = UUID.randomUUID();
        long[] seq = append(List.of(
                disclosure(person, supplier, product, Channel.SSO_ID_TOKEN, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME)),
                disclosure(person, supplier, product, Channel.SCIM_PUSH, SMALL)));

        assertThat(seq).hasSize(2);
        assertThat(seq[1]).isEqualTo(seq[0] + 1);
        List<LedgerRecord> records = ledger.ofPerson(person);
        assertThat(records).hasSize(2);
        // newest first
        assertThat(records.get(0).sequence()).isEqualTo(seq[1]);
        assertThat(records.get(0).channel()).isEqualTo(Channel.SCIM_PUSH);
        assertThat(records.get(0).attributes()).isEqualTo(SMALL);
        assertThat(records.get(1).attributes()).containsExactlyInAnyOrder(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        assertThat(records.get(0).prevHash()).isEqualTo(records.get(1).hash());
        assertThat(jdbc.sql("select attributes::text from disclosure where sequence = :s").param("s", seq[1]).query(String.class).single())
                .as("names, sorted").isEqualTo("FAMILY_NAME,GIVEN_NAME,GRADE,GROUPS,ORGANISATION,PSEUDONYMOUS_ID,ROLES,SCHOOL_UNIT");

        // the holding: one row for the recipient, the union of what it received
        List<Holding> holdings = jdbc.sql(LedgerReports.HOLDING + " where person_id = :p").param("p", person)
                .query((rs, n) -> LedgerReports.holding(rs, today())).list();
        assertThat(holdings).singleElement().satisfies(h -> {
            assertThat(h.disclosures()).isEqualTo(2);
            assertThat(h.attributes()).containsExactly("FAMILY_NAME", "GIVEN_NAME", "GRADE", "GROUPS", "ORGANISATION", "PSEUDONYMOUS_ID", "ROLES",
                    "SCHOOL_UNIT");
            assertThat(h.deletionState()).isEqualTo(DeletionState.HELD);
            assertThat(h.retainUntil()).isNull();
        });
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void theHashIsTheDocumentedEncodingAndTheChainVerifies() {
        UUID person = UUID.randomUUID();
        append(batch(3, UUID.randomUUID(), UUID.randomUUID()));
        long[] seq = append(List.of(disclosure(person, UUID.randomUUID(), UUID.randomUUID(), Channel.EXPORT, SMALL)));
        LedgerRecord r = ledger.ofPerson(person).getFirst();
        byte[] expected = new ChainHash().hash(r.prevHash(), r.sequence(), r.personId(), r.supplierId(), r.productId(), r.channel().name(),
                DisclosureLedger.sortedNames(r.attributes()), r.agreementId(), r.legalBasis(), r.purpose(), r.disclosedAt(), r.retentionDays(),
                r.retainUntil());
        assertThat(r.hash()).isEqualTo(expected);
        assertThat(ledger.head().lastSequence()).isGreaterThanOrEqualTo(seq[0]);

        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
        assertThat(v.recordsChecked()).isEqualTo(ledger.head().lastSequence());
        assertThat(v.firstBrokenSequence()).isNull();
        // ranges of three, checked at the seams, agree
        assertThat(verifier.verify(3, 3).intact()).isTrue();
    }

    @Test
    void theApplicationCannotUpdateOrDeleteLedgerRowsAndTheTriggerStopsEvenASuperuser() throws Exception {
        long seq = append(batch(1, UUID.randomUUID(), UUID.randomUUID()))[0];
        // the application's role has no UPDATE or DELETE on the table
        assertThatThrownBy(() -> jdbc.sql("update disclosure set purpose = 'changed' where sequence = :s").param("s", seq).update())
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("delete from disclosure where sequence = :s").param("s", seq).update())
                .rootCause().hasMessageContaining("permission denied");
        for (String table : List.of("disclosure_record", "disclosure_terms")) {
            String column = table.equals("disclosure_terms") ? "purpose" : "retain_until";
            assertThatThrownBy(() -> jdbc.sql("update " + table + " set " + column + " = " + column).update()).as(table).rootCause()
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> jdbc.sql("delete from " + table).update()).as(table).rootCause().hasMessageContaining("permission denied");
            assertThatThrownBy(() -> jdbc.sql("truncate " + table).update()).as(table).rootCause().hasMessageContaining("permission denied");
        }
        // and the trigger refuses whoever tries, superuser included
        try (Connection c = superuser(); var st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate("update disclosure set purpose = 'changed' where sequence = " + seq))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("delete from disclosure where sequence = " + seq)).hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("update disclosure_record set retain_until = null where sequence = " + seq))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("update disclosure_terms set purpose = 'changed'")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("delete from disclosure_terms")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("truncate disclosure_record")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> st.executeUpdate("truncate disclosure_terms")).hasMessageContaining("append-only");
        }
        assertThat(ledger.ofPerson(ledger.feed(DisclosureLedger.FeedFilter.ALL, 1).getFirst().personId())).isNotEmpty();
    }

    @Test
    void appendOutsideATransactionIsRefused() {
        long before = ledger.head().lastSequence();
        assertThatThrownBy(() -> ledger.append(batch(1, UUID.randomUUID(), UUID.randomUUID())))
                .isInstanceOf(IllegalTransactionStateException.class);
        assertThat(ledger.head().lastSequence()).isEqualTo(before);
    }

    @Test
    void aRolledBackReleaseLeavesNoRecordAndNoGap() {
        UUID person = UUID.randomUUID();
        long before = ledger.head().lastSequence();
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            ledger.append(List.of(disclosure(person, UUID.randomUUID(), UUID.randomUUID(), Channel.SSO_USERINFO, SMALL)));
            throw new IllegalStateException("the release failed after the decision");
        })).hasMessageContaining("release failed");
        assertThat(ledger.ofPerson(person)).isEmpty();
        long next = append(batch(1, UUID.randomUUID(), UUID.randomUUID()))[0];
        assertThat(next).isGreaterThan(before);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void concurrentAppendersYieldAGaplessVerifyingChain() throws Exception {
        UUID supplier = UUID.randomUUID();
        UUID product = UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Long> sequences = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        for (long s : append(batch(20, supplier, product))) {
                            sequences.add(s);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(sequences).hasSize(4 * 15 * 20).doesNotHaveDuplicates();
        var totals = jdbc.sql("select count(*), max(sequence), min(sequence) from disclosure").query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        assertThat(totals[0]).as("gapless from 1").isEqualTo(totals[1]);
        assertThat(totals[2]).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from disclosure where supplier_id = :s").param("s", supplier).query(Long.class).single()).isEqualTo(1200);
        ChainVerification v = ledger.verify();
        assertThat(v.intact()).as(String.valueOf(v)).isTrue();
        assertThat(v.recordsChecked()).isEqualTo(totals[0]);
    }

    @Test
    void aBreakFoundEarlyInALongRangeIsReportedAndTheConnectionsStayUsable() throws Exception {
        // a break near the start of a range leaves most of its COPY unread: the verifier must still end it cleanly
        long target = append(batch(5, UUID.randomUUID(), UUID.randomUUID()))[1];
        UUID supplier = UUID.randomUUID(), product = UUID.randomUUID(), agreement = UUID.randomUUID();
        for (int i = 0; i < 25; i++) {
            List<Disclosure> many = new java.util.ArrayList<>();
            for (int j = 0; j < 1000; j++) {
                // one set of terms (batch() gives each release an agreement of its own: a thousand new terms rows a batch)
                many.add(new Disclosure(UUID.randomUUID(), supplier, product, Channel.SCIM_PUSH, SMALL, agreement, "GDPR art. 6.1 e (public task)",
                        "Roster", java.time.Instant.now(), 90, null));
            }
            append(many);
        }
        String purpose = jdbc.sql("select purpose from disclosure where sequence = :s").param("s", target).query(String.class).single();
        byte[] hash = jdbc.sql("select hash from disclosure where sequence = :s").param("s", target).query(byte[].class).single();
        try {
            tamperPurpose(target, "Marketing", null, null);
            for (int round = 0; round < 3; round++) {
                ChainVerification v = verifier.verify(2, 1_000_000);
                assertThat(v.intact()).isFalse();
                assertThat(v.firstBrokenSequence()).isEqualTo(target);
                assertThat(v.reason()).startsWith("hash mismatch");
            }
        } finally {
            tamperPurpose(target, purpose, null, hash);
        }
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void tamperingWithOneRowIsNamedByItsSequence() throws Exception {
        append(batch(10, UUID.randomUUID(), UUID.randomUUID()));
        long target = append(batch(5, UUID.randomUUID(), UUID.randomUUID()))[2];
        append(batch(5, UUID.randomUUID(), UUID.randomUUID()));
        String purpose = jdbc.sql("select purpose from disclosure where sequence = :s").param("s", target).query(String.class).single();
        byte[] hash = jdbc.sql("select hash from disclosure where sequence = :s").param("s", target).query(byte[].class).single();
        try {
            // the content changed, its hash not
            tamperPurpose(target, "Marketing", null, null);
            ChainVerification v = ledger.verify();
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenSequence()).isEqualTo(target);
            assertThat(v.reason()).startsWith("hash mismatch");
            assertThat(verifier.verify(2, 4).firstBrokenSequence()).as("the same in small ranges").isEqualTo(target);
            tamperPurpose(target, purpose, null, null);
            assertThat(ledger.verify().intact()).isTrue();

            // a record replaced with a re-computed hash verifies by itself; its successor's link breaks
            LedgerRecord r = ledger.feed(new DisclosureLedger.FeedFilter(null, null, null, null, null, null, target + 1), 1).getFirst();
            byte[] forged = new ChainHash().hash(r.prevHash(), r.sequence(), r.personId(), r.supplierId(), r.productId(), r.channel().name(),
                    DisclosureLedger.sortedNames(r.attributes()), r.agreementId(), r.legalBasis(), "Marketing", r.disclosedAt(), r.retentionDays(),
                    r.retainUntil());
            tamperPurpose(target, "Marketing", null, forged);
            v = ledger.verify();
            assertThat(v.firstBrokenSequence()).isEqualTo(target + 1);
            assertThat(v.reason()).startsWith("prev-hash link broken");
            assertThat(verifier.verify(2, target).firstBrokenSequence()).as("also across a seam").isEqualTo(target + 1);
        } finally {
            tamperPurpose(target, purpose, null, hash);
        }
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void aRemovedRecordIsAGap() throws Exception {
        long target = append(batch(5, UUID.randomUUID(), UUID.randomUUID()))[1];
        append(batch(2, UUID.randomUUID(), UUID.randomUUID()));
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("create temp table kept as select * from disclosure_record where sequence = " + target);
            st.execute("delete from disclosure_record where sequence = " + target);
            try {
                ChainVerification v = ledger.verify();
                assertThat(v.intact()).isFalse();
                assertThat(v.firstBrokenSequence()).isEqualTo(target);
                assertThat(v.reason()).startsWith("gap in sequence");
            } finally {
                st.execute("insert into disclosure_record select * from kept");
            }
        }
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void holdingsAreLockedInTheDatabasesKeyOrder() {
        // appenders and retention updates must agree on the order rows are locked in, or they can deadlock
        List<UUID> ids = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 500; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        List<UUID> inJava = ids.stream().sorted(DisclosureLedger::compareAsPostgres).toList();
        List<UUID> inPostgres = jdbc.sql("select id from unnest(cast(:ids as uuid[])) id order by id").param("ids", ids.toArray(UUID[]::new))
                .query(UUID.class).list();
        assertThat(inJava).isEqualTo(inPostgres);
    }
}
