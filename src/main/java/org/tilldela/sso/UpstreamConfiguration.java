package org.tilldela.sso;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.directory.OrganiserPersons;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.InstanceSecrets;
import org.tilldela.platform.SecretsAtRest;
import tools.jackson.databind.json.JsonMapper;

/** Upstream federation's parts: secrets at rest (every context), the sign-in itself (web only). */
@Configuration(proxyBeanMethods = false)
class UpstreamConfiguration {

    /** The key that encrypts the signing keys encrypts upstream client secrets too: one key for an operator to keep. */
    @Bean
    SecretsAtRest secretsAtRest(SsoSettings settings, @Value("${tilldela.data-dir:./data}") String dataDir) {
        return new SecretsAtRest(AuthorizationServerConfiguration.keyEncryptionKey(settings.keyEncryptionKey(), Path.of(dataDir)));
    }

    /** Every call to an upstream provider ends within this (connect, and each read): a hung provider must not hold a thread. */
    @Bean
    UpstreamHttp upstreamHttp(@Value("${tilldela.sso.upstream-timeout:10s}") Duration timeout, ProviderHosts hosts) {
        return new UpstreamHttp(timeout, hosts);
    }

    @Bean
    @ConditionalOnWebApplication
    UpstreamAuthorizationRequests upstreamAuthorizationRequests(JdbcClient jdbc, SecretsAtRest secrets, JsonMapper json) {
        return new UpstreamAuthorizationRequests(jdbc, secrets, json);
    }

    @Bean
    @ConditionalOnWebApplication
    UpstreamSignIn upstreamSignIn(UpstreamProviders providers, OrganiserPersons persons, AuditTrail audit, InstanceSecrets secrets,
                                  UpstreamAuthorizationRequests requests, UpstreamHttp http, org.tilldela.governance.AdminUpstreamAccounts admins,
                                  org.tilldela.governance.AdminAccounts adminAccounts) {
        return new UpstreamSignIn(providers, persons, audit, secrets, requests, http, admins, adminAccounts);
    }
}
