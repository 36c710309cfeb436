package org.tilldela;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tilldela.provisioning.ServerProcess;

/**
 * A Tilldela command run in a JVM of its own, as a user runs it: its exit status and everything it printed (stdout and
 * stderr together). A command that does not end within its limit is stopped and fails the test.
 */
public record CommandProcess(int exit, String printed) {

    /** {@code java … org.tilldela.TilldelaApplication} on the build's classes and jars (small heap, C1 only: a test's command). */
    public static List<String> fromClasses(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, ServerProcess.mainClassPath()), "org.tilldela.TilldelaApplication"));
        command.addAll(List.of(arguments));
        return command;
    }

    /** {@code java -jar JAR …}: the jar the build made. */
    public static List<String> fromJar(Path jar, String... arguments) {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-jar", jar.toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs the command with these environment variables added, its output kept in a file under {@code dir}. */
    public static CommandProcess run(List<String> command, Map<String, String> environment, Path dir, Duration limit)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "command", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean ended = process.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(ended).as("the command ended within %s:%n%s", limit, printed).isTrue();
        return new CommandProcess(process.exitValue(), printed);
    }
}
