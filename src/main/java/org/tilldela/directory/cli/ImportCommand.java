package org.tilldela.directory.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.importing.MassRemovalBlockedException;
import org.tilldela.directory.importing.SnapshotReader;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true, description = "Imports school core data into the directory.",
        subcommands = {ImportCommand.OneRoster.class, ImportCommand.Ss12000.class})
public class ImportCommand {

    /** Exit status when the input is refused (problems listed on stderr). */
    static final int REFUSED = 3;
    /** Exit status when the deletion guard stopped the import. */
    static final int GUARDED = 4;

    /** The options every import subcommand shares: how to apply, and what to print. */
    static class Applying {
        @Option(names = "--allow-mass-removal", description = "Apply even if it removes more persons than the deletion guard allows.")
        boolean allowMassRemoval;

        @Option(names = "--timings", description = "Print how long each phase and step of the import took (on stderr).")
        boolean timings;
    }

    static int run(String format, String source, Applying applying, SnapshotReader reader, String inputName) {
        return run(format, new ImportOptions(source, applying.allowMassRemoval, "command-line"), applying, reader, inputName);
    }

    static int run(String format, ImportOptions options, Applying applying, SnapshotReader reader, String inputName) {
        ConsoleProgress progress = new ConsoleProgress(System.err);
        try {
            ImportSummary summary = CommandContext.bean(ImportRuns.class).runNow(format, options, reader, progress, inputName);
            progress.finish();
            System.out.print(summary.toText());
            if (summary.unchangedSince() != null) {
                System.err.println("(--reread reads the package and compares every row anyway)");
            }
            if (applying.timings) {
                // where the time went, to explain a slow import (indented steps are parts of the phase above them)
                summary.phaseMillis().forEach((phase, ms) -> System.err.printf("%-48s %8d ms%n", phase, ms));
            }
            return 0;
        } catch (ImportRejectedException | MassRemovalBlockedException e) {
            progress.finish();
            System.err.println(e.getMessage());
            return e instanceof ImportRejectedException ? REFUSED : GUARDED;
        }
    }

    @Command(name = "oneroster", mixinStandardHelpOptions = true, description = "Full import of a OneRoster 1.1 or 1.2 CSV zip.")
    static class OneRoster implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.zip", description = "The OneRoster CSV package.")
        Path file;

        @Option(names = "--source", defaultValue = "oneroster", description = "Name of the source this snapshot is of (default ${DEFAULT-VALUE}).")
        String source;

        @Mixin
        Applying applying;

        @Option(names = "--reread", description = "Read the package even if it is the one this source's last import read "
                + "(which is otherwise recognised by its digest and not read again).")
        boolean reread;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                System.err.println("error: " + file + " is not a file");
                return 2;
            }
            return run("ONEROSTER", new ImportOptions(source, applying.allowMassRemoval, "command-line", reread), applying,
                    new OneRosterReader(file, file.getFileName().toString(), CommandContext.bean(ImportLimits.class)), file.getFileName().toString());
        }
    }

    @Command(name = "ss12000", mixinStandardHelpOptions = true, description = "Import from an SS 12000 API server (full, or --delta since the last import).")
    static class Ss12000 implements Callable<Integer> {
        @Option(names = "--base-url", required = true, description = "The SS 12000 API's base URL.")
        String baseUrl;

        @Option(names = "--token", description = "Bearer token (or set TILLDELA_SS12000_TOKEN).")
        String token;

        @Option(names = "--source", defaultValue = "ss12000", description = "Name of the source (default ${DEFAULT-VALUE}).")
        String source;

        @Option(names = "--delta", description = "Fetch only what changed since the last import of this source (modified entities and deleted entities).")
        boolean delta;

        @Mixin
        Applying applying;

        @Override
        public Integer call() {
            String bearer = token != null ? token : System.getenv("TILLDELA_SS12000_TOKEN");
            var reader = CommandContext.bean(org.tilldela.directory.ss12000.Ss12000Readers.class).reader(source, baseUrl, bearer, delta);
            return run("SS12000", source, applying, reader, baseUrl);
        }
    }
}
