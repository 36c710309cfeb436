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
 */
public record Connector(UUID id, UUID supplierId, String supplierName, String name, String baseUrl, Auth auth, String tokenUrl, String clientId,
                        List<String> resourceTypes, List<UUID> productIds, boolean enabled, Instant lastSuccessAt, String lastError,
                        Instant lastErrorAt, Instant backoffUntil, long queued, long dead, double deletionBrakePercent,
                        Instant brakeHeldAt, long held, String reconcileCron, Instant reconciledAt) {

    /** How the supplier's SCIM service authenticates Tilldela. Mutual TLS is not offered yet. */
    public enum Auth {
        /** A long-lived bearer token the supplier issued. */
        BEARER,
        /** OAuth 2.0 client credentials (RFC 6749 §4.4) at the supplier's token endpoint; the access token is a bearer token. */
        OAUTH_CLIENT_CREDENTIALS
    }

    /**
     * A connector as an administrator sets it up. Secrets ({@code bearerToken}, {@code clientSecret}) are written,
     * never read back; left out on a change, the stored one is kept. {@code reconcileCron}: a Spring cron expression
     * (second minute hour day month weekday) of the connector's own; left out, kept; empty, the global one again.
     */
    public record Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                           String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent,
                           String reconcileCron) {

        /** With the reconciliation schedule as it is. */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled, Double deletionBrakePercent) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, deletionBrakePercent,
                    null);
        }

        /** With the deletion brake as it is (10% for a new connector). */
        public Settings(UUID supplierId, String name, String baseUrl, Auth auth, String bearerToken, String tokenUrl, String clientId,
                        String clientSecret, List<String> resourceTypes, List<UUID> productIds, Boolean enabled) {
            this(supplierId, name, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, productIds, enabled, null);
        }
    }
}
