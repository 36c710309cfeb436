package org.tilldela.directory.importing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.postgresql.copy.PGCopyOutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One import's snapshot of a source, staged in temporary tables inside the import's transaction and then
 * checked, guarded and applied to the live tables with set-based SQL. Everything happens in that one
 * transaction: a refused or failed import leaves no trace.
 *
 * <p>The stage is sparse: while a full snapshot is read, rows whose content hash equals what is stored
 * are recognised in memory ({@link KnownRows}) and not staged, and stored rows the snapshot lacks are
 * listed in {@code gone_*} tables. So the SQL work of an import is proportional to what changed, not to
 * the size of the source. (A delta reader that prefills the stage from what is stored is brought to the
 * same sparse form with SQL once reading ends.)
 */
public final class StagedSnapshot {

    /** Where each reference column points, and which raw-id slot (ref_a / ref_b) spells it. */
    private record Reference(Entity from, String column, Entity to, String rawSlot) {
    }

    private static final List<Reference> REFERENCES = List.of(
            new Reference(Entity.ORGANISATION, "parent_id", Entity.ORGANISATION, "ref_a"),
            new Reference(Entity.ENROLMENT, "school_unit_id", Entity.ORGANISATION, "ref_a"),
            new Reference(Entity.ENROLMENT, "person_id", Entity.PERSON, "ref_b"),
            new Reference(Entity.GROUP, "organisation_id", Entity.ORGANISATION, "ref_a"),
            new Reference(Entity.MEMBERSHIP, "group_id", Entity.GROUP, "ref_a"),
            new Reference(Entity.MEMBERSHIP, "person_id", Entity.PERSON, "ref_b"),
            new Reference(Entity.DUTY, "organisation_id", Entity.ORGANISATION, "ref_a"),
            new Reference(Entity.DUTY, "person_id", Entity.PERSON, "ref_b"),
            new Reference(Entity.GUARDIAN_LINK, "guardian_id", Entity.PERSON, "ref_a"),
            new Reference(Entity.GUARDIAN_LINK, "child_id", Entity.PERSON, "ref_b"));

    /** How an input names an entity's records: the file (or endpoint), the id column and the reference columns. */
    public record Origin(String file, String idColumn, String refAColumn, String refBColumn) {
    }

    private final Connection connection;
    private final JdbcClient jdbc;
    private final String source;
    /** Makes the ids of this installation (keyed: see {@link Ids}). */
    private final Ids ids;
    private final Problems problems = new Problems();
    private final Map<Entity, Origin> origins = new EnumMap<>(Entity.class);
    /** See {@link #storedPersons()}. */
    private Long storedPersonCount;
    /** Each staging table's columns as COPY takes them (binary: each by its type). */
    private final Map<Entity, List<BinaryCopy.Column>> stageColumns = new EnumMap<>(Entity.class);
    /** Stored rows per entity, for the entities whose writers filter what they stage. */
    private final Map<Entity, CompletableFuture<KnownRows>> known = new EnumMap<>(Entity.class);
    /**
     * For the entities whose reader fingerprints its records ({@link #fingerprintRecords}): the stored rows' record
     * fingerprints, loaded instead of the rows (their {@link #known} then only catches ids repeated among records read).
     */
    private final Map<Entity, CompletableFuture<StoredRecords>> fingerprints = new EnumMap<>(Entity.class);
    /** Loads stored rows on connections of their own, while reading goes on (see {@link #startLoading}). */
    private ExecutorService loaders;
    private final DataSource dataSource;
    /** Rows found unchanged per entity (not staged, or dropped from a prefilled stage). */
    private final Map<Entity, Long> unchanged = new EnumMap<>(Entity.class);
    /** Entities settled while the reader went on with others ({@link #readingDoneFor}). */
    private final Set<Entity> settledEarly = EnumSet.noneOf(Entity.class);
    private boolean prefilled;
    private boolean opened;
    /** See {@link #compareEveryRow}. */
    private boolean compareEveryRow;
    /** Milliseconds per step, so that a slow import can be explained. */
    private final Map<String, Long> timings = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * The advisory lock every import holds shared for its whole transaction, and a first bulk import exclusively once it
     * lays a table's indexes aside (see {@link #deferIndexesOfEmptyTable}).
     */
    static final String IMPORTS_UNDER_WAY = "hashtext('directory-imports-under-way')";

    /** From how many new rows on a first import into an empty table defers building its secondary indexes. */
    private final long deferIndexesFrom;

    StagedSnapshot(DataSource dataSource, Connection connection, JdbcClient jdbc, String source, Ids ids, long deferIndexesFrom) {
        this.ids = ids;
        this.dataSource = dataSource;
        this.deferIndexesFrom = deferIndexesFrom;
        this.connection = connection;
        this.jdbc = jdbc;
        this.source = source;
    }

    Map<String, Long> timings() {
        return timings;
    }

    private <T> T timed(String step, Supplier<T> work) {
        long t = System.nanoTime();
        try {
            return work.get();
        } finally {
            timings.merge(step, (System.nanoTime() - t) / 1_000_000, Long::sum);
        }
    }

    public String source() {
        return source;
    }

    public Problems problems() {
        return problems;
    }

    /** The school form codes Tilldela knows (school forms are data: see table school_form). */
    public Set<String> schoolForms() {
        return new HashSet<>(jdbc.sql("select code from school_form").query(String.class).list());
    }

    /**
     * Ids of the records other rows refer to — organisations and groups (many rows each) and persons (each by
     * their own row and by every enrolment, duty, membership and guardian link naming them: about four times) —
     * made once per import: an id is an HMAC ({@link Ids}), the biggest single cost of reading a large package.
     * Kept until the import ends: about 130 bytes a person, some 130 MB at a million persons.
     */
    private final Map<Entity, Map<String, UUID>> referredIds = new EnumMap<>(Map.of(
            Entity.ORGANISATION, new ConcurrentHashMap<>(), Entity.GROUP, new ConcurrentHashMap<>(), Entity.PERSON, new ConcurrentHashMap<>()));

    public UUID id(Entity entity, String sourceId) {
        Map<String, UUID> made = referredIds.get(entity);
        if (made == null) {
            return ids.of(source, entity, sourceId);
        }
        UUID id = made.get(sourceId); // read without locking; most lookups find the id made already
        return id != null ? id : made.computeIfAbsent(sourceId, k -> ids.of(source, entity, k));
    }

    void createTables() {
        // The stage of a nightly import is small (what changed) and is joined with live tables of a million rows. At
        // PostgreSQL's default random_page_cost (4, a spinning disk's) a join of ten thousand staged rows already looks
        // cheaper as a hash over the whole live table than as that many index probes, and costs a second or more a
        // statement: 1.3 s to find the memberships of 8,354 changed ones. The live tables are in memory or on SSD, where
        // 1.1 is the usual setting; for this transaction only, so a tuned external database keeps its own elsewhere.
        jdbc.sql("set local random_page_cost = 1.1").update();
        for (Entity e : Entity.values()) {
            jdbc.sql("create temp table " + e.stageTable() + " on commit drop as select id, source_id, "
                    + String.join(", ", e.columns()) + ", content_hash from " + e.table() + " with no data").update();
            jdbc.sql("alter table " + e.stageTable() + " add column line_no bigint, add column line_fp uuid, add column ref_a text, add column ref_b text")
                    .update();
            jdbc.sql("create temp table " + gone(e) + " (id uuid primary key) on commit drop").update();
            stageColumns.put(e, stageColumns(e));
        }
    }

    /** The staging table's columns in COPY order, each with the kind its type is sent as. */
    private List<BinaryCopy.Column> stageColumns(Entity e) {
        List<BinaryCopy.Column> columns = jdbc.sql("""
                        select a.attname, b.typname, b.typtype, el.typname, cast(coalesce(el.oid, 0) as bigint)
                        from pg_attribute a
                        join pg_type t on t.oid = a.atttypid
                        join pg_type b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
                        left join pg_type el on el.oid = b.typelem and b.typcategory = 'A'
                        where a.attrelid = cast(:stage as regclass) and a.attnum > 0 and not a.attisdropped
                        order by a.attnum""")
                .param("stage", e.stageTable())
                .query((rs, n) -> {
                    BinaryCopy.Kind kind = BinaryCopy.kindOf(rs.getString(2), rs.getString(3), rs.getString(4));
                    if (kind == null) {
                        throw new IllegalStateException(e.stageTable() + "." + rs.getString(1) + " has type " + rs.getString(2)
                                + ", which the import cannot stage in binary");
                    }
                    return new BinaryCopy.Column(rs.getString(1), kind, (int) rs.getLong(5));
                })
                .list();
        Map<String, BinaryCopy.Column> byName = new HashMap<>();
        columns.forEach(c -> byName.put(c.name(), c));
        List<BinaryCopy.Column> ordered = new ArrayList<>();
        for (String name : RowWriter.copyColumns(e)) {
            BinaryCopy.Column column = byName.get(name);
            if (column == null) {
                throw new IllegalStateException(e.stageTable() + " has no column " + name);
            }
            ordered.add(column);
        }
        return ordered;
    }

    private static String gone(Entity e) {
        return "gone_" + e.table();
    }

    /**
     * For a delta import: starts the stage as a copy of what is stored for this source, so the reader only
     * replaces what changed (delete the changed records' rows from the stage with {@link #sql}, then write
     * them anew) and removes what was deleted; checks, guard and diff then run as for a full snapshot.
     * Call it before opening any writer.
     */
    public void prefillFromLive() {
        if (opened) {
            throw new IllegalStateException("prefill the stage before writing to it");
        }
        prefilled = true;
        for (Entity e : Entity.values()) {
            String cols = "id, source_id, " + String.join(", ", e.columns()) + ", content_hash";
            jdbc.sql("insert into " + e.stageTable() + " (" + cols + ") select " + cols + " from " + e.table() + " where source = :source")
                    .param("source", source).update();
        }
    }

    /**
     * Says, before any writer is opened, that the reader fingerprints the records it reads {@code entity} from and asks
     * its writer to {@link RowWriter#keep keep} each record before reading it: then the stored rows' fingerprints are
     * loaded instead of the rows themselves, a record whose fingerprint is stored is not read at all, and when reading
     * ends the rows of records no longer there are found by their fingerprints ({@link #settleFingerprinted}). A
     * fingerprint must cover everything the record's rows are made from (see {@code Entity#hasLineFingerprint}).
     */
    public void fingerprintRecords(Entity entity) {
        if (!entity.hasLineFingerprint()) {
            throw new IllegalArgumentException(entity.table() + " keeps no record fingerprints");
        }
        if (opened) {
            throw new IllegalStateException("say which records are fingerprinted before writing");
        }
        if (!compareEveryRow) {
            fingerprints.put(entity, null); // loaded with the rest, at the first writer
        }
    }

    /**
     * Every row read is compared with its stored one: no record is recognised by its fingerprint (an import read
     * again on request, {@link ImportOptions#reread}). Call it before reading.
     */
    void compareEveryRow() {
        compareEveryRow = true;
    }

    /**
     * Opens a COPY stream into the entity's staging table; the origin names the input in error messages.
     * A connection runs one COPY at a time: close it before opening the next.
     */
    public RowWriter open(Entity entity, Origin origin) {
        Supplier<KnownRows> rows = stored(entity);
        try {
            var copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), RowWriter.copySql(entity), 1 << 16);
            return writer(entity, origin, rows, copy, written -> { });
        } catch (SQLException e) {
            throw new IllegalStateException("could not start COPY into " + entity.stageTable(), e);
        }
    }

    /**
     * A writer for rows written while the connection is busy (another writer's COPY is open, or other deferred
     * files are being copied in): what it stages (new and changed rows only) is parked in a temporary file and
     * copied in when it is closed. Open it before that other writer and close it after (try-with-resources,
     * declared first, does both).
     */
    public RowWriter openDeferred(Entity entity, Origin origin) {
        Supplier<KnownRows> rows = stored(entity);
        try {
            Path file = Files.createTempFile("tilldela-" + entity.table(), ".copy");
            var out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            return writer(entity, origin, rows, out, written -> {
                try (var in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    if (written) {
                        timed("stage " + entity.label() + " from its file", () -> copyIn(entity, in));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("could not stage " + entity.label(), e);
                } finally {
                    file.toFile().delete();
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long copyIn(Entity entity, InputStream in) {
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(RowWriter.copySql(entity), in);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not stage " + entity.label(), e);
        }
    }

    /** The order stored rows are loaded in: what readers need first, first. */
    private static final List<Entity> LOAD_ORDER = List.of(Entity.ORGANISATION, Entity.GROUP, Entity.PERSON, Entity.MEMBERSHIP,
            Entity.ENROLMENT, Entity.DUTY, Entity.GUARDIAN_LINK);

    /**
     * At the first writer of a full snapshot: starts loading what is stored of every entity, on two
     * connections of their own, so that loading overlaps reading. Reading outside this transaction sees
     * the same rows: only imports write them, and this one holds the source's lock.
     */
    private void startLoading() {
        if (loaders != null) {
            return;
        }
        loaders = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "stored-rows-" + source);
            t.setDaemon(true);
            return t;
        });
        for (Entity e : LOAD_ORDER) {
            if (fingerprints.containsKey(e)) {
                // only ids repeated among the records read are caught in memory; the rest is settled in SQL
                known.put(e, CompletableFuture.completedFuture(new KnownRows(1024)));
                fingerprints.put(e, CompletableFuture.supplyAsync(() -> timed("load stored " + e.label() + " fingerprints",
                        () -> loadRecords(e)), loaders));
            } else {
                known.put(e, CompletableFuture.supplyAsync(() -> timed("load stored " + e.label(), () -> load(e)), loaders));
            }
        }
    }

    /** What is stored of the entity, when first needed; null when the stage was prefilled instead. */
    private Supplier<KnownRows> stored(Entity entity) {
        opened = true;
        if (prefilled) {
            return null;
        }
        startLoading();
        return () -> storedNow(entity);
    }

    /** Waits for the entity's stored rows; null when none were loaded (a prefilled stage). */
    private KnownRows storedNow(Entity entity) {
        return waitFor(known.get(entity), "wait for stored " + entity.label());
    }

    /** Waits for the stored record fingerprints of the entity; null when its records are not fingerprinted. */
    private StoredRecords fingerprintsNow(Entity entity) {
        return waitFor(fingerprints.get(entity), "wait for stored " + entity.label() + " fingerprints");
    }

    private <T> T waitFor(CompletableFuture<T> loading, String step) {
        if (loading == null) {
            return null;
        }
        return timed(step, () -> {
            try {
                return loading.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        });
    }

    /** Stops loaders still at work (an import that failed early). */
    void close() {
        if (loaders != null) {
            loaders.shutdownNow();
        }
    }

    private RowWriter writer(Entity entity, Origin origin, Supplier<KnownRows> rows, OutputStream target,
                             Consumer<Boolean> afterClose) {
        origins.put(entity, origin);
        Supplier<StoredRecords> recordFingerprints = fingerprints.containsKey(entity) && !prefilled ? () -> fingerprintsNow(entity) : null;
        return new RowWriter(target, stageColumns.get(entity), afterClose, entity, sourceId -> id(entity, sourceId), rows, recordFingerprints,
                problems, origin, n -> unchanged.merge(entity, n, Long::sum));
    }

    /** On a connection of its own (it runs beside the reading, which uses the import's). */
    private KnownRows load(Entity e) {
        try (Connection own = dataSource.getConnection()) {
            KnownRows rows = new KnownRows(estimatedRows(own, e));
            copyOutPairs(own, e, "select id, content_hash from " + e.table() + " where source = " + quoted(source), rows::addAll, (hi, lo) -> {
                throw new IllegalStateException("a stored " + e.label() + " row without id");
            });
            return rows;
        } catch (SQLException | IOException ex) {
            throw new IllegalStateException("could not read the stored " + e.label(), ex);
        }
    }

    /** The stored rows of an entity whose records are fingerprinted: (record fingerprint, id) of each. As {@link #load}. */
    private StoredRecords loadRecords(Entity e) {
        try (Connection own = dataSource.getConnection()) {
            StoredRecords records = new StoredRecords(estimatedRows(own, e));
            copyOutPairs(own, e, "select line_fp, id from " + e.table() + " where source = " + quoted(source), records::addAll, records::addKeyless);
            return records;
        } catch (SQLException | IOException ex) {
            throw new IllegalStateException("could not read the stored " + e.label(), ex);
        }
    }

    /**
     * Sized by PostgreSQL's estimate of this source's rows, not by counting them: a count reads the whole table once
     * more (a second of a million-person import's critical path). The estimate is the table's rows (kept by ANALYZE)
     * times the source's share of them (the column statistics' most common values; a source not among them takes the
     * whole table). Without statistics the table starts small and grows.
     */
    private int estimatedRows(Connection own, Entity e) throws SQLException {
        try (var statement = own.prepareStatement(SOURCE_ROWS_ESTIMATE)) {
            statement.setString(1, source);
            statement.setString(2, e.table());
            try (var rs = statement.executeQuery()) {
                rs.next();
                return (int) Math.clamp(rs.getLong(1), 1024, 1 << 22);
            }
        }
    }

    /** Takes a batch of (uuid, uuid) rows, each as four longs. */
    private interface PairBatch {
        void add(long[] batch, int n);
    }

    /** Takes a row whose first uuid is null, by its second. */
    private interface KeylessRow {
        void add(long hi, long lo);
    }

    /**
     * Streams {@code query}'s rows — two uuids each, the first possibly null — on a connection of its own. COPY out:
     * several times faster than a result set for millions of rows. In PostgreSQL's binary format a uuid is its 16 bytes,
     * read here without parsing 36 characters twice a row (the server's side of it costs about what text does).
     */
    private void copyOutPairs(Connection own, Entity e, String query, PairBatch pairs, KeylessRow keyless) throws SQLException, IOException {
        String sql = "copy (" + query + ") to stdout with (format binary)";
        try (var copy = new PGCopyInputStream(own.unwrap(PGConnection.class), sql)) {
            BinaryCopyInput in = new BinaryCopyInput(copy);
            in.readHeader();
            long[] batch = new long[LOAD_BATCH * 4]; // added a batch at a time: see KnownRows.addAll
            int n = 0;
            for (short fields = in.readShort(); fields != -1; fields = in.readShort()) {
                int first = fields == 2 ? in.readInt() : 0;
                if (first == -1) {
                    if (in.readInt() != 16) {
                        throw new IOException("unexpected row in the stored " + e.label());
                    }
                    keyless.add(in.readLong(), in.readLong());
                    continue;
                }
                if (first != 16) {
                    throw new IOException("unexpected row in the stored " + e.label() + ": " + fields + " fields");
                }
                batch[n * 4] = in.readLong();
                batch[n * 4 + 1] = in.readLong();
                if (in.readInt() != 16) {
                    throw new IOException("unexpected row in the stored " + e.label());
                }
                batch[n * 4 + 2] = in.readLong();
                batch[n * 4 + 3] = in.readLong();
                if (++n == LOAD_BATCH) {
                    pairs.add(batch, n);
                    n = 0;
                }
            }
            pairs.add(batch, n);
        }
    }

    /** Stored rows handed to {@link KnownRows#addAll} at a time: their slots (one or two 64-byte lines each) stay in the cache between its two passes. */
    private static final int LOAD_BATCH = 1024;

    /** About how many rows of the table (2) are of the source (1): see {@link #estimatedRows}. */
    private static final String SOURCE_ROWS_ESTIMATE = """
            select (greatest(c.reltuples, 0) * coalesce((
                       select f.freq from pg_stats s, unnest(s.most_common_vals::text::text[], s.most_common_freqs) as f(val, freq)
                       where s.schemaname = n.nspname and s.tablename = c.relname and s.attname = 'source' and f.val = ?), 1))::bigint
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.oid = cast(? as regclass)""";

    /** A source name as an SQL literal (COPY takes no parameters; names are [A-Za-z0-9._-] anyway). */
    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Runs a statement against the staging tables (readers derive rows with SQL where that is simpler). */
    public JdbcClient.StatementSpec sql(String sql) {
        return jdbc.sql(sql);
    }

    /**
     * The reader writes no more rows of these entities (their writers are closed) but goes on reading others: what
     * {@link #finishReading} does for each of them alone — their stored rows whose records were not recognised are
     * listed as gone, the stage keeps only what changed — is done now, on the import's connection, beside the reading
     * (the guardian links' replay of a nightly delta, where the connection and a core had nothing else to do).
     */
    public void readingDoneFor(Entity... entities) {
        for (Entity e : entities) {
            StoredRecords recordFingerprints = fingerprintsNow(e);
            if (recordFingerprints != null && settledEarly.add(e)) {
                timed("analyze " + e.label(), () -> analyzeStage(e));
                timed("settle " + e.label() + " by fingerprint", () -> settleFingerprinted(e, recordFingerprints));
            }
        }
    }

    /**
     * Reading is over: lists the stored rows the snapshot lacks (gone) and, where the stage was filled
     * without filtering, drops the rows that did not change — the stage then holds only what changed.
     */
    void finishReading() {
        for (Entity e : Entity.values()) {
            // a fingerprinted entity's known rows are only those read (all seen): its gone rows are settled below
            KnownRows rows = fingerprintsNow(e) == null ? storedNow(e) : null;
            if (rows != null) {
                timed("list gone " + e.label(), () -> listGone(e, rows::forEachUnseen));
            }
        }
        analyze();
        for (Entity e : Entity.values()) {
            StoredRecords recordFingerprints = settledEarly.contains(e) ? null : fingerprintsNow(e);
            if (recordFingerprints != null) {
                timed("settle " + e.label() + " by fingerprint", () -> settleFingerprinted(e, recordFingerprints));
            }
        }
        checkDuplicates();
        for (Entity e : Entity.values()) {
            if (!known.containsKey(e)) {
                timed("sparse " + e.label(), () -> {
                    jdbc.sql("insert into " + gone(e) + " select t.id from " + e.table() + " t where t.source = :source "
                            + "and not exists (select 1 from " + e.stageTable() + " s where s.id = t.id)").param("source", source).update();
                    dropUnchanged(e);
                    return null;
                });
            }
        }
        analyze();
    }

    /**
     * For an entity whose records were fingerprinted: the stage holds the rows of the records that were read (new or
     * changed records, or ones stored without a fingerprint); the records recognised by their fingerprints were not
     * read. Here, over the small stage and what was not recognised: the stored rows of records not recognised go, unless
     * a staged row has their id; a staged id that a recognised record's row has too is a repeated id; a staged row equal
     * to its stored one is unchanged (and its stored row now carries the new record's fingerprint, so the next import
     * recognises it) and leaves the stage.
     */
    private Void settleFingerprinted(Entity e, StoredRecords records) {
        listGone(e, records::forEachRowNotRecognised);
        jdbc.sql("analyze " + gone(e)).update();
        Origin origin = originOf(e);
        jdbc.sql("select s.source_id, s.line_no, t.line_fp from " + e.stageTable() + " s join " + e.table() + " t on t.id = s.id "
                        + "where not exists (select 1 from " + gone(e) + " g where g.id = s.id) order by s.line_no limit " + Problems.LIMIT)
                .query((rs, n) -> {
                    long read = rs.getLong(2);
                    UUID recognisedFingerprint = rs.getObject(3, UUID.class);
                    long recognised = recognisedFingerprint == null ? 0 : records.lineOf(recognisedFingerprint);
                    problems.add(origin.file(), Math.max(read, recognised), origin.idColumn(),
                            "duplicate id '" + rs.getString(1) + "' (first on line " + Math.min(read, recognised) + ")");
                    return null;
                }).list();
        jdbc.sql("delete from " + gone(e) + " g using " + e.stageTable() + " s where s.id = g.id").update();
        jdbc.sql("update " + e.table() + " t set line_fp = s.line_fp from " + e.stageTable() + " s "
                + "where t.id = s.id and t.content_hash = s.content_hash and t.line_fp is distinct from s.line_fp").update();
        dropUnchanged(e);
        return null;
    }

    /** Copies the ids {@code ids} hands out into the entity's gone table. */
    private Void listGone(Entity e, Consumer<Consumer<UUID>> ids) {
        try (var out = new BufferedWriter(new OutputStreamWriter(
                new PGCopyOutputStream(connection.unwrap(PGConnection.class), "copy " + gone(e) + " (id) from stdin"), StandardCharsets.UTF_8))) {
            ids.accept(id -> {
                try {
                    out.write(id.toString());
                    out.write('\n');
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        } catch (SQLException | IOException ex) {
            throw new IllegalStateException("could not list removed " + e.label(), ex);
        }
        return null;
    }

    /** Staged rows equal to their stored ones leave the stage, counted as unchanged. */
    private void dropUnchanged(Entity e) {
        long same = jdbc.sql("delete from " + e.stageTable() + " s using " + e.table() + " t where t.id = s.id and t.content_hash = s.content_hash")
                .update();
        unchanged.merge(e, same, Long::sum);
    }

    void analyze() {
        timed("analyze", () -> analyzeStage(Entity.values()));
    }

    private Void analyzeStage(Entity... entities) {
        // The planner needs row counts to pick hash joins; a small sample is enough for that.
        jdbc.sql("set local default_statistics_target = 10").update();
        for (Entity e : entities) {
            jdbc.sql("analyze " + e.stageTable()).update();
            jdbc.sql("analyze " + gone(e)).update();
        }
        jdbc.sql("reset default_statistics_target").update(); // the live tables keep their full statistics
        return null;
    }

    /** Duplicate ids among rows staged without filtering (filtering writers catch repeats as they read). */
    private void checkDuplicates() {
        for (Entity e : Entity.values()) {
            if (problems.full()) {
                break;
            }
            if (known.containsKey(e)) {
                continue;
            }
            Origin origin = originOf(e);
            timed("check duplicate " + e.label(), () -> jdbc.sql("select s.source_id, s.line_no, d.first_line from " + e.stageTable() + " s join ("
                            + "select id, min(line_no) first_line from " + e.stageTable() + " group by id having count(*) > 1) d "
                            + "on d.id = s.id where s.line_no > d.first_line order by s.line_no limit " + Problems.LIMIT)
                    .query((rs, n) -> {
                        problems.add(origin.file(), rs.getLong("line_no"), origin.idColumn(),
                                "duplicate id '" + rs.getString("source_id") + "' (first on line " + rs.getLong("first_line") + ")");
                        return null;
                    }).list());
        }
        problems.throwIfAny();
    }

    /**
     * Every reference resolves within the snapshot: a staged row's reference points at a staged row or at
     * a stored one that stays; a stored row that stays does not point at one that goes.
     */
    void checkReferences() {
        // Staged rows, all references to one entity at once: one hash of its staged ids (a million persons, on a first
        // import) instead of one per referring column.
        Map<Entity, List<Reference>> byTarget = new LinkedHashMap<>();
        REFERENCES.forEach(ref -> byTarget.computeIfAbsent(ref.to(), t -> new ArrayList<>()).add(ref));
        byTarget.forEach((target, refs) -> {
            if (!problems.full()) {
                checkStagedReferences(target, refs);
            }
        });
        for (Reference ref : REFERENCES) {
            if (problems.full()) {
                break;
            }
            Origin origin = originOf(ref.from());
            String column = inputColumn(ref);
            String targetFile = originOf(ref.to()).file();
            StoredRecords fromRecords = fingerprintsNow(ref.from());
            KnownRows fromRows = fromRecords == null ? storedNow(ref.from()) : null;
            timed("check kept " + ref.from().label() + "." + ref.column(), () -> jdbc.sql("select f.id, t.source_id, "
                            + (ref.from().hasLineFingerprint() ? "f.line_fp" : "null::uuid") + " from " + ref.from().table() + " f "
                            + "join " + gone(ref.to()) + " g on g.id = f." + ref.column() + " join " + ref.to().table() + " t on t.id = g.id "
                            + "where f.source = :source and not exists (select 1 from " + ref.from().stageTable() + " s where s.id = f.id) "
                            + "and not exists (select 1 from " + gone(ref.from()) + " x where x.id = f.id) limit " + Problems.LIMIT)
                    .param("source", source)
                    .query((rs, n) -> {
                        // a kept row's line: where its record was recognised, or (rows not fingerprinted) where the row was seen
                        UUID recordFingerprint = rs.getObject(3, UUID.class);
                        long line = fromRecords != null ? (recordFingerprint == null ? 0 : fromRecords.lineOf(recordFingerprint))
                                : fromRows == null ? 0 : fromRows.lineOf(rs.getObject(1, UUID.class));
                        problems.add(origin.file(), line, column, "refers to '" + rs.getString(2) + "', which is not in " + targetFile);
                        return null;
                    }).list());
        }
        checkOrganisationTree();
        problems.throwIfAny();
    }

    /**
     * Staged rows that refer to {@code target} (by {@code refs}) and find it neither staged nor stored (and staying):
     * problems in the order of the references, then of the lines.
     */
    private void checkStagedReferences(Entity target, List<Reference> refs) {
        List<String> referring = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            Reference ref = refs.get(i);
            referring.add("select " + i + " as ref, s.line_no, s." + ref.rawSlot() + " as raw, s." + ref.column() + " as target from "
                    + ref.from().stageTable() + " s where s." + ref.column() + " is not null");
        }
        String targetFile = originOf(target).file();
        timed("check references to " + target.label(), () -> jdbc.sql("select r.ref, r.line_no, r.raw from (" + String.join(" union all ", referring)
                        + ") r where not exists (select 1 from " + target.stageTable() + " t where t.id = r.target)"
                        + " and not exists (select 1 from " + target.table() + " t where t.id = r.target and t.source = :source"
                        + " and not exists (select 1 from " + gone(target) + " g where g.id = t.id))"
                        + " order by r.ref, r.line_no limit " + Problems.LIMIT)
                .param("source", source)
                .query((rs, n) -> {
                    Reference ref = refs.get(rs.getInt(1));
                    problems.add(originOf(ref.from()).file(), rs.getLong(2), inputColumn(ref), "refers to '" + rs.getString(3) + "', which is not in " + targetFile);
                    return null;
                }).list());
    }

    /** The input's name for a reference's column (as its origin spells it). */
    private String inputColumn(Reference ref) {
        Origin origin = originOf(ref.from());
        return ref.rawSlot().equals("ref_a") ? origin.refAColumn() : origin.refBColumn();
    }

    /** Organisations form a tree: a unit that is its own ancestor (a loop of parents) is refused. */
    private void checkOrganisationTree() {
        record Unit(UUID id, UUID parent, String sourceId, long line) {
        }
        Map<UUID, Unit> units = new java.util.HashMap<>();
        jdbc.sql("select o.id, o.parent_id, o.source_id from organisation o where o.source = :source "
                        + "and not exists (select 1 from " + gone(Entity.ORGANISATION) + " g where g.id = o.id)")
                .param("source", source)
                .query((rs, n) -> units.put(rs.getObject(1, UUID.class), new Unit(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), 0)))
                .list();
        jdbc.sql("select id, parent_id, source_id, line_no from " + Entity.ORGANISATION.stageTable())
                .query((rs, n) -> units.put(rs.getObject(1, UUID.class), new Unit(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        rs.getLong(4)))).list();
        Set<UUID> cleared = new HashSet<>();
        KnownRows known = storedNow(Entity.ORGANISATION);
        for (Unit start : units.values()) {
            List<UUID> path = new ArrayList<>();
            Set<UUID> onPath = new HashSet<>();
            for (UUID at = start.id(); at != null && !cleared.contains(at) && units.containsKey(at); at = units.get(at).parent()) {
                if (!onPath.add(at)) {
                    Unit looped = units.get(at);
                    long line = looped.line() > 0 ? looped.line() : known == null ? 0 : known.lineOf(at);
                    List<String> names = path.subList(path.indexOf(at), path.size()).stream().map(id -> units.get(id).sourceId()).toList();
                    problems.add(originOf(Entity.ORGANISATION).file(), line, originOf(Entity.ORGANISATION).refAColumn(),
                            "'" + looped.sourceId() + "' is its own ancestor: " + String.join(" → ", names) + " → " + looped.sourceId());
                    cleared.addAll(onPath);
                    break;
                }
                path.add(at);
            }
            cleared.addAll(onPath);
        }
    }

    private Origin originOf(Entity e) {
        return origins.getOrDefault(e, new Origin(e.label(), "id", "ref", "ref"));
    }

    /** How many of the persons a held import would remove are listed by name for the approver (the rest are counted). */
    static final int REMOVAL_LISTED = 500;

    /**
     * For an import asked for by an administrator whose grant covers some organisers whole but not the whole installation
     * (SourceScopes.mayImportInto let them import into this source): the package may not add an organisation at the top
     * — a new organiser, or a unit under none. It would lie outside the grant, and the administrator could no longer see,
     * correct or take back the source. A unit below the source's organisers lies within it: a source's rows refer only
     * to its own rows. Refused with each such row named, nothing changed.
     */
    void refuseNewTopOrganisations() {
        Origin origin = originOf(Entity.ORGANISATION);
        List<ImportProblem> found = jdbc.sql("""
                        select s.source_id, s.line_no from stage_organisation s
                        where (s.kind = 'ORGANISER' or s.parent_id is null) and not exists (select 1 from organisation o where o.id = s.id)
                        order by s.line_no limit :limit""").param("limit", Problems.LIMIT)
                .query((rs, n) -> new ImportProblem(origin.file(), rs.getLong(2), origin.idColumn(), "adds the organisation '" + rs.getString(1)
                        + "' at the top (an organiser, or a unit under none): outside your grant; an administrator over the whole installation imports it"))
                .list();
        if (!found.isEmpty()) {
            throw new ImportRejectedException(found);
        }
    }

    /** The accidental-deletion guard: how many persons of this source would the snapshot remove? */
    void guardMassRemoval(boolean allowed, double thresholdPercent) {
        // the source's persons as stored: known already when they were loaded to read a full snapshot (counting them
        // again reads the whole table), counted for a prefilled stage
        long current = storedPersons();
        if (allowed || current == 0) {
            return;
        }
        int removing = jdbc.sql("select count(*) from " + gone(Entity.PERSON)).query(Integer.class).single();
        if (removing > current * thresholdPercent / 100.0) {
            // who would go, for whoever decides: counts per school unit (a pupil's school, else a duty's unit) and the
            // first of them by name — read now, while the stage still tells who they are
            List<MassRemovalBlockedException.UnitCount> byUnit = jdbc.sql("""
                            select u.id, u.name, count(*) from (
                                select coalesce((select e.school_unit_id from enrolment e where e.person_id = g.id order by e.school_unit_id limit 1),
                                                (select d.organisation_id from duty d where d.person_id = g.id order by d.organisation_id limit 1)) unit
                                from %s g) x
                            left join organisation u on u.id = x.unit
                            group by u.id, u.name order by count(*) desc, u.name""".formatted(gone(Entity.PERSON)))
                    .query((rs, n) -> new MassRemovalBlockedException.UnitCount(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3))).list();
            List<UUID> first = jdbc.sql("select g.id from " + gone(Entity.PERSON) + " g join person p on p.id = g.id"
                            + " order by p.family_name, p.given_name, p.id limit " + REMOVAL_LISTED)
                    .query(UUID.class).list();
            throw new MassRemovalBlockedException(source, removing, current, thresholdPercent, byUnit, first);
        }
    }

    /**
     * Records the journal (joined / moved / changed / left / group changed) from the sparse stage, then applies it:
     * removes what is gone, updates what changed, inserts what is new. Returns counts per entity.
     */
    Applied apply(UUID runId) {
        long changes = timed("journal", () -> journal(runId));
        Map<String, ImportSummary.Counts> counts = new LinkedHashMap<>();
        for (Entity e : Entity.values()) {
            ImportSummary.Counts c = timed("apply " + e.label(), () -> applyEntity(e));
            counts.put(e.label(), c);
            long changed = c.created() + c.updated() + c.removed();
            if (changed > 10_000 && changed * 10 > c.created() + c.updated() + c.unchanged()) {
                // Fresh statistics after a big change, or the next import's plans (and the browser's) go astray. A change
                // of under a tenth of the table moves its statistics little (autovacuum analyzes from a tenth too);
                // analyzing then would cost a nightly delta most of a second a table for nothing.
                timed("analyze " + e.label(), () -> jdbc.sql("select analyze_working_table(cast(:t as regclass))").param("t", e.table()).query().singleRow());
            }
        }
        return new Applied(counts, changes);
    }

    record Applied(Map<String, ImportSummary.Counts> counts, long changes) {
    }

    private long journal(UUID runId) {
        if (storedPersons() == 0) {
            // The source's first import: nobody stays, so nobody moved or changed (both name stored persons only, and a
            // person's id is made from its source; looking would aggregate every placement to find none, ~1.5 s a
            // million). Nor is there a stored placement to touch: the groups changed are the staged and gone ones and
            // the staged memberships' groups, read from the stage without gathering every placement first (~0.7 s).
            return journalJoinedAndLeft(runId) + timed("journal group changed", () -> journalGroupsChanged(runId,
                    "select group_id from stage_membership union all select id from stage_student_group union all select id from "
                            + gone(Entity.GROUP)));
        }
        timed("journal touched", () -> {
            jdbc.sql("create temp table touched (person_id uuid, group_id uuid) on commit drop").update();
            // Placements that are new, changed or gone touch their person (and group), before and after.
            for (Entity e : List.of(Entity.MEMBERSHIP, Entity.ENROLMENT, Entity.DUTY)) {
                boolean inGroup = e == Entity.MEMBERSHIP;
                jdbc.sql("insert into touched select s.person_id, " + (inGroup ? "s.group_id" : "null::uuid") + " from " + e.stageTable() + " s").update();
                jdbc.sql("insert into touched select t.person_id, " + (inGroup ? "t.group_id" : "null::uuid") + " from " + e.table() + " t "
                        + "join (select id from " + e.stageTable() + " union all select id from " + gone(e) + ") c on c.id = t.id").update();
            }
            // Groups created, changed or removed themselves.
            return jdbc.sql("insert into touched select null::uuid, id from stage_student_group union all select null::uuid, id from " + gone(Entity.GROUP))
                    .update();
        });
        long n = journalJoinedAndLeft(runId);
        n += timed("journal moved", () -> jdbc.sql("insert into directory_change (import_run_id, kind, person_id) select :run, 'PERSON_MOVED', t.person_id "
                + "from (select distinct person_id from touched where person_id is not null) t "
                + "where exists (select 1 from person p where p.id = t.person_id) "
                + "and not exists (select 1 from " + gone(Entity.PERSON) + " g where g.id = t.person_id) order by t.person_id")
                .param("run", runId).update());
        n += timed("journal changed persons", () -> jdbc.sql(PERSON_CHANGED).param("run", runId).update());
        n += timed("journal group changed", () -> journalGroupsChanged(runId, "select group_id from touched"));
        return n;
    }

    private long journalJoinedAndLeft(UUID runId) {
        return timed("journal joined and left", () -> jdbc.sql("insert into directory_change (import_run_id, kind, person_id) select :run, 'PERSON_JOINED', s.id "
                + "from stage_person s where not exists (select 1 from person p where p.id = s.id) order by s.id").param("run", runId).update()
                + jdbc.sql("insert into directory_change (import_run_id, kind, person_id) select :run, 'PERSON_LEFT', g.id "
                + "from " + gone(Entity.PERSON) + " g order by g.id").param("run", runId).update());
    }

    /** One entry for each group among {@code groupIds} (a query of one column, group_id; nulls ignored), in id order. */
    private int journalGroupsChanged(UUID runId, String groupIds) {
        return jdbc.sql("insert into directory_change (import_run_id, kind, group_id) select :run, 'GROUP_CHANGED', t.group_id "
                + "from (select distinct group_id from (" + groupIds + ") g (group_id) where group_id is not null) t order by t.group_id")
                .param("run", runId).update();
    }

    /**
     * How many persons the source had stored before this import: known when they were loaded to read a full snapshot,
     * else counted (once: nothing is applied before the journal, which asks again).
     */
    private long storedPersons() {
        if (storedPersonCount == null) {
            StoredRecords personRecords = fingerprintsNow(Entity.PERSON);
            KnownRows storedPersons = personRecords == null ? storedNow(Entity.PERSON) : null;
            storedPersonCount = personRecords != null ? personRecords.stored() : storedPersons != null ? storedPersons.stored()
                    : jdbc.sql("select count(*) from person where source = :source").param("source", source).query(Long.class).single();
        }
        return storedPersonCount;
    }

    /**
     * Persons who stay but whose released attributes changed: a staged person row (the stage holds only
     * new and changed rows) whose stored row differs in a column the release policy can release — every
     * person column, named here so that a column added later for internal use does not count by accident —
     * and children whose guardian links (released as the guardians' pseudonyms) were added or removed. A
     * link's id is made from its pair (child, guardian), so a re-pointed link is a new one and a gone one;
     * a staged link with a stored id changed only its relation word, which is not released and does not
     * count. Joiners and leavers have their own entries. Set-based over the sparse stage, so its cost
     * follows what changed.
     */
    private static final String PERSON_CHANGED = """
            insert into directory_change (import_run_id, kind, person_id)
            select :run, 'PERSON_CHANGED', c.person_id from (
                select s.id as person_id from stage_person s join person p on p.id = s.id
                where (s.given_name, s.family_name, s.civic_number, s.email, s.username, s.protection)
                      is distinct from (p.given_name, p.family_name, p.civic_number, p.email, p.username, p.protection)
                union
                select s.child_id from stage_guardian_link s where not exists (select 1 from guardian_link t where t.id = s.id)
                union
                select t.child_id from gone_guardian_link g join guardian_link t on t.id = g.id
            ) c
            where exists (select 1 from person p where p.id = c.person_id)
              and not exists (select 1 from gone_person g where g.id = c.person_id)
            order by c.person_id""";

    private ImportSummary.Counts applyEntity(Entity e) {
        List<String> written = new ArrayList<>(e.columns());
        if (e.hasLineFingerprint()) {
            written.add("line_fp");
        }
        String cols = String.join(", ", written);
        String sets = String.join(", ", written.stream().map(c -> c + " = s." + c).toList());
        String touch = e.hasUpdatedAt() ? ", updated_at = now()" : "";
        int removed = jdbc.sql("delete from " + e.table() + " t using " + gone(e) + " g where t.id = g.id").update();
        int updated = jdbc.sql("update " + e.table() + " t set " + sets + ", content_hash = s.content_hash" + touch
                + " from " + e.stageTable() + " s where t.id = s.id and t.content_hash <> s.content_hash").update();
        boolean deferred = deferIndexesOfEmptyTable(e);
        // A table whose primary key was laid aside is empty and locked until commit: every staged row is new, and there is
        // no b-tree to keep. Otherwise in key order: appending to the primary key's b-tree is far cheaper than at random.
        boolean keyLaidAside = deferred && !hasPrimaryKey(e);
        int created = jdbc.sql("insert into " + e.table() + " (id, source, source_id, " + cols + ", content_hash) "
                + "select s.id, :source, s.source_id, " + prefixed(written) + ", s.content_hash from " + e.stageTable() + " s"
                + (keyLaidAside ? "" : " where not exists (select 1 from " + e.table() + " t where t.id = s.id) order by s.id"))
                .param("source", source).update();
        if (deferred) {
            timed("rebuild indexes and keys of " + e.label(), () -> jdbc.sql("select restore_secondary_indexes(cast(:table as regclass))")
                    .param("table", e.table()).query(Integer.class).single());
        }
        return new ImportSummary.Counts(created, updated, removed, unchanged.getOrDefault(e, 0L));
    }

    /**
     * The first big import into an empty table: its secondary indexes, its own foreign keys and (where no other table
     * refers to it, or every one that does is empty too and has its key laid aside with it) its primary key are dropped
     * and made again after the insert (in this transaction), which is several times faster than maintaining the indexes
     * and checking the keys row by row (a foreign key added again checks every row in one join). The table is locked
     * until commit, which costs nobody anything while it is empty. Done by database functions (directory migrations
     * V2026.11.24.5, V2026.12.12.40, .51, .85 and .86) because the application's role may not alter tables.
     */
    private boolean deferIndexesOfEmptyTable(Entity e) {
        if (jdbc.sql("select count(*) from " + e.stageTable()).query(Long.class).single() < deferIndexesFrom
                || jdbc.sql("select exists (select 1 from " + e.table() + ")").query(Boolean.class).single()) {
            return false;
        }
        // Laying indexes aside takes the table to itself, so it waits for every other transaction that has touched the
        // table to end. Another import's has, since its start (its stage is made from the table), and at its own apply
        // it would queue behind that wait: a deadlock, which PostgreSQL ends by failing one of the two. So only when no
        // other import is under way (each holds this lock shared from its start): then this transaction holds it
        // exclusively until it commits, and an import that starts meanwhile waits before it touches anything. When one
        // is, this import inserts with the indexes in place — slower, never stuck.
        if (!jdbc.sql("select pg_try_advisory_xact_lock(" + IMPORTS_UNDER_WAY + ")").query(Boolean.class).single()) {
            return false;
        }
        return jdbc.sql("select defer_secondary_indexes(cast(:table as regclass))").param("table", e.table()).query(Integer.class).single() > 0;
    }

    private boolean hasPrimaryKey(Entity e) {
        return jdbc.sql("select exists (select 1 from pg_constraint where conrelid = cast(:table as regclass) and contype = 'p')")
                .param("table", e.table()).query(Boolean.class).single();
    }

    private static String prefixed(List<String> columns) {
        List<String> out = new ArrayList<>();
        for (String c : columns) {
            out.add("s." + c);
        }
        return String.join(", ", out);
    }
}
