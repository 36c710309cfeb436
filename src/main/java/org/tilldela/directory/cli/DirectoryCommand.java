package org.tilldela.directory.cli;

import java.util.concurrent.Callable;
import org.tilldela.directory.DirectoryStats;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "directory", mixinStandardHelpOptions = true, description = "Looks at what the directory holds.",
        subcommands = DirectoryCommand.Stats.class)
public class DirectoryCommand {

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Prints counts as one JSON object.")
    static class Stats implements Callable<Integer> {
        @Override
        public Integer call() {
            DirectoryStats stats = CommandContext.bean(OrganisationBrowser.class).stats();
            System.out.println(CommandContext.bean(JsonMapper.class).writeValueAsString(stats));
            return 0;
        }
    }
}
