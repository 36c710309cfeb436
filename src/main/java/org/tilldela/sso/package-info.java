/**
 * Single sign-on — the OpenID Connect provider pupils and staff sign in through (Spring Security's
 * authorization server, all of its state in PostgreSQL): registered clients (a product's sign-in
 * integration), signing keys with rotation, and tokens whose claims only the release policy decides. People
 * sign in with a local account or through their organiser's own OpenID provider (upstream federation).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Single sign-on")
package org.tilldela.sso;
