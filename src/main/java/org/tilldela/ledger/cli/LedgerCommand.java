package org.tilldela.ledger.cli;

import java.util.concurrent.Callable;
import org.tilldela.ledger.ChainVerification;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;

@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The disclosure ledger.",
        subcommands = LedgerCommand.Verify.class)
public class LedgerCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {
            "Verifies the ledger's hash chain from the first record to the head.",
            "Exit status 0 when intact, 1 when broken (the first broken record is named)."})
    static class Verify implements Callable<Integer> {
        @Override
        public Integer call() {
            DisclosureLedger ledger = CommandContext.bean(DisclosureLedger.class);
            ChainVerification result = ledger.verify();
            System.out.println(report(result));
            return result.intact() ? 0 : 1;
        }
    }

    static String report(ChainVerification v) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("records checked: %,d in %.3f s (%,.0f records/s)%n", v.recordsChecked(), v.took().toNanos() / 1e9, v.rate()));
        if (v.intact()) {
            out.append("intact");
        } else {
            out.append("BROKEN at record ").append(v.firstBrokenSequence()).append(": ").append(v.reason());
        }
        return out.toString();
    }
}
