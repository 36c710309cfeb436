/**
 * Provisioning — accounts reach suppliers by themselves: SCIM push, the OneRoster 1.2 roster API for
 * suppliers that fetch (package {@code roster}), deprovisioning and deletion receipts. Every byte it sends
 * comes from the release policy and is in the disclosure ledger.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Provisioning")
package org.tilldela.provisioning;
