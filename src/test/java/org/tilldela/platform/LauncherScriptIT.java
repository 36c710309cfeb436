package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's start from the JDK's AOT cache ({@link StartCache}), on the jar this build made (so an integration test,
 * after {@code package}): {@code bin/tilldela}'s first run of a build extracts the jar and trains the cache while the
 * command runs, without a line of the JVM's in the command's output; later runs use the cache; a rebuilt jar makes it
 * again; a command's exit status comes through either way. {@code java -jar} takes a cache made for its jar and runs
 * the command from it in a JVM of its own — or, where there is none, it is stale, or the JVM is being watched, runs it
 * itself — and a request to stop it reaches the command.
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
    void javaJarRunsACommandFromTheCacheMadeForItsJarAndOtherwiseItself() throws Exception {
        Path jar = Files.copy(Path.of("target/tilldela.jar").toAbsolutePath(), dir.resolve("tilldela.jar"));
        Path cache = dir.resolve("cache");

        Run none = java(jar, cache, Map.of(), List.of("-Xlog:aot=info:stderr"), "--version");
        assertThat(none.status()).as(none.err()).isZero();
        assertThat(none.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(none.err()).doesNotContain("Opened AOT cache");
        assertThat(cache).doesNotExist(); // plain java -jar never makes one

        assertThat(run(jar, cache, "", "--version").err()).contains("prepares a faster start");

        Run cached = java(jar, cache, Map.of(), List.of("-Xlog:aot=info:stderr"), "--version");
        assertThat(cached.status()).as(cached.err()).isZero();
        assertThat(cached.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(cached.err()).contains("Opened AOT cache " + cache.resolve("tilldela.aot"));

        Run usage = java(jar, cache, Map.of(), List.of(), "import");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required subcommand");

        // switched off, or watched by an option that belongs to this JVM: the command runs where it was started
        Run off = java(jar, cache, Map.of("TILLDELA_START_CACHE", "off"), List.of("-Xlog:aot=info:stderr"), "--version");
        assertThat(off.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(off.err()).doesNotContain("Opened AOT cache");
        Run watched = java(jar, cache, Map.of(), List.of("-Xlog:aot=info:stderr", "-Xshare:auto"), "--version");
        assertThat(watched.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(watched.err()).doesNotContain("Opened AOT cache");

        // another jar: the cache is not its
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Run stale = java(jar, cache, Map.of(), List.of("-Xlog:aot=info:stderr"), "--version");
        assertThat(stale.out()).isEqualTo("Tilldela 0.1\n");
        assertThat(stale.err()).doesNotContain("Opened AOT cache");
    }

    @Test
    void stoppingTheCommandStopsTheJvmItRunsIn() throws Exception {
        Path jar = Files.copy(Path.of("target/tilldela.jar").toAbsolutePath(), dir.resolve("tilldela.jar"));
        Path cache = dir.resolve("cache");
        assertThat(run(jar, cache, "", "--version").status()).isZero();

        // a long command: far more persons than it can write before it is stopped
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "generate", "--persons", "50000000", "--out", dir.resolve("large.zip").toString()))
                .redirectOutput(dir.resolve("long.out").toFile()).redirectError(dir.resolve("long.err").toFile());
        builder.environment().put("TILLDELA_CACHE_DIR", cache.toString());
        Process started = builder.start();
        ProcessHandle command = null;
        for (int i = 0; i < 300 && command == null; i++) {
            command = started.toHandle().children().findFirst().orElse(null);
            Thread.sleep(100);
        }
        assertThat(command).as("the command's own JVM").isNotNull();
        assertThat(command.info().arguments().map(List::of).orElse(List.of())).contains("-XX:AOTCache=" + cache.resolve("tilldela.aot"));

        started.destroy(); // TERM, as a service manager stops it
        assertThat(started.waitFor(1, TimeUnit.MINUTES)).as("stopped").isTrue();
        assertThat(command.onExit().get(1, TimeUnit.MINUTES).isAlive()).isFalse();
        assertThat(started.exitValue()).isEqualTo(143); // 128 + TERM: stopped, not finished
    }

    @Test
    void aCacheThatCannotBeKeptAfterTheCommandRanNeverRunsTheCommandAgain() throws Exception {
        Path jar = Files.copy(Path.of("target/tilldela.jar").toAbsolutePath(), dir.resolve("tilldela.jar"));
        Path cache = dir.resolve("cache");
        assertThat(run(jar, cache, "", "--version").status()).isZero();
        // extracted for this jar, but no finished cache, and where the cache goes a directory that cannot be replaced
        Files.delete(cache.resolve("stamp"));
        Files.delete(cache.resolve("tilldela.aot"));
        Files.writeString(Files.createDirectories(cache.resolve("tilldela.aot")).resolve("in-the-way"), "");

        Run again = run(jar, cache, "", "--version");
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("Tilldela 0.1\n"); // once: the command is not run again in the first JVM
        assertThat(again.err()).contains("prepares a faster start").contains("could not be prepared");
        assertThat(cache.resolve("stamp")).doesNotExist();
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

    private Run java(Path jar, Path cache, Map<String, String> environment, List<String> javaOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("TILLDELA_CACHE_DIR", cache.toString());
        return start(command, env);
    }

    private Run run(Path jar, Path cache, String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of("bin/tilldela").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(command, Map.of("JAVA_HOME", System.getProperty("java.home"), "TILLDELA_JAR", jar.toString(), "TILLDELA_CACHE_DIR",
                cache.toString(), "JAVA_OPTS", javaOpts));
    }

    private Run start(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("TILLDELA_START_CACHE");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
