/** The ledger's command-line subcommands ({@code ledger verify}, {@code benchmark ledger}), offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.ledger.cli;
