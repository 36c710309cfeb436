package org.tilldela.platform;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.modulith.events.EventPublication;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.util.ClassUtils;

/**
 * The event publications this process stored (Spring Modulith's registry, the platform's {@code event_publication}
 * table), for a command to wait for its own follow-up work only: the server it runs beside, or other nodes on a shared
 * database, publish into the same table meanwhile, and their work is theirs. A command's context only.
 */
final class OwnPublications implements BeanPostProcessor {

    private final Set<UUID> ids = ConcurrentHashMap.newKeySet();

    Set<UUID> ids() {
        return Set.copyOf(ids);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof EventPublicationRepository repository)) {
            return bean;
        }
        return Proxy.newProxyInstance(bean.getClass().getClassLoader(), ClassUtils.getAllInterfacesForClass(bean.getClass()), (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(repository, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if ("create".equals(method.getName()) && result instanceof EventPublication stored) {
                ids.add(stored.getIdentifier());
            }
            return result;
        });
    }
}
