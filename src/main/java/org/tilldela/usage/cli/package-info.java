/** The usage module's command-line subcommands (its benchmark), offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.usage.cli;
