package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tilldela.IntegrationTest;
import org.tilldela.provisioning.ServerProcess;

/**
 * A command that cannot start — here because the server (this test's) holds the embedded database — says why in one line
 * and exits 2, as a user runs it (a JVM of its own), with no stack trace.
 */
class CommandStartFailureProcessTest extends IntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void aCommandWhoseDatabaseIsInUseSaysSoInOneLine() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", String.join(File.pathSeparator, ServerProcess.mainClassPath()), "org.tilldela.TilldelaApplication",
                "ledger", "verify", "--tilldela.data-dir=" + dataDir());
        Path output = tmp.resolve("command.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = process.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(ended).as("the command ended within 2 minutes:%n%s", printed).isTrue();
        assertThat(process.exitValue()).as(printed).isEqualTo(2);
        assertThat(printed).as("why, in one line").contains("error: The embedded database in " + dataDir() + " is in use by another Tilldela process")
                .doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at \\S+\\(");
    }
}
