package org.tilldela.platform;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code backup FILE}: a consistent copy of the database while the server runs (see {@link Backups}). */
@Command(name = "backup", mixinStandardHelpOptions = true, description = {
        "Writes a consistent copy of the whole database (one snapshot, every table) to FILE, a zip, while the server may run.",
        "Keep the data directory's secrets/ folder (the key-encryption key) with it, or set tilldela.sso.key-encryption-key."})
public class BackupCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The backup file to write (a zip; replaced when it exists).")
    Path file;

    @Override
    public Integer call() throws Exception {
        long started;
        Path target = file.toAbsolutePath();
        // it holds the directory's personal data: readable by its owner only from the first byte, and gone if the copy fails
        Path partial = SecretFiles.createOwnerOnly(target.getParent(), target.getFileName() + ".", ".partial");
        Backups.Manifest manifest;
        try {
            // as the migrating owner: it may read every table, the append-only and owner-only ones too
            try (Connection c = owner().getConnection(); OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
                started = System.nanoTime(); // the copy itself, without the command's start
                manifest = Backups.backup(c, out);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        long rows = manifest.rows().values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("backup of schema version %s: %d tables, %,d rows, %,d bytes in %.1f s%n", manifest.schemaVersion(), manifest.rows().size(), rows,
                Files.size(file), (System.nanoTime() - started) / 1e9);
        return 0;
    }

    static DataSource owner() {
        return CommandContext.bean(Flyway.class).getConfiguration().getDataSource();
    }

    /** {@code restore FILE}: into a new, empty database migrated to the backup's schema version. */
    @Command(name = "restore", mixinStandardHelpOptions = true, description = {
            "Restores a backup made by 'backup' into a new, empty database of the same schema version (refused otherwise; nothing is changed then).",
            "Stop the server first. Put the backed-up secrets/ folder's key-encryption key in place (or set tilldela.sso.key-encryption-key)."})
    public static class Restore implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The backup file.")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                System.err.println("error: " + file + " is not a file");
                return 2;
            }
            long started;
            Backups.Manifest manifest;
            try (Connection c = owner().getConnection()) {
                started = System.nanoTime(); // the load itself, without the command's start (and migration)
                manifest = Backups.restore(c, file);
            } catch (IllegalStateException e) {
                System.err.println("nothing was restored: " + e.getMessage());
                return 3;
            }
            long rows = manifest.rows().values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("restored schema version %s: %d tables, %,d rows in %.1f s%n", manifest.schemaVersion(), manifest.rows().size(), rows,
                    (System.nanoTime() - started) / 1e9);
            return 0;
        }
    }
}
