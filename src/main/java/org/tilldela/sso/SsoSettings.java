package org.tilldela.sso;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long what the provider issues lives ({@code tilldela.sso.*}).
 *
 * @param accessTokenTtl     access tokens (JWT): short, since a revoked agreement or ended licence shows at the next refresh
 * @param idTokenTtl         ID tokens
 * @param refreshTokenTtl    refresh tokens (opaque, rotated on every use): about a school day
 * @param keyEncryptionKey   base64 of 32 bytes that encrypt the signing keys at rest; the same on every node (else one
 *                           is generated into the data directory, which only serves one node)
 */
@ConfigurationProperties("tilldela.sso")
record SsoSettings(@DefaultValue("10m") Duration accessTokenTtl, @DefaultValue("10m") Duration idTokenTtl,
                   @DefaultValue("8h") Duration refreshTokenTtl, @DefaultValue("") String keyEncryptionKey) {
}
