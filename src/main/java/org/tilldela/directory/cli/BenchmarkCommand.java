package org.tilldela.directory.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tilldela.directory.DirectoryStats;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "benchmark", mixinStandardHelpOptions = true, description = "Benchmarks over generated data.",
        subcommands = BenchmarkCommand.Import.class)
public class BenchmarkCommand {

    @Command(name = "import", mixinStandardHelpOptions = true, description = {
            "Generates N persons and imports them into an empty database (embedded, under --work-dir),",
            "then re-imports the identical file, then a version with --vary percent of persons changed.",
            "Run with -Xmx2g to hold the import to the 2 GB heap target."})
    static class Import implements Callable<Integer> {
        @Option(names = "--persons", defaultValue = "1000000", description = "Persons to generate (default ${DEFAULT-VALUE}).")
        int persons;

        @Option(names = "--vary", defaultValue = "1", description = "Percent of persons changed in the delta file (default ${DEFAULT-VALUE}).")
        double vary;

        @Option(names = "--work-dir", defaultValue = "target/benchmark", description = "Where files and the database go (emptied first).")
        Path workDir;

        @Override
        public Integer call() throws Exception {
            CommandContext.useEmptyWorkDirectory(workDir);
            Path full = workDir.resolve("municipality.zip");
            Path changed = workDir.resolve("municipality-next-day.zip");
            long t = System.nanoTime();
            new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, 1, "sv", 0, 0)).writeTo(full);
            new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, 1, "sv", vary, 1)).writeTo(changed);
            System.out.printf("generated %,d persons twice in %.1f s (%,d and %,d bytes)%n", persons, (System.nanoTime() - t) / 1e9,
                    Files.size(full), Files.size(changed));
            ImportRuns runs = CommandContext.bean(ImportRuns.class);
            System.out.printf("cores: %d, max heap: %,d MB, java %s%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
            System.out.println();
            System.out.println("| run | wall time | peak heap | phases (ms) |");
            System.out.println("|---|---:|---:|---|");
            run(runs, "full import into empty database", full, false);
            run(runs, "identical re-import (recognised by its digest)", full, false);
            run(runs, "identical re-import, read anyway (--reread)", full, true);
            run(runs, vary + "% changed", changed, false);
            DirectoryStats stats = CommandContext.bean(OrganisationBrowser.class).stats();
            System.out.println();
            System.out.println("directory: " + stats);
            return 0;
        }

        private static void run(ImportRuns runs, String label, Path file, boolean reread) {
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            ImportSummary summary = runs.runNow("ONEROSTER", new ImportOptions("benchmark", false, "benchmark", reread),
                    new OneRosterReader(file, file.getFileName().toString()), ImportProgress.NONE, file.getFileName().toString());
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            StringBuilder phases = new StringBuilder();
            for (Map.Entry<String, Long> e : summary.phaseMillis().entrySet()) {
                phases.append(e.getKey()).append(' ').append(e.getValue()).append("; ");
            }
            System.out.printf("| %s | %.1f s | %,d MB | %s|%n", label, summary.durationMillis() / 1000.0, peak >> 20, phases);
            System.err.print(summary.toText());
        }
    }
}
