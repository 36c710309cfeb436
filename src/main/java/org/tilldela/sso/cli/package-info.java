/** The sign-in module's command-line subcommands ({@code demo-product}, {@code benchmark sign-in}, {@code benchmark saml-sign-in}), offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.sso.cli;
