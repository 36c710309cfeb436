package org.tilldela.ledger.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tilldela.ledger.ChainVerification;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerCheckpoints;
import org.tilldela.ledger.LedgerMaintenance;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The disclosure ledger.",
        subcommands = {LedgerCommand.Verify.class, LedgerCommand.Checkpoint.class, LedgerCommand.Maintain.class})
public class LedgerCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {
            "Verifies the ledger's hash chain from the first record to the head, and every signed checkpoint against it.",
            "Exit status 0 when intact, 1 when broken (the first broken record is named)."})
    static class Verify implements Callable<Integer> {

        @Option(names = "--since-checkpoint", description = "Only the records after the latest signed checkpoint that holds.")
        boolean sinceCheckpoint;

        @Option(names = "--checkpoint", paramLabel = "FILE",
                description = "Also check a published checkpoint (written by 'ledger checkpoint --out'): the chain must still hold its record.")
        Path published;

        @Override
        public Integer call() throws IOException {
            String checkpoint = published == null ? null : Files.readString(published, StandardCharsets.UTF_8);
            LedgerCheckpoints checkpoints = CommandContext.bean(LedgerCheckpoints.class);
            ChainVerification result = sinceCheckpoint ? checkpoints.verifySinceLatest() : CommandContext.bean(DisclosureLedger.class).verify();
            System.out.println(report(result));
            if (checkpoint != null) {
                LedgerCheckpoints.Check check = checkpoints.check(checkpoint);
                if (check.finding() == LedgerCheckpoints.Finding.REMOVED) {
                    System.out.println("the published checkpoint at record " + check.sequence() + " is older than the ledger's retention: "
                            + "its month was removed, and there is nothing left to compare it with");
                    return result.intact() ? 0 : 1;
                }
                if (check.finding() != LedgerCheckpoints.Finding.HOLDS) {
                    System.out.println("BROKEN against the published checkpoint" + (check.sequence() == null ? "" : " at record " + check.sequence())
                            + ": " + check.finding().reason());
                    return 1;
                }
                System.out.println("the published checkpoint at record " + check.sequence() + " holds");
            }
            return result.intact() ? 0 : 1;
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = {
            "Signs the ledger's head now (a checkpoint is also made every hour the ledger grew) and prints it.",
            "Publish it outside Tilldela (--out FILE, then mail or archive it): 'ledger verify --checkpoint FILE' later shows",
            "whether the chain was rewritten at or before it, even by someone who could write to the database."})
    static class Checkpoint implements Callable<Integer> {

        @Option(names = "--out", paramLabel = "FILE", description = "Write the signed checkpoint (a JWS) to FILE.")
        Path out;

        @Option(names = "--public-key", description = "Print the public key checkpoints are verified with (a JWK) instead.")
        boolean publicKey;

        @Override
        public Integer call() throws IOException {
            LedgerCheckpoints checkpoints = CommandContext.bean(LedgerCheckpoints.class);
            if (publicKey) {
                System.out.println(checkpoints.publicKey());
                return 0;
            }
            Optional<LedgerCheckpoints.Checkpoint> made = checkpoints.make();
            if (made.isEmpty()) {
                System.out.println("the ledger has no record yet: nothing to sign");
                return 0;
            }
            LedgerCheckpoints.Checkpoint c = made.get();
            System.out.printf("checkpoint at record %,d, head %s, signed %s%n", c.sequence(), c.hashHex(), c.madeAt());
            if (out != null) {
                Files.writeString(out, c.signed() + "\n", StandardCharsets.UTF_8);
                System.out.println("written to " + out.toAbsolutePath());
            } else {
                System.out.println(c.signed());
            }
            return 0;
        }
    }

    @Command(name = "maintain", mixinStandardHelpOptions = true, description = {
            "What the server does daily: makes the ledger's monthly partitions ahead, signs a checkpoint at the end of every",
            "month that ended (once the chain through it verified), and removes months older than tilldela.ledger.retention-years.",
            "Exit status 0 when done, 1 when the chain is broken (nothing signed or removed then)."})
    static class Maintain implements Callable<Integer> {
        @Override
        public Integer call() {
            LedgerMaintenance.Outcome o = CommandContext.bean(LedgerMaintenance.class).run();
            System.out.printf("months made ahead: %d%nmonth ends signed: %s%n", o.monthsMade(), o.monthEndsSigned().isEmpty() ? "none" : o.monthEndsSigned());
            o.removed().forEach(r -> System.out.printf("removed %s: %,d records; the chain now starts after record %s%n", r.month(), r.records(), r.cut()));
            if (o.problem() != null) {
                System.out.println("BROKEN: " + o.problem());
                return 1;
            }
            return 0;
        }
    }

    static String report(ChainVerification v) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("records checked: %,d in %.3f s (%,.0f records/s)%n", v.recordsChecked(), v.took().toNanos() / 1e9, v.rate()));
        if (v.checkpointsHeld() > 0) {
            out.append(String.format("signed checkpoints that hold: %,d%n", v.checkpointsHeld()));
        }
        if (v.intact()) {
            out.append("intact");
        } else {
            out.append("BROKEN at record ").append(v.firstBrokenSequence()).append(": ").append(v.reason());
        }
        return out.toString();
    }
}
