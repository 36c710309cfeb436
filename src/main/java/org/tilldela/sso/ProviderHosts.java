package org.tilldela.sso;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.tilldela.platform.OutboundHosts;

/**
 * Where sign-in may connect to at an address an administrator gave ({@code tilldela.sso.allowed-hosts}; default:
 * public addresses only): an organiser's OpenID provider (discovery and every endpoint it names), an identity
 * provider's or a service provider's SAML metadata URL.
 */
@Component
class ProviderHosts extends OutboundHosts {

    ProviderHosts(@Value("${tilldela.sso.allowed-hosts:*}") String configured) {
        super("tilldela.sso.allowed-hosts", configured);
    }
}
