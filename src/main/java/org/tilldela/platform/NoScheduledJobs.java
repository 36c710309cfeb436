package org.tilldela.platform;

import java.util.List;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * No scheduled job runs inside a command: the modules' jobs (ledger checkpoints, reconciliation with the suppliers,
 * recounts, reminders, clean-ups) are the server's, and a command — beside the server, or on its own for a few minutes —
 * must not start them, whichever module adds one next. Takes Spring's {@code @Scheduled} processing out of a command's
 * context, and with it Spring Boot's rule that makes beans with {@code @Scheduled} methods at the start instead of on
 * first use: a command no longer makes them, nor all they need (BENCHMARKS.md, "Command start"). Runs after the
 * configuration classes have registered both.
 */
final class NoScheduledJobs implements BeanDefinitionRegistryPostProcessor {

    /** Spring's @Scheduled processor, and Spring Boot's exclusion of scheduled beans from lazy initialisation. */
    static final List<String> REMOVED = List.of(TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME,
            "scheduledBeanLazyInitializationExcludeFilter");

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        for (String name : REMOVED) {
            if (registry.containsBeanDefinition(name)) {
                registry.removeBeanDefinition(name);
            }
        }
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    }
}
