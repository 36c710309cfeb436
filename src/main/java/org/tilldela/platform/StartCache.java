package org.tilldela.platform;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * {@code java -jar tilldela.jar COMMAND …} run from the JDK's AOT cache (Java 25 and later): the classes a command
 * loads, already parsed, linked and profiled, instead of read one by one out of the jar's nested jars — the larger part
 * of a command's start (BENCHMARKS.md, "Command start"). A jar cannot give its own JVM options, so where a cache made
 * for this jar and this Java lies beside it, this JVM runs the command in a second one that opens the cache, with the
 * same arguments, JVM options, environment, input and output, and exits with its status; it stays only to wait, and
 * passes on a request to stop. Where there is none — a jar copied elsewhere, another Java, a changed jar — or the JVM
 * is being watched (an agent, a flight recording, another cache), the command runs here as before.
 *
 * <p>The build makes the cache ({@code ./mvnw package}, pom.xml: an import of a small generated package is the
 * training run); {@code bin/tilldela} makes it on its first run where none is ({@link #MAKE}). Layout, beside the jar
 * or in {@code TILLDELA_CACHE_DIR}: {@code app/} the jar extracted (Spring Boot's {@code jarmode=tools extract}),
 * {@code tilldela.aot} the cache, {@code stamp} the jar and the Java it belongs to.
 *
 * <p>Only plain JDK classes here: this runs before Spring, in the JVM that may hand the command on — from the jar's root,
 * where the build copies it beside {@code org.tilldela.Launcher}, the jar's {@code Main-Class} (pom.xml).
 */
public final class StartCache {

    /** Environment: {@code off} runs every command here; {@link #MAKE} also makes a missing or stale cache with this run. */
    static final String MODE = "TILLDELA_START_CACHE";
    static final String MAKE = "make";
    static final String OFF = "off";
    /** Environment: where the extracted jar and the cache are kept (default: {@code aot/} beside the jar). */
    static final String DIRECTORY = "TILLDELA_CACHE_DIR";
    /** Set for the JVM that runs from the cache: it never hands on again. */
    static final String HANDED_ON = "tilldela.start-cache.handed-on";
    static final String CACHE = "tilldela.aot";
    static final String APP = "app";
    /** The jar and Java the cache was made for (written once it is made). */
    static final String STAMP = "stamp";
    /** The jar and Java that {@link #APP} was extracted for. */
    static final String EXTRACTED = "extracted";

    /** JVM options that watch or shape the JVM itself: such a run stays in the JVM the user started. */
    private static final List<String> STAYS_HERE = List.of("-XX:StartFlightRecording", "-agentlib", "-agentpath", "-javaagent", "-Xrunjdwp",
            "-Xdebug", "-XX:AOT", "-XX:SharedArchiveFile", "-Xshare", "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive",
            "-XX:DumpLoadedClassList", "-XX:+RecordDynamicDumpInfo");

    /**
     * The JVM's notes about the cache: only its errors, and on stderr, never in a command's output (making the cache
     * notes every class it leaves out as a warning, hundreds of lines). The user's own options come after and win.
     */
    private static final List<String> QUIET = List.of("-Xlog:disable", "-Xlog:all=error:stderr", "-XX:+DisplayVMOutputToStderr");

    /**
     * A command's JVM ends without waiting for threads still in native code: by default it waits up to 300 ms for them
     * (JDK 25's {@code UserThreadWaitAttemptsAtExit}, 30 × 10 ms), and the embedded PostgreSQL's output readers may still
     * be in a read when the command has stopped it. Then the command ends 0.3 s late (strace of a 1 % delta: the server
     * stopped, 0.31 s to the JVM's exit; in other runs 5–7 ms). Nothing of the command runs by then; a Java that does not
     * know the flag ignores it, and a user's own value, coming later, wins.
     */
    private static final List<String> EXIT_AT_ONCE = List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:UserThreadWaitAttemptsAtExit=0");

    /**
     * The cache keeps classes, not the training run's method profiles (JDK 25 records them by default): profiles of a
     * small import made a large one's reading slower by a fifth (5.5–6.7 s without them, 6.8–8.7 s with; BENCHMARKS.md).
     * The flag is diagnostic; a Java that no longer knows it ignores it.
     */
    private static final List<String> NO_PROFILES = List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockDiagnosticVMOptions",
            "-XX:-AOTRecordTraining");

    /**
     * An import reads a package once, through code that one night's data makes hot and the next run starts cold again:
     * C2 then compiles each hot method with traps for the paths not taken so far, and compiles it again when a later
     * record takes one (a 1 % delta of a million persons: 6.5–8.3 s of C2 compile time, about a third of its tasks
     * recompilations after such traps). Without the traps: C2 5.7–6.3 s, about 0.9 s less CPU and 0.3 s less wall time
     * over eight alternating runs, a first import unchanged (BENCHMARKS.md, "The guardian links beside enrollments.csv…").
     * Only for an import: a long-running command (a benchmark's server) keeps the JVM's default. A user's own value,
     * coming later, wins.
     */
    private static final List<String> ONE_PASS = List.of("-XX:PerMethodTrapLimit=0");

    private StartCache() {
    }

    /**
     * Runs the command from the cache in a JVM of its own and returns its exit status; empty where it is to run in
     * this JVM.
     */
    public static OptionalInt run(String[] args) {
        if (System.getProperty(HANDED_ON) != null || OFF.equals(System.getenv(MODE)) || Runtime.version().feature() < 25
                || watchedThroughEnvironment(System.getenv())) {
            return OptionalInt.empty();
        }
        Optional<Launch> launch = Launch.ofThisJvm();
        if (launch.isEmpty()) {
            return OptionalInt.empty();
        }
        Path jar = launch.get().jar();
        String dir = System.getenv(DIRECTORY);
        Path cache = dir != null && !dir.isBlank() ? Path.of(dir) : jar.toAbsolutePath().getParent().resolve("aot");
        try {
            String stamp = stamp(jar);
            if (ready(cache, jar, stamp)) {
                return OptionalInt.of(launch.get().runFrom(cache, args));
            }
            if (MAKE.equals(System.getenv(MODE))) {
                return OptionalInt.of(make(launch.get(), cache, stamp, args));
            }
        } catch (IOException e) {
            // where the cache cannot be read or kept, the command runs as it always could
        }
        return OptionalInt.empty();
    }

    /**
     * Options the JVM reads from the environment reach both JVMs: one that watches the JVM (a flight recording to one
     * file, an agent on one port) keeps the command in the JVM the user started.
     */
    static boolean watchedThroughEnvironment(java.util.Map<String, String> environment) {
        for (String variable : List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")) {
            String options = environment.get(variable);
            if (options != null && java.util.Arrays.stream(options.trim().split("\\s+")).anyMatch(StartCache::staysHere)) {
                return true;
            }
        }
        return false;
    }

    private static boolean staysHere(String option) {
        return STAYS_HERE.stream().anyMatch(option::startsWith);
    }

    /** The jar (its size and time) and the Java (its home and exact version) a cache belongs to: either changed, it is stale. */
    static String stamp(Path jar) throws IOException {
        return "jar " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + "\njava " + System.getProperty("java.home") + " "
                + System.getProperty("java.vm.version") + "\n";
    }

    /** The extracted application jar a command's JVM runs. */
    private static Path app(Path cache, Path jar) {
        return cache.resolve(APP).resolve(jar.getFileName());
    }

    static boolean ready(Path cache, Path jar, String stamp) throws IOException {
        Path written = cache.resolve(STAMP);
        return Files.isRegularFile(written) && Files.readString(written, StandardCharsets.UTF_8).equals(stamp)
                && Files.isRegularFile(cache.resolve(CACHE)) && Files.isRegularFile(app(cache, jar));
    }

    /**
     * Extracts the jar (under a lock: runs started together after a build extract once, and none takes away an
     * extraction another is running from), runs the command while the JVM records what it loads, then makes the cache
     * from the recording — the JVM's notes kept out of the output. Two runs making it at once each make a whole cache;
     * the later replaces the earlier.
     */
    private static int make(Launch launch, Path cache, String stamp, String[] args) throws IOException {
        Files.createDirectories(cache);
        try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (!stamp.equals(readIfThere(cache.resolve(EXTRACTED)))) {
                extract(launch, cache, stamp);
            }
        }
        System.err.println("(once for this build: this run also prepares a faster start for the next ones)");
        Path app = app(cache, launch.jar());
        Path configuration = cache.resolve("tilldela.aotconf." + ProcessHandle.current().pid());
        Path made = cache.resolve(CACHE + "." + ProcessHandle.current().pid());
        try {
            List<String> recording = new ArrayList<>(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration));
            recording.addAll(NO_PROFILES);
            int status = launch.inherited(launch.fromApp(app, recording, args));
            // the command has run: whatever fails from here leaves only the cache unmade, never runs it again
            try {
                if (Files.isRegularFile(configuration)) {
                    List<String> creating = new ArrayList<>(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration,
                            "-XX:AOTCache=" + made));
                    creating.addAll(NO_PROFILES);
                    if (launch.quietly(launch.fromApp(app, creating)) == 0 && Files.isRegularFile(made)) {
                        Files.move(made, cache.resolve(CACHE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        Files.writeString(cache.resolve(STAMP), stamp, StandardCharsets.UTF_8);
                    }
                }
            } catch (IOException e) {
                System.err.println("(the faster start could not be prepared: " + e.getMessage() + ")");
            } finally {
                deleteQuietly(configuration);
                deleteQuietly(made);
            }
            return status;
        } catch (IOException notStarted) {
            deleteQuietly(configuration);
            throw notStarted; // the command did not start: it runs in this JVM
        }
    }

    /** Spring Boot's own extraction ({@code jarmode=tools}): the application jar and its libraries as plain jars. */
    private static void extract(Launch launch, Path cache, String stamp) throws IOException {
        Files.deleteIfExists(cache.resolve(STAMP));
        Files.deleteIfExists(cache.resolve(EXTRACTED));
        Path fresh = Files.createTempDirectory(cache, "app.");
        try {
            // made private to whoever extracts first; others running the same jar read it too
            Files.setPosixFilePermissions(fresh, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException notPosix) {
            // as made
        }
        if (launch.quietly(List.of("-Djarmode=tools", "-jar", launch.jar().toString(), "extract", "--destination", fresh.toString())) != 0) {
            delete(fresh);
            throw new IOException("the jar could not be extracted");
        }
        delete(cache.resolve(APP));
        Files.deleteIfExists(cache.resolve(CACHE));
        Files.move(fresh, cache.resolve(APP), StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(cache.resolve(EXTRACTED), stamp, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover file in the cache directory, nothing more
        }
    }

    private static String readIfThere(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * How this JVM was started: {@code java [JVM options] -jar JAR [arguments]}, from the process's own command line
     * (so that options from {@code JDK_JAVA_OPTIONS}, which a second JVM reads again from the environment, are not
     * given twice).
     */
    record Launch(Path java, List<String> jvmOptions, Path jar) {

        static Optional<Launch> ofThisJvm() {
            String classPath = System.getProperty("java.class.path", "");
            if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
                return Optional.empty();
            }
            Optional<String[]> arguments = ProcessHandle.current().info().arguments();
            if (arguments.isEmpty()) {
                return Optional.empty();
            }
            return of(arguments.get(), Path.of(classPath), Path.of(System.getProperty("java.home"), "bin", "java"));
        }

        /** From the JVM's arguments (without the program itself): empty unless they are {@code … -jar JAR …} for this jar. */
        static Optional<Launch> of(String[] arguments, Path classPath, Path java) {
            List<String> options = new ArrayList<>();
            for (int i = 0; i < arguments.length; i++) {
                String a = arguments[i];
                if (a.equals("-jar")) {
                    if (i + 1 >= arguments.length || !Path.of(arguments[i + 1]).equals(classPath) || !Files.isRegularFile(classPath)) {
                        return Optional.empty();
                    }
                    return Optional.of(new Launch(java, List.copyOf(options), classPath));
                }
                if (!a.startsWith("-") || staysHere(a)) {
                    return Optional.empty(); // not a JVM option (the arguments are not what they seem), or one that stays here
                }
                options.add(a);
            }
            return Optional.empty();
        }

        /** Runs the command in a JVM that opens the cache, and waits for it. */
        int runFrom(Path cache, String[] args) throws IOException {
            return inherited(fromApp(app(cache, jar), cacheRunOptions(cache, args), args));
        }

        /** The options of a command's run from the cache, before the user's own. */
        static List<String> cacheRunOptions(Path cache, String... args) {
            List<String> options = new ArrayList<>(List.of("-XX:AOTCache=" + cache.resolve(CACHE)));
            if (args.length > 0 && args[0].equals("import")) {
                options.addAll(ONE_PASS);
            }
            return options;
        }

        /**
         * The JVM arguments of a run of the extracted jar: the cache's options first, then the quiet logging, then the
         * user's own options (which win), and the mark that it never hands on again.
         */
        List<String> fromApp(Path app, List<String> cacheOptions, String... args) {
            List<String> command = new ArrayList<>(cacheOptions);
            command.addAll(QUIET);
            command.addAll(EXIT_AT_ONCE);
            command.addAll(jvmOptions);
            command.addAll(List.of("-D" + HANDED_ON + "=true", "-jar", app.toString()));
            command.addAll(List.of(args));
            return command;
        }

        /**
         * A JVM with this process's input, output and environment; a request to stop this one (Ctrl-C, a TERM signal)
         * is passed on, and this one ends only after it.
         */
        int inherited(List<String> jvmArguments) throws IOException {
            Process process = start(jvmArguments, new ProcessBuilder().inheritIO());
            Thread passOn = new Thread(() -> {
                if (process.isAlive()) {
                    process.destroy();
                    waitFor(process);
                }
            }, "start-cache-stop");
            Runtime.getRuntime().addShutdownHook(passOn);
            int status = waitFor(process);
            try {
                Runtime.getRuntime().removeShutdownHook(passOn);
            } catch (IllegalStateException stopping) {
                // the hook is already running: it waits too
            }
            return status;
        }

        /** A JVM whose output nobody needs (extracting, making the cache); its status. */
        int quietly(List<String> jvmArguments) throws IOException {
            Process process = start(jvmArguments, new ProcessBuilder().redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
            process.getOutputStream().close();
            return waitFor(process);
        }

        private Process start(List<String> jvmArguments, ProcessBuilder builder) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.addAll(jvmArguments);
            return builder.command(command).start();
        }

        private static int waitFor(Process process) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return process.waitFor();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
