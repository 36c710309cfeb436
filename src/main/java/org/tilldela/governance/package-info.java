/**
 * Governance — who may administer Tilldela and what they did: administrator accounts with rights
 * (least privilege: seeing protected identities is a right of its own), each granted within a scope
 * ({@link org.tilldela.governance.AdminGrants}); the one definition of "within the caller's scope" every
 * module filters its SQL with ({@link org.tilldela.governance.Scopes}, {@link org.tilldela.governance.CallerScope});
 * and the audit trail of admin actions and of every look at a protected person.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Governance")
package org.tilldela.governance;
