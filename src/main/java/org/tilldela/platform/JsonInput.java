package org.tilldela.platform;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * JSON read by the API: a null inside a list or set ({@code "organisations":[null]}) is refused as the request is read
 * (400, the request unreadable), not carried into code that takes each element for a value — immutable collections and
 * enum sets throw on a null, which was a server error (500) at a dozen endpoints. No list in the API means anything by
 * a null element. Maps are left alone: a null value there can mean "none" (a field cleared).
 */
@Configuration(proxyBeanMethods = false)
class JsonInput {

    @Bean
    JsonMapperBuilderCustomizer noNullsInLists() {
        JsonSetter.Value refused = JsonSetter.Value.forContentNulls(Nulls.FAIL);
        return builder -> {
            for (Class<?> type : List.of(Collection.class, List.class, Set.class)) {
                builder.withConfigOverride(type, o -> o.setNullHandling(refused));
            }
        };
    }
}
