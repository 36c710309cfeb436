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
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Attribute;

/**
 * The disclosure ledger: every release of personal data is recorded here, in the releasing
 * transaction — a new or changed release as a record hash-chained to the one before, a repeat of the
 * latest identical release as a count on its holding (see {@link #append}). There is no update or delete path, in this class or in
 * the database (a trigger refuses them, and the application's role may only SELECT and INSERT).
 */
@Service
public class DisclosureLedger {

    private final JdbcClient jdbc;
    private final LedgerCheckpoints checkpoints;
    private final ReleaseTerms terms;

    /** Releases recorded (chained ones and counted repeats alike), as the metrics show them: counted when appended, committed or not. */
    private final io.micrometer.core.instrument.Counter appended;

    DisclosureLedger(JdbcClient jdbc, LedgerCheckpoints checkpoints, ReleaseTerms terms, io.micrometer.core.instrument.MeterRegistry meters) {
        this.jdbc = jdbc;
        this.checkpoints = checkpoints;
        this.terms = terms;
        this.appended = io.micrometer.core.instrument.Counter.builder("tilldela.ledger.appends").description("releases appended to the disclosure ledger")
                .register(meters);
    }

    /**
     * Appends in the caller's transaction (a transaction must be active) — the release decision and its
     * record commit or roll back together. The sequence numbers are taken while holding the ledger's
     * head row, so concurrent appenders are chained in commit order; batch what one release writes (a
     * SCIM push, a roster page) into one call. Also updates the holdings.
     *
     * <p>A release identical to the latest one to the same recipient about the same person (same channel,
     * attributes, agreement, legal basis, purpose and retention; see {@link #releaseHash}) gets no chain
     * record of its own while the relation lasts: it is counted on the holding row (disclosures, repeats,
     * last time), a row-level upsert that never touches the chain's head. A new or changed release, the
     * first after the relation ended or after a confirmed deletion, is chained. Returns, in the order of the
     * list, each release's sequence number — for a repeat, the record it repeats (0 if that record's month has since
     * been removed by the ledger's retention).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long[] append(List<Disclosure> disclosures) {
        int n = disclosures.size();
        if (n == 0) {
            return new long[0];
        }
        appended.increment(n);
        Instant now = Instant.now();
        Instant[] at = new Instant[n];
        String[][] sorted = new String[n][];
        byte[][] content = new byte[n][];
        ChainHash chain = new ChainHash();
        // PostgreSQL's key order (uuids compare as unsigned bytes, unlike UUID.compareTo): appenders and
        // retention updates lock holding rows in the same order and so never deadlock
        Map<Key, List<Integer>> byKey = new TreeMap<>(KEY_ORDER);
        for (int i = 0; i < n; i++) {
            Disclosure d = disclosures.get(i);
            Objects.requireNonNull(d.personId(), "personId");
            Objects.requireNonNull(d.supplierId(), "supplierId");
            Objects.requireNonNull(d.productId(), "productId");
            Objects.requireNonNull(d.channel(), "channel");
            if (d.retentionDays() < 0) {
                throw new IllegalArgumentException("retentionDays must not be negative");
            }
            at[i] = (d.disclosedAt() == null ? now : d.disclosedAt()).truncatedTo(ChronoUnit.MICROS);
            sorted[i] = sortedNames(d.attributes());
            content[i] = releaseHash(chain, d, sorted[i]);
            byKey.computeIfAbsent(new Key(d.personId(), d.supplierId(), d.productId()), k -> new ArrayList<>()).add(i);
        }
        // The terms first (a new one is a row its adder holds until commit), in one order for every appender; then the
        // holdings, whose row locks are taken in key order; then the head row. Each appender takes its locks in that
        // order, so none waits for what another holds while that one waits for it; and the part appenders do one at a
        // time is only the ledger insert and the commit. The terms of releases that turn out to repeat exist already.
        ReleaseTerms.Terms[] termsOf = new ReleaseTerms.Terms[n];
        for (int i = 0; i < n; i++) {
            Disclosure d = disclosures.get(i);
            termsOf[i] = new ReleaseTerms.Terms(d.channel().name(), String.join(",", sorted[i]), d.agreementId(), d.legalBasis(), d.purpose(),
                    d.retentionDays());
        }
        Map<ReleaseTerms.Terms, Integer> termsIds = terms.idsOf(Arrays.asList(termsOf));
        // The upsert decides, under each holding row's lock, whether each key's first release repeats the latest one.
        Map<Key, Repeated> repeats = updateHoldings(disclosures, byKey, at, sorted, content);
        // a repeat the upsert could not name: found now, before this batch adds records of its own
        Map<Key, Long> named = nameRepeated(repeats);
        Map<Key, Long> repeated = new java.util.HashMap<>();
        repeats.forEach((key, r) -> repeated.put(key, named.getOrDefault(key, r.sequence())));

        boolean[] chained = new boolean[n];
        int toChain = 0;
        for (var e : byKey.entrySet()) {
            List<Integer> idx = e.getValue();
            for (int j = 0; j < idx.size(); j++) {
                int i = idx.get(j);
                chained[i] = j == 0 ? repeated.get(e.getKey()) == null : !Arrays.equals(content[i], content[idx.get(j - 1)]);
                toChain += chained[i] ? 1 : 0;
            }
        }
        long[] seq = new long[n];
        if (toChain > 0) {
            appendToChain(disclosures, chained, toChain, at, sorted, chain, seq, i -> termsIds.get(termsOf[i]));
        }
        settleHoldings(byKey, chained, content, at, named);
        // a repeat carries the sequence of the record it repeats
        for (var e : byKey.entrySet()) {
            Long last = repeated.get(e.getKey());
            for (int i : e.getValue()) {
                if (chained[i]) {
                    last = seq[i];
                } else {
                    seq[i] = last;
                }
            }
        }
        return seq;
    }

    private record Key(UUID person, UUID supplier, UUID product) {
    }

    /** A key's first release in a batch repeats its holding's latest: that release's record (0: not named yet) and when it was made. */
    private record Repeated(long sequence, long releasedAtMicros) {
    }

    private static final java.util.Comparator<Key> KEY_ORDER = java.util.Comparator.comparing(Key::person, DisclosureLedger::compareAsPostgres)
            .thenComparing(Key::supplier, DisclosureLedger::compareAsPostgres).thenComparing(Key::product, DisclosureLedger::compareAsPostgres);

    /**
     * What makes two releases to one recipient about one person the same release: the chain's own encoding
     * ({@link ChainHash}) of the record with sequence 0 and time 0, so the fields compared are exactly those a
     * chain record keeps, apart from when.
     */
    static byte[] releaseHash(ChainHash chain, Disclosure d, String[] sortedAttributes) {
        return chain.hash(ChainHash.genesis(), 0, d.personId(), d.supplierId(), d.productId(), d.channel().name(), sortedAttributes,
                d.agreementId(), d.legalBasis(), d.purpose(), Instant.EPOCH, d.retentionDays(), d.retainUntil());
    }

    /** Chains the releases marked, in list order, under the head row's lock; fills their sequence numbers. */
    private void appendToChain(List<Disclosure> disclosures, boolean[] chained, int m, Instant[] at, String[][] sorted, ChainHash chain,
                               long[] seq, java.util.function.IntUnaryOperator termsId) {
        long[] seqs = new long[m];
        UUID[] person = new UUID[m], supplier = new UUID[m], product = new UUID[m];
        long[] micros = new long[m];
        int[] termsIds = new int[m];
        Integer[] until = new Integer[m];
        byte[][] prevHashes = new byte[m][], hashes = new byte[m][];
        for (int i = 0, j = 0; i < disclosures.size(); i++) {
            if (chained[i]) {
                termsIds[j++] = termsId.applyAsInt(i);
            }
        }
        // a record naming a terms row that is not there would break the chain for good
        terms.requirePresent(termsIds);
        var head = jdbc.sql("select last_sequence, last_hash from ledger_head where id = 1 for update")
                .query((rs, i) -> new Object[] {rs.getLong(1), rs.getBytes(2)}).single();
        long last = (Long) head[0];
        byte[] prev = (byte[]) head[1];
        int k = 0;
        for (int i = 0; i < disclosures.size(); i++) {
            if (!chained[i]) {
                continue;
            }
            Disclosure d = disclosures.get(i);
            seq[i] = ++last;
            byte[] hash = chain.hash(prev, seq[i], d.personId(), d.supplierId(), d.productId(), d.channel().name(), sorted[i], d.agreementId(),
                    d.legalBasis(), d.purpose(), at[i], d.retentionDays(), d.retainUntil());
            seqs[k] = seq[i];
            person[k] = d.personId();
            supplier[k] = d.supplierId();
            product[k] = d.productId();
            micros[k] = ChainHash.micros(at[i]);
            until[k] = d.retainUntil() == null ? null : (int) d.retainUntil().toEpochDay();
            prevHashes[k] = prev;
            hashes[k] = hash;
            prev = hash;
            k++;
        }
        // one statement per batch: unnest of column arrays; the terms are named by id (disclosure_terms)
        jdbc.sql("""
                        insert into disclosure_record (sequence, person_id, supplier_id, product_id, terms_id, disclosed_at, retain_until, prev_hash, hash)
                        select s, p, su, pr, te, timestamptz 'epoch' + t * interval '1 microsecond', date '1970-01-01' + u, ph, h
                        from unnest(cast(:seq as bigint[]), cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]),
                                    cast(:terms as int[]), cast(:at as bigint[]), cast(:until as int[]), cast(:prev as bytea[]), cast(:hash as bytea[]))
                             as x(s, p, su, pr, te, t, u, ph, h)
                        """)
                .param("seq", seqs).param("person", person).param("supplier", supplier).param("product", product).param("terms", termsIds)
                .param("at", micros).param("until", until).param("prev", prevHashes).param("hash", hashes)
                .update();
        jdbc.sql("update ledger_head set last_sequence = :seq, last_hash = :hash where id = 1").param("seq", last).param("hash", prev).update();
    }

    /**
     * The repeats the upsert could not name (release_sequence 0: the holding was just committed by a concurrent
     * appender, see {@link #NEWEST_RECORD}, or the record is gone): each key's newest record at the holding's
     * release_at, read in a statement of its own, whose snapshot has that appender's record. Returns the names found
     * (0 where no record is left: its month was removed by the ledger's retention).
     */
    private Map<Key, Long> nameRepeated(Map<Key, Repeated> repeats) {
        List<Key> unnamed = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        repeats.forEach((key, r) -> {
            if (r.sequence() == 0L) {
                unnamed.add(key);
                times.add(r.releasedAtMicros());
            }
        });
        if (unnamed.isEmpty()) {
            return Map.of();
        }
        List<Long> found = jdbc.sql("""
                        select (%s)
                        from unnest(cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]), cast(:at as bigint[]))
                             with ordinality as x(p, su, pr, t, ord)
                        order by x.ord
                        """.formatted(newestRecordAt("x.p", "x.su", "x.pr", "timestamptz 'epoch' + x.t * interval '1 microsecond'")))
                .param("person", unnamed.stream().map(Key::person).toArray(UUID[]::new))
                .param("supplier", unnamed.stream().map(Key::supplier).toArray(UUID[]::new))
                .param("product", unnamed.stream().map(Key::product).toArray(UUID[]::new))
                .param("at", times.stream().mapToLong(Long::longValue).toArray())
                .query((rs, n) -> rs.getObject(1, Long.class)).list();
        Map<Key, Long> named = new java.util.HashMap<>();
        for (int i = 0; i < unnamed.size(); i++) {
            named.put(unnamed.get(i), found.get(i) == null ? 0L : found.get(i));
        }
        return named;
    }

    /**
     * What the upsert could not write in its one pass over the holdings: a key whose releases in this batch changed
     * (its first and last differ) now holds the last one's content and time, its record left to be found; a repeat
     * whose record was just found keeps its name. Most batches have neither, and this writes nothing.
     */
    private void settleHoldings(Map<Key, List<Integer>> byKey, boolean[] chained, byte[][] content, Instant[] at, Map<Key, Long> named) {
        List<Key> keys = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        for (var e : byKey.entrySet()) {
            List<Integer> idx = e.getValue();
            if (!Arrays.equals(content[idx.getFirst()], content[idx.getLast()])) {
                int lastChained = idx.getLast();
                for (int i : idx) {
                    lastChained = chained[i] ? i : lastChained;
                }
                keys.add(e.getKey());
                hashes.add(content[lastChained]);
                times.add(ChainHash.micros(at[lastChained]));
                sequences.add(null);
            } else if (named.getOrDefault(e.getKey(), 0L) != 0L) {
                keys.add(e.getKey());
                hashes.add(null);
                times.add(null);
                sequences.add(named.get(e.getKey()));
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        update holding h set release_hash = coalesce(x.c, h.release_hash),
                                             release_at = coalesce(timestamptz 'epoch' + x.t * interval '1 microsecond', h.release_at),
                                             release_sequence = x.s
                        from unnest(cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]), cast(:content as bytea[]),
                                    cast(:at as bigint[]), cast(:seq as bigint[])) as x(p, su, pr, c, t, s)
                        where h.person_id = x.p and h.supplier_id = x.su and h.product_id = x.pr
                        """)
                .param("person", keys.stream().map(Key::person).toArray(UUID[]::new))
                .param("supplier", keys.stream().map(Key::supplier).toArray(UUID[]::new))
                .param("product", keys.stream().map(Key::product).toArray(UUID[]::new))
                .param("content", hashes.toArray(byte[][]::new))
                .param("at", times.toArray(Long[]::new))
                .param("seq", sequences.toArray(Long[]::new))
                .update();
    }

    /**
     * The record a holding's latest release made, when the holding does not name it yet (h: the holding's row as the
     * upsert found it): the key's newest record at release_at, in that month's partition alone. Only when the row's
     * version is visible to the statement's snapshot: a row just committed by a concurrent appender, whose lock the
     * upsert waited for, has its record outside that snapshot (an older record of the same moment could be found
     * instead), so it is left as 0, to be found by a statement of its own (nameRepeated).
     */
    private static final String NEWEST_RECORD = "case when exists (select from holding v where v.ctid = h.ctid) then ("
            + newestRecordAt("h.person_id", "h.supplier_id", "h.product_id", "h.release_at") + ") end";

    /**
     * The newest record of a key (person, supplier, product: SQL expressions) made at a moment (an expression): what a
     * holding's latest release was chained as. One index probe, in that moment's month partition alone (PostgreSQL
     * prunes the others at run time).
     */
    private static String newestRecordAt(String person, String supplier, String product, String at) {
        return """
                select d.sequence from disclosure_record d
                where d.person_id = %s and d.supplier_id = %s and d.product_id = %s and d.disclosed_at = %s
                order by d.sequence desc limit 1""".formatted(person, supplier, product, at);
    }

    /**
     * Folds the batch into one row per (person, supplier, product), then upserts them in one statement, in
     * key order. Returns, for each key whose first release in the batch repeats the holding's latest release
     * (same content, relation still live), the sequence of the chain record it repeats — 0 when the holding does not
     * name it yet.
     */
    private Map<Key, Repeated> updateHoldings(List<Disclosure> disclosures, Map<Key, List<Integer>> byKey, Instant[] at, String[][] sorted,
                                              byte[][] content) {
        int m = byKey.size();
        UUID[] person = new UUID[m], supplier = new UUID[m], product = new UUID[m], agreement = new UUID[m];
        long[] first = new long[m], last = new long[m], count = new long[m], inner = new long[m], releasedAt = new long[m];
        String[] attributes = new String[m], legal = new String[m], purpose = new String[m];
        int[] retention = new int[m];
        Integer[] until = new Integer[m];
        byte[][] firstContent = new byte[m][];
        int k = 0;
        for (var e : byKey.entrySet()) {
            List<Integer> idx = e.getValue();
            Set<String> union = new java.util.TreeSet<>();
            first[k] = Long.MAX_VALUE;
            last[k] = Long.MIN_VALUE;
            for (int j = 0; j < idx.size(); j++) {
                int i = idx.get(j);
                long t = ChainHash.micros(at[i]);
                first[k] = Math.min(first[k], t);
                last[k] = Math.max(last[k], t);
                union.addAll(Arrays.asList(sorted[i]));
                if (j > 0 && Arrays.equals(content[i], content[idx.get(j - 1)])) {
                    inner[k]++;
                }
            }
            Disclosure latest = disclosures.get(idx.getLast());
            person[k] = e.getKey().person();
            supplier[k] = e.getKey().supplier();
            product[k] = e.getKey().product();
            count[k] = idx.size();
            attributes[k] = String.join(",", union);
            agreement[k] = latest.agreementId();
            legal[k] = latest.legalBasis();
            purpose[k] = latest.purpose();
            retention[k] = latest.retentionDays();
            until[k] = latest.retainUntil() == null ? null : (int) latest.retainUntil().toEpochDay();
            firstContent[k] = content[idx.getFirst()];
            releasedAt[k] = ChainHash.micros(at[idx.getFirst()]);
            k++;
        }
        // A new release means the relation is live again: the end and any deletion are reset; after a
        // confirmed deletion the recipient starts from nothing, so "since" and the attributes start anew.
        // The first release of the batch repeats the latest one when its content hash (proposed as
        // release_hash) equals the stored one and the relation is live; then release_sequence is returned, found
        // and kept now if the holding did not name it yet (NEWEST_RECORD; 0 if that is left to nameRepeated). Else
        // it is cleared and release_at set: the release is about to be chained, and the first repeat after it finds
        // its record. Naming it at once would take a second update of every chained holding once the sequence is
        // known under the head's lock — a fifth of an append's database time. The decision is taken on the row's
        // newest version under its lock, so concurrent identical releases count, not chain.
        List<Object[]> rows = jdbc.sql("""
                        insert into holding as h (person_id, supplier_id, product_id, first_disclosed_at, last_disclosed_at, attributes, disclosures,
                                                  agreement_id, legal_basis, purpose, retention_days, retain_until, release_hash, repeats, release_at)
                        select p, su, pr, timestamptz 'epoch' + f * interval '1 microsecond', timestamptz 'epoch' + l * interval '1 microsecond',
                               string_to_array(a, ','), n, ag, lb, pu, r, date '1970-01-01' + u, c, i, timestamptz 'epoch' + ra * interval '1 microsecond'
                        from unnest(cast(:person as uuid[]), cast(:supplier as uuid[]), cast(:product as uuid[]), cast(:first as bigint[]),
                                    cast(:last as bigint[]), cast(:attrs as text[]), cast(:count as bigint[]),
                                    cast(:agreement as uuid[]), cast(:legal as text[]), cast(:purpose as text[]), cast(:retention as int[]),
                                    cast(:until as int[]), cast(:content as bytea[]), cast(:inner as bigint[]), cast(:released as bigint[]))
                             with ordinality as x(p, su, pr, f, l, a, n, ag, lb, pu, r, u, c, i, ra, ord)
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
                            release_hash = excluded.release_hash,
                            release_sequence = case when h.release_hash = excluded.release_hash and h.ended_on is null and h.deletion_state is null
                                                    then coalesce(nullif(h.release_sequence, 0), (%s), 0) end,
                            release_at = case when h.release_hash = excluded.release_hash
                                                   and h.ended_on is null and h.deletion_state is null then h.release_at else excluded.release_at end,
                            repeats = h.repeats + excluded.repeats
                                      + case when h.release_hash = excluded.release_hash
                                                  and h.ended_on is null and h.deletion_state is null then 1 else 0 end,
                            ended_on = null,
                            deletion_state = null,
                            deletion_requested_at = null,
                            deletion_confirmed_at = null
                        returning person_id, supplier_id, product_id, release_sequence, extract(epoch from release_at) * 1000000
                        """.formatted(NEWEST_RECORD))
                .param("person", person).param("supplier", supplier).param("product", product).param("first", first).param("last", last)
                .param("attrs", attributes).param("count", count).param("agreement", agreement).param("legal", legal)
                .param("purpose", purpose).param("retention", retention).param("until", until).param("content", firstContent)
                .param("inner", inner).param("released", releasedAt)
                .query((rs, i) -> new Object[] {new Key(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class)),
                        rs.getObject(4, Long.class), rs.getLong(5)})
                .list();
        Map<Key, Repeated> repeated = new java.util.HashMap<>();
        for (Object[] row : rows) {
            if (row[1] != null) {
                repeated.put((Key) row[0], new Repeated((Long) row[1], (Long) row[2]));
            }
        }
        return repeated;
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

    /**
     * Verifies the whole chain (in parallel ranges, checked at the seams) and the head, and then every signed
     * checkpoint against it ({@link LedgerCheckpoints}).
     */
    public ChainVerification verify() {
        return checkpoints.verifyAll();
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
        /** The years a time in a filter is kept within: any outside them selects as the nearest does (the database's timestamps end sooner than Java's). */
        static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
        static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

        public FeedFilter {
            from = within(from);
            to = within(to);
        }

        private static Instant within(Instant t) {
            return t == null ? null : t.isBefore(EARLIEST) ? EARLIEST : t.isAfter(LATEST) ? LATEST : t;
        }
    }

    /** The newest records matching the filter, newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<LedgerRecord> feed(FeedFilter f, int limit) {
        return feed(f, limit, org.tilldela.governance.CallerScope.wholeInstallation());
    }

    /**
     * {@link #feed(FeedFilter, int)} about persons placed within {@code scope} only (a data protection officer's): the
     * person as they are known now, a record appended under a former id included.
     */
    @Transactional(readOnly = true)
    public List<LedgerRecord> feed(FeedFilter f, int limit, org.tilldela.governance.CallerScope scope) {
        StringBuilder where = new StringBuilder(" where ").append(scope.person("coalesce(a.person_id, d.person_id)"));
        var spec = new LinkedHashMap<String, Object>(scope.params());
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
