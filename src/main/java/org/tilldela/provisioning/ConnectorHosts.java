package org.tilldela.provisioning;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.tilldela.platform.OutboundHosts;

/** Where connectors may send ({@code tilldela.provisioning.allowed-hosts}; default: public addresses only). */
@Component
class ConnectorHosts extends OutboundHosts {

    ConnectorHosts(@Value("${tilldela.provisioning.allowed-hosts:*}") String configured) {
        super("tilldela.provisioning.allowed-hosts", configured);
    }
}
