package org.tilldela.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A consistent copy of the whole database while the server runs, and its restore into an empty database of the same
 * schema version. The copy is one REPEATABLE READ, read-only transaction — one snapshot — in which every table of the
 * schema is written with PostgreSQL's COPY (binary) into a zip entry of its own, next to a manifest naming the Flyway
 * version and each table's row count. A restore loads them in one transaction, so a failed restore leaves the target
 * as empty as it was.
 */
public final class Backups {

    /** Tables that say whether a database holds anything of a municipality: all must be empty to restore into it. */
    static final List<String> MUST_BE_EMPTY = List.of("organisation", "person", "import_run", "disclosure_record", "audit_event", "supplier", "product");

    private static final String MANIFEST = "manifest.properties";

    private Backups() {
    }

    /** What a backup holds: the schema version and rows per table. */
    public record Manifest(String schemaVersion, Map<String, Long> rows, List<java.time.LocalDate> ledgerMonths) {
    }

    /**
     * The ledger's month partitions (made by the ledger's own {@code ledger_make_month}, which also makes each one
     * append-only). A restore makes the backup's months before it loads the ledger: a fresh database has only this
     * month and the next three, and records of an older month would otherwise land in the default partition, where the
     * ledger's retention, which removes whole months, could never reach them.
     */
    private static final String LEDGER_MONTHS = """
            select to_date(substr(c.relname, length('disclosure_') + 1), 'YYYY_MM')
            from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = to_regclass('disclosure_record') and c.relname ~ '^disclosure_[0-9]{4}_[0-9]{2}$'
            order by 1""";

    /** Writes the backup; answers its manifest. The connection must be able to read every table (the migrating owner). */
    public static Manifest backup(Connection connection, OutputStream out) throws SQLException, IOException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            // one snapshot for every table: what the server commits meanwhile is either wholly in it or not at all
            s.execute("set transaction isolation level repeatable read, read only");
            String version = schemaVersion(connection);
            List<java.time.LocalDate> months = ledgerMonths(connection);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            Map<String, Long> rows = new LinkedHashMap<>();
            ZipOutputStream zip = new ZipOutputStream(out);
            for (String table : tables(connection)) {
                zip.putNextEntry(new ZipEntry("tables/" + table + ".copy"));
                // a query, so that a partitioned table is copied as one (COPY of a partitioned table itself is refused)
                rows.put(table, copy.copyOut("copy (select " + columns(connection, table) + " from " + quote(table) + ") to stdout (format binary)",
                        new NonClosing(zip)));
                zip.closeEntry();
            }
            Properties manifest = new Properties();
            manifest.setProperty("schema.version", version);
            manifest.setProperty("ledger.months", String.join(",", months.stream().map(Object::toString).toList()));
            rows.forEach((t, n) -> manifest.setProperty("rows." + t, Long.toString(n)));
            zip.putNextEntry(new ZipEntry(MANIFEST));
            manifest.store(new NonClosing(zip), "Tilldela backup");
            zip.closeEntry();
            zip.finish();
            connection.commit();
            return new Manifest(version, rows, months);
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Restores a backup into this database, which must be migrated to the backup's schema version and hold nothing of a
     * municipality (see {@link #MUST_BE_EMPTY}); refused otherwise, with the reason, and nothing changed. Rows the
     * migrations put in (seed rows) are replaced by the backup's. Needs a role that may set {@code session_replication_role}
     * (the embedded database's owner): the append-only tables' triggers and the foreign keys are not fired while loading.
     */
    public static Manifest restore(Connection connection, java.nio.file.Path backup) throws SQLException, IOException {
        Manifest manifest = readManifest(backup);
        String version = schemaVersion(connection);
        if (!version.equals(manifest.schemaVersion())) {
            throw new IllegalStateException("the backup is of schema version " + manifest.schemaVersion() + ", this database is at " + version
                    + ": restore with the Tilldela release that made the backup, into a database it migrated, then start the new release");
        }
        List<String> tables = tables(connection);
        for (String table : MUST_BE_EMPTY) {
            if (tables.contains(table) && count(connection, table) > 0) {
                throw new IllegalStateException("this database is not empty (" + table + " has rows): restore only into a new, empty database");
            }
        }
        for (String table : manifest.rows().keySet()) {
            if (!tables.contains(table)) {
                throw new IllegalStateException("the backup has table " + table + ", which this database does not: not the same schema");
            }
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("set local session_replication_role = replica");
            try (var make = connection.prepareStatement("select ledger_make_month('disclosure_record', ?)")) {
                for (java.time.LocalDate month : manifest.ledgerMonths()) {
                    make.setObject(1, month);
                    make.execute();
                }
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            try (ZipInputStream zip = new ZipInputStream(java.nio.file.Files.newInputStream(backup))) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    if (!entry.getName().startsWith("tables/")) {
                        continue;
                    }
                    String table = entry.getName().substring("tables/".length(), entry.getName().length() - ".copy".length());
                    if (!manifest.rows().containsKey(table)) {
                        throw new IllegalStateException("the backup's entry " + entry.getName() + " is not in its manifest");
                    }
                    s.execute("delete from " + quote(table)); // seed rows of the migrations; the data tables were checked empty
                    long loaded = copy.copyIn("copy " + quote(table) + " (" + columns(connection, table) + ") from stdin (format binary)", new NonClosingIn(zip));
                    if (loaded != manifest.rows().get(table)) {
                        throw new IllegalStateException("table " + table + ": " + loaded + " rows in the backup, its manifest says " + manifest.rows().get(table));
                    }
                }
            }
            // identity and serial columns continue after the restored rows
            try (ResultSet sequences = s.executeQuery("""
                    select c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname)
                    from pg_class c join pg_attribute a on a.attrelid = c.oid
                    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
                      and pg_get_serial_sequence(quote_ident(c.relname), a.attname) is not null""")) {
                List<String[]> found = new ArrayList<>();
                while (sequences.next()) {
                    found.add(new String[] {sequences.getString(1), sequences.getString(2), sequences.getString(3)});
                }
                for (String[] f : found) {
                    try (Statement set = connection.createStatement()) {
                        set.execute("select setval('" + f[2].replace("'", "''") + "', coalesce((select max(" + quote(f[1]) + ") from " + quote(f[0])
                                + "), 0) + 1, false)");
                    }
                }
            }
            connection.commit();
            return manifest;
        } catch (SQLException | IOException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    public static Manifest readManifest(java.nio.file.Path backup) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(java.nio.file.Files.newInputStream(backup))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(MANIFEST)) {
                    Properties p = new Properties();
                    p.load(new java.io.InputStreamReader(zip, StandardCharsets.ISO_8859_1));
                    Map<String, Long> rows = new LinkedHashMap<>();
                    p.stringPropertyNames().stream().filter(n -> n.startsWith("rows.")).sorted()
                            .forEach(n -> rows.put(n.substring(5), Long.parseLong(p.getProperty(n))));
                    String months = p.getProperty("ledger.months", "");
                    return new Manifest(p.getProperty("schema.version"), rows,
                            months.isBlank() ? List.of() : java.util.Arrays.stream(months.split(",")).map(java.time.LocalDate::parse).toList());
                }
            }
        }
        throw new IllegalStateException(backup + " is not a Tilldela backup (it has no " + MANIFEST + ")");
    }

    private static List<java.time.LocalDate> ledgerMonths(Connection connection) throws SQLException {
        List<java.time.LocalDate> months = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(LEDGER_MONTHS)) {
            while (rs.next()) {
                months.add(rs.getObject(1, java.time.LocalDate.class));
            }
        }
        return months;
    }

    /** The version Flyway last applied successfully. */
    static String schemaVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("select version from flyway_schema_history where success and version is not null order by installed_rank desc limit 1")) {
            if (!rs.next()) {
                throw new IllegalStateException("the database has not been migrated");
            }
            return rs.getString(1);
        }
    }

    /** Every table of the schema (the flyway history too: it says which version the rows belong to), by name. */
    static List<String> tables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("""
                     select c.relname from pg_class c
                     where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
                     order by c.relname""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** The table's stored columns in order; generated ones are left out (PostgreSQL computes them again on restore). */
    static String columns(Connection connection, String table) throws SQLException {
        try (var s = connection.prepareStatement("""
                select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass and a.attnum > 0 and not a.attisdropped
                  and a.attgenerated = ''""")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static long count(Connection connection, String table) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** The zip stays open after COPY closes what it wrote to. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    private static final class NonClosingIn extends java.io.FilterInputStream {
        NonClosingIn(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
