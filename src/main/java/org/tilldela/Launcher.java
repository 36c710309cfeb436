package org.tilldela;

import java.lang.reflect.InvocationTargetException;
import java.util.OptionalInt;
import java.util.Set;
import org.tilldela.platform.StartCache;

/**
 * The jar's {@code Main-Class}: a command runs from the start cache in a JVM of its own ({@link StartCache}) before
 * anything of Spring Boot's is loaded; everything else — the server, a command where no cache is, Spring Boot's
 * {@code jarmode} tools — goes on to Spring Boot's launcher as before. The build copies this class and StartCache to the
 * jar's root (pom.xml, "launcher at the jar's root"), where the JVM finds them without Spring Boot's nested jars: the first
 * JVM of a command then hands on after 0.21–0.32 s where it took 0.54–0.68 s through Spring Boot's launcher, measured
 * alternating (BENCHMARKS.md, "Command start"). Only plain JDK classes and StartCache here.
 */
public final class Launcher {

    /** The first arguments that name a command (and picocli's help and version), not the server. */
    static final Set<String> COMMANDS = Set.of("import", "directory", "generate", "benchmark", "ledger", "catalog", "demo-product",
            "backup", "restore", "help", "--help", "-h", "--version", "-V");

    private static final String SPRING_BOOT_LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

    private Launcher() {
    }

    /** Whether the arguments run a command rather than the server. */
    public static boolean isCommand(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }

    public static void main(String[] args) throws Throwable {
        if (isCommand(args)) {
            // the only place a cache is looked for: where there is none, this JVM runs the command
            OptionalInt fromCache = StartCache.run(args);
            if (fromCache.isPresent()) {
                System.exit(fromCache.getAsInt());
            }
        }
        try {
            Class.forName(SPRING_BOOT_LAUNCHER).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
