package org.tilldela.ledger;

/** How a deletion request reached the recipient. */
public enum DeletionChannel {
    /** A SCIM DELETE sent by provisioning; a 204 or 404 answer confirms it. */
    SCIM,
    /** The supplier fetched it from its API door (GET /api/v1/supplier/deletions) and confirms there. */
    SUPPLIER_API
}
