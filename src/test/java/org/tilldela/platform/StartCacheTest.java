package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link StartCache} reads the way this JVM was started, and when a cache is the jar's. */
class StartCacheTest {

    @TempDir
    Path dir;

    private static final Path JAVA = Path.of("/opt/jdk/bin/java");

    @Test
    void theJvmOptionsBeforeTheJarAreHandedOnAndTheCommandsArgumentsAreNot() throws Exception {
        Path jar = Files.writeString(dir.resolve("tilldela.jar"), "");
        var launch = StartCache.Launch.of(new String[] {"-Xmx2g", "-Dx=a b", "-XX:+UseSerialGC", "-jar", jar.toString(), "import", "-jar"}, jar, JAVA);
        assertThat(launch).hasValueSatisfying(l -> {
            assertThat(l.jvmOptions()).containsExactly("-Xmx2g", "-Dx=a b", "-XX:+UseSerialGC");
            assertThat(l.jar()).isEqualTo(jar);
            assertThat(l.java()).isEqualTo(JAVA);
        });
        assertThat(StartCache.Launch.of(new String[] {"-jar", jar.toString()}, jar, JAVA)).hasValueSatisfying(l -> assertThat(l.jvmOptions()).isEmpty());
    }

    @Test
    void theCommandsJvmEndsWithoutWaitingForThreadsInNativeCodeUnlessTheUserSaysOtherwise() throws Exception {
        Path jar = Files.writeString(dir.resolve("tilldela.jar"), "");
        var launch = StartCache.Launch.of(new String[] {"-XX:UserThreadWaitAttemptsAtExit=5", "-jar", jar.toString()}, jar, JAVA).orElseThrow();
        List<String> command = launch.fromApp(dir.resolve("app.jar"), List.of("-XX:AOTCache=x.aot"), "import", "file.zip");
        // the JVM takes the last of an option given twice: the user's own comes after ours
        assertThat(command).containsSubsequence("-XX:AOTCache=x.aot", "-XX:UserThreadWaitAttemptsAtExit=0", "-XX:UserThreadWaitAttemptsAtExit=5",
                "-jar", dir.resolve("app.jar").toString(), "import", "file.zip");
    }

    @Test
    void anImportRunsWithoutTheCompilersTrapsAndOtherCommandsWithTheDefault() throws Exception {
        Path jar = Files.writeString(dir.resolve("tilldela.jar"), "");
        var launch = StartCache.Launch.of(new String[] {"-XX:PerMethodTrapLimit=7", "-jar", jar.toString()}, jar, JAVA).orElseThrow();
        List<String> importing = StartCache.Launch.cacheRunOptions(dir, "import", "oneroster", "file.zip");
        assertThat(importing).containsExactly("-XX:AOTCache=" + dir.resolve(StartCache.CACHE), "-XX:PerMethodTrapLimit=0");
        // the user's own value comes later and wins
        assertThat(launch.fromApp(dir.resolve("app.jar"), importing, "import", "oneroster", "file.zip"))
                .containsSubsequence("-XX:PerMethodTrapLimit=0", "-XX:PerMethodTrapLimit=7", "-jar");
        for (String[] other : List.of(new String[] {"benchmark", "sign-in"}, new String[] {"ledger", "verify"}, new String[0])) {
            assertThat(StartCache.Launch.cacheRunOptions(dir, other)).containsExactly("-XX:AOTCache=" + dir.resolve(StartCache.CACHE));
        }
    }

    @Test
    void aJvmThatIsWatchedOrNotStartedFromThisJarRunsTheCommandItself() throws Exception {
        Path jar = Files.writeString(dir.resolve("tilldela.jar"), "");
        for (String watching : List.of("-XX:StartFlightRecording=filename=x.jfr", "-javaagent:agent.jar", "-agentlib:jdwp=transport=dt_socket",
                "-XX:AOTCache=other.aot", "-XX:AOTMode=record", "-Xshare:off", "-XX:SharedArchiveFile=a.jsa")) {
            assertThat(StartCache.Launch.of(new String[] {"-Xmx1g", watching, "-jar", jar.toString(), "import"}, jar, JAVA)).as(watching).isEmpty();
        }
        Path other = Files.writeString(dir.resolve("other.jar"), "");
        assertThat(StartCache.Launch.of(new String[] {"-jar", other.toString(), "import"}, jar, JAVA)).isEmpty();
        assertThat(StartCache.Launch.of(new String[] {"-cp", jar.toString(), "org.tilldela.TilldelaApplication"}, jar, JAVA)).isEmpty();
        assertThat(StartCache.Launch.of(new String[] {"-jar"}, jar, JAVA)).isEmpty();
        Path missing = dir.resolve("gone.jar");
        assertThat(StartCache.Launch.of(new String[] {"-jar", missing.toString()}, missing, JAVA)).isEmpty();
    }

    @Test
    void optionsFromTheEnvironmentThatWatchTheJvmKeepTheCommandHere() {
        assertThat(StartCache.watchedThroughEnvironment(java.util.Map.of())).isFalse();
        assertThat(StartCache.watchedThroughEnvironment(java.util.Map.of("JDK_JAVA_OPTIONS", "-Xmx1g -Dfile.encoding=UTF-8"))).isFalse();
        assertThat(StartCache.watchedThroughEnvironment(java.util.Map.of("JDK_JAVA_OPTIONS", " -Xmx1g  -XX:StartFlightRecording=filename=a.jfr"))).isTrue();
        assertThat(StartCache.watchedThroughEnvironment(java.util.Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar"))).isTrue();
    }

    @Test
    void aCacheIsReadyOnlyForTheJarAndJavaItWasMadeFor() throws Exception {
        Path jar = Files.writeString(dir.resolve("tilldela.jar"), "one");
        Path cache = Files.createDirectories(dir.resolve("aot"));
        String stamp = StartCache.stamp(jar);
        assertThat(stamp).contains(System.getProperty("java.home")).contains(System.getProperty("java.vm.version"));
        assertThat(StartCache.ready(cache, jar, stamp)).isFalse();

        Files.createDirectories(cache.resolve("app"));
        Files.writeString(cache.resolve("app").resolve("tilldela.jar"), "one");
        Files.writeString(cache.resolve("tilldela.aot"), "cache");
        assertThat(StartCache.ready(cache, jar, stamp)).as("no stamp: never finished").isFalse();
        Files.writeString(cache.resolve("stamp"), stamp);
        assertThat(StartCache.ready(cache, jar, stamp)).isTrue();

        Files.writeString(jar, "a rebuilt jar");
        assertThat(StartCache.ready(cache, jar, StartCache.stamp(jar))).isFalse();
    }
}
