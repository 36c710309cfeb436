package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(run(jar, "generate", "--persons", "300", "--seed", "7", "--out", pack.toString()).status()).isZero();
        String dataDir = "--tilldela.data-dir=" + dir.resolve("data");

        Run imported = run(jar, "import", "oneroster", pack.toString(), dataDir, SAY_WHICH);
        assertThat(imported.status()).as(imported.output()).isZero();
        assertThat(imported.output()).contains("Command context made ahead of time").containsPattern("persons +300 ")
                .doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at \\S+\\(");

        Run made = run(jar, "directory", "stats", dataDir, SAY_WHICH);
        assertThat(made.status()).as(made.output()).isZero();
        assertThat(made.output()).contains("Command context made ahead of time").contains("\"persons\":300");

        Run read = run(jar, "directory", "stats", dataDir, SAY_WHICH, "--tilldela.licensing.follow-directory=false");
        assertThat(read.status()).as(read.output()).isZero();
        assertThat(read.output()).contains("Command context read from its classes: the property tilldela.licensing.follow-directory is not as it was")
                .doesNotContain("made ahead of time");
        assertThat(figures(read)).isEqualTo(figures(made));
    }

    private static String figures(Run run) {
        return run.output().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
    }

    private record Run(int status, String output) {
    }

    private Run run(Path jar, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "out", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        assertThat(ended).as("ended within 3 minutes: %s", Files.readString(output)).isTrue();
        return new Run(process.exitValue(), Files.readString(output));
    }
}
