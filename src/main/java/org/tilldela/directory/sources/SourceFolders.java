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
            // its days in failed/ count from now, not from when it was copied in (a move keeps the time it was last changed)
            Files.setLastModifiedTime(moved, java.nio.file.attribute.FileTime.from(Instant.now()));
            removeExpired(to, Instant.now().minus(keepFailed));
            return moved;
        } catch (IOException e) {
            throw new FolderRefusedException("the package could not be taken out of the folder: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Nightly ({@code tilldela.import.sources.failed-package-cron}, 02:50): the refused packages in every {@code failed/}
     * under the base directory that have been there longer than the retention go — also where no package of that source
     * has failed since (the usual case: one refused, the next one imported), or the source was removed or moved to
     * another folder. Answers how many.
     */
    @org.springframework.scheduling.annotation.Scheduled(cron = "${tilldela.import.sources.failed-package-cron:0 50 2 * * *}")
    int removeExpiredFailedPackages() {
        return removeExpiredFailedPackages(Instant.now().minus(keepFailed));
    }

    int removeExpiredFailedPackages(Instant expired) {
        if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int removed = 0;
        // links are not followed: only what lies under the base directory itself
        try (Stream<Path> dirs = Files.walk(base, 16)) {
            for (Path dir : dirs.filter(d -> d.getFileName() != null && d.getFileName().toString().equals(FAILED)
                    && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)).toList()) {
                removed += removeExpired(dir, expired);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(SourceFolders.class).warn("Refused import packages could not all be looked at: {}", e.getClass().getSimpleName());
        }
        return removed;
    }

    private static int removeExpired(Path failed, Instant expired) throws IOException {
        int removed = 0;
        try (Stream<Path> old = Files.list(failed)) {
            for (Path p : old.toList()) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(expired) && Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // gone meanwhile (another node's sweep, a run setting one aside): nothing to remove
                }
            }
        }
        return removed;
    }
}
