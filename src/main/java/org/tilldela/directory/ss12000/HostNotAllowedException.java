package org.tilldela.directory.ss12000;

/** An import source on a host (or port) the operator has not allowed; refused before any connection. */
public class HostNotAllowedException extends IllegalArgumentException {

    private final String host;

    public HostNotAllowedException(String host) {
        super("the host " + host + " is not among the hosts allowed for imports; an operator can allow it with tilldela.import.allowed-hosts");
        this.host = host;
    }

    /** The host and port as given in the URL, for the message shown to the person who gave it. */
    public String host() {
        return host;
    }
}
