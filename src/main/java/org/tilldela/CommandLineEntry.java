package org.tilldela;

import java.util.ArrayList;
import java.util.List;
import org.tilldela.catalog.cli.CatalogCommand;
import org.tilldela.catalog.cli.CatalogSearchBenchmark;
import org.tilldela.directory.cli.BenchmarkCommand;
import org.tilldela.directory.cli.DirectoryCommand;
import org.tilldela.directory.cli.GenerateCommand;
import org.tilldela.directory.cli.ImportCommand;
import org.tilldela.ledger.cli.LedgerBenchmarkCommand;
import org.tilldela.ledger.cli.LedgerCommand;
import org.tilldela.licensing.cli.LicensingBenchmarkCommand;
import org.tilldela.platform.BackupCommand;
import org.tilldela.platform.CommandContext;
import org.tilldela.provisioning.cli.PushBenchmarkCommand;
import org.tilldela.provisioning.cli.RosterBenchmarkCommand;
import org.tilldela.usage.cli.UsageBenchmarkCommand;
import org.tilldela.sso.cli.DemoProductCommand;
import org.tilldela.sso.cli.SamlSignInBenchmarkCommand;
import org.tilldela.sso.cli.SignInBenchmarkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Dispatches {@code java -jar tilldela.jar <command> …}; Spring options (--spring.*, --tilldela.*) pass through. */
@Command(name = "tilldela", mixinStandardHelpOptions = true, version = "Tilldela 0.1",
        description = "Tilldela server and command-line tools. Without a command, starts the server.",
        subcommands = {ImportCommand.class, DirectoryCommand.class, GenerateCommand.class, BenchmarkCommand.class, LedgerCommand.class,
                CatalogCommand.class, DemoProductCommand.class, BackupCommand.class, BackupCommand.Restore.class,
                CommandLine.HelpCommand.class})
public final class CommandLineEntry {

    public static int run(String[] args) {
        List<String> springArgs = new ArrayList<>();
        List<String> commandArgs = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--spring.") || arg.startsWith("--tilldela.") || arg.startsWith("--logging.")) {
                springArgs.add(arg);
            } else {
                commandArgs.add(arg);
            }
        }
        CommandContext.configure(TilldelaApplication.class, springArgs);
        if (!commandArgs.isEmpty() && commandArgs.getFirst().equals("benchmark")) {
            CommandContext.withoutAheadOfTime(); // a benchmark may start a whole server beside its command context
        }
        try {
            CommandLine commandLine = new CommandLine(new CommandLineEntry());
            // `benchmark ledger` is added here: the directory's BenchmarkCommand naming the ledger would be a module cycle
            commandLine.getSubcommands().get("benchmark").addSubcommand(new LedgerBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new CatalogSearchBenchmark());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new LicensingBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new SignInBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new SamlSignInBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new RosterBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new PushBenchmarkCommand());
            commandLine.getSubcommands().get("benchmark").addSubcommand(new UsageBenchmarkCommand());
            return commandLine
                    .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                        cmd.getErr().println("error: " + rootMessage(ex));
                        return 2;
                    })
                    .execute(commandArgs.toArray(String[]::new));
        } finally {
            CommandContext.close();
        }
    }

    private static String rootMessage(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
