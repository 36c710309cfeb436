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
    /** Whether a command may use the context the build made ahead of time ({@link AheadOfTime}). */
    private static boolean aheadOfTimeAllowed = true;
    private static AheadOfTime aheadOfTime;

    /** How long a command waits at its end for the follow-up work its changes started (licences, provisioning, retention). */
    static final java.time.Duration FOLLOW_UP_WAIT = java.time.Duration.ofMinutes(10);

    /**
     * What a command starts differs from the server: no web server, no first-start bootstrap, and only what it uses —
     * beans are made on first use (lazily: the server's pages, security, the authorization server, the scheduled jobs'
     * engines are never made for an import), no scheduled jobs run (a nightly sweep must not start inside a command:
     * {@link NoScheduledJobs} for all of them; the switches below also leave those jobs' beans out),
     * and the server's own unfinished event publications are left to the server (republishing them here would make a
     * command do — and wait for — work it did not start). Measured in BENCHMARKS.md, "Command start".
     */
    static final List<String> COMMAND_DEFAULTS = List.of("--tilldela.bootstrap.enabled=false", "--spring.main.banner-mode=off",
            "--spring.main.lazy-initialization=true", "--tilldela.licensing.sweep.enabled=false", "--tilldela.usage.retention-job.enabled=false",
            "--tilldela.import.held-retention-job.enabled=false", "--tilldela.events.retention-job.enabled=false",
            "--tilldela.directory.journal-retention-job.enabled=false", "--tilldela.audit.retention-job.enabled=false",
            "--tilldela.sso.ended-authorizations-job.enabled=false",
            "--spring.modulith.events.republish-outstanding-events-on-restart=false",
            // with the embedded database, a command runs beside the server on the server's PostgreSQL (README, "Command line")
            "--tilldela.db.attach-to-server=true",
            "--logging.level.root=WARN", "--logging.level.org.flywaydb=WARN", "--logging.level.org.tilldela=WARN",
            // a command that cannot start says why in one line ("error: …", exit status 2) instead of Spring's stack traces;
            // give either level yourself (ERROR, WARN) to see them
            "--logging.level.org.springframework.boot.SpringApplication=OFF",
            "--logging.level.org.springframework.context.annotation.AnnotationConfigApplicationContext=OFF");

    private CommandContext() {
    }

    public static void configure(Class<?> application, List<String> args) {
        applicationClass = application;
        springArgs.clear();
        springArgs.addAll(args);
        aheadOfTimeAllowed = true;
    }

    /**
     * Makes the command's context from its classes even where the build made it ahead of time: for benchmarks, which
     * also start a whole server in the same JVM (Spring's switch to the made context is one for the whole JVM).
     */
    public static synchronized void withoutAheadOfTime() {
        aheadOfTimeAllowed = false;
    }

    /** Adds a Spring argument before the context starts (a command choosing its own database, say). */
    public static synchronized void addArgument(String argument) {
        if (context != null) {
            throw new IllegalStateException("the context has already started");
        }
        springArgs.add(argument);
    }

    /** The command's context, once started (for tests). */
    static synchronized ConfigurableApplicationContext context() {
        return context;
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
            List<String> args = withDefaults(COMMAND_DEFAULTS, springArgs);
            AheadOfTime made = new AheadOfTime(aheadOfTimeAllowed);
            aheadOfTime = made;
            // Spring Boot prepares validation, JSON and the web's message converters on a thread of its own and waits for it
            // before the context is ready: a command uses little of it, and on two cores that thread competes with the
            // start (BENCHMARKS.md, "Command start"). Read when the application is made, so set around that alone.
            String preinitialize = System.setProperty(IGNORE_PREINITIALIZER, "true");
            SpringApplicationBuilder builder;
            try {
                builder = new SpringApplicationBuilder(applicationClass);
            } finally {
                restore(IGNORE_PREINITIALIZER, preinitialize);
            }
            context = builder
                    .web(WebApplicationType.NONE)
                    // the context as the build made it, where it is the one this command would get
                    .initializers(made)
                    // which event publications are the command's own (OwnPublications, for awaitFollowUps) and no scheduled jobs
                    // (NoScheduledJobs): infrastructure beans, made with the other post-processors; the made context has both
                    .initializers(c -> {
                        if (!made.chosen()) {
                            var registry = (org.springframework.context.support.GenericApplicationContext) c;
                            registry.registerBean(OwnPublications.class,
                                    definition -> definition.setRole(org.springframework.beans.factory.config.BeanDefinition.ROLE_INFRASTRUCTURE));
                            registry.registerBean(NoScheduledJobs.class,
                                    definition -> definition.setRole(org.springframework.beans.factory.config.BeanDefinition.ROLE_INFRASTRUCTURE));
                        }
                    })
                    .listeners(new EarlyDatabase(), made)
                    .run(args.toArray(String[]::new));
        }
        return context.getBean(type);
    }

    /** Spring Boot's switch for its background preinitializer, a system property read when a SpringApplication is made. */
    private static final String IGNORE_PREINITIALIZER = "spring.backgroundpreinitializer.ignore";

    private static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }

    /**
     * The command's defaults followed by the user's own arguments, leaving out each default the user gives himself: Spring
     * joins a property given twice on the command line with a comma ({@code --logging.level.root=WARN} and {@code =INFO}
     * become "WARN,INFO", which fails to start), so the user's value would not win but break the command.
     */
    static List<String> withDefaults(List<String> defaults, List<String> userArgs) {
        List<String> args = new ArrayList<>();
        for (String d : defaults) {
            String key = d.substring(0, d.indexOf('=') + 1);
            if (userArgs.stream().noneMatch(a -> a.startsWith(key))) {
                args.add(d);
            }
        }
        args.addAll(userArgs);
        return args;
    }

    /**
     * The whole server (web, first-start bootstrap, demo) in this JVM, for a benchmark that measures it over
     * loopback; the caller closes it. {@code listeners} see the context's events (the demo's, say) from the start.
     */
    public static synchronized ConfigurableApplicationContext startServer(List<String> extraArgs,
                                                                          org.springframework.context.ApplicationListener<?>... listeners) {
        List<String> user = new ArrayList<>(springArgs);
        user.addAll(extraArgs);
        List<String> args = withDefaults(List.of("--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.org.flywaydb=WARN",
                "--logging.level.org.tilldela=WARN"), user);
        return new SpringApplicationBuilder(applicationClass).web(WebApplicationType.SERVLET).listeners(listeners).run(args.toArray(String[]::new));
    }

    /**
     * A listener for the events published with a payload of one type (the demo's, say), for {@link #startServer}. Not a
     * lambda: Spring cannot read a lambda's event type, so it would hand such a listener every event of the context —
     * each token request's authentication event among them — and catch the ClassCastException each time, which a
     * benchmark would then count as the server's work.
     */
    public static <T> org.springframework.context.ApplicationListener<?> onPayload(Class<T> type, java.util.function.Consumer<T> action) {
        return new org.springframework.context.event.GenericApplicationListener() {
            @Override
            public boolean supportsEventType(org.springframework.core.ResolvableType eventType) {
                return org.springframework.context.PayloadApplicationEvent.class.isAssignableFrom(eventType.toClass());
            }

            @Override
            public void onApplicationEvent(org.springframework.context.ApplicationEvent event) {
                if (event instanceof org.springframework.context.PayloadApplicationEvent<?> p && type.isInstance(p.getPayload())) {
                    action.accept(type.cast(p.getPayload()));
                }
            }
        };
    }

    /**
     * Starts the embedded database as soon as the command's configuration is known, while the context reads its
     * configuration classes (about a second): the two overlap instead of following each other. With an external
     * database ({@code spring.datasource.url}) it does nothing.
     */
    static final class EarlyDatabase implements org.springframework.context.ApplicationListener<org.springframework.boot.context.event.SpringApplicationEvent> {
        private java.nio.file.Path dataDir;

        @Override
        public void onApplicationEvent(org.springframework.boot.context.event.SpringApplicationEvent event) {
            if (AheadOfTime.processing()) {
                return; // the build making the context ahead of time: no database
            }
            if (event instanceof org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent prepared) {
                dataDir = embeddedDataDir(prepared.getEnvironment()).orElse(null);
                if (dataDir != null && (!prepared.getEnvironment().getProperty("tilldela.db.attach-to-server", Boolean.class, false)
                        || !EmbeddedDatabase.attachable(dataDir))) {
                    EmbeddedDatabase.startInBackground(dataDir);
                }
            } else if (event instanceof org.springframework.boot.context.event.ApplicationFailedEvent && dataDir != null) {
                EmbeddedDatabase.abandon(dataDir);
            }
        }
    }

    public static synchronized void close() {
        if (context != null) {
            java.util.concurrent.CompletableFuture<Void> checkpoint = checkpointAhead(context.getEnvironment());
            awaitFollowUps(context, context.getBean(OwnPublications.class).ids());
            try {
                checkpoint.get(FOLLOW_UP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the stop checkpoints anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.close();
            context = null;
        }
        if (aheadOfTime != null) {
            aheadOfTime.forget();
            aheadOfTime = null;
        }
    }

    /** The embedded database's checkpoint, begun while the follow-ups run ({@link EmbeddedDatabase#checkpointAhead}); none for an external one. */
    private static java.util.concurrent.CompletableFuture<Void> checkpointAhead(org.springframework.core.env.Environment environment) {
        return embeddedDataDir(environment).map(EmbeddedDatabase::checkpointAhead)
                .orElseGet(() -> java.util.concurrent.CompletableFuture.completedFuture(null));
    }

    /** The data directory whose embedded database this configuration uses; empty for an external one ({@code spring.datasource.url}). */
    private static java.util.Optional<java.nio.file.Path> embeddedDataDir(org.springframework.core.env.PropertyResolver environment) {
        String url = environment.getProperty("spring.datasource.url");
        if (url != null && !url.isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(java.nio.file.Path.of(environment.getProperty("tilldela.data-dir", "./data")));
    }

    /**
     * Waits until the events this command published have been handled by their listeners (which run after the
     * command's transaction, on other threads): closing the context under them would cut them off mid-way — their
     * database gone, errors printed, and their work left for the next start of the server. Only this command's own
     * publications ({@link OwnPublications}; a server it runs beside publishes into the same table) and not those
     * that failed (the server retries them); at most {@link #FOLLOW_UP_WAIT}.
     */
    static void awaitFollowUps(ConfigurableApplicationContext context, java.util.Set<java.util.UUID> own) {
        var jdbc = context.getBeanProvider(org.springframework.jdbc.core.simple.JdbcClient.class).getIfAvailable();
        if (jdbc == null || own.isEmpty()) {
            return;
        }
        java.time.Instant until = java.time.Instant.now().plus(FOLLOW_UP_WAIT);
        boolean told = false;
        long pause = 10;
        try {
            while (java.time.Instant.now().isBefore(until)) {
                // Spring Modulith's publication registry (the platform's table): this command's publications not yet completed
                long open = jdbc.sql("""
                                select count(*) from event_publication
                                where id = any(:own) and completion_date is null and coalesce(status, '') <> 'FAILED'
                                """).param("own", own.toArray(java.util.UUID[]::new)).query(Long.class).single();
                if (open == 0) {
                    return;
                }
                if (!told) {
                    System.err.printf("finishing the follow-up work (%d: licences, provisioning, retention)…%n", open);
                    told = true;
                }
                // a day's delta's follow-ups take a tenth to half a second: look again soon, then every 50 ms (a lookup by
                // primary key; at 200 ms the command waited up to 0.2 s past the last follow-up's end)
                Thread.sleep(pause);
                pause = Math.min(50, pause * 2);
            }
            System.err.println("follow-up work still running: the server finishes it at its next start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the registry could not be read (the database went away): nothing to wait for here
        }
    }
}
