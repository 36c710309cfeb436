package org.tilldela.directory.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;

/**
 * Refused packages in a watched folder's failed/ (whole copies of pupils' and staff's personal data) go after the
 * retention, counted from their failure: by the nightly sweep, also where no package of the source fails again and
 * where the source is gone — not only when the next package of the same source is refused.
 */
class FailedPackagesTest extends IntegrationTest {

    @Autowired
    SourceFolders folders;

    @Test
    void refusedPackagesGoAWeekAfterTheirFailureWhateverHappensNext() throws Exception {
        Path folder = Files.createDirectories(folders.base().resolve("failed-packages-" + UUID.randomUUID().toString().substring(0, 8)));
        // a package copied in ten days ago and refused now: kept, its days in failed/ begin now
        Path refused = Files.writeString(folder.resolve("export.zip"), "not a package");
        Files.setLastModifiedTime(refused, FileTime.from(Instant.now().minus(Duration.ofDays(10))));
        Path kept = folders.setAside(refused, false);
        assertThat(kept).exists().hasParent(folder.resolve(SourceFolders.FAILED));
        // one refused eight days ago, of a source since removed: nothing will ever fail there again
        Path orphan = Files.writeString(Files.createDirectories(folder.resolve("removed-source").resolve(SourceFolders.FAILED)).resolve("old.zip"), "x");
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(8))));

        assertThat(folders.removeExpiredFailedPackages()).isGreaterThanOrEqualTo(1);
        assertThat(orphan).doesNotExist();
        assertThat(kept).as("refused today").exists();
        // a week and a day later
        assertThat(folders.removeExpiredFailedPackages(Instant.now().plus(Duration.ofDays(1)))).isGreaterThanOrEqualTo(1);
        assertThat(kept).doesNotExist();
    }
}
