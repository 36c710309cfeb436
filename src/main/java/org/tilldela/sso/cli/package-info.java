/** Single sign-on's command-line subcommands ({@code demo-product}), offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.sso.cli;
