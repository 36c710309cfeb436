package org.tilldela.ledger;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.Viewer;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * The {@code benchmark ledger} command's work: a ledger of many rows with a correct chain, generated in
 * Java and streamed into PostgreSQL with binary COPY (as the database owner, with the secondary indexes
 * built afterwards, as a restore would), its holdings, then the three measurements of issue 4.
 */
@Component
public class LedgerBenchmark {

    public record Settings(long rows, int persons, int append, int batch, int reports, Path dataDir, boolean generateOnly, boolean copyProfile) {
    }

    private static final int PRODUCTS = 200;
    private static final int PRODUCTS_PER_SUPPLIER = 5;
    private static final int MAX_PRODUCTS_PER_PERSON = 6;
    private static final long COPY_ROWS_PER_TRANSACTION = 5_000_000;

    private final JdbcClient jdbc;
    private final DisclosureLedger ledger;
    private final LedgerReports reports;
    private final TransactionTemplate tx;
    private final ChainVerifier verifier;
    private final javax.sql.DataSource dataSource;
    private final SupplierOverview overview;
    private final Retention retention;

    LedgerBenchmark(javax.sql.DataSource dataSource, JdbcClient jdbc, DisclosureLedger ledger, LedgerReports reports, TransactionTemplate tx, ChainVerifier verifier,
                    SupplierOverview overview, Retention retention) {
        this.retention = retention;
        this.overview = overview;
        this.verifier = verifier;
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.reports = reports;
        this.tx = tx;
    }

    // --- the synthetic world: deterministic persons, suppliers and products ---

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static UUID uuid(long kind, long i) {
        long hi = mix(kind * 0x9E3779B97F4A7C15L + i);
        long lo = mix(hi + 0x632BE59BD9B4E019L);
        return new UUID((hi & ~0xF000L) | 0x4000L, (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    }

    static UUID person(int i) {
        return uuid(1, i);
    }

    static UUID product(int p) {
        return uuid(2, p);
    }

    static UUID supplier(int p) {
        return uuid(3, p / PRODUCTS_PER_SUPPLIER);
    }

    static UUID agreement(int p) {
        return p % 4 == 0 ? null : uuid(4, p);
    }

    static int productsOf(int person) {
        return 1 + (int) Math.floorMod(mix(person), MAX_PRODUCTS_PER_PERSON);
    }

    static int productOf(int person, int slot) {
        return (int) Math.floorMod((mix(person) >>> 8) + slot * 37L, PRODUCTS);
    }

    private static final Channel[] CHANNELS = Channel.values();
    private static final List<Set<Attribute>> PACKAGES = List.of(
            EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ORGANISATION, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES, Attribute.GRADE),
            EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ORGANISATION, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES, Attribute.GRADE,
                    Attribute.GIVEN_NAME, Attribute.FAMILY_NAME),
            EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ORGANISATION, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES, Attribute.GRADE,
                    Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL, Attribute.GUARDIAN_LINKS));
    private static final int[] RETENTION = {30, 90, 180, 365};

    static Channel channel(int p) {
        return CHANNELS[p % CHANNELS.length];
    }

    static Set<Attribute> attributes(int p) {
        return PACKAGES.get(p % PACKAGES.size());
    }

    static String legalBasis(int p) {
        return p % 2 == 0 ? "GDPR art. 6.1 e (public task)" : "GDPR art. 6.1 b (contract)";
    }

    static String purpose(int p) {
        return "Learning platform " + (p % 10 + 1) + ": sign-in and class lists";
    }

    static int retention(int p) {
        return RETENTION[p % RETENTION.length];
    }

    /** {@code changed} is added to the purpose: a release that differs from every earlier one of the key, so it is chained. */
    private Disclosure disclosure(SplittableRandom r, int persons, Instant at, String changed) {
        int person = r.nextInt(persons);
        int p = productOf(person, r.nextInt(productsOf(person)));
        return new Disclosure(person(person), supplier(p), product(p), channel(p), attributes(p), agreement(p), legalBasis(p), purpose(p) + changed,
                at, retention(p), null);
    }

    // --- the run ---

    public void run(Settings s, PrintStream out) throws Exception {
        out.printf("cores: %d, max heap: %,d MB, java %s%n", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        long have = ledger.head().lastSequence();
        if (have == 0) {
            generate(s, out);
        } else {
            out.printf("reusing the ledger of %,d records%n", have);
        }
        if (s.generateOnly()) {
            return;
        }
        out.println();
        out.println("| measurement | result |");
        out.println("|---|---|");
        long warm = System.nanoTime();
        warmIndexes();
        out.printf("| read the indexes an append touches into memory (as on a server in steady state) | %.1f s |%n", (System.nanoTime() - warm) / 1e9);
        appendThroughput(s, out, 1);
        appendThroughput(s, out, 2);
        reportLatency(s, out);
        overviewLatency(out);
        if (s.copyProfile()) {
            String all = "prev_hash, sequence, person_id, supplier_id, product_id, terms_id, disclosed_at, retain_until, hash";
            // what PostgreSQL alone costs to hand out the rows (one stream, read and discarded), by columns sent
            rawCopy(out, "warm-up", all, "where ctid < '(400000,0)'");
            rawCopy(out, "all columns", all, "where sequence between 1 and 2000000 order by sequence");
            rawCopy(out, "sequence only", "sequence", "where sequence between 1 and 2000000 order by sequence");
        }
        for (int threads : new int[] {Runtime.getRuntime().availableProcessors(), 1}) {
            long t = System.nanoTime();
            ChainVerification v = threads == 1 ? verifyWith(1) : ledger.verify();
            out.printf("| chain verification, %d thread(s) | %,d records in %.1f s: %,.0f records/s, %s |%n", threads, v.recordsChecked(),
                    (System.nanoTime() - t) / 1e9, v.rate(), v.intact() ? "intact" : "BROKEN at " + v.firstBrokenSequence() + ": " + v.reason());
        }
        sizes(s, out);
    }

    private void rawCopy(PrintStream out, String label, String columns, String where) throws Exception {
        rawCopy(out, label, columns, where, "binary");
    }

    private void rawCopy(PrintStream out, String label, String columns, String where, String format) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            long t = System.nanoTime();
            long bytes = 0;
            var copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("""
                    copy (select %s from disclosure_record %s) to stdout (format %s)""".formatted(columns, where, format));
            byte[] b;
            long rows = 0;
            while ((b = copy.readFromCopy()) != null) {
                bytes += b.length;
                rows++;
            }
            c.rollback();
            double s = (System.nanoTime() - t) / 1e9;
            out.printf("| raw COPY %s | %,d messages, %,d MB in %.2f s: %,.0f/s |%n", label, rows, bytes >> 20, s, rows / s);
        }
    }

    private ChainVerification verifyWith(int threads) {
        return verifier.verify(threads, 1_000_000);
    }

    /**
     * Appends write to the person index and the holdings at random places; right after generating (or
     * after a verification streamed the whole table through the page cache) those pages are on disk, and
     * appends would measure the disk. Index-only scans bring them into memory.
     */
    private void warmIndexes() {
        tx.executeWithoutResult(st -> {
            jdbc.sql("set local enable_seqscan = off").update();
            jdbc.sql("set local enable_bitmapscan = off").update();
            jdbc.sql("select count(*) from (select person_id, sequence from disclosure_record order by person_id, sequence) x").query(Long.class).single();
            jdbc.sql("select count(*) from (select supplier_id, sequence from disclosure_record order by supplier_id, sequence) x").query(Long.class).single();
            jdbc.sql("select count(*) from (select product_id, sequence from disclosure_record order by product_id, sequence) x").query(Long.class).single();
            jdbc.sql("select count(*) from (select person_id, supplier_id, product_id from holding order by 1, 2, 3) x").query(Long.class).single();
            jdbc.sql("select count(*) from holding").query(Long.class).single();
        });
    }

    private void appendThroughput(Settings s, PrintStream out, int threads) throws Exception {
        int perThread = s.append() / threads;
        int batches = Math.max(1, perThread / s.batch());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long before = ledger.head().lastSequence();
        long t = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        // what is timed is chaining (new or changed releases): an identical release is only counted on its holding,
        // so each run's releases differ from every earlier run's (also on a --reuse'd ledger, whose holdings already
        // name the generated releases and the earlier runs' ones)
        String changed = " (" + Instant.now() + ")";
        for (int k = 0; k < threads; k++) {
            long seed = 42 + k + threads * 100L;
            futures.add(pool.submit(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (int b = 0; b < batches; b++) {
                    List<Disclosure> list = new ArrayList<>(s.batch());
                    Instant now = Instant.now();
                    for (int i = 0; i < s.batch(); i++) {
                        list.add(disclosure(r, s.persons(), now, changed));
                    }
                    tx.executeWithoutResult(st -> ledger.append(list));
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t) / 1e9;
        long added = ledger.head().lastSequence() - before;
        out.printf("| append, batches of %d, %d thread(s) | %,d records in %.1f s: %,.0f records/s |%n", s.batch(), threads, added, seconds,
                added / seconds);
    }

    private void reportLatency(Settings s, PrintStream out) {
        SplittableRandom r = new SplittableRandom(7);
        Viewer viewer = new Viewer("benchmark", false);
        for (int i = 0; i < 50; i++) {
            reports.personReport(person(r.nextInt(s.persons())), viewer, "benchmark");
        }
        long[] nanos = new long[s.reports()];
        long recipients = 0;
        long releases = 0;
        for (int i = 0; i < nanos.length; i++) {
            UUID person = person(r.nextInt(s.persons()));
            long t = System.nanoTime();
            var report = reports.personReport(person, viewer, "benchmark");
            nanos[i] = System.nanoTime() - t;
            recipients += report.recipients().size();
            releases += report.totalReleases();
        }
        Arrays.sort(nanos);
        out.printf("| per-person report (%,d random persons; on average %.1f recipients, %.1f releases) | median %.1f ms, p95 %.1f ms, max %.1f ms |%n",
                nanos.length, recipients / (double) nanos.length, releases / (double) nanos.length, nanos[nanos.length / 2] / 1e6,
                nanos[(int) (nanos.length * 0.95)] / 1e6, nanos[nanos.length - 1] / 1e6);
    }

    /**
     * The overview of recipients (the ledger's start page): counting every holding on each visit, as before, against the
     * counts kept ({@link SupplierOverview}) — one recount, then visits reading what was kept.
     */
    private void overviewLatency(PrintStream out) {
        LocalDate today = LocalDate.now();
        long holdings = jdbc.sql("select count(*) from holding").query(Long.class).single();
        long[] live = new long[3];
        for (int i = 0; i < live.length; i++) {
            long t = System.nanoTime();
            reports.suppliers(today);
            live[i] = System.nanoTime() - t;
        }
        Arrays.sort(live);
        out.printf("| overview of recipients, counting all %,d holdings on each visit (3 visits) | median %.0f ms, max %.0f ms |%n", holdings,
                live[1] / 1e6, live[2] / 1e6);
        long t = System.nanoTime();
        overview.recount(today);
        out.printf("| overview of recipients: counting them again to keep (every 10 minutes, or when asked) | %.0f ms |%n", (System.nanoTime() - t) / 1e6);
        if (!overview.large()) {
            out.printf("| overview of recipients | (fewer holdings than tilldela.ledger.overview.live-below: counted on each visit) |%n");
            return;
        }
        for (int i = 0; i < 20; i++) {
            overview.overview(today);
        }
        long[] nanos = new long[500];
        int suppliers = 0;
        for (int i = 0; i < nanos.length; i++) {
            long v = System.nanoTime();
            suppliers = overview.overview(today).suppliers().size();
            nanos[i] = System.nanoTime() - v;
        }
        Arrays.sort(nanos);
        out.printf("| overview of recipients, as kept (%,d visits, %d suppliers) | median %.2f ms, p95 %.2f ms, max %.2f ms |%n", nanos.length, suppliers,
                nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.95)] / 1e6, nanos[nanos.length - 1] / 1e6);
        // everything the ledger's start page reads for an officer over the whole installation
        long overdue = 0;
        for (int i = 0; i < nanos.length; i++) {
            long v = System.nanoTime();
            overview.overview(today);
            overdue = retention.overdueCount(today);
            ledger.head();
            nanos[i] = System.nanoTime() - v;
        }
        Arrays.sort(nanos);
        out.printf("| the ledger's start page's reads: the overview as kept, overdue deletions (%,d), the head (%,d visits) | median %.2f ms, p95 %.2f ms, max %.2f ms |%n",
                overdue, nanos.length, nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.95)] / 1e6, nanos[nanos.length - 1] / 1e6);
    }

    private void sizes(Settings s, PrintStream out) throws Exception {
        var row = jdbc.sql("""
                select (select count(*) from disclosure_record),
                       (select sum(pg_relation_size(relid)) from pg_partition_tree('disclosure_record') where isleaf),
                       (select sum(pg_indexes_size(relid)) from pg_partition_tree('disclosure_record') where isleaf),
                       (select sum(pg_total_relation_size(relid)) from pg_partition_tree('disclosure_record') where isleaf),
                       (select count(*) from holding), pg_total_relation_size('holding')
                """).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)}).single();
        long disk;
        try (var paths = Files.walk(s.dataDir())) {
            disk = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        out.println();
        out.printf("ledger: %,d records, table %,d MB, indexes %,d MB, total %,d MB; holdings: %,d rows, %,d MB; data directory on disk: %,d MB%n",
                row[0], row[1] >> 20, row[2] >> 20, row[3] >> 20, row[4], row[5] >> 20, disk >> 20);
    }

    // --- bulk generation ---

    private void generate(Settings s, PrintStream out) throws Exception {
        EmbeddedDatabase.Server server = EmbeddedDatabase.acquire(s.dataDir());
        try (Connection c = server.connect(EmbeddedDatabase.OWNER)) {
            c.setAutoCommit(false);
            List<String> indexes = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                st.execute("set synchronous_commit = off");
                st.execute("set maintenance_work_mem = '1GB'");
                try (var rs = st.executeQuery("select indexname, indexdef from pg_indexes where tablename = 'disclosure_record' and indexname <> 'disclosure_record_pkey'")) {
                    while (rs.next()) {
                        indexes.add(rs.getString(2));
                    }
                }
                for (String def : indexes) {
                    st.execute("drop index " + def.replaceFirst("(?i)^create index (\\S+) on.*$", "$1"));
                }
                // the generated year's months, as the ledger's maintenance would have made them (the ledger is partitioned by month)
                st.execute("""
                        select ledger_make_month('disclosure_record', m::date)
                        from generate_series(date_trunc('month', now() at time zone 'UTC' - interval '366 days'), date_trunc('month', now() at time zone 'UTC'),
                                             interval '1 month') m""");
                c.commit();
            }
            long t0 = System.nanoTime();
            Generator g = new Generator(s);
            g.recordTerms(c);
            PGConnection pg = c.unwrap(PGConnection.class);
            while (g.next <= s.rows()) {
                long until = Math.min(s.rows(), g.next + COPY_ROWS_PER_TRANSACTION - 1);
                CopyIn copy = pg.getCopyAPI().copyIn("""
                        copy disclosure_record (sequence, person_id, supplier_id, product_id, terms_id, disclosed_at, retain_until, prev_hash, hash)
                        from stdin (format binary)""");
                g.writeRows(copy, until);
                copy.endCopy();
                try (var ps = c.prepareStatement("update ledger_head set last_sequence = ?, last_hash = ? where id = 1")) {
                    ps.setLong(1, until);
                    ps.setBytes(2, g.prev);
                    ps.executeUpdate();
                }
                c.commit();
                out.printf("  %,d records written, %.0f s%n", until, (System.nanoTime() - t0) / 1e9);
            }
            double copySeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            try (Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                for (String def : indexes) {
                    // a partitioned table's index is listed as "ON ONLY disclosure": made so, it would cover no partition
                    st.execute(def.replaceFirst("(?i) ON ONLY ", " ON "));
                }
                double indexSeconds = (System.nanoTime() - t1) / 1e9;
                long t2 = System.nanoTime();
                g.writeHoldings(pg);
                double holdingSeconds = (System.nanoTime() - t2) / 1e9;
                long t3 = System.nanoTime();
                st.execute("vacuum (freeze, analyze) disclosure_record");
                st.execute("vacuum (analyze) holding");
                out.printf("generated %,d records about %,d persons: COPY with chain %.0f s (%,.0f records/s), indexes %.0f s, holdings %.0f s, vacuum %.0f s%n",
                        s.rows(), s.persons(), copySeconds, s.rows() / copySeconds, indexSeconds, holdingSeconds, (System.nanoTime() - t3) / 1e9);
            }
        } finally {
            EmbeddedDatabase.release(s.dataDir());
        }
    }

    /** Streams rows in PostgreSQL's binary COPY format, hashing as it goes, and folds them into holdings. */
    private static final class Generator {
        final Settings s;
        final SplittableRandom random = new SplittableRandom(20261124);
        final ChainHash chain = new ChainHash();
        final byte[] personBytes;
        final byte[][] supplierBytes = new byte[PRODUCTS][], productBytes = new byte[PRODUCTS][], agreementBytes = new byte[PRODUCTS][];
        final byte[][] channelText = new byte[PRODUCTS][], attributesHash = new byte[PRODUCTS][];
        final byte[][] legalText = new byte[PRODUCTS][], purposeText = new byte[PRODUCTS][];
        final int[] termsId = new int[PRODUCTS];
        final long startMicros;
        final long stepMicros;
        // holdings, per person and product slot
        final long[] first, last;
        final int[] count;
        long next = 1;
        byte[] prev = ChainHash.genesis();
        final Buffer out = new Buffer(8 << 20);

        Generator(Settings s) {
            this.s = s;
            personBytes = new byte[s.persons() * 16];
            for (int i = 0; i < s.persons(); i++) {
                uuidBytes(person(i), personBytes, i * 16);
            }
            for (int p = 0; p < PRODUCTS; p++) {
                supplierBytes[p] = uuidBytes(supplier(p));
                productBytes[p] = uuidBytes(product(p));
                agreementBytes[p] = agreement(p) == null ? null : uuidBytes(agreement(p));
                channelText[p] = text(channel(p).name());
                legalText[p] = text(legalBasis(p));
                purposeText[p] = text(purpose(p));
                String[] names = DisclosureLedger.sortedNames(attributes(p));
                Buffer hashPart = new Buffer(256);
                hashPart.putInt(names.length);
                for (String n : names) {
                    hashPart.put(text(n));
                }
                attributesHash[p] = hashPart.bytes();
            }
            long end = ChainHash.micros(Instant.now().truncatedTo(ChronoUnit.SECONDS));
            startMicros = end - 365L * 24 * 3600 * 1_000_000;
            stepMicros = Math.max(1, (end - startMicros) / Math.max(1, s.rows()));
            int slots = s.persons() * MAX_PRODUCTS_PER_PERSON;
            first = new long[slots];
            last = new long[slots];
            count = new int[slots];
        }

        /** Each product's release terms, as the ledger keeps them (disclosure_terms), and their ids for the records. */
        void recordTerms(Connection c) throws SQLException {
            try (var add = c.prepareStatement("""
                    insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days)
                    values (?, ?, ?, ?, ?, ?) on conflict do nothing""");
                 var find = c.prepareStatement("""
                    select id from disclosure_terms where channel = ? and attributes = ? and agreement_id is not distinct from ?
                      and legal_basis is not distinct from ? and purpose is not distinct from ? and retention_days = ?""")) {
                for (int p = 0; p < PRODUCTS; p++) {
                    for (var st : List.of(add, find)) {
                        st.setString(1, channel(p).name());
                        st.setString(2, String.join(",", DisclosureLedger.sortedNames(attributes(p))));
                        st.setObject(3, agreement(p), java.sql.Types.OTHER);
                        st.setString(4, legalBasis(p));
                        st.setString(5, purpose(p));
                        st.setInt(6, retention(p));
                    }
                    add.executeUpdate();
                    try (var rs = find.executeQuery()) {
                        rs.next();
                        termsId[p] = rs.getInt(1);
                    }
                }
            }
            c.commit();
        }

        void writeRows(CopyIn copy, long until) throws SQLException {
            out.reset();
            out.put("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1)).putInt(0).putInt(0);
            for (; next <= until; next++) {
                int person = random.nextInt(s.persons());
                int slot = random.nextInt(productsOf(person));
                int p = productOf(person, slot);
                long at = startMicros + (next - 1) * stepMicros;
                int retention = retention(p);
                // the hash, per ChainHash's encoding
                chain.reset();
                chain.put(prev, 0, 32);
                chain.putByte(ChainHash.VERSION);
                chain.putLong(next);
                chain.put(personBytes, person * 16, 16);
                chain.put(supplierBytes[p], 0, 16);
                chain.put(productBytes[p], 0, 16);
                chain.put(channelText[p], 0, channelText[p].length);
                chain.put(attributesHash[p], 0, attributesHash[p].length);
                if (agreementBytes[p] == null) {
                    chain.putByte(0);
                } else {
                    chain.putByte(1);
                    chain.put(agreementBytes[p], 0, 16);
                }
                chain.put(legalText[p], 0, legalText[p].length);
                chain.put(purposeText[p], 0, purposeText[p].length);
                chain.putLong(at);
                chain.putInt(retention);
                chain.putByte(0);
                byte[] hash = chain.digest();
                // the row
                out.putShort(9);
                out.putInt(8).putLong(next);
                out.putInt(16).put(personBytes, person * 16, 16);
                out.putInt(16).put(supplierBytes[p]);
                out.putInt(16).put(productBytes[p]);
                out.putInt(4).putInt(termsId[p]);
                out.putInt(8).putLong(at - ChainHash.PG_EPOCH_MICROS);
                out.putInt(-1);
                out.putInt(32).put(prev);
                out.putInt(32).put(hash);
                prev = hash;
                int h = person * MAX_PRODUCTS_PER_PERSON + slot;
                if (count[h]++ == 0) {
                    first[h] = at;
                }
                last[h] = at;
                if (out.size() > (7 << 20)) {
                    copy.writeToCopy(out.array(), 0, out.size());
                    out.reset();
                }
            }
            out.putShort(-1);
            copy.writeToCopy(out.array(), 0, out.size());
            out.reset();
        }

        /** One holding per person and product received; every 20th relation ended, some long enough ago that deletion is due. */
        void writeHoldings(PGConnection pg) throws Exception {
            CopyIn copy = pg.getCopyAPI().copyIn("""
                    copy holding (person_id, supplier_id, product_id, first_disclosed_at, last_disclosed_at, attributes, disclosures,
                                  agreement_id, legal_basis, purpose, retention_days, ended_on, retain_until) from stdin""");
            StringBuilder sb = new StringBuilder(1 << 20);
            for (int person = 0; person < s.persons(); person++) {
                for (int slot = 0; slot < productsOf(person); slot++) {
                    int h = person * MAX_PRODUCTS_PER_PERSON + slot;
                    if (count[h] == 0) {
                        continue;
                    }
                    int p = productOf(person, slot);
                    sb.append(person(person)).append('\t').append(supplier(p)).append('\t').append(product(p)).append('\t')
                            .append(timestamp(first[h])).append('\t').append(timestamp(last[h])).append('\t')
                            .append(attributes(p).stream().map(Enum::name).sorted().collect(Collectors.joining(",", "{", "}"))).append('\t')
                            .append(count[h]).append('\t')
                            .append(agreement(p) == null ? "\\N" : agreement(p).toString()).append('\t')
                            .append(legalBasis(p)).append('\t').append(purpose(p)).append('\t').append(retention(p)).append('\t');
                    if (h % 20 == 0) {
                        LocalDate ended = LocalDate.ofInstant(Instant.ofEpochSecond(0, last[h] * 1000), ZoneOffset.UTC).plusDays(1);
                        sb.append(ended).append('\t').append(ended.plusDays(retention(p)));
                    } else {
                        sb.append("\\N\t\\N");
                    }
                    sb.append('\n');
                    if (sb.length() > (1 << 20)) {
                        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(b, 0, b.length);
                        sb.setLength(0);
                    }
                }
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(b, 0, b.length);
            copy.endCopy();
        }

        private static String timestamp(long micros) {
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).toString();
        }

        private static byte[] text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return new Buffer(b.length + 4).putInt(b.length).put(b).bytes();
        }

        private static byte[] uuidBytes(UUID id) {
            byte[] b = new byte[16];
            uuidBytes(id, b, 0);
            return b;
        }

        private static void uuidBytes(UUID id, byte[] b, int off) {
            long hi = id.getMostSignificantBits();
            long lo = id.getLeastSignificantBits();
            for (int i = 0; i < 8; i++) {
                b[off + i] = (byte) (hi >>> (56 - 8 * i));
                b[off + 8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
    }

    /** A growable big-endian byte buffer. */
    private static final class Buffer {
        private byte[] buf;
        private int len;

        Buffer(int capacity) {
            buf = new byte[capacity];
        }

        Buffer put(byte[] b) {
            return put(b, 0, b.length);
        }

        Buffer put(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
            return this;
        }

        Buffer putShort(int v) {
            ensure(2);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Buffer putInt(int v) {
            ensure(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Buffer putLong(long v) {
            return putInt((int) (v >>> 32)).putInt((int) v);
        }

        int size() {
            return len;
        }

        byte[] array() {
            return buf;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }

        void reset() {
            len = 0;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }
    }
}
