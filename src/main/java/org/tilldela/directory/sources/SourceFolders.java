package org.tilldela.directory.sources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Watched folders of OneRoster packages: each under the one base directory the operator allows
 * ({@code tilldela.import.sources.folder-base}, default {@code <data-dir>/import-folders}), so whoever configures a
 * source cannot make Tilldela read (or move) files anywhere else. A folder setting is stored relative to the base;
 * one that leads out of it ({@code ..}, an absolute path elsewhere, a symbolic link pointing out) is refused, when
 * saved and again at every run. A package is a regular {@code .zip} file (not a link) left alone for a few seconds
 * ({@code tilldela.import.sources.folder-settle-seconds}, 10), so one still being copied in is not read half-written.
 * A package is a full copy of pupils' and staff's personal data outside the database: once imported it is deleted (what
 * it held is now in the directory, which the erasure and retention rules reach); a refused one goes to {@code failed/}
 * beside it, its name prefixed with the time, for the operator to look at, and is deleted after
 * {@code tilldela.import.sources.failed-package-days} (7).
 */
@Component
class SourceFolders {

    static final String FAILED = "failed";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'-").withZone(ZoneOffset.UTC);

    /** A folder Tilldela may not use: outside the base directory, or not a directory it can read and write. */
    static final class FolderRefusedException extends RuntimeException {
        FolderRefusedException(String message) {
            super(message);
        }
    }

    private final Path base;
    private final Duration settle;
    private final Duration keepFailed;

    SourceFolders(@Value("${tilldela.import.sources.folder-base:}") String base, @Value("${tilldela.data-dir:./data}") String dataDir,
                  @Value("${tilldela.import.sources.folder-settle-seconds:10}") long settleSeconds,
                  @Value("${tilldela.import.sources.failed-package-days:7}") long failedPackageDays) {
        this.base = (base == null || base.isBlank() ? Path.of(dataDir).resolve("import-folders") : Path.of(base.strip())).toAbsolutePath().normalize();
        this.settle = Duration.ofSeconds(settleSeconds);
        this.keepFailed = Duration.ofDays(failedPackageDays);
    }

    Path base() {
        return base;
    }

    /**
     * The folder setting as it is stored: relative to the base directory, normalised.
     *
     * @throws SourceSettingsException when it is empty or leads out of the base directory
     */
    String check(String folder) {
        if (folder == null || folder.isBlank()) {
            throw new SourceSettingsException("sources.error.folder", "give the folder, under " + base, base.toString());
        }
        Path resolved;
        try {
            resolved = base.resolve(folder.strip()).normalize();
        } catch (InvalidPathException e) {
            throw new SourceSettingsException("sources.error.folder", "give the folder, under " + base, base.toString());
        }
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new SourceSettingsException("sources.error.folderOutside", "the folder must be under " + base + ", not elsewhere", base.toString());
        }
        return base.relativize(resolved).toString();
    }

    /**
     * The source's folder, made if missing, checked again as it is on disk now (a link placed since is found out).
     *
     * @throws FolderRefusedException when it is outside the base directory or cannot be made
     */
    Path open(String folder) {
        Path resolved = base.resolve(folder).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new FolderRefusedException("the folder is not under the base directory");
        }
        try {
            Files.createDirectories(resolved);
            Path real = resolved.toRealPath();
            if (!real.startsWith(base.toRealPath()) || !Files.isDirectory(real)) {
                throw new FolderRefusedException("the folder leads out of the base directory");
            }
            return real;
        } catch (IOException e) {
            throw new FolderRefusedException("the folder cannot be used: " + e.getClass().getSimpleName());
        }
    }

    /** The packages waiting in the folder, oldest first: regular .zip files (not links) not changed for the settle time. */
    List<Path> waiting(Path folder) {
        Instant settled = Instant.now().minus(settle);
        record Candidate(Path path, Instant modified) {
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip"))
                    .map(p -> {
                        try {
                            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            return a.isRegularFile() ? new Candidate(p, a.lastModifiedTime().toInstant()) : null;
                        } catch (IOException e) {
                            return null; // gone meanwhile
                        }
                    })
                    .filter(c -> c != null && c.modified().isBefore(settled))
                    .sorted(Comparator.comparing(Candidate::modified).thenComparing(c -> c.path().getFileName().toString()))
                    .map(Candidate::path).toList();
        } catch (IOException e) {
            throw new FolderRefusedException("the folder cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Takes a package out of the folder after its run: an imported one is deleted (null), a refused one moved to failed/
     * beside it, its name prefixed with the time (so none is overwritten); failed/ packages older than the retention go.
     */
    Path setAside(Path file, boolean succeeded) {
        try {
            if (succeeded) {
                Files.delete(file);
                return null;
            }
            Path to = file.resolveSibling(FAILED);
            Files.createDirectories(to);
            Path moved = Files.move(file, to.resolve(STAMP.format(Instant.now()) + file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            Instant expired = Instant.now().minus(keepFailed);
            try (Stream<Path> old = Files.list(to)) {
                for (Path p : old.toList()) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(expired)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            return moved;
        } catch (IOException e) {
            throw new FolderRefusedException("the package could not be taken out of the folder: " + e.getClass().getSimpleName());
        }
    }
}
