package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The matching of tilldela.import.allowed-hosts, as its documentation defines it. */
class AllowedHostsTest {

    private static boolean permits(String configured, String url) {
        return new AllowedHosts(configured).permits(URI.create(url));
    }

    @Test
    void emptyAllowsNothing() {
        assertThat(permits("", "https://ss12000.example.se")).isFalse();
        assertThat(permits(null, "https://ss12000.example.se")).isFalse();
        assertThat(new AllowedHosts(" , ").isEmpty()).isTrue();
    }

    @Test
    void aHostAloneIsThatHostOnTheSchemesDefaultPortOnly() {
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se/ss12000/v2")).isTrue();
        assertThat(permits("ss12000.example.se", "https://SS12000.Example.SE./v2")).isTrue();
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se:443/v2")).isTrue();
        assertThat(permits("ss12000.example.se", "http://ss12000.example.se/v2")).isTrue();
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se:8443/v2")).isFalse();
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se:22/v2")).isFalse();
        assertThat(permits("ss12000.example.se", "https://other.example.se/v2")).isFalse();
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se.evil.test/v2")).isFalse();
        assertThat(permits("ss12000.example.se", "https://ss12000.example.se@evil.test/v2")).isFalse();
    }

    @Test
    void aPortOrAnyPortCanBeGiven() {
        assertThat(permits("ss12000.example.se:8443", "https://ss12000.example.se:8443/v2")).isTrue();
        assertThat(permits("ss12000.example.se:8443", "https://ss12000.example.se/v2")).isFalse();
        assertThat(permits("127.0.0.1:*", "http://127.0.0.1:5432/")).isTrue();
        assertThat(permits("127.0.0.1:*", "http://localhost:5432/")).isFalse();
        assertThat(permits("[::1]:8080", "http://[::1]:8080/")).isTrue();
        assertThat(permits("[::1]", "http://[::1]:8080/")).isFalse();
    }

    @Test
    void aWildcardIsEveryHostBelowTheDomainButNotTheDomainItself() {
        String list = "ss12000.example.se, *.kommun.se";
        assertThat(permits(list, "https://skola.kommun.se/v2")).isTrue();
        assertThat(permits(list, "https://a.b.kommun.se/v2")).isTrue();
        assertThat(permits(list, "https://kommun.se/v2")).isFalse();
        assertThat(permits(list, "https://evilkommun.se/v2")).isFalse();
        assertThat(permits(list, "https://skola.kommun.se:8080/v2")).isFalse();
        assertThat(permits("*.kommun.se:*", "https://skola.kommun.se:8080/v2")).isTrue();
    }

    @Test
    void anythingElseIsRefusedAtStart() {
        assertThatThrownBy(() -> new AllowedHosts("*")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'*'");
        assertThatThrownBy(() -> new AllowedHosts("ss*.example.se")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AllowedHosts("example.se:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AllowedHosts("https://example.se")).isInstanceOf(IllegalArgumentException.class);
    }
}
