package org.tilldela.provisioning;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Tilldela's server as a separate operating-system process: a fresh JVM running {@code org.tilldela.TilldelaApplication}
 * from the build's classes and dependency jars (the test's own classes left out, so nothing of the tests is in it),
 * its output in a log file. Passwords go in the environment, never on the command line (which {@code ps} shows).
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(Path log, String heap, Map<String, String> environment, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC"); // two cores shared with the test's own JVM: no parallel collector threads
        // C1 only: on two shared cores the server starts in about half the time, and the push it then does is
        // bound by round trips to PostgreSQL and the supplier rather than by compiled code (measured: 156 s for the
        // whole test with it, 216 s without)
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, mainClassPath()));
        command.add("org.tilldela.TilldelaApplication");
        command.addAll(arguments);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new ServerProcess(builder.start(), log);
    }

    /** The test's class path without the test classes: surefire's own list, or the manifest of its booter jar. */
    public static List<String> mainClassPath() throws IOException {
        String path = System.getProperty("surefire.test.class.path");
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        List<String> entries = new ArrayList<>(Arrays.asList(path.split(File.pathSeparator)));
        if (entries.size() == 1 && entries.getFirst().endsWith(".jar")) {
            // a manifest-only jar (surefire's booter): its Class-Path holds the real entries, as file URLs
            try (JarFile jar = new JarFile(entries.getFirst())) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath != null) {
                    entries = new ArrayList<>();
                    for (String url : classPath.trim().split("\\s+")) {
                        entries.add(Path.of(java.net.URI.create(url.startsWith("file:") ? url : "file:" + url)).toString());
                    }
                }
            }
        }
        return entries.stream().filter(e -> !e.replace('\\', '/').endsWith("/test-classes") && !e.replace('\\', '/').endsWith("/test-classes/")).toList();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** kill -9: {@link Process#destroyForcibly()} is SIGKILL on Linux; answers the exit status (128 + 9 = 137 when killed so). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    String output() {
        try (InputStream in = Files.newInputStream(log)) {
            String all = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return all.length() > 6000 ? all.substring(all.length() - 6000) : all;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A normal stop (SIGTERM: the server shuts down in order). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
