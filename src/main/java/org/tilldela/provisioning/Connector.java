package org.tilldela.provisioning;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A supplier's SCIM service as Tilldela pushes to it: where, how it authenticates us (never the secret itself),
 * which resource types and which of the supplier's products it serves, whether it is paused, and how its queue
 * stands.
 *
 * @param queued     operations waiting or in flight
 * @param dead       dead letters (operations that failed every attempt), to look at and replay
 * @param deletionBrakePercent the deletion brake: more deactivations and deletions waiting than this share of the
 *                   connector's accounts, and they are held for an administrator
 * @param brakeHeldAt held by the deletion brake since (null: not held)
 * @param held       deactivations and deletions held, waiting for an administrator to release or discard them
 * @param reconcileCron when the connector is reconciled (null: tilldela.provisioning.reconcile-cron)
 * @param reconciledAt  the last reconciliation (dry runs included)
 * @param profile    plain SCIM core, or EGIL (SS 12000:2018's SCIM profile)
 * @param serverCaGiven whether the supplier's server is trusted by CA certificates given for it (not the JDK's)
 * @param serviceProviderId for BOL: the publisher's BOL identity (its serviceProviderId, e.g. its domain)
 */
public record Connector(UUID id, UUID supplierId, String supplierName, String name, String baseUrl, Auth auth, String tokenUrl, String clientId,
                        List<String> resourceTypes, List<UUID> productIds, boolean enabled, Instant lastSuccessAt, String lastError,
                        Instant lastErrorAt, Instant backoffUntil, long queued, long dead, double deletionBrakePercent,
                        Instant brakeHeldAt, long held, String reconcileCron, Instant reconciledAt, Profile profile, boolean serverCaGiven,
                        String serviceProviderId) {

    /** How the supplier's SCIM service authenticates Tilldela. */
    public enum Auth {
        /** A long-lived bearer token the supplier issued. */
        BEARER,
        /** OAuth 2.0 client credentials (RFC 6749 §4.4) at the supplier's token endpoint; the access token is a bearer token. */
        OAUTH_CLIENT_CREDENTIALS,
        /** Mutual TLS: Tilldela presents a client certificate (PEM certificate and private key) in the TLS handshake; no token. */
        MUTUAL_TLS
    }

    /** Which objects the supplier takes. */
    public enum Profile {
        /** Plain SCIM 2.0 core (RFC 7643): Users, and Groups if asked for. */
        SCIM_CORE,
        /**
         * EGIL, the Swedish SCIM profile of SS 12000:2018: Organisations, SchoolUnits, Students and Teachers (Users
         * with the {@code urn:scim:schemas:extension:sis:school:1.0:User} extension), Employments, StudentGroups and
         * Activities (a group's teachers).
         */
        EGIL,
        /**
         * BOL (Beställning och Leverans, Sambruk): the publisher's ordering service. Orders for the connector's products
         * are sent as BOL orders ({@code /v1/orders/create}), and licence holders as BOL assignments
         * ({@code /v1/assignments/create} and {@code /delete}); no accounts, no groups.
         */
        BOL
    }

    /**
     * A connector as an administrator sets it up. Secrets ({@code bearerToken}, {@code clientSecret}, {@code clientKey}
     * and {@code clientCertificate}) are written, never read back; left out on a change, the stored one is kept.
     *
     * @param reconcileCron     a Spring cron expression (second minute hour day month weekday) of the connector's own;
     *                          left out, kept; empty, the global one again
     * @param profile           SCIM_CORE (default) or EGIL; fixed once the connector exists
     * @param clientCertificate for MUTUAL_TLS: the client certificate (PEM), optionally followed by its intermediate CAs
     * @param clientKey         for MUTUAL_TLS: the certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1, unencrypted)
     * @param serverCa          optional: the CA certificate(s) (PEM) that signed the supplier's server certificate, when it is
     *                          not one the JDK trusts (e.g. a federation's CA); left out on a change, the stored one is kept
     * @param serviceProviderId for BOL: the publisher's BOL identity, sent as serviceProviderId (required for BOL; left out on
     *                          a change, kept)
     */
    public record Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                           String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent,
                           String reconcileCron, Profile profile, String clientCertificate, String clientKey, String serverCa, String serviceProviderId) {

        /** Not a BOL connector. */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent,
                        String reconcileCron, Profile profile, String clientCertificate, String clientKey, String serverCa) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, deletionBrakePercent,
                    reconcileCron, profile, clientCertificate, clientKey, serverCa, null);
        }

        /** Without the EGIL profile's and mutual TLS's fields. */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent,
                        String reconcileCron) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, deletionBrakePercent,
                    reconcileCron, null, null, null, null, null);
        }

        /** With the reconciliation schedule as it is. */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent,
                        Profile profile, String clientCertificate, String clientKey, String serverCa) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, deletionBrakePercent,
                    null, profile, clientCertificate, clientKey, serverCa, null);
        }

        /** With the deletion brake as it is (10% for a new connector). */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, null);
        }

        /** Plain SCIM core, authenticated by a token. */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, deletionBrakePercent,
                    null, null, null, null, null, null);
        }

        @Override
        public String toString() {
            return "Settings[" + supplierId + ", " + name + ", " + baseUrl + ", " + auth + ", " + profile + "]"; // never the secrets
        }
    }
}
