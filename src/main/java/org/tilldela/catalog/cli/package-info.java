/** The catalogue's command-line subcommands, offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.catalog.cli;
