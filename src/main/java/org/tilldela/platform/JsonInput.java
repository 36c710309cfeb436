package org.tilldela.platform;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON sent to Tilldela's API: a null inside a list or set ({@code "organisations":[null]}) is refused as the request is
 * read (400, the request unreadable), not carried into code that takes each element for a value — immutable collections
 * and enum sets throw on a null, which was a server error (500) at a dozen endpoints. No list in the API means anything
 * by a null element. Maps are left alone: a null value there can mean "none" (a field cleared).
 *
 * <p>Only the server's reading of request bodies: the application's own mapper reads what other systems send (an SS 12000
 * source's lists may hold a null, which its reader skips) and is left as it is.
 */
@Configuration(proxyBeanMethods = false)
class JsonInput {

    @Bean
    ServerHttpMessageConvertersCustomizer noNullsInRequestLists(JsonMapper jsonMapper) {
        JsonSetter.Value refused = JsonSetter.Value.forContentNulls(Nulls.FAIL);
        JsonMapper.Builder strict = jsonMapper.rebuild();
        for (Class<?> type : List.of(Collection.class, List.class, Set.class)) {
            strict.withConfigOverride(type, o -> o.setNullHandling(refused));
        }
        JsonMapper requests = strict.build();
        // on the list as built, whatever order the customizers run in: Spring Boot's own sets the JSON converter too
        return builder -> builder.configureMessageConvertersList(converters -> converters.replaceAll(
                c -> c instanceof JacksonJsonHttpMessageConverter ? new JacksonJsonHttpMessageConverter(requests) : c));
    }
}
