package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProblem;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.importing.StagedSnapshot;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * A package cannot make the server read without bound: a row of hundreds of megabytes (the incident: a
 * 3.1 GB line, 3 MB zipped), a zip bomb, or a package expanding beyond the total are stopped at their limit
 * — quickly, with a reason naming the file and the limit — and every run ends, FAILED with a reason and
 * logged, whatever is thrown, Errors included. The big inputs are generated here, streamed; none is kept.
 */
@ExtendWith(OutputCaptureExtension.class)
class OneRosterLimitsTest extends DirectoryImportTestSupport {

    /** 256 MiB of one byte: a row that size would need over half a gigabyte of heap to parse (chars, buffer growth). */
    private static final long HUGE = 256L << 20;

    @TempDir
    static Path shared;
    /** users.csv: the header, then one row of HUGE 'x's — about 250 kB zipped. */
    static Path hugeRow;
    /** users.csv: the header, then HUGE bytes of empty lines (which a reader skips) — a zip bomb of short lines. */
    static Path bomb;

    @Autowired
    ImportLimits configured;

    @BeforeAll
    static void writeTheHugePackages() throws IOException {
        hugeRow = writeWithHugeUsers(shared.resolve("huge-row.zip"), (byte) 'x');
        bomb = writeWithHugeUsers(shared.resolve("bomb.zip"), (byte) '\n');
    }

    /** The small package with users.csv's rows replaced by HUGE copies of one byte, streamed into the zip. */
    private static Path writeWithHugeUsers(Path file, byte filler) throws IOException {
        Map<String, String> files = OneRosterPackage.small().v11Files();
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                if (f.getKey().equals("users.csv")) {
                    String header = f.getValue().substring(0, f.getValue().indexOf('\n') + 1);
                    zip.write(header.getBytes(StandardCharsets.UTF_8));
                    repeat(zip, filler, HUGE);
                } else {
                    zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        }
        assertThat(Files.size(file)).isLessThan(2L << 20);
        return file;
    }

    @Test
    void aHugeRowEndsTheBackgroundRunFailedAtTheRowLimitQuickly() throws Exception {
        String source = newSource("limit-row");
        // the ratio and total limits out of the way: the row limit alone must stop it
        ImportLimits limits = new ImportLimits(10_000, DataSize.ofGigabytes(100), 1_000_000);
        Path stored = Files.copy(hugeRow, tmp.resolve("stored.zip"));

        long start = System.nanoTime();
        UUID id = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "huge-row.zip",
                path -> new OneRosterReader(path, "huge-row.zip", limits));
        ImportRuns.Run run = awaitEnd(id, Duration.ofSeconds(30));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(run.status()).isEqualTo(ImportRuns.Status.FAILED);
        assertThat(run.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("users.csv");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.reason()).contains("10000 characters").contains("tilldela.import.max-line-length");
        });
        assertThat(stored).doesNotExist();
        assertThat(count("person", source)).isZero();
    }

    @Test
    void theConfiguredLimitsStopAZipBombEvenWhenItsDeclaredSizeLies(CapturedOutput output) throws Exception {
        assertThat(configured.maxCompressionRatio()).isEqualTo(100);
        // as declared: refused before anything is inflated
        ImportProblem declared = refusedWith(bomb, configured);
        // declaring 1000 bytes: refused by counting what is inflated, once past the ratio (no row is long here)
        Path lying = declareSizes(Files.copy(bomb, tmp.resolve("lying.zip")), "users.csv", 1000);
        long start = System.nanoTime();
        ImportProblem counted = refusedWith(lying, configured);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        for (ImportProblem p : new ImportProblem[] {declared, counted}) {
            assertThat(p.file()).isEqualTo("users.csv");
            assertThat(p.reason()).contains("100 times").contains("tilldela.import.max-compression-ratio");
        }
        assertThat(output.getAll()).contains("refused: users.csv: expands more than 100 times");
    }

    @Test
    void aPackageExpandingBeyondTheTotalLimitIsRefused() throws Exception {
        ImportLimits limits = new ImportLimits(1_000_000, DataSize.ofMegabytes(8), 1000);
        Map<String, String> files = OneRosterPackage.small().v11Files();
        Path big = tmp.resolve("big.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(big))) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("demographics.csv")); // an optional file: 10 MB, barely compressible
            byte[] block = new byte[1 << 16];
            Random random = new Random(7);
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) (i % 100 == 99 ? '\n' : 'a' + random.nextInt(26));
            }
            for (int i = 0; i < 160; i++) {
                zip.write(block);
            }
            zip.closeEntry();
        }
        ImportProblem declared = refusedWith(big, limits);
        assertThat(declared.file()).isEqualTo("big.zip");
        assertThat(declared.reason()).contains("more than 8 MB").contains("tilldela.import.max-expanded-size");

        // sizes that lie (every entry says 1 byte) are caught by counting what is read: 2 kB is less than the package
        Path small = OneRosterPackage.small().writeV11(tmp.resolve("small.zip"));
        for (String name : files.keySet()) {
            declareSizes(small, name, 1);
        }
        ImportProblem counted = refusedWith(small, new ImportLimits(1_000_000, DataSize.ofKilobytes(2), 1000));
        assertThat(counted.reason()).contains("more than 2048 bytes").contains("tilldela.import.max-expanded-size");
    }

    @Test
    void anErrorEndsTheRunFailedAndIsLogged(CapturedOutput output) throws Exception {
        String source = newSource("limit-error");
        SnapshotReader outOfMemory = new SnapshotReader() {
            @Override
            public String sourceKind() {
                return "ONEROSTER";
            }

            @Override
            public void read(StagedSnapshot stage, ImportProgress progress) {
                throw new OutOfMemoryError("Java heap space (synthetic)");
            }
        };
        UUID fetched = importRuns.submit("SS12000", new ImportOptions(source, false, "test"), "synthetic", () -> outOfMemory);
        ImportRuns.Run run = awaitEnd(fetched, Duration.ofSeconds(20));
        assertThat(run.status()).isEqualTo(ImportRuns.Status.FAILED);
        assertThat(run.finishedAt()).isNotNull();
        assertThat(run.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("OutOfMemoryError").contains("nothing was changed"));
        assertThat(output.getAll()).contains("Import run " + fetched + " failed unexpectedly: OutOfMemoryError").doesNotContain("synthetic)");

        // an Error while making the reader of a stored upload: the run ends too, and the upload is removed
        Path stored = Files.writeString(tmp.resolve("upload.zip"), "not read");
        UUID uploaded = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "upload.zip", path -> {
            throw new StackOverflowError();
        });
        run = awaitEnd(uploaded, Duration.ofSeconds(20));
        assertThat(run.status()).isEqualTo(ImportRuns.Status.FAILED);
        assertThat(run.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("StackOverflowError"));
        // removed once the run has ended (which the run's row tells first): it raced here once
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(stored));
    }

    // ---- helpers

    private ImportProblem refusedWith(Path zip, ImportLimits limits) {
        String source = newSource("limit");
        String name = zip.getFileName().toString();
        ImportLimitExceededException e = catchThrowableOfType(ImportLimitExceededException.class, () -> importRuns.runNow("ONEROSTER",
                new ImportOptions(source, false, "test"), new OneRosterReader(zip, name, limits), ImportProgress.NONE, name));
        assertThat(e).as("refused for a limit: " + name).isNotNull();
        String status = jdbc.sql("select status from import_run where source = :s").param("s", source).query(String.class).single();
        assertThat(status).isEqualTo("FAILED");
        assertThat(count("person", source)).isZero();
        return e.problems().getFirst();
    }

    private ImportRuns.Run awaitEnd(UUID id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ImportRuns.Run run = importRuns.find(id).orElseThrow();
            if (run.status() != ImportRuns.Status.QUEUED && run.status() != ImportRuns.Status.RUNNING) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("import run " + id + " still " + importRuns.find(id).orElseThrow().status() + " after " + timeout);
    }

    private static void repeat(OutputStream out, byte b, long count) throws IOException {
        byte[] block = new byte[1 << 16];
        Arrays.fill(block, b);
        for (long written = 0; written < count; written += block.length) {
            out.write(block, 0, (int) Math.min(block.length, count - written));
        }
    }

    /** Rewrites the uncompressed size that the zip's central directory declares for {@code name}. */
    private static Path declareSizes(Path zip, String name, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int i = bytes.length - 46; i >= 0; i--) {
            if (buffer.getInt(i) == 0x02014b50 && buffer.getShort(i + 28) == wanted.length
                    && Arrays.equals(bytes, i + 46, i + 46 + wanted.length, wanted, 0, wanted.length)) {
                buffer.putInt(i + 24, size);
                Files.write(zip, bytes);
                return zip;
            }
        }
        throw new AssertionError(name + " not in the central directory");
    }

}
