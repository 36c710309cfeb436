package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.tilldela.platform.OutboundHosts;

/** Where connectors may send: public hosts by default; private and loopback addresses only when listed by name. */
class ConnectorHostsTest {

    @Test
    void byDefaultOnlyPublicAddresses() {
        ConnectorHosts hosts = new ConnectorHosts("*");
        for (String refused : new String[] {"https://127.0.0.1/scim", "https://10.0.0.5/scim", "https://192.168.10.20/scim", "https://172.16.3.4/scim",
                "https://169.254.169.254/latest", "https://100.64.0.1/scim", "https://[::1]/scim", "https://[fd00::1]/scim", "https://localhost/scim",
                "https://0.0.0.0/scim"}) {
            assertThatThrownBy(() -> hosts.check(URI.create(refused), false)).as(refused).isInstanceOf(OutboundHosts.NotAllowed.class);
        }
        assertThatCode(() -> hosts.check(URI.create("https://93.184.215.14:8443/scim/v2"), false)).doesNotThrowAnyException();
        // a name is checked on the addresses it has when it is used
        assertThatCode(() -> hosts.check(URI.create("https://scim.leverantor.example/v2"), false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> hosts.check(URI.create("https://localhost/scim"), true)).isInstanceOf(OutboundHosts.NotAllowed.class);
    }

    @Test
    void aListedHostMayBePrivateOnItsPortOnly() {
        ConnectorHosts hosts = new ConnectorHosts("*, localhost:*, 127.0.0.1:8443");
        assertThatCode(() -> hosts.check(URI.create("http://localhost:1234/scim"), true)).doesNotThrowAnyException();
        assertThatCode(() -> hosts.check(URI.create("https://127.0.0.1:8443/scim"), true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> hosts.check(URI.create("https://127.0.0.1:9999/scim"), true)).isInstanceOf(OutboundHosts.NotAllowed.class);
        assertThatThrownBy(() -> hosts.check(URI.create("https://10.1.2.3/scim"), true)).isInstanceOf(OutboundHosts.NotAllowed.class);
    }

    @Test
    void withoutTheStarOnlyWhatIsListed() {
        ConnectorHosts hosts = new ConnectorHosts("*.leverantor.example");
        assertThatCode(() -> hosts.check(URI.create("https://scim.leverantor.example/v2"), false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> hosts.check(URI.create("https://93.184.215.14/scim"), false)).isInstanceOf(OutboundHosts.NotAllowed.class);
        assertThatThrownBy(() -> hosts.check(URI.create("https://leverantor.example/scim"), false)).isInstanceOf(OutboundHosts.NotAllowed.class);
        assertThatThrownBy(() -> new ConnectorHosts("lev*rantor.example")).isInstanceOf(IllegalArgumentException.class);
    }
}
