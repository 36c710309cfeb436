package org.tilldela.platform;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring context behind a command-line subcommand: started on first use (so commands that need no
 * database, like {@code generate}, start none), without the web server, the first-start bootstrap or
 * the demo data, against the same database the server uses.
 */
public final class CommandContext {

    private static Class<?> applicationClass;
    private static final List<String> springArgs = new ArrayList<>();
    private static ConfigurableApplicationContext context;

    private CommandContext() {
    }

    public static void configure(Class<?> application, List<String> args) {
        applicationClass = application;
        springArgs.clear();
        springArgs.addAll(args);
    }

    /** Adds a Spring argument before the context starts (a command choosing its own database, say). */
    public static synchronized void addArgument(String argument) {
        if (context != null) {
            throw new IllegalStateException("the context has already started");
        }
        springArgs.add(argument);
    }

    public static synchronized boolean hasArgument(String prefix) {
        return springArgs.stream().anyMatch(a -> a.startsWith(prefix));
    }

    /**
     * A benchmark's own place: emptied, created, and — unless an external database was given — the home of
     * the embedded database the benchmark runs on, so it never touches the server's data.
     */
    public static synchronized void useEmptyWorkDirectory(java.nio.file.Path workDir) throws java.io.IOException {
        if (java.nio.file.Files.exists(workDir)) {
            try (var paths = java.nio.file.Files.walk(workDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        java.nio.file.Files.createDirectories(workDir);
        if (!hasArgument("--spring.datasource.url")) {
            addArgument("--tilldela.data-dir=" + workDir.resolve("data"));
        }
    }

    public static synchronized <T> T bean(Class<T> type) {
        if (context == null) {
            // Given as arguments so they outrank application.properties; the user's own come last and win.
            List<String> args = new ArrayList<>(List.of("--tilldela.bootstrap.enabled=false", "--spring.main.banner-mode=off",
                    "--logging.level.root=WARN", "--logging.level.org.flywaydb=WARN", "--logging.level.org.tilldela=WARN"));
            args.addAll(springArgs);
            context = new SpringApplicationBuilder(applicationClass)
                    .web(WebApplicationType.NONE)
                    .run(args.toArray(String[]::new));
        }
        return context.getBean(type);
    }

    /**
     * The whole server (web, first-start bootstrap, demo) in this JVM, for a benchmark that measures it over
     * loopback; the caller closes it. {@code listeners} see the context's events (the demo's, say) from the start.
     */
    public static synchronized ConfigurableApplicationContext startServer(List<String> extraArgs,
                                                                          org.springframework.context.ApplicationListener<?>... listeners) {
        List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.org.flywaydb=WARN",
                "--logging.level.org.tilldela=WARN"));
        args.addAll(springArgs);
        args.addAll(extraArgs);
        return new SpringApplicationBuilder(applicationClass).web(WebApplicationType.SERVLET).listeners(listeners).run(args.toArray(String[]::new));
    }

    public static synchronized void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
