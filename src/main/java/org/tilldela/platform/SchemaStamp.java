package org.tilldela.platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.Location;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * What this release's migrations would make of a database, as one digest, kept in the database after a successful
 * migrate ({@code schema_stamp}, owner-only, platform migration V2026.12.12.87) with a digest of the schema history
 * that migrate left. A start that finds both as its own has nothing to migrate and nothing for the callbacks to write,
 * and skips Flyway: Flyway's validation reads and checksums every migration and its callbacks run, about 0.3 s of every
 * command's start (BENCHMARKS.md, "Command start"). Anything else — a new release, a changed setting the callbacks
 * write, a history another release changed (also a failed migration of its), no stamp yet — and Flyway migrates as
 * always, then stamps.
 *
 * <p>The digest covers every file under {@code db/migration} (SQL migrations, callbacks, Java migrations' classes),
 * Flyway's placeholders (the settings the callbacks write), the settings that decide what a migrate does, and Flyway's
 * version. Migrations from anywhere but {@code classpath:db/migration} are not covered: then Flyway always runs.
 */
final class SchemaStamp {

    private static final Log log = LogFactory.getLog(SchemaStamp.class);
    private static final String LOCATION = "db/migration";

    private SchemaStamp() {
    }

    /** Migrates unless the database carries this release's stamp; stamps it after a migrate. */
    static void migrateUnlessStamped(Flyway flyway) {
        long started = System.nanoTime();
        Optional<String> stamp = of(flyway.getConfiguration());
        long made = System.nanoTime();
        DataSource owner = flyway.getConfiguration().getDataSource();
        if (stamp.isPresent() && stamped(owner, flyway.getConfiguration(), stamp.get())) {
            log.debug("the database carries this release's schema stamp (made in " + (made - started) / 1_000_000 + " ms, found in "
                    + (System.nanoTime() - made) / 1_000_000 + " ms): nothing to migrate");
            return;
        }
        flyway.migrate();
        stamp.ifPresent(s -> record(owner, flyway.getConfiguration(), s));
    }

    /** Whether Flyway's database carries this release's stamp under Flyway's configuration (never, where it has none). */
    static boolean carriesThisRelease(Flyway flyway) {
        Optional<String> stamp = of(flyway.getConfiguration());
        return stamp.isPresent() && stamped(flyway.getConfiguration().getDataSource(), flyway.getConfiguration(), stamp.get());
    }

    /** Whether the database carries this stamp and the schema history is as the migrate that stamped it left it. */
    static boolean stamped(DataSource owner, Configuration configuration, String stamp) {
        String sql = "select s.stamp, s.history = (" + historyDigest(configuration, "s.tableoid") + ") from " + qualified(configuration, "schema_stamp") + " s";
        try (Connection c = owner.getConnection(); PreparedStatement statement = c.prepareStatement(sql); ResultSet rs = statement.executeQuery()) {
            return rs.next() && stamp.equals(rs.getString(1)) && rs.getBoolean(2);
        } catch (SQLException e) {
            // no stamp table yet (a database this release has not migrated), or none we may read: Flyway decides
            return false;
        }
    }

    private static void record(DataSource owner, Configuration configuration, String stamp) {
        String table = qualified(configuration, "schema_stamp");
        String sql = "insert into " + table + " (only_row, stamp, history, stamped_at) values (true, ?, ("
                + historyDigest(configuration, "'" + table.replace("'", "''") + "'::regclass::oid") + "), now())"
                + " on conflict (only_row) do update set stamp = excluded.stamp, history = excluded.history, stamped_at = excluded.stamped_at";
        try (Connection c = owner.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, stamp);
            statement.executeUpdate();
        } catch (SQLException e) {
            // only the next start's shortcut is lost: it migrates (finding nothing) and stamps again
            log.warn("the schema stamp could not be written (the next start validates every migration again): " + e.getMessage());
        }
    }

    /**
     * Every applied (or failed) migration as the history records it, in order, and the stamp table itself (its oid, which
     * a table made anew by pg_restore or a restore into another database does not keep), as one digest: a restored
     * database is migrated at its first start, and the callbacks grant the application's role its rights there again.
     */
    private static String historyDigest(Configuration configuration, String stampTableOid) {
        return "select encode(sha256(convert_to(coalesce(string_agg(h.installed_rank || ':' || coalesce(h.version, '') || ':'"
                + " || coalesce(h.checksum::text, '') || ':' || h.success, ',' order by h.installed_rank), '') || '@' || " + stampTableOid
                + ", 'UTF8')), 'hex') from "
                + qualified(configuration, configuration.getTable()) + " h";
    }

    private static String qualified(Configuration configuration, String table) {
        String schema = configuration.getDefaultSchema() != null ? configuration.getDefaultSchema()
                : configuration.getSchemas().length > 0 ? configuration.getSchemas()[0] : null;
        return (schema == null ? "" : identifier(schema) + ".") + identifier(table);
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** This release's stamp under this configuration; empty where migrations come from elsewhere than classpath:db/migration. */
    static Optional<String> of(Configuration configuration) {
        Location[] locations = configuration.getLocations();
        if (locations.length != 1 || !locations[0].isClassPath() || !LOCATION.equals(strip(locations[0].getRootPath()))) {
            return Optional.empty();
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // the files, by their path under db/migration (the same in the jar, the extracted jar and target/classes)
            Map<String, Resource> files = new TreeMap<>();
            for (Resource r : new PathMatchingResourcePatternResolver(configuration.getClassLoader()).getResources("classpath*:" + LOCATION + "/**")) {
                String url = r.getURL().toString();
                if (url.endsWith("/") || !r.isReadable()) {
                    continue;
                }
                String path = url.substring(url.lastIndexOf(LOCATION + "/"));
                if (files.putIfAbsent(path, r) != null) {
                    files.put(path + "#" + files.size(), r); // the same path twice on the class path: both count
                }
            }
            for (Map.Entry<String, Resource> file : files.entrySet()) {
                try (InputStream in = file.getValue().getInputStream()) {
                    byte[] content = in.readAllBytes();
                    field(sha256, file.getKey());
                    field(sha256, Integer.toString(content.length));
                    sha256.update(content);
                }
            }
            field(sha256, "placeholders");
            for (Map.Entry<String, String> placeholder : new TreeMap<>(configuration.getPlaceholders()).entrySet()) {
                field(sha256, placeholder.getKey());
                field(sha256, String.valueOf(placeholder.getValue()));
            }
            for (Object setting : new Object[] {configuration.getTable(), configuration.getDefaultSchema(), Arrays.toString(configuration.getSchemas()),
                    configuration.getTarget(), configuration.isOutOfOrder(), configuration.isBaselineOnMigrate(), configuration.getBaselineVersion(),
                    Arrays.toString(configuration.getIgnoreMigrationPatterns()), configuration.getPlaceholderPrefix(), configuration.getPlaceholderSuffix(),
                    configuration.isPlaceholderReplacement(), Flyway.class.getPackage().getImplementationVersion()}) {
                field(sha256, String.valueOf(setting));
            }
            return Optional.of(HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            log.debug("no schema stamp (the migrations could not be read: " + e.getMessage() + "): Flyway migrates");
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** A value and its end, so that two values never read as another two. */
    private static void field(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
    }

    private static String strip(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
