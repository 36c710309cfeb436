package org.tilldela.purchase;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/** An order as it would be placed now: per line the persons it reaches, the seats, the privacy preview and the gate's verdict. */
public record Quote(BuyerScope scope, List<Line> lines) {

    public Quote {
        lines = List.copyOf(lines);
    }

    /**
     * @param persons the persons the recipients pick today, inside the scope
     * @param seats   the seats (copies, for a printed product) the line buys; null: unlimited
     * @param preview null for a product that needs no personal data
     */
    public record Line(int position, OrderLineRequest request, Product product, Supplier supplier, List<UUID> persons, Integer seats,
                       Verdict verdict, PrivacyPreview preview) {
        public Line {
            persons = List.copyOf(persons);
        }

        public BigDecimal unitPrice() {
            return request.trial() ? BigDecimal.ZERO : product.price();
        }

        /** Nothing yet for a line that still needs recipients: its seats follow from whom the buyer picks. */
        public BigDecimal total() {
            if (seats == null && needsRecipients()) {
                return BigDecimal.ZERO;
            }
            return seats == null ? unitPrice() : unitPrice().multiply(BigDecimal.valueOf(seats));
        }

        /** A licence (digital) product with nobody named yet cannot be ordered. */
        public boolean needsRecipients() {
            return product.isDigital() && persons.isEmpty();
        }
    }

    public Verdict.Outcome outcome() {
        return Verdict.worst(lines.stream().map(Line::verdict).toList());
    }

    public boolean blocked() {
        return outcome() == Verdict.Outcome.BLOCKED;
    }
}
