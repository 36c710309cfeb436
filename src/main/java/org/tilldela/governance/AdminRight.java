package org.tilldela.governance;

/**
 * What an administrator may do. Rights are granted one by one; none is implied by another, so a buyer
 * sees no disclosure ledger and a data protection officer places no orders unless given both rights.
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
    DATA_PROTECTION_OFFICER;

    public String authority() {
        return "RIGHT_" + name();
    }
}
