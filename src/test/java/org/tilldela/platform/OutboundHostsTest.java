package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * A client guarded by {@link OutboundHosts} does not connect to an address that is not allowed — as when an OpenID
 * provider's discovery names a token or JWK set endpoint inside the network — and says why; a listed one it reaches.
 */
class OutboundHostsTest {

    @Test
    void aGuardedClientAsksOnlyAnAllowedAddress() throws Exception {
        try (org.tilldela.CountingHttpServer server = new org.tilldela.CountingHttpServer("127.0.0.1", 204)) {
            String url = server.url("/token");
            RestClient publicOnly = RestClient.builder()
                    .requestFactory(new OutboundHosts("tilldela.example.allowed-hosts", "*").requests(java.time.Duration.ofSeconds(5))).build();
            Exception e = catchException(() -> publicOnly.get().uri(url).retrieve().toBodilessEntity());
            assertThat(e).isInstanceOf(ResourceAccessException.class);
            assertThat(OutboundHosts.refusal(e)).hasValueSatisfying(refused -> assertThat(refused.getMessage())
                    .contains("127.0.0.1").contains("tilldela.example.allowed-hosts").contains("loopback"));
            assertThat(server.asked()).as("not even connected to").isZero();

            RestClient listed = RestClient.builder()
                    .requestFactory(new OutboundHosts("tilldela.example.allowed-hosts", "*, 127.0.0.1:*").requests(java.time.Duration.ofSeconds(5))).build();
            assertThat(listed.get().uri(url).retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(204);
            assertThat(server.asked()).isOne();
            assertThat(OutboundHosts.refusal(new IllegalStateException("another failure"))).isEmpty();
        }
    }
}
