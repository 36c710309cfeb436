package org.tilldela.ledger;

/** The way personal data left Tilldela towards a recipient. */
public enum Channel {
    SSO_ID_TOKEN, SSO_USERINFO, SCIM_PUSH, ROSTER_PULL, EXPORT, SUPPLIER_API,
    /** A SAML 2.0 assertion to a supplier's service provider (Tilldela as identity provider). */
    SSO_SAML,
    /** A licence assigned to the person at a publisher through BOL (Beställning och Leverans): the user id and school sent. */
    BOL_ASSIGNMENT
}
