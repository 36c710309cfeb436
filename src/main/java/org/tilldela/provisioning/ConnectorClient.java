package org.tilldela.provisioning;

/** A client of one supplier's service (SCIM or BOL), made for one version of its connector and kept while that lasts. */
interface ConnectorClient extends AutoCloseable {

    /** The connector as the client was made for it. */
    Connectors.Endpoint endpoint();

    @Override
    void close();
}
