package org.tilldela.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.aot.AotApplicationContextInitializer;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;

/**
 * A command's context as the build made it ahead of time (Spring AOT: the build's {@code process-aot} starts the command
 * context once, {@code org.tilldela.CommandContextAheadOfTime}, and writes its bean definitions out as code), so that a
 * command does not read ~350 configuration classes and evaluate their conditions at every start (BENCHMARKS.md, "Command
 * start"). Spring fixes the conditions' outcomes at build time; so the made context is used only where it is the one a
 * command would get: every property that can shape it — {@link #shapesTheContext}: Spring's and Tilldela's switches, an
 * external database's address — is as it was at build time, from whatever source (arguments, configuration files,
 * environment variables), and it was made by this very build. Otherwise, and for benchmarks (which also start a server
 * in the same JVM), the context is read from its classes as before.
 */
final class AheadOfTime implements AotApplicationContextInitializer<ConfigurableApplicationContext>,
        ApplicationListener<SpringApplicationEvent> {

    /** Written by Spring's processor for {@code org.tilldela.CommandContextAheadOfTime}, the processor's entry in pom.xml. */
    static final String INITIALIZER = "org.tilldela.CommandContextAheadOfTime__ApplicationContextInitializer";
    /** What the context was made with: the build (build-info's time) and the properties that shape it. */
    static final String STAMP = "META-INF/tilldela/command-context.properties";
    private static final String BUILD_INFO = "META-INF/build-info.properties";
    private static final String BUILD_TIME = "build.time";
    /** {@code AotDetector.AOT_ENABLED}: what makes Spring Boot take the generated context instead of reading classes. */
    private static final String AOT_ENABLED = "spring.aot.enabled";
    /** Set by Spring's processor while it makes the context. */
    private static final String AOT_PROCESSING = "spring.aot.processing";

    /** Spring Boot's information about the running process (its pid, the jar's version): not configuration. */
    private static final String APPLICATION_INFO = "applicationInfo";

    private static final Log log = LogFactory.getLog(AheadOfTime.class);

    private final boolean allowed;
    private boolean chosen;
    private String previousFlag;

    AheadOfTime(boolean allowed) {
        this.allowed = allowed;
    }

    /** Whether Spring's processor is making the context ahead of time in this JVM (the build's process-aot): nothing is to be started. */
    static boolean processing() {
        return Boolean.getBoolean(AOT_PROCESSING);
    }

    /** Whether this command's context is the one made ahead of time. */
    boolean chosen() {
        return chosen;
    }

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            decide(prepared.getEnvironment(), prepared.getSpringApplication().getClassLoader());
        } else if (event instanceof ApplicationFailedEvent) {
            forget();
        }
    }

    /** Runs once the environment is complete, before Spring Boot chooses how to make the context. */
    private void decide(ConfigurableEnvironment environment, ClassLoader classLoader) {
        if (!allowed || processing()) {
            return;
        }
        String whyNot = whyNot(environment, classLoader);
        if (whyNot != null) {
            log.debug("Command context read from its classes: " + whyNot);
            return;
        }
        chosen = true;
        previousFlag = System.getProperty(AOT_ENABLED);
        System.setProperty(AOT_ENABLED, "true");
        log.debug("Command context made ahead of time (" + INITIALIZER + ")");
    }

    private static String whyNot(ConfigurableEnvironment environment, ClassLoader classLoader) {
        Properties stamp = load(classLoader, STAMP);
        if (stamp == null || !ClassUtils.isPresent(INITIALIZER, classLoader)) {
            return "this build did not make it ahead of time";
        }
        Properties buildInfo = load(classLoader, BUILD_INFO);
        if (buildInfo == null || !Objects.equals(buildInfo.getProperty(BUILD_TIME), stamp.getProperty(BUILD_TIME))) {
            return "it was made by another build";
        }
        Map<String, String> made = new TreeMap<>();
        stamp.stringPropertyNames().stream().filter(n -> !n.equals(BUILD_TIME)).forEach(n -> made.put(n, stamp.getProperty(n)));
        Map<String, String> now = shapingProperties(environment);
        java.util.SortedSet<String> names = new java.util.TreeSet<>(made.keySet());
        names.addAll(now.keySet());
        for (String name : names) {
            if (!Objects.equals(made.get(name), now.get(name))) {
                // the name only: a value can be a password
                return "the property " + name + " is not as it was when it was made";
            }
        }
        return null;
    }

    /** After the command, so that nothing else in this JVM takes the made context for its own. */
    void forget() {
        if (chosen) {
            if (previousFlag == null) {
                System.clearProperty(AOT_ENABLED);
            } else {
                System.setProperty(AOT_ENABLED, previousFlag);
            }
            chosen = false;
        }
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (chosen) {
            AotApplicationContextInitializer.<ConfigurableApplicationContext>forInitializerClasses(INITIALIZER).initialize(context);
        }
    }

    /**
     * Whether a property can change which beans a command's context has: Spring's and Spring Boot's own (auto-configuration
     * conditions, the main and AOT settings aside), the actuator's and the web server's, and Tilldela's switches — every
     * property a condition of Tilldela's reads (AheadOfTimeTest checks that against the classes). Left out are the rest of
     * Tilldela's settings (the data directory, limits, schedules) and logging levels: they are read when the context runs,
     * made ahead of time or not.
     */
    static boolean shapesTheContext(String name) {
        if (name.startsWith("spring.aot.")) {
            return false;
        }
        return name.startsWith("spring.") || name.startsWith("management.") || name.startsWith("server.")
                || name.startsWith("tilldela.") && (name.endsWith(".enabled") || name.endsWith(".follow-directory"));
    }

    /** The properties that shape the context, by name (environment variables as Spring reads them: SPRING_X_Y is spring.x.y). */
    static Map<String, String> shapingProperties(ConfigurableEnvironment environment) {
        Map<String, String> found = new TreeMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> enumerable) || ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
                    || APPLICATION_INFO.equals(source.getName())) {
                continue;
            }
            boolean variables = source instanceof SystemEnvironmentPropertySource;
            for (String raw : enumerable.getPropertyNames()) {
                String name = variables ? raw.toLowerCase(Locale.ROOT).replace('_', '.') : raw;
                if (shapesTheContext(name)) {
                    // the first source that has it wins, as Spring reads it
                    found.putIfAbsent(name, String.valueOf(enumerable.getProperty(raw)));
                }
            }
        }
        return found;
    }

    private static Properties load(ClassLoader classLoader, String resource) {
        ClassLoader loader = classLoader != null ? classLoader : AheadOfTime.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Writes the stamp beside the made context while Spring's processor makes it (registered in
     * META-INF/spring/aot.factories): the build it belongs to and the properties that shaped it. Only for the command
     * context (the one with {@link OwnPublications}).
     */
    static final class Stamp implements BeanFactoryInitializationAotProcessor {

        @Override
        public BeanFactoryInitializationAotContribution processAheadOfTime(ConfigurableListableBeanFactory beanFactory) {
            if (beanFactory.getBeanNamesForType(OwnPublications.class, false, false).length == 0) {
                return null;
            }
            ConfigurableEnvironment environment = beanFactory.getBean(ConfigurableEnvironment.class);
            Properties buildInfo = load(beanFactory.getBeanClassLoader(), BUILD_INFO);
            if (buildInfo == null || buildInfo.getProperty(BUILD_TIME) == null) {
                throw new IllegalStateException(BUILD_INFO + " with " + BUILD_TIME + " is needed to make the command context ahead of time "
                        + "(the build-info goal of spring-boot-maven-plugin, before process-aot)");
            }
            Properties stamp = new Properties();
            stamp.putAll(shapingProperties(environment));
            stamp.setProperty(BUILD_TIME, buildInfo.getProperty(BUILD_TIME));
            StringWriter text = new StringWriter();
            try {
                stamp.store(text, "the command context made ahead of time: the build and the properties that shaped it (AheadOfTime)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return (generationContext, code) -> generationContext.getGeneratedFiles().addResourceFile(STAMP, text.toString());
        }
    }
}
