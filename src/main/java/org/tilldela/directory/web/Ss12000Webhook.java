package org.tilldela.directory.web;

import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;

/**
 * Where an SS 12000 server reports changes (the spec's subscriptionEvent callback): {@code POST
 * /webhooks/ss12000/{source}/{secret}}. No session, no CSRF token, no credentials but the secret in the URL
 * the subscription was made with — the spec gives the server nothing else to send. The body (which resource
 * types changed) is not read: a delta import fetches whatever changed. Any refusal is a plain 404.
 */
@RestController
@PreAuthorize("permitAll()")
class Ss12000Webhook {

    private final ImportSources sources;
    private final SourceRuns runs;

    Ss12000Webhook(ImportSources sources, SourceRuns runs) {
        this.sources = sources;
        this.runs = runs;
    }

    @PostMapping(ImportSources.WEBHOOK_PATH + "{source}/{secret}")
    ResponseEntity<Void> notified(@PathVariable String source, @PathVariable String secret) {
        UUID id;
        try {
            id = UUID.fromString(source);
        } catch (IllegalArgumentException e) {
            return ResponseEntity.notFound().build();
        }
        try {
            if (sources.notified(id, secret)) {
                runs.runSoon(id);
            }
            return ResponseEntity.ok().build();
        } catch (ImportSources.WebhookRefusedException e) {
            return ResponseEntity.notFound().build();
        }
    }

    /** The webhook's own door: stateless, no CSRF (the server is no browser), open to anyone — the secret decides. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    static class Door {
        @Bean
        @Order(0)
        SecurityFilterChain ss12000WebhookChain(HttpSecurity http) throws Exception {
            return org.tilldela.platform.SecretPathDoor.chain(http, ImportSources.WEBHOOK_PATH + "**");
        }
    }
}
