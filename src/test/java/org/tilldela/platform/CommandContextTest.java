package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.tilldela.IntegrationTest;
import org.tilldela.TilldelaApplication;
import org.tilldela.directory.OrganisationBrowser;

/**
 * A command's context, started as a command starts it (here on the shared test database as an external PostgreSQL):
 * no scheduled job of any module runs in it, and the beans that carry them are not even made — the modules' jobs
 * (ledger checkpoints, reconciliation with suppliers, recounts, reminders) are the server's.
 */
class CommandContextTest extends IntegrationTest {

    @AfterEach
    void closeTheCommand() {
        CommandContext.close();
    }

    @Test
    void aCommandRunsNoScheduledJobAndDoesNotMakeTheirBeans() {
        EmbeddedDatabase.Server database = sharedDatabase();
        CommandContext.configure(TilldelaApplication.class, List.of("--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + EmbeddedDatabase.APP_ROLE, "--spring.datasource.password=" + database.password(EmbeddedDatabase.APP_ROLE),
                "--spring.flyway.user=" + EmbeddedDatabase.OWNER, "--spring.flyway.password=" + database.password(EmbeddedDatabase.OWNER)));
        assertThat(CommandContext.bean(OrganisationBrowser.class).stats().organisations()).isNotNegative();
        ConfigurableListableBeanFactory beans = CommandContext.context().getBeanFactory();

        assertThat(NoScheduledJobs.REMOVED).allSatisfy(name -> assertThat(beans.containsBeanDefinition(name)).as(name).isFalse());
        List<String> scheduled = new ArrayList<>();
        for (String name : beans.getBeanDefinitionNames()) {
            Class<?> type = beans.getType(name, false);
            if (type != null && !MethodIntrospector.selectMethods(type,
                    (MethodIntrospector.MetadataLookup<Scheduled>) m -> AnnotatedElementUtils.findMergedAnnotation(m, Scheduled.class)).isEmpty()) {
                scheduled.add(name);
            }
        }
        assertThat(scheduled).as("beans with scheduled jobs in a command's context").hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(name -> assertThat(beans.containsSingleton(name)).as(name + " made").isFalse());
    }
}
