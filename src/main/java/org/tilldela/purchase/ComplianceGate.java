package org.tilldela.purchase;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/**
 * The compliance gate at checkout, in this order: a product that needs no personal data passes; without
 * a valid data processing agreement covering the organiser the order is blocked; personal data processed
 * in a country outside the EU/EEA without a valid adequacy decision (by the supplier, a sub-processor, or
 * as the declaration says) blocks it; data needs beyond the organiser's policy hold it for the data
 * protection officer. Every reason that applies is given, not only the first.
 */
@Service
@Transactional(readOnly = true)
public class ComplianceGate {

    private final AdequacyList adequacy;
    private final DataPolicies policies;

    ComplianceGate(AdequacyList adequacy, DataPolicies policies) {
        this.adequacy = adequacy;
        this.policies = policies;
    }

    public Verdict check(Product product, Supplier supplier, UUID organiserId, LocalDate day) {
        List<Verdict.Reason> reasons = new ArrayList<>();
        if (product.dataNeeds().isEmpty()) {
            reasons.add(reason(Verdict.Outcome.OK, "noPersonalData", List.of()));
            return Verdict.of(reasons);
        }
        if (!supplier.hasProcessingAgreementFor(organiserId, day)) {
            reasons.add(reason(Verdict.Outcome.BLOCKED, "noProcessingAgreement", List.of(supplier.name())));
        }
        for (Map.Entry<String, Set<String>> c : processingCountries(product, supplier).entrySet()) {
            boolean adequate = adequacy.entry(c.getKey()).map(e -> e.validOn(day)).orElse(false);
            if (!adequate) {
                reasons.add(reason(Verdict.Outcome.BLOCKED, "thirdCountry", List.of(c.getKey(), String.join(", ", c.getValue()))));
            }
        }
        DataPolicy policy = policies.of(organiserId);
        Set<Attribute> beyond = policy.beyond(product.declaredAttributes());
        if (!beyond.isEmpty()) {
            reasons.add(new Verdict.Reason(Verdict.Outcome.NEEDS_DPO_APPROVAL, "beyondPolicy", List.of(), beyond));
        }
        if (reasons.isEmpty()) {
            reasons.add(reason(Verdict.Outcome.OK, "allClear", List.of(supplier.name())));
        }
        return Verdict.of(reasons);
    }

    /** Every country personal data would be processed in, with who processes it there. */
    static Map<String, Set<String>> processingCountries(Product product, Supplier supplier) {
        Map<String, Set<String>> where = new TreeMap<>();
        supplier.processingCountries().forEach(c -> where.computeIfAbsent(norm(c), k -> new LinkedHashSet<>()).add(supplier.name()));
        supplier.subProcessors().forEach(s -> where.computeIfAbsent(norm(s.country()), k -> new LinkedHashSet<>()).add(s.name()));
        product.dataNeeds().forEach(n -> n.processingCountries()
                .forEach(c -> where.computeIfAbsent(norm(c), k -> new LinkedHashSet<>()).add(product.title())));
        return where;
    }

    private static String norm(String country) {
        return country == null ? "" : country.strip().toUpperCase(java.util.Locale.ROOT);
    }

    private static Verdict.Reason reason(Verdict.Outcome outcome, String code, List<String> args) {
        return new Verdict.Reason(outcome, code, args, Set.of());
    }
}
