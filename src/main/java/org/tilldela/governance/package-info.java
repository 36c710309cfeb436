/**
 * Governance — who may administer Tilldela and what they did: administrator accounts with rights
 * (least privilege: seeing protected identities is a right of its own), and the audit trail of admin
 * actions and of every look at a protected person.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Governance")
package org.tilldela.governance;
