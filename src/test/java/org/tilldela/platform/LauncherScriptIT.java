package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tilldela}, the launcher that gives a command the JDK's AOT cache, run on the jar this build made (so an
 * integration test, after {@code package}): the first run of a build extracts the jar and trains the cache while the
 * command runs, without a line of the JVM's in the command's output; later runs use the cache; a rebuilt jar makes it
 * again; a command's exit status comes through either way.
 */
class LauncherScriptIT {

    @TempDir
    Path dir;

    @Test
    void theFirstRunMakesTheCacheLaterRunsUseItAndANewJarMakesItAgain() throws Exception {
        Path built = Path.of("target/tilldela.jar").toAbsolutePath();
        assertThat(built).isRegularFile();
        Path jar = Files.copy(built, dir.resolve("tilldela.jar"));
        Path cache = dir.resolve("cache");

        Run first = run(jar, cache, "", "--version");
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(first.err()).contains("prepares a faster start");
        assertThat(cache.resolve("tilldela.aot")).isRegularFile();
        assertThat(cache.resolve("app").resolve("tilldela.jar")).isRegularFile();

        Run second = run(jar, cache, "-Xlog:aot=info:stderr", "--version");
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(second.err()).contains("Opened AOT cache " + cache.resolve("tilldela.aot")).doesNotContain("prepares a faster start");

        // a command's own exit status (a usage error: 2) comes through the launcher
        Run usage = run(jar, cache, "", "import");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required subcommand");

        // a rebuilt jar (here: a newer one) is extracted and trained on again, once
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Run rebuilt = run(jar, cache, "", "--version");
        assertThat(rebuilt.status()).as(rebuilt.err()).isZero();
        assertThat(rebuilt.err()).contains("prepares a faster start");
        Run after = run(jar, cache, "-Xlog:aot=info:stderr", "--version");
        assertThat(after.err()).contains("Opened AOT cache").doesNotContain("prepares a faster start");
    }

    @Test
    void withoutTheJarItSaysHowToMakeIt() throws Exception {
        Run missing = run(dir.resolve("nowhere.jar"), dir.resolve("cache"), "", "--version");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("nowhere.jar not found").contains("./mvnw package");
    }

    @Test
    void whereNoCacheCanBeKeptItRunsAsJavaJarDoes() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "");
        Run run = run(Path.of("target/tilldela.jar").toAbsolutePath(), notADirectory.resolve("cache"), "", "--version");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(run.err()).doesNotContain("prepares a faster start");
    }

    private record Run(int status, String out, String err) {
    }

    private Run run(Path jar, Path cache, String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of("bin/tilldela").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("TILLDELA_JAR", jar.toString());
        builder.environment().put("TILLDELA_CACHE_DIR", cache.toString());
        builder.environment().put("JAVA_OPTS", javaOpts);
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
