package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The rule that decides whether a command may use the context the build made ahead of time: the properties that can
 * change which beans it has are recognised wherever they come from, and every condition on a property in Tilldela's own
 * classes names one of them (a new switch that the rule missed would otherwise be fixed at its build-time value for
 * commands). Using the made context from the jar is shown by CommandContextAheadOfTimeIT.
 */
class AheadOfTimeTest {

    @Test
    void everyPropertyATilldelaConditionReadsShapesTheContext() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.tilldela");
        List<String> names = new ArrayList<>();
        for (JavaClass type : classes) {
            Stream.concat(Stream.of(type.getAnnotations()).flatMap(java.util.Set::stream),
                            type.getMembers().stream().map(JavaMember::getAnnotations).flatMap(java.util.Set::stream))
                    .filter(a -> a.getRawType().isEquivalentTo(ConditionalOnProperty.class))
                    .forEach(a -> names.addAll(propertyNames(a)));
        }
        assertThat(names).as("Tilldela's conditions on properties").hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(name -> assertThat(AheadOfTime.shapesTheContext(name)).as(name).isTrue());
    }

    private static List<String> propertyNames(JavaAnnotation<?> condition) {
        String prefix = (String) condition.get("prefix").orElse("");
        List<String> names = new ArrayList<>();
        for (String attribute : List.of("name", "value")) {
            for (Object name : (Object[]) condition.get(attribute).orElse(new Object[0])) {
                names.add(prefix.isEmpty() ? (String) name : prefix + "." + name);
            }
        }
        return names;
    }

    @Test
    void spotsTheSwitchesAndTheDatabaseButNotTheSettingsReadAtRunTime() {
        assertThat(AheadOfTime.shapesTheContext("spring.datasource.url")).isTrue();
        assertThat(AheadOfTime.shapesTheContext("spring.profiles.active")).isTrue();
        assertThat(AheadOfTime.shapesTheContext("management.endpoints.web.exposure.include")).isTrue();
        assertThat(AheadOfTime.shapesTheContext("tilldela.ledger.checkpoints.enabled")).isTrue();
        assertThat(AheadOfTime.shapesTheContext("tilldela.licensing.follow-directory")).isTrue();
        assertThat(AheadOfTime.shapesTheContext("tilldela.data-dir")).isFalse();
        assertThat(AheadOfTime.shapesTheContext("tilldela.import.max-line-length")).isFalse();
        assertThat(AheadOfTime.shapesTheContext("logging.level.root")).isFalse();
        assertThat(AheadOfTime.shapesTheContext("spring.aot.enabled")).as("the switch to the made context itself").isFalse();
    }

    @Test
    void readsTheShapingPropertiesFromEverySourceAsSpringWould() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addLast(new MapPropertySource("arguments", Map.of(
                "spring.main.lazy-initialization", "true", "tilldela.data-dir", "/srv/tilldela", "logging.level.root", "WARN")));
        environment.getPropertySources().addLast(new SystemEnvironmentPropertySource("variables", Map.of(
                "SPRING_DATASOURCE_URL", "jdbc:postgresql://db/tilldela", "SPRING_MAIN_LAZY_INITIALIZATION", "false", "HOME", "/root")));
        environment.getPropertySources().addLast(new MapPropertySource("applicationInfo", Map.of("spring.application.pid", "4711")));
        environment.getPropertySources().addLast(new MapPropertySource("defaults", Map.of(
                "spring.main.lazy-initialization", "false", "tilldela.licensing.sweep.enabled", "true")));

        assertThat(AheadOfTime.shapingProperties(environment)).containsExactlyInAnyOrderEntriesOf(Map.of(
                // the arguments outrank the same property further down
                "spring.main.lazy-initialization", "true",
                // an environment variable as the property Spring reads it as
                "spring.datasource.url", "jdbc:postgresql://db/tilldela",
                "spring.main.lazy.initialization", "false",
                "tilldela.licensing.sweep.enabled", "true"));
    }
}
