package org.tilldela.ledger;

/** The way personal data left Tilldela towards a recipient. */
public enum Channel {
    SSO_ID_TOKEN, SSO_USERINFO, SCIM_PUSH, ROSTER_PULL, EXPORT, SUPPLIER_API,
    /**
     * An access token made by a refresh (no new ID token): all a product learns from it is its subject, the person's
     * pseudonym (introspection); userinfo, which it opens, is recorded as a release of its own.
     */
    SSO_ACCESS_TOKEN,
    /** A SAML 2.0 assertion to a supplier's service provider (Tilldela as identity provider). */
    SSO_SAML,
    /** A licence assigned to the person at a publisher through BOL (Beställning och Leverans): the user id and school sent. */
    BOL_ASSIGNMENT
}
