package org.tilldela.directory.ss12000;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts an operator allows imports to fetch from ({@code tilldela.import.allowed-hosts}). Without this,
 * anyone who may start an import could make the server connect anywhere it can reach — internal ports
 * included — and learn from the answers what listens there. Nothing is resolved to check a host: the
 * name in the URL is compared with the list as written, before any connection is made.
 *
 * <p>The list is separated by commas or white space; an empty list allows nothing. Each entry is
 * <ul>
 *   <li>{@code host} — exactly that host name or IP address (IPv6 in brackets), case-insensitive, a
 *       trailing dot ignored, on the scheme's default port only (443 for https, 80 for http);</li>
 *   <li>{@code *.domain} — every host name below {@code domain} (at least one label more; not
 *       {@code domain} itself), on the default port;</li>
 *   <li>either of these followed by {@code :port} — that port instead of the default one — or by
 *       {@code :*} — any port.</li>
 * </ul>
 * Nothing else is a pattern: {@code *} alone, or a {@code *} elsewhere, is refused at start.
 */
public final class AllowedHosts {

    private record Entry(String host, boolean subdomains, int port) {
        static final int ANY_PORT = -2;
        static final int DEFAULT_PORT = -1;
    }

    private final List<Entry> entries;

    public AllowedHosts(String configured) {
        List<Entry> list = new ArrayList<>();
        if (configured != null) {
            for (String raw : configured.split("[,\\s]+")) {
                if (!raw.isBlank()) {
                    list.add(parse(raw.strip()));
                }
            }
        }
        this.entries = List.copyOf(list);
    }

    private static Entry parse(String raw) {
        String text = raw.toLowerCase(Locale.ROOT);
        String host = text;
        int port = Entry.DEFAULT_PORT;
        int colon = text.lastIndexOf(':');
        int bracket = text.lastIndexOf(']');
        if (colon > bracket && (bracket >= 0 || text.indexOf(':') == colon)) { // a port, not a colon of an IPv6 address
            host = text.substring(0, colon);
            String p = text.substring(colon + 1);
            if (p.equals("*")) {
                port = Entry.ANY_PORT;
            } else {
                try {
                    port = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    port = 0;
                }
                if (port < 1 || port > 65535) {
                    throw invalid(raw, "the port must be 1–65535 or *");
                }
            }
        }
        boolean subdomains = host.startsWith("*.");
        if (subdomains) {
            host = host.substring(2);
        }
        host = normalise(host);
        if (host.isEmpty() || host.contains("*") || host.contains("/") || host.contains("@")) {
            throw invalid(raw, "expected host, *.domain, host:port or host:*");
        }
        return new Entry(host, subdomains, port);
    }

    private static IllegalArgumentException invalid(String raw, String why) {
        return new IllegalArgumentException("tilldela.import.allowed-hosts: '" + raw + "' is not a valid entry (" + why + ")");
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** Whether the URL's host and port are allowed; an http(s) URL with a host is assumed. */
    public boolean permits(URI url) {
        if (url.getHost() == null) {
            return false;
        }
        String host = normalise(url.getHost());
        int defaultPort = "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        int port = url.getPort() < 0 ? defaultPort : url.getPort();
        for (Entry e : entries) {
            boolean hostMatches = e.subdomains() ? host.endsWith("." + e.host()) : host.equals(e.host());
            boolean portMatches = e.port() == Entry.ANY_PORT || port == (e.port() == Entry.DEFAULT_PORT ? defaultPort : e.port());
            if (hostMatches && portMatches) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
