package org.tilldela.directory.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tilldela.directory.generator.MunicipalityGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Writes a OneRoster 1.1 CSV zip of a synthetic municipality (Datafaker names; deterministic for a seed).")
public class GenerateCommand implements Callable<Integer> {

    @Option(names = "--persons", required = true, description = "Number of persons (pupils, staff and guardians).")
    int persons;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--locale", defaultValue = "sv", description = "sv or da (default ${DEFAULT-VALUE}).")
    String locale;

    @Option(names = "--vary", defaultValue = "0", description = "Percent of persons changed (renamed, moved, replaced) to make a 'next day' file.")
    double vary;

    @Option(names = "--vary-seed", defaultValue = "1", description = "Which persons --vary changes.")
    long varySeed;

    @Option(names = "--out", required = true, description = "The zip file to write.")
    Path out;

    @Override
    public Integer call() throws java.io.IOException {
        long started = System.nanoTime();
        java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent()); // as an archiver would: --out names where it goes
        var result = new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, seed, locale, vary, varySeed)).writeTo(out);
        System.out.printf("Wrote %s in %.1f s: %d school units, %d groups, %d persons (%d pupils, %d staff, %d guardians), %d memberships, %d guardian links%n",
                out, (System.nanoTime() - started) / 1e9, result.schools(), result.groups(), result.persons(), result.pupils(), result.staff(),
                result.guardians(), result.memberships(), result.guardianLinks());
        return 0;
    }
}
