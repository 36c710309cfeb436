package org.tilldela.ledger;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * The overdue deletions as CSV, for the data protection officer to chase suppliers with (or to hand on):
 * one row per recipient and person, with the deletion request's receipt. Persons appear by their id only
 * (most have left the directory by then; the per-person report names them). Audited as an export.
 */
@Component
public class OverdueDeletionsCsv {

    /** At most this many rows: far beyond any real backlog, and a bound on what one request can pull out. */
    static final int MAX_ROWS = 100_000;

    private static final String[] HEADER = {"supplier", "product", "person_id", "attributes", "relation_ended", "retain_until", "days_overdue",
            "state", "channel", "sent_at", "answered_at", "answer_status", "answer", "request_id"};

    private final Retention retention;
    private final LedgerReports reports;
    private final AuditTrail audit;

    OverdueDeletionsCsv(Retention retention, LedgerReports reports, AuditTrail audit) {
        this.retention = retention;
        this.reports = reports;
        this.audit = audit;
    }

    @Transactional
    public String export(LocalDate today, String actor) {
        return export(today, actor, org.tilldela.governance.CallerScope.wholeInstallation());
    }

    /** The overdue deletions about persons placed within {@code scope} (the exporting officer's) only. */
    @Transactional
    public String export(LocalDate today, String actor, org.tilldela.governance.CallerScope scope) {
        List<OverdueDeletion> overdue = retention.overdueDeletions(today, MAX_ROWS, scope);
        Set<UUID> supplierIds = new HashSet<>();
        Set<UUID> productIds = new HashSet<>();
        overdue.forEach(d -> {
            supplierIds.add(d.supplierId());
            productIds.add(d.productId());
        });
        Map<UUID, String> suppliers = reports.supplierNames(supplierIds);
        Map<UUID, String> products = reports.productNames(productIds);
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(HEADER).get())) {
            for (OverdueDeletion d : overdue) {
                DeletionReceipt r = d.receipt();
                csv.printRecord(cell(suppliers.get(d.supplierId())), cell(products.get(d.productId())), d.personId(), String.join(" ", d.attributes()),
                        d.endedOn(), d.retainUntil(), d.daysOverdue(), d.state(), r == null ? null : r.channel(), r == null ? null : instant(r.sentAt()),
                        r == null ? null : instant(r.answeredAt()), r == null ? null : r.answerStatus(), r == null ? null : cell(r.answer()),
                        r == null ? null : r.requestId());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        audit.record(actor, "EXPORT_OVERDUE_DELETIONS", "ledger", "deletions", Map.of("rows", overdue.size(), "format", "csv"));
        return out.toString();
    }

    private static String instant(Instant at) {
        return at == null ? null : at.toString();
    }

    /**
     * Text a supplier or an administrator wrote (a name, a supplier's answer) opens in a spreadsheet: one
     * that starts like a formula is quoted with an apostrophe so it stays text (CSV injection).
     */
    static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }
}
