/** The provisioning module's command-line subcommands (its benchmarks), offered to the jar's command dispatcher. */
@org.springframework.modulith.NamedInterface("cli")
package org.tilldela.provisioning.cli;
