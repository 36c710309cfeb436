package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tilldela.CommandProcess;

/**
 * The jar this build made starts at {@code org.tilldela.Launcher}, copied with {@link StartCache} to the jar's root
 * (pom.xml, "launcher at the jar's root"), so that a command's first JVM looks for the start cache without Spring Boot's
 * launcher: every class file of the two is there, the same bytes as the build compiled (a nested class added to either
 * and not listed in pom.xml fails here, not in a user's command); and what is not run from a cache — the server, a command
 * without a cache, Spring Boot's jarmode tools — still goes through Spring Boot's launcher, whose nested jars stay stored.
 */
class LauncherAtTheRootIT {

    @TempDir
    Path dir;

    @Test
    void theLauncherAndStartCacheAreAtTheRootAndEverythingElseGoesThroughSpringBootsLauncher() throws Exception {
        Path jar = Path.of("target/tilldela.jar").toAbsolutePath();
        Path classes = Path.of("target/classes");
        assertThat(jar).isRegularFile();
        List<String> compiled;
        try (Stream<Path> files = Stream.concat(Files.list(classes.resolve("org/tilldela")), Files.list(classes.resolve("org/tilldela/platform")))) {
            compiled = files.map(f -> classes.relativize(f).toString().replace('\\', '/'))
                    .filter(f -> f.matches("org/tilldela/Launcher(\\$.*)?\\.class") || f.matches("org/tilldela/platform/StartCache(\\$.*)?\\.class"))
                    .sorted().toList();
        }
        assertThat(compiled).contains("org/tilldela/Launcher.class", "org/tilldela/platform/StartCache.class");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("org.tilldela.Launcher");
            assertThat(file.getManifest().getMainAttributes().getValue("Start-Class")).isEqualTo("org.tilldela.TilldelaApplication");
            for (String name : compiled) {
                ZipEntry atTheRoot = file.getEntry(name);
                assertThat(atTheRoot).as(name + " at the jar's root (list it in pom.xml)").isNotNull();
                assertThat(file.getInputStream(atTheRoot).readAllBytes()).as(name).isEqualTo(Files.readAllBytes(classes.resolve(name)));
                assertThat(file.getEntry("BOOT-INF/classes/" + name)).as(name + " also where Spring Boot's launcher loads the application").isNotNull();
            }
            assertThat(file.stream().filter(e -> e.getName().startsWith("BOOT-INF/lib/") && e.getName().endsWith(".jar"))
                    .filter(e -> e.getMethod() != ZipEntry.STORED).map(ZipEntry::getName))
                    .as("nested jars Spring Boot's launcher reads in place: stored, not compressed (one may be, as Spring Boot packs it)")
                    .hasSizeLessThanOrEqualTo(1);
        }

        // no cache: the command runs in this JVM, through Spring Boot's launcher
        CommandProcess version = run(jar, Map.of("TILLDELA_START_CACHE", "off"), "--version");
        assertThat(version.exit()).as(version.printed()).isZero();
        assertThat(version.printed()).isEqualTo("Tilldela 0.1\n");
        CommandProcess generated = run(jar, Map.of("TILLDELA_START_CACHE", "off"), "generate", "--persons", "20", "--seed", "3", "--out",
                dir.resolve("p.zip").toString());
        assertThat(generated.exit()).as(generated.printed()).isZero();
        assertThat(dir.resolve("p.zip")).isRegularFile();
        CommandProcess wrong = run(jar, Map.of("TILLDELA_START_CACHE", "off"), "import", "oneroster");
        assertThat(wrong.exit()).as("a usage error's exit status comes through: " + wrong.printed()).isEqualTo(2);

        // Spring Boot's tools, which the start cache uses to extract the jar
        List<String> layers = new java.util.ArrayList<>(CommandProcess.fromJar(jar, "list-layers"));
        layers.add(1, "-Djarmode=tools");
        CommandProcess listed = CommandProcess.run(layers, Map.of(), dir, Duration.ofMinutes(1));
        assertThat(listed.exit()).as(listed.printed()).isZero();
        assertThat(listed.printed()).contains("dependencies").contains("application");
    }

    private CommandProcess run(Path jar, Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return CommandProcess.run(CommandProcess.fromJar(jar, args), environment, dir, Duration.ofMinutes(2));
    }
}
