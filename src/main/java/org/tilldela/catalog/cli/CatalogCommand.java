package org.tilldela.catalog.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tilldela.catalog.feed.CatalogFeeds;
import org.tilldela.catalog.feed.FeedProblem;
import org.tilldela.catalog.feed.FeedRejectedException;
import org.tilldela.catalog.feed.FeedResult;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "catalog", mixinStandardHelpOptions = true, description = "The catalogue of learning materials.",
        subcommands = CatalogCommand.Import.class)
public class CatalogCommand {

    @Command(name = "import", mixinStandardHelpOptions = true, description = {
            "Applies a supplier feed (CSV or JSON, see the README): all of it, or — if any row has a problem — none of it.",
            "Exit status 3 when the feed was refused; the problems are listed with line (CSV) or index (JSON)."})
    static class Import implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The feed: .csv or .json")
        Path file;

        @Option(names = "--format", description = "CSV or JSON (default: from the file name)")
        CatalogFeeds.Format format;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                System.err.println("error: no such file: " + file);
                return 2;
            }
            CatalogFeeds feeds = CommandContext.bean(CatalogFeeds.class);
            CatalogFeeds.Format f = format != null ? format : CatalogFeeds.Format.of(file.getFileName().toString(), null);
            try {
                FeedResult result = feeds.apply(Files.readAllBytes(file), f, file.getFileName().toString(), "command-line");
                System.out.printf("applied %s feed %s: %d products, %d created, %d updated%n", f, file.getFileName(), result.products(),
                        result.created(), result.updated());
                return 0;
            } catch (FeedRejectedException e) {
                System.err.println("refused: " + e.getMessage());
                for (FeedProblem p : e.problems()) {
                    System.err.println(p.where() + (p.field() == null ? "" : " " + p.field()) + ": " + p.reason());
                }
                return 3;
            }
        }
    }
}
