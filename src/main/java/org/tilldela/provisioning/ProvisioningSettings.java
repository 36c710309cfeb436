package org.tilldela.provisioning;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the SCIM push works its queue ({@code tilldela.provisioning.*}).
 *
 * @param workerEnabled            whether this node works the outbox (any number of nodes may)
 * @param pollInterval             how often an idle worker looks for due operations
 * @param batchSize                operations one worker claims at a time for one connector
 * @param perConnectorConcurrency  workers at most per connector on this node: a slow supplier holds only its own
 * @param maxAttempts              attempts before an operation becomes a dead letter
 * @param backoffBase              the first retry's delay; doubled per attempt, with jitter (half to all of it)
 * @param backoffMax               the longest delay between attempts of our own choosing (a supplier's Retry-After is
 *                                 honoured up to an hour)
 * @param httpTimeout              connect and read timeout of every call to a supplier
 * @param lease                    how long a claimed operation is its worker's; after that (a crashed node) it is claimed again
 * @param bulkBatchSize            operations one worker claims at a time for a connector whose supplier offers SCIM Bulk (sent in
 *                                 as many Bulk requests as its maxOperations and maxPayloadSize need); one release decision and
 *                                 one ledger write for the whole batch
 */
@ConfigurationProperties("tilldela.provisioning")
record ProvisioningSettings(@DefaultValue("true") boolean workerEnabled, @DefaultValue("1s") Duration pollInterval,
                            @DefaultValue("20") int batchSize, @DefaultValue("4") int perConnectorConcurrency,
                            @DefaultValue("8") int maxAttempts, @DefaultValue("2s") Duration backoffBase,
                            @DefaultValue("10m") Duration backoffMax, @DefaultValue("10s") Duration httpTimeout,
                            @DefaultValue("5m") Duration lease, @DefaultValue("500") int bulkBatchSize) {
}
