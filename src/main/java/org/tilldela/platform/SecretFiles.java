package org.tilldela.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Secrets Tilldela generates for itself and keeps under the data directory's {@code secrets} folder: the
 * folder is {@code rwx------} and each file {@code rw-------}, readable only by the account that runs
 * Tilldela. Written next to their place and moved there, so a crash never leaves half a secret.
 */
public final class SecretFiles {

    /** Relative to the data directory. */
    public static final String FOLDER = "secrets";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private SecretFiles() {
    }

    /** The secret in {@code dataDir/secrets/name}, made by {@code create} and stored on first use. */
    public static synchronized byte[] readOrCreate(Path dataDir, String name, Supplier<byte[]> create) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FOLDER).resolve(name);
        try {
            if (Files.exists(file)) {
                restrict(file, OWNER_ONLY_FILE);
                return Files.readAllBytes(file);
            }
            byte[] secret = create.get();
            write(file, secret);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or write the secret " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        restrict(file.getParent(), OWNER_ONLY_DIR);
        Path temp = createOwnerOnly(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A new, empty file in {@code dir} (made, and made its owner's only, where missing) that only its owner may read —
     * from the moment it exists, not after it was written: for files of personal data (an import package, a backup).
     */
    public static Path newOwnerOnlyFile(Path dir, String prefix, String suffix) throws IOException {
        Files.createDirectories(dir);
        restrictFolder(dir);
        return createOwnerOnly(dir, prefix, suffix);
    }

    static Path createOwnerOnly(Path dir, String prefix, String suffix) throws IOException {
        return posix() ? Files.createTempFile(dir, prefix, suffix, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
                : Files.createTempFile(dir, prefix, suffix);
    }

    static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    static void restrictFile(Path path) throws IOException {
        restrict(path, OWNER_ONLY_FILE);
    }

    static void restrictFolder(Path path) throws IOException {
        restrict(path, OWNER_ONLY_DIR);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
