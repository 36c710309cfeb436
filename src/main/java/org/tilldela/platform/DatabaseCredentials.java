package org.tilldela.platform;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The embedded database's two passwords (the migrating owner's and the application role's), generated
 * once and kept in {@code secrets/database.properties} under the data directory: the directory is
 * {@code rwx------} and the file {@code rw-------}, so only the account that runs Tilldela can read them.
 * Back the file up with the data directory; without it the database cannot be opened.
 */
public final class DatabaseCredentials {

    /** Relative to the data directory. */
    public static final String FILE = SecretFiles.FOLDER + "/database.properties";

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
                SecretFiles.restrictFile(file);
                return new DatabaseCredentials(file, p, true);
            }
            Properties p = new Properties();
            p.setProperty(EmbeddedDatabase.OWNER, newPassword());
            p.setProperty(EmbeddedDatabase.APP_ROLE, newPassword());
            StringWriter text = new StringWriter();
            p.store(text, "Passwords of the embedded PostgreSQL's roles. Generated once; keep with the data directory.");
            SecretFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
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
        Path f = SecretFiles.createOwnerOnly(dir, "initdb-", ".pw");
        Files.writeString(f, password(EmbeddedDatabase.OWNER) + "\n");
        return f;
    }

    private static String newPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
