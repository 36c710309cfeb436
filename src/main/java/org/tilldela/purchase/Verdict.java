package org.tilldela.purchase;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The compliance gate's answer for one order line: the outcome and the reasons behind it, each a code
 * the UI words in the reader's language (messages {@code purchase.gate.<code>}) with its arguments.
 */
public record Verdict(Outcome outcome, List<Reason> reasons) {

    /** In rising order of severity. */
    public enum Outcome { OK, NEEDS_DPO_APPROVAL, BLOCKED }

    /**
     * @param args       the message's arguments (a supplier's name, a country code and who processes there, …)
     * @param attributes the attributes the reason is about (beyond the policy), for wording in the reader's language
     */
    public record Reason(Outcome outcome, String code, List<String> args, Set<org.tilldela.catalog.Attribute> attributes) {
        public Reason {
            args = List.copyOf(args);
            attributes = Set.copyOf(attributes);
        }
    }

    public Verdict {
        reasons = List.copyOf(reasons);
    }

    static Verdict of(List<Reason> reasons) {
        Outcome worst = reasons.stream().map(Reason::outcome).max(Comparator.naturalOrder()).orElse(Outcome.OK);
        // an OK reason says why all is well; it is no reason once something is not
        return new Verdict(worst, worst == Outcome.OK ? reasons : reasons.stream().filter(r -> r.outcome() != Outcome.OK).toList());
    }

    public boolean blocked() {
        return outcome == Outcome.BLOCKED;
    }

    public boolean needsApproval() {
        return outcome == Outcome.NEEDS_DPO_APPROVAL;
    }

    /** The worst of several lines' verdicts. */
    public static Outcome worst(List<Verdict> verdicts) {
        return verdicts.stream().map(Verdict::outcome).max(Comparator.naturalOrder()).orElse(Outcome.OK);
    }
}
