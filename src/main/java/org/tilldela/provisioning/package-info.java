/**
 * Provisioning — accounts reach suppliers by themselves. SCIM 2.0 push (RFC 7643/7644): a connector per
 * supplier serving named products; licence and directory events enqueue operations in a transactional outbox;
 * workers on any node claim them ({@code FOR UPDATE SKIP LOCKED}), ask the release policy what may go, and
 * create, update or deactivate the supplier's account, retrying with backoff and ending in dead letters an
 * administrator can replay (as a new operation from the person's state today). Reconciliation compares what a
 * supplier has with what it should have and queues the difference as ordinary operations (dry run first if wished;
 * nightly per connector). The roster API for suppliers that pull lives in {@code provisioning.roster}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Provisioning")
package org.tilldela.provisioning;
