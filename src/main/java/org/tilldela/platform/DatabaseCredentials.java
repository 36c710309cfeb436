package org.tilldela.platform;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded database's two passwords (the migrating owner's and the application role's), generated
 * once and kept in {@code secrets/database.properties} under the data directory: the directory is
 * {@code rwx------} and the file {@code rw-------}, so only the account that runs Tilldela can read them.
 * Back the file up with the data directory; without it the database cannot be opened.
 */
public final class DatabaseCredentials {

    /** Relative to the data directory. */
    public static final String FILE = "secrets/database.properties";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Properties passwords;
    private final boolean existedBefore;

    private DatabaseCredentials(Path file, Properties passwords, boolean existedBefore) {
        this.file = file;
        this.passwords = passwords;
        this.existedBefore = existedBefore;
    }

    /** Reads the file, or writes a new one with fresh random passwords. */
    static synchronized DatabaseCredentials loadOrCreate(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(in);
                }
                for (String role : new String[] {EmbeddedDatabase.OWNER, EmbeddedDatabase.APP_ROLE}) {
                    if (p.getProperty(role, "").isBlank()) {
                        throw new IllegalStateException(file + " has no password for the database role " + role);
                    }
                }
                restrict(file, OWNER_ONLY_FILE);
                return new DatabaseCredentials(file, p, true);
            }
            Properties p = new Properties();
            p.setProperty(EmbeddedDatabase.OWNER, newPassword());
            p.setProperty(EmbeddedDatabase.APP_ROLE, newPassword());
            Files.createDirectories(file.getParent());
            restrict(file.getParent(), OWNER_ONLY_DIR);
            // written next to its place and moved there, so a crash never leaves half a file
            Path temp = ownerOnlyFile(file.getParent(), "database", ".tmp");
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(out, "Passwords of the embedded PostgreSQL's roles. Generated once; keep with the data directory.");
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            return new DatabaseCredentials(file, p, false);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or write the database passwords in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The passwords of an existing embedded database (for tools and tests that connect on their own). */
    public static DatabaseCredentials read(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no database passwords in " + file);
        }
        return loadOrCreate(dataDir);
    }

    public String password(String role) {
        String password = passwords.getProperty(role);
        if (password == null) {
            throw new IllegalArgumentException("no password for the database role " + role);
        }
        return password;
    }

    Path file() {
        return file;
    }

    /** False when this start wrote the file. */
    boolean existedBefore() {
        return existedBefore;
    }

    /** The owner's password alone, for initdb's --pwfile; the caller deletes it. */
    Path writeOwnerPasswordFile(Path dir) throws IOException {
        Path f = ownerOnlyFile(dir, "initdb-", ".pw");
        Files.writeString(f, password(EmbeddedDatabase.OWNER) + "\n");
        return f;
    }

    private static String newPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static Path ownerOnlyFile(Path dir, String prefix, String suffix) throws IOException {
        return posix() ? Files.createTempFile(dir, prefix, suffix, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
                : Files.createTempFile(dir, prefix, suffix);
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }
}
