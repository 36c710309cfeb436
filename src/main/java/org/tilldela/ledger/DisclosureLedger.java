package org.tilldela.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Attribute;

/**
 * The disclosure ledger: every release of personal data is appended here, in the releasing
 * transaction, hash-chained to the one before. There is no update or delete path, in this class or in
 * the database (a trigger refuses them, and the application's role may only SELECT and INSERT).
 */
@Service
public class DisclosureLedger {

    private final JdbcClient jdbc;
    private final ChainVerifier verifier;

    DisclosureLedger(JdbcClient jdbc, ChainVerifier verifier) {
        this.jdbc = jdbc;
        this.verifier = verifier;
    }

    /**
     * Appends in the caller's transaction (a transaction must be active) — the release decision and its
     * record commit or roll back together. The sequence numbers are taken while holding the ledger's
     * head row, so concurrent appenders are chained in commit order; batch what one release writes (a
     * SCIM push, a roster page) into one call. Also updates the holdings. Returns the sequence numbers,
     * in the order of the list.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long[] append(List<Disclosure> disclosures) {
        int n = disclosures.size();
        if (n == 0) {
            return new long[0];
        }
        long[] seq = new long[n];
        UUID[] person = new UUID[n], supplier = new UUID[n], product = new UUID[n], agreement = new UUID[n];
        String[] channel = new String[n], attrs = new String[n], legal = new String[n], purpose = new String[n];
        long[] at = new long[n];
        int[] retention = new int[n];
        Integer[] until = new Integer[n];
        byte[][] prevHashes = new byte[n][], hashes = new byte[n][];
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            Disclosure d = disclosures.get(i);
            Objects.requireNonNull(d.personId(), "personId");
            Objects.requireNonNull(d.supplierId(), "supplierId");
            Objects.requireNonNull(d.productId(), "productId");
            Objects.requireNonNull(d.channel(), "channel");
            if (d.retentionDays() < 0) {
                throw new IllegalArgumentException("retentionDays must not be negative");
            }
            at[i] = ChainHash.micros((d.disclosedAt() == null ? now : d.disclosedAt()).truncatedTo(ChronoUnit.MICROS));
            attrs[i] = String.join(",", sortedNames(d.attributes()));
        }
        // The holdings first: their row locks are taken in key order, before the head row, so the part that
        // appenders do one at a time is only the ledger insert and the commit.
        updateHoldings(disclosures, at, attrs);

        var head = jdbc.sql("select last_sequence, last_hash from ledger_head where id = 1 for update")
                .query((rs, i) -> new Object[] {rs.getLong(1), rs.getBytes(2)}).single();
        long last = (Long) head[0];
        byte[] prev = (byte[]) head[1];
        ChainHash chain = new ChainHash();
        for (int i = 0; i < n; i++) {
            Disclosure d = disclosures.get(i);
            String[] sorted = sortedNames(d.attributes());
            Instant disclosedAt = (d.disclosedAt() == null ? now : d.disclosedAt()).truncatedTo(ChronoUnit.MICROS);
            seq[i] = ++last;
            byte[] hash = chain.hash(prev, seq[i], d.personId(), d.supplierId(), d.productId(), d.channel().name(), sorted, d.agreementId(),
                    d.legalBasis(), d.purpose(), disclosedAt, d.retentionDays(), d.retainUntil());
            person[i] = d.personId();
            supplier[i] = d.supplierId();
            product[i] = d.productId();
            agreement[i] = d.agreementId();
            channel[i] = d.channel().name();
            legal[i] = d.legalBasis();
            purpose[i] = d.purpose();
            retention[i] = d.retentionDays();
            until[i] = d.retainUntil() == null ? null : (int) d.retainUntil().toEpochDay();
            prevHashes[i] = prev;
            hashes[i] = hash;
            prev = hash;
        }
        // one statement per batch: unnest of column arrays (attribute lists are stored comma-joined)
        jdbc.sql("""
                        insert into disclosure (sequence, person_id, supplier_id, product_id, channel, attributes, agreement_id, legal_basis,
                                                purpose, disclosed_at, retention_days, retain_until, prev_hash, hash)
                        select s, p, su, pr, c, a, ag, lb, pu,
                               timestamptz 'epoch' + t * interval '1 microsecond', r, date '1970-01-01' + u, ph, h
                        from unnest(cast(:seq as bigint[]), cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]),
                                    cast(:channel as text[]), cast(:attrs as text[]), cast(:agreement as uuid[]), cast(:legal as text[]),
                                    cast(:purpose as text[]), cast(:at as bigint[]), cast(:retention as int[]), cast(:until as int[]),
                                    cast(:prev as bytea[]), cast(:hash as bytea[]))
                             as x(s, p, su, pr, c, a, ag, lb, pu, t, r, u, ph, h)
                        """)
                .param("seq", seq).param("person", person).param("supplier", supplier).param("product", product).param("channel", channel)
                .param("attrs", attrs).param("agreement", agreement).param("legal", legal).param("purpose", purpose).param("at", at)
                .param("retention", retention).param("until", until).param("prev", prevHashes).param("hash", hashes)
                .update();
        jdbc.sql("update ledger_head set last_sequence = :seq, last_hash = :hash where id = 1").param("seq", last).param("hash", prev).update();
        return seq;
    }

    /** Folds the batch into one row per (person, supplier, product), then upserts them in one statement, in key order. */
    private void updateHoldings(List<Disclosure> disclosures, long[] at, String[] attrs) {
        record Key(UUID person, UUID supplier, UUID product) {
        }
        final class Acc {
            long first = Long.MAX_VALUE, last = Long.MIN_VALUE, count;
            final Set<String> attributes = new java.util.TreeSet<>();
            Disclosure latest;
        }
        // PostgreSQL's key order (uuids compare as unsigned bytes, unlike UUID.compareTo): appenders and
        // retention updates lock holding rows in the same order and so never deadlock
        Map<Key, Acc> folded = new java.util.TreeMap<>(java.util.Comparator.comparing(Key::person, DisclosureLedger::compareAsPostgres)
                .thenComparing(Key::supplier, DisclosureLedger::compareAsPostgres).thenComparing(Key::product, DisclosureLedger::compareAsPostgres));
        for (int i = 0; i < disclosures.size(); i++) {
            Disclosure d = disclosures.get(i);
            Acc acc = folded.computeIfAbsent(new Key(d.personId(), d.supplierId(), d.productId()), k -> new Acc());
            acc.first = Math.min(acc.first, at[i]);
            acc.last = Math.max(acc.last, at[i]);
            acc.count++;
            acc.latest = d;
            if (!attrs[i].isEmpty()) {
                acc.attributes.addAll(Arrays.asList(attrs[i].split(",")));
            }
        }
        int m = folded.size();
        UUID[] person = new UUID[m], supplier = new UUID[m], product = new UUID[m], agreement = new UUID[m];
        long[] first = new long[m], last = new long[m], count = new long[m];
        String[] attributes = new String[m], legal = new String[m], purpose = new String[m];
        int[] retention = new int[m];
        Integer[] until = new Integer[m];
        int i = 0;
        for (var e : folded.entrySet()) {
            Acc a = e.getValue();
            person[i] = e.getKey().person();
            supplier[i] = e.getKey().supplier();
            product[i] = e.getKey().product();
            first[i] = a.first;
            last[i] = a.last;
            count[i] = a.count;
            attributes[i] = String.join(",", a.attributes);
            agreement[i] = a.latest.agreementId();
            legal[i] = a.latest.legalBasis();
            purpose[i] = a.latest.purpose();
            retention[i] = a.latest.retentionDays();
            until[i] = a.latest.retainUntil() == null ? null : (int) a.latest.retainUntil().toEpochDay();
            i++;
        }
        // A new release means the relation is live again: the end and any deletion are reset; after a
        // confirmed deletion the recipient starts from nothing, so "since" and the attributes start anew.
        jdbc.sql("""
                        insert into holding as h (person_id, supplier_id, product_id, first_disclosed_at, last_disclosed_at, attributes, disclosures,
                                                  agreement_id, legal_basis, purpose, retention_days, retain_until)
                        select p, su, pr, timestamptz 'epoch' + f * interval '1 microsecond', timestamptz 'epoch' + l * interval '1 microsecond',
                               string_to_array(a, ','), n, ag, lb, pu, r, date '1970-01-01' + u
                        from unnest(cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]), cast(:first as bigint[]),
                                    cast(:last as bigint[]), cast(:attrs as text[]), cast(:count as bigint[]),
                                    cast(:agreement as uuid[]), cast(:legal as text[]), cast(:purpose as text[]), cast(:retention as int[]),
                                    cast(:until as int[]))
                             with ordinality as x(p, su, pr, f, l, a, n, ag, lb, pu, r, u, ord)
                        order by ord
                        on conflict (person_id, supplier_id, product_id) do update set
                            first_disclosed_at = case when h.deletion_state = 'CONFIRMED' then excluded.first_disclosed_at
                                                      else least(h.first_disclosed_at, excluded.first_disclosed_at) end,
                            last_disclosed_at = greatest(h.last_disclosed_at, excluded.last_disclosed_at),
                            attributes = case when h.deletion_state = 'CONFIRMED' then excluded.attributes
                                              when excluded.attributes <@ h.attributes then h.attributes
                                              else array(select distinct x from unnest(h.attributes || excluded.attributes) x order by x) end,
                            disclosures = h.disclosures + excluded.disclosures,
                            agreement_id = excluded.agreement_id,
                            legal_basis = excluded.legal_basis,
                            purpose = excluded.purpose,
                            retention_days = excluded.retention_days,
                            retain_until = excluded.retain_until,
                            ended_on = null,
                            deletion_state = null,
                            deletion_requested_at = null,
                            deletion_confirmed_at = null
                        """)
                .param("person", person).param("supplier", supplier).param("product", product).param("first", first).param("last", last)
                .param("attrs", attributes).param("count", count).param("agreement", agreement).param("legal", legal)
                .param("purpose", purpose).param("retention", retention).param("until", until)
                .update();
    }

    static int compareAsPostgres(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    static String[] sortedNames(Set<Attribute> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return new String[0];
        }
        return attributes.stream().map(Enum::name).sorted().toArray(String[]::new);
    }

    /** Verifies the whole chain (in parallel ranges, checked at the seams) and the head. */
    public ChainVerification verify() {
        return verifier.verify();
    }

    /** A person's records, newest first. */
    @Transactional(readOnly = true)
    public List<LedgerRecord> ofPerson(UUID personId) {
        List<UUID> recorded = recordedIds(jdbc, personId);
        return jdbc.sql(SELECT + " where " + personPredicate(recorded) + " order by d.sequence desc").param("person", personId)
                .param("recorded", recorded.toArray(UUID[]::new)).query(DisclosureLedger::record).list();
    }

    /**
     * The ids a person's records carry: their id, and the former id of a person re-keyed by migration
     * V2026.12.01.55 (records keep the id they were appended with; see table ledger_person_alias).
     */
    static List<UUID> recordedIds(JdbcClient jdbc, UUID personId) {
        List<UUID> ids = new ArrayList<>(2);
        ids.add(personId);
        ids.addAll(jdbc.sql("select legacy_id from ledger_person_alias where person_id = :person").param("person", personId).query(UUID.class).list());
        return ids;
    }

    /**
     * Matches {@code d.person_id} against {@link #recordedIds} (bound as {@code :person} and {@code :recorded}):
     * plain equality for the usual one id, which keeps the index's order for newest-first reads.
     */
    static String personPredicate(List<UUID> recorded) {
        return recorded.size() == 1 ? "d.person_id = :person" : "d.person_id = any(cast(:recorded as uuid[]))";
    }

    /** Filters for the live feed; any of them may be null. */
    public record FeedFilter(UUID supplierId, UUID productId, Channel channel, UUID personId, Instant from, Instant to, Long beforeSequence) {
        public static final FeedFilter ALL = new FeedFilter(null, null, null, null, null, null, null);
    }

    /** The newest records matching the filter, newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<LedgerRecord> feed(FeedFilter f, int limit) {
        StringBuilder where = new StringBuilder(" where true");
        var spec = new LinkedHashMap<String, Object>();
        if (f.supplierId() != null) {
            where.append(" and d.supplier_id = :supplier");
            spec.put("supplier", f.supplierId());
        }
        if (f.productId() != null) {
            where.append(" and d.product_id = :product");
            spec.put("product", f.productId());
        }
        if (f.channel() != null) {
            where.append(" and d.channel = :channel");
            spec.put("channel", f.channel().name());
        }
        if (f.personId() != null) {
            List<UUID> recorded = recordedIds(jdbc, f.personId());
            where.append(" and ").append(personPredicate(recorded));
            spec.put("person", f.personId());
            spec.put("recorded", recorded.toArray(UUID[]::new));
        }
        if (f.from() != null) {
            where.append(" and d.disclosed_at >= :from");
            spec.put("from", java.sql.Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            where.append(" and d.disclosed_at < :to");
            spec.put("to", java.sql.Timestamp.from(f.to()));
        }
        if (f.beforeSequence() != null) {
            where.append(" and d.sequence < :before");
            spec.put("before", f.beforeSequence());
        }
        var stmt = jdbc.sql(SELECT + where + " order by d.sequence desc limit :limit").param("limit", Math.max(1, Math.min(limit, 1000)));
        for (var e : spec.entrySet()) {
            stmt = stmt.param(e.getKey(), e.getValue());
        }
        return stmt.query(DisclosureLedger::record).list();
    }

    /** The number of records and the last sequence and hash (the head of the chain). */
    @Transactional(readOnly = true)
    public Head head() {
        return jdbc.sql("select last_sequence, last_hash from ledger_head where id = 1")
                .query((rs, n) -> new Head(rs.getLong(1), rs.getBytes(2))).single();
    }

    /** The end of the chain; publishing its hash now and then anchors the chain outside the database. */
    public record Head(long lastSequence, byte[] lastHash) {
        public String lastHashHex() {
            return java.util.HexFormat.of().formatHex(lastHash);
        }
    }

    /**
     * Records as read: a record appended under a person's former id (see {@link #recordedIds}) is shown under
     * their id now. Its hash still covers the id it was appended with, the one the chain verifier reads.
     */
    private static final String SELECT = """
            select d.sequence, coalesce(a.person_id, d.person_id) as person_id, d.supplier_id, d.product_id, d.channel, d.attributes,
                   d.agreement_id, d.legal_basis, d.purpose, d.disclosed_at, d.retention_days, d.retain_until, d.prev_hash, d.hash
            from disclosure d left join ledger_person_alias a on a.legacy_id = d.person_id""";

    private static LedgerRecord record(ResultSet rs, int n) throws SQLException {
        String stored = rs.getString("attributes");
        Set<Attribute> attributes = EnumSet.noneOf(Attribute.class);
        for (String a : stored.isEmpty() ? new String[0] : stored.split(",")) {
            attributes.add(Attribute.valueOf(a));
        }
        return new LedgerRecord(rs.getLong("sequence"), rs.getObject("person_id", UUID.class), rs.getObject("supplier_id", UUID.class),
                rs.getObject("product_id", UUID.class), Channel.valueOf(rs.getString("channel")), attributes,
                rs.getObject("agreement_id", UUID.class), rs.getString("legal_basis"), rs.getString("purpose"),
                rs.getTimestamp("disclosed_at").toInstant(), rs.getInt("retention_days"), rs.getObject("retain_until", LocalDate.class),
                rs.getBytes("prev_hash"), rs.getBytes("hash"));
    }

    static List<String> names(Set<Attribute> attributes) {
        return new ArrayList<>(Arrays.asList(sortedNames(attributes)));
    }
}
