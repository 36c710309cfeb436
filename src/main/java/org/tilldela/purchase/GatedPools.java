package org.tilldela.purchase;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.PoolAdmission;
import org.tilldela.licensing.PoolRefused;

/**
 * The compliance gate at the licensing module's door: no pool — ordered, made by hand, or through the
 * API — comes into being that an order could not bring about. A blocking reason (no processing agreement
 * covering the organiser, processing in a third country without an adequacy decision) always refuses;
 * data needs beyond the organiser's policy refuse unless the pool is for a line of an order the data
 * protection officer approved, which is the one way past that reason.
 */
@Component
@Transactional(readOnly = true)
class GatedPools implements PoolAdmission {

    private final ComplianceGate gate;
    private final Catalog catalog;
    private final JdbcClient jdbc;
    private final Clock clock;

    GatedPools(ComplianceGate gate, Catalog catalog, JdbcClient jdbc, Optional<Clock> clock) {
        this.gate = gate;
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    @Override
    public void admit(NewPool pool) {
        Product product = catalog.product(pool.productId()).orElseThrow(() -> new IllegalArgumentException("no product " + pool.productId()));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        Verdict verdict = gate.check(product, supplier, pool.organiserId(), LocalDate.now(clock));
        if (verdict.outcome() == Verdict.Outcome.OK) {
            return;
        }
        boolean approved = pool.orderLineId() != null && approvedByOfficer(pool.orderLineId());
        List<PoolRefused.Reason> refusing = new ArrayList<>();
        for (Verdict.Reason r : verdict.reasons()) {
            if (r.outcome() == Verdict.Outcome.BLOCKED || r.outcome() == Verdict.Outcome.NEEDS_DPO_APPROVAL && !approved) {
                refusing.add(new PoolRefused.Reason(r.code(), r.args(), r.attributes(), english(r, product)));
            }
        }
        if (!refusing.isEmpty()) {
            throw new PoolRefused(refusing);
        }
    }

    private boolean approvedByOfficer(UUID orderLineId) {
        return jdbc.sql("""
                        select exists (select 1 from order_line l join dpo_approval a on a.order_id = l.order_id
                                       where l.id = :line and a.state = 'APPROVED')
                        """).param("line", orderLineId).query(Boolean.class).single();
    }

    private static String english(Verdict.Reason r, Product product) {
        return switch (r.code()) {
            case "noProcessingAgreement" -> r.args().getFirst() + " has no valid data processing agreement covering the organiser.";
            case "thirdCountry" -> "Personal data would be processed in " + r.args().getFirst() + " (by " + r.args().get(1)
                    + "), outside the EU/EEA without a valid adequacy decision.";
            case "beyondPolicy" -> product.title() + " asks for " + r.attributes().stream().sorted().map(Enum::name).toList()
                    + ", beyond the organiser's data policy: only an order the data protection officer approves can create its pool.";
            default -> "The compliance gate refuses " + product.title() + " (" + r.code() + ").";
        };
    }
}
