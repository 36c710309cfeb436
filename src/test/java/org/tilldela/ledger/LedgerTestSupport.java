package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.platform.EmbeddedDatabase;

/** Helpers of the ledger tests: append in a transaction, and a superuser connection to tamper as an attacker with database access would. */
abstract class LedgerTestSupport extends IntegrationTest {

    static final Set<Attribute> SMALL = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ORGANISATION, Attribute.SCHOOL_UNIT, Attribute.GROUPS,
            Attribute.ROLES, Attribute.GRADE, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);

    @Autowired
    DisclosureLedger ledger;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;

    long[] append(List<Disclosure> disclosures) {
        return tx.execute(s -> ledger.append(disclosures));
    }

    /** Waits until a statement like {@code sqlLike} waits for a lock another transaction holds (at most 10 s). */
    void awaitLockWait(String sqlLike, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (jdbc.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like :q").param("q", sqlLike)
                .query(Long.class).single() == 0) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static Disclosure disclosure(UUID person, UUID supplier, UUID product, Channel channel, Set<Attribute> attributes) {
        return new Disclosure(person, supplier, product, channel, attributes, UUID.randomUUID(), "GDPR art. 6.1 e (public task)",
                "Sign-in to the learning platform", Instant.now(), 90, null);
    }

    static List<Disclosure> batch(int n, UUID supplier, UUID product) {
        List<Disclosure> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(disclosure(UUID.randomUUID(), supplier, product, Channel.SCIM_PUSH, SMALL));
        }
        return list;
    }

    /** The embedded cluster's owner (a superuser), on the same server the application uses. */
    Connection superuser() throws SQLException {
        int port = jdbc.sql("select current_setting('port')::int").query(Integer.class).single();
        String db = jdbc.sql("select current_database()").query(String.class).single();
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + db, EmbeddedDatabase.OWNER,
                org.tilldela.platform.DatabaseCredentials.read(dataDir()).password(EmbeddedDatabase.OWNER));
    }

    String jdbcUrl() {
        int port = jdbc.sql("select current_setting('port')::int").query(Integer.class).single();
        String db = jdbc.sql("select current_database()").query(String.class).single();
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }

    /** Runs SQL as the superuser with triggers off (session_replication_role = replica): what an attacker with the database's keys can do. */
    /** As an attacker with the database would change one record's purpose (and, when given, its hashes): its terms become terms that differ only in it. */
    void tamperPurpose(long sequence, String purpose, byte[] prevHash, byte[] hash) throws SQLException {
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            changePurpose(c, sequence, purpose, prevHash, hash);
        }
    }

    /** The same on a connection whose triggers are off ({@code session_replication_role = replica}). */
    static void changePurpose(Connection c, long sequence, String purpose, byte[] prevHash, byte[] hash) throws SQLException {
        try (var add = c.prepareStatement("""
                insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days)
                select channel, attributes, agreement_id, legal_basis, ?, retention_days from disclosure where sequence = ?
                on conflict do nothing""");
             var move = c.prepareStatement("""
                update disclosure_record r
                set terms_id = (select t.id from disclosure d join disclosure_terms t
                                  on t.channel = d.channel and t.attributes = d.attributes and t.agreement_id is not distinct from d.agreement_id
                                 and t.legal_basis is not distinct from d.legal_basis and t.purpose = ? and t.retention_days = d.retention_days
                                where d.sequence = r.sequence),
                    prev_hash = coalesce(?, prev_hash), hash = coalesce(?, hash)
                where r.sequence = ?""")) {
            add.setString(1, purpose);
            add.setLong(2, sequence);
            add.executeUpdate();
            move.setString(1, purpose);
            move.setBytes(2, prevHash);
            move.setBytes(3, hash);
            move.setLong(4, sequence);
            assertThat(move.executeUpdate()).as("record %d tampered with", sequence).isEqualTo(1);
        }
    }

    void tamper(String sql, Object... params) throws SQLException {
        try (Connection c = superuser(); var st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            try (var ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    static LocalDate today() {
        return LocalDate.now();
    }
}
