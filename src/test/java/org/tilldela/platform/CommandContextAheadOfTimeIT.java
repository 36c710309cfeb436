package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tilldela.CommandProcess;

/**
 * Commands from the jar this build made (an integration test, after {@code package}) take the context the build made
 * ahead of time, and do the same with it as without: an import (its follow-ups included, and a clean end), then the
 * directory's figures — the same ones as from a context read from its classes, which a command gets when a property
 * that shapes the context is not as it was at build time.
 */
class CommandContextAheadOfTimeIT {

    private static final String SAY_WHICH = "--logging.level.org.tilldela.platform.AheadOfTime=DEBUG";

    @TempDir
    Path dir;

    @Test
    void commandsFromTheJarUseTheMadeContextWhereItFitsAndGetTheSameResultsAsWithout() throws Exception {
        Path jar = Path.of("target/tilldela.jar").toAbsolutePath();
        assertThat(jar).isRegularFile();
        Path pack = dir.resolve("town.zip");
        assertThat(run(jar, "generate", "--persons", "300", "--seed", "7", "--out", pack.toString()).exit()).isZero();
        String dataDir = "--tilldela.data-dir=" + dir.resolve("data");

        CommandProcess imported = run(jar, "import", "oneroster", pack.toString(), dataDir, SAY_WHICH);
        assertThat(imported.exit()).as(imported.printed()).isZero();
        assertThat(imported.printed()).contains("Command context made ahead of time").containsPattern("persons +300 ")
                .doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at \\S+\\(");

        CommandProcess made = run(jar, "directory", "stats", dataDir, SAY_WHICH);
        assertThat(made.exit()).as(made.printed()).isZero();
        assertThat(made.printed()).contains("Command context made ahead of time").contains("\"persons\":300");

        CommandProcess read = run(jar, "directory", "stats", dataDir, SAY_WHICH, "--tilldela.licensing.follow-directory=false");
        assertThat(read.exit()).as(read.printed()).isZero();
        assertThat(read.printed()).contains("Command context read from its classes: the property tilldela.licensing.follow-directory is not as it was")
                .doesNotContain("made ahead of time");
        assertThat(figures(read)).isEqualTo(figures(made));
    }

    private static String figures(CommandProcess run) {
        return run.printed().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
    }

    private CommandProcess run(Path jar, String... args) throws IOException, InterruptedException {
        return CommandProcess.run(CommandProcess.fromJar(jar, args), Map.of(), dir, Duration.ofMinutes(3));
    }
}
