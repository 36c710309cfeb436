package org.tilldela.governance;

/**
 * What an administrator may do. Rights are granted one by one; none is implied by another, so a buyer
 * sees no disclosure ledger and a data protection officer places no orders unless given both rights.
 *
 * <p>Every right is granted within a scope (see {@link AdminGrants}): the whole installation, or one or
 * more organisation units with everything below them, optionally narrowed to school forms. A right means
 * the same inside any scope; outside it the records are not there for the account ({@link CallerScope}).
 */
public enum AdminRight {
    /** Import core data and browse the directory (protected persons masked). */
    DIRECTORY_ADMIN,
    /** See the names of persons with protected identity (sekretessmarkering, skyddad folkbokföring). */
    VIEW_PROTECTED_IDENTITIES,
    /** Keep the catalogue: suppliers, their processing agreements, products and supplier feeds. */
    CATALOG_ADMIN,
    /** Order learning materials for recipients inside the buyer's own organisation scope (inköpare / indkøber). */
    BUYER,
    /** Manage licence pools, assignment rules and profiles. */
    LICENCE_ADMIN,
    /** Approve, narrow, decline and revoke suppliers' data-access requests (skoladministratör; Tilslutning). */
    ACCESS_ADMIN,
    /**
     * The data protection officer (dataskyddsombud / databeskyttelsesrådgiver): reads the disclosure ledger
     * and its reports, verifies the chain, approves orders whose data needs go beyond the organiser's policy,
     * keeps the list of countries with an adequacy decision.
     */
    DATA_PROTECTION_OFFICER,
    /**
     * Reads the audit trail within the scope, read-only: no personal data beyond what the audit trail itself
     * shows (who did what, when, to which record id), never a directory record.
     */
    AUDITOR,
    /**
     * A purchasing centre serving several organisers (regional inköpscentral / indkøbsfællesskab): counts and
     * sums over the organisers in its scope only, never a name or a person id.
     */
    REGIONAL,
    /**
     * Creates and disables administrator accounts and grants and revokes rights, only within its own scope and
     * only rights the granting account holds over that scope itself: nobody can hand out more than they have.
     */
    ACCOUNT_ADMIN;

    public String authority() {
        return "RIGHT_" + name();
    }
}
