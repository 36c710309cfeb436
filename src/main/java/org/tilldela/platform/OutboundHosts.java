package org.tilldela.platform;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.time.Duration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;

/**
 * Where Tilldela may connect to at an address an administrator gave: a supplier's connector
 * ({@code tilldela.provisioning.allowed-hosts}), an organiser's identity provider or a service provider's SAML metadata
 * ({@code tilldela.sso.allowed-hosts}). An administrator who sets such an address decides where the server connects;
 * without a limit that is a way into the internal network (the cloud's metadata address, the database's port, an
 * internal admin page) whose answers come back as error texts. So the address must be a public one, unless an operator
 * listed it.
 *
 * <p>Entries, separated by commas or white space (the import's syntax, and one more):
 * <ul>
 *   <li>{@code *} — any host whose addresses are all public (the default);</li>
 *   <li>{@code host} — exactly that name or address (IPv6 in brackets), on the scheme's default port; a host
 *       listed by its own name or address may be private or loopback (a supplier or a provider inside the
 *       municipality's network, a test server);</li>
 *   <li>{@code *.domain} — names below {@code domain}, which must resolve to public addresses;</li>
 *   <li>any of these with {@code :port} or {@code :*} — that port, or any port, instead of the default one.</li>
 * </ul>
 * Checked when an address is saved (an address literal at once; a name that does not resolve then is checked
 * when it is used) and again before every connection, on the addresses the name resolves to then — the JDK
 * caches that answer, so the connection goes to the address checked.
 */
public class OutboundHosts {

    private record Entry(String host, boolean anyPublic, boolean subdomains, int port) {
        static final int ANY_PORT = -2;
        static final int DEFAULT_PORT = -1;
    }

    private final String property;
    private final List<Entry> entries;

    /** {@code property}: the setting the entries come from, named in every refusal. */
    public OutboundHosts(String property, String configured) {
        this.property = property;
        List<Entry> list = new ArrayList<>();
        for (String raw : configured == null ? new String[0] : configured.split("[,\\s]+")) {
            if (!raw.isBlank()) {
                list.add(parse(property, raw.strip()));
            }
        }
        this.entries = List.copyOf(list);
    }

    /** Refuses an address that no entry permits; {@code resolve}: look the name up (before a connection) or take it as written (when saved). */
    public void check(URI url, boolean resolve) {
        String why = refusal(url, resolve);
        if (why != null) {
            throw new NotAllowed(url.getHost() + " is not an address Tilldela may connect to (" + property + "): " + why);
        }
    }

    /**
     * Requests with these connect and read timeouts that check every request's address (resolved) before it is made —
     * for clients that follow addresses they were given by the other side (OpenID Connect discovery names the token,
     * userinfo and JWK set endpoints), each of which could point inside the network — and follow no redirect (the
     * address checked is the address asked: a redirect would pass the rule by). A refusal is an I/O failure to the
     * client (so a sign-in ends on its failure page, as for a provider that cannot be reached) whose cause is the
     * {@link NotAllowed} ({@link #refusal}).
     */
    public ClientHttpRequestFactory requests(Duration timeout) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory() {
            @Override
            protected void prepareConnection(java.net.HttpURLConnection connection, String method) throws java.io.IOException {
                super.prepareConnection(connection, method);
                connection.setInstanceFollowRedirects(false);
            }
        };
        requests.setConnectTimeout(timeout);
        requests.setReadTimeout(timeout);
        return (uri, method) -> {
            try {
                check(uri, true);
            } catch (NotAllowed e) {
                throw new java.io.IOException(e.getMessage(), e);
            }
            return requests.createRequest(uri, method);
        };
    }

    /** The refusal behind a failed call through {@link #requests}, if that is why it failed. */
    public static java.util.Optional<NotAllowed> refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NotAllowed n) {
                return java.util.Optional.of(n);
            }
        }
        return java.util.Optional.empty();
    }

    private String refusal(URI url, boolean resolve) {
        if (url.getHost() == null) {
            return "no host";
        }
        String host = normalise(url.getHost());
        int defaultPort = "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        int port = url.getPort() < 0 ? defaultPort : url.getPort();
        boolean publicOnlyMatch = false;
        for (Entry e : entries) {
            boolean portMatches = e.port() == Entry.ANY_PORT || port == (e.port() == Entry.DEFAULT_PORT ? defaultPort : e.port());
            if (!portMatches) {
                continue;
            }
            if (!e.anyPublic() && !e.subdomains() && host.equals(e.host())) {
                return null; // listed by its own name: private addresses too
            }
            if (e.anyPublic() || (e.subdomains() && host.endsWith("." + e.host()))) {
                publicOnlyMatch = true;
            }
        }
        if (!publicOnlyMatch) {
            return "not listed";
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return "a loopback address must be listed by name";
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean literal = bare.matches("[0-9.]+") || bare.contains(":");
        if (!literal && !resolve) {
            return null; // a name: its addresses are checked before every connection
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(bare)) {
                if (!isPublic(address)) {
                    return "it is a private, loopback or link-local address; list it by name to allow it";
                }
            }
            return null;
        } catch (UnknownHostException e) {
            return literal ? "not an address" : "the name does not resolve";
        }
    }

    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 0/8 "this network", 100.64/10 carrier-grade NAT, 192.0.0/24 protocol assignments, 198.18/15 benchmarking, 240/4 reserved
            return !(first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19)) || first >= 240);
        }
        if (a instanceof Inet6Address) {
            // fc00::/7 unique local; ::ffff:a.b.c.d mapped IPv4 is judged as the IPv4 address (the JDK gives Inet4Address for those)
            return (b[0] & 0xfe) != 0xfc;
        }
        return false;
    }

    private static Entry parse(String property, String raw) {
        String text = raw.toLowerCase(Locale.ROOT);
        if (text.equals("*") || text.startsWith("*:")) {
            // any port: a public supplier's service may listen where it likes
            return new Entry("", true, false, text.equals("*") ? Entry.ANY_PORT : port(property, raw, text.substring(2)));
        }
        String host = text;
        String port = null;
        int colon = text.lastIndexOf(':');
        int bracket = text.lastIndexOf(']');
        if (colon > bracket && (bracket >= 0 || text.indexOf(':') == colon)) { // a port, not a colon of an IPv6 address
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        boolean subdomains = host.startsWith("*.");
        if (subdomains) {
            host = host.substring(2);
        }
        host = normalise(host);
        if (host.isEmpty() || host.contains("*") || host.contains("/") || host.contains("@")) {
            throw new IllegalArgumentException(property + ": '" + raw + "' is not a valid entry (expected *, host, *.domain, "
                    + "with :port or :* if need be)");
        }
        return new Entry(host, false, subdomains, port(property, raw, port));
    }

    private static int port(String property, String raw, String port) {
        if (port == null) {
            return Entry.DEFAULT_PORT;
        }
        if (port.equals("*")) {
            return Entry.ANY_PORT;
        }
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(property + ": '" + raw + "' has no valid port (1–65535 or *)");
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The address is not one Tilldela may connect to. */
    public static final class NotAllowed extends IllegalArgumentException {
        NotAllowed(String message) {
            super(message);
        }
    }
}
