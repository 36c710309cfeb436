package org.tilldela.platform;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/** The API description: every call authenticates with HTTP Basic, sent by the client itself. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "Tilldela API", version = "v1",
        description = "School core data, imports and (later) licences and disclosures. Breaking changes go to /api/v2."),
        security = @SecurityRequirement(name = "basic"))
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
class OpenApiConfiguration {
}
