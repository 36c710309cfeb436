package org.tilldela.ledger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * The per-person report as a PDF to hand to the person (the basis of a GDPR Art. 15 answer): who holds
 * which data about them, since when, why and until when, and the most recent releases. Plain text in
 * the standard Helvetica (Latin-1 covers Swedish and Danish; anything else prints as '?').
 */
@Component
public class PersonReportPdf {


    private final MessageSource messages;

    PersonReportPdf(MessageSource messages) {
        this.messages = messages;
    }

    public byte[] render(LedgerReports.PersonReport report, Locale locale) {
        ZoneId zone = ZoneId.systemDefault();
        DateTimeFormatter day = DateTimeFormatter.ISO_LOCAL_DATE.withZone(zone);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
        try (PDDocument doc = new PDDocument()) {
            org.tilldela.platform.PdfPages w = new org.tilldela.platform.PdfPages(doc);
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle(msg("ledger.person.title", locale));
            info.setCreator("Tilldela");
            w.line(w.bold, 16, msg("ledger.person.title", locale));
            w.gap(6);
            var p = report.person();
            String name = p.masked() ? msg("ledger.person.protected", locale)
                    : p.displayName() != null ? p.displayName() : msg("ledger.person.notindirectory", locale);
            w.line(w.bold, 12, name);
            w.line(w.regular, 10, msg("ledger.person.id", locale) + ": " + p.id());
            if (p.civicNumberMasked() != null) {
                w.line(w.regular, 10, msg("ui13.civic." + (p.civicNumberKind() == null ? "ANY" : p.civicNumberKind()), locale) + ": " + p.civicNumberMasked());
            }
            w.line(w.regular, 10, msg("ledger.person.generated", locale) + ": " + time.format(report.generatedAt()) + " (" + report.generatedBy() + ")");
            w.gap(10);
            w.line(w.bold, 13, msg("ledger.person.recipients", locale) + " (" + report.recipients().size() + ")");
            if (report.recipients().isEmpty()) {
                w.line(w.regular, 10, msg("ledger.person.norecipients", locale));
            }
            for (var r : report.recipients()) {
                w.gap(6);
                w.line(w.bold, 11, r.supplierName() + " - " + r.productName());
                w.field(msg("ledger.col.attributes", locale), attributes(r.attributes(), locale));
                w.field(msg("ledger.col.since", locale), day.format(r.since()) + "  (" + msg("ledger.col.last", locale) + " " + day.format(r.lastDisclosed())
                        + ", " + r.disclosures() + " " + msg("ledger.releases", locale) + ")");
                if (r.repeats() > 0) {
                    w.field(msg("ledger.col.repeats", locale), messages.getMessage("ledger.person.repeats",
                            new Object[] {r.repeats(), time.format(r.lastDisclosed())}, locale));
                }
                w.field(msg("ledger.col.purpose", locale), r.purpose());
                w.field(msg("ledger.col.legalbasis", locale), r.legalBasis());
                w.field(msg("ledger.col.agreement", locale), r.agreementId() == null ? msg("ledger.noagreement", locale) : agreement(r, locale));
                w.field(msg("ledger.col.until", locale), r.retainUntil() != null ? r.retainUntil().toString()
                        : messages.getMessage("ledger.until.relation", new Object[] {r.retentionDays()}, locale));
                if (r.accountDeactivatedAt() != null) {
                    w.field(msg("ledger.col.account", locale), messages.getMessage("ledger.account.deactivated",
                            new Object[] {day.format(r.accountDeactivatedAt())}, locale));
                }
                w.field(msg("ledger.col.state", locale), deletion(r, locale, day));
            }
            w.gap(10);
            w.line(w.bold, 13, msg("ledger.person.releases", locale) + " (" + report.recentReleases().size() + " / " + report.totalReleases() + ")");
            for (var r : report.recentReleases()) {
                w.line(w.regular, 9, time.format(r.disclosedAt()) + "  " + msg("ledger.channel." + r.channel(), locale) + "  " + r.supplierName() + " - "
                        + r.productName() + ": " + attributes(r.attributes(), locale));
            }
            w.gap(10);
            w.line(w.bold, 13, msg("ledger.person.usage", locale) + " (" + report.usage().size() + ")");
            if (report.usage().isEmpty()) {
                w.line(w.regular, 10, msg("ledger.person.nousage", locale));
            }
            for (var u : report.usage()) {
                w.line(w.regular, 9, u.supplierName() + " - " + u.productName() + ": " + messages.getMessage("ledger.usage.line",
                        new Object[] {u.activeDays(), u.firstDay().toString(), u.lastDay().toString(), u.signIns()}, locale));
            }
            w.line(w.regular, 9, msg("ledger.person.usage.kept", locale));
            w.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "Deleted, confirmed on …", "Deletion requested on …, not confirmed" (with how, and the latest answer), or the state. */
    private String deletion(LedgerReports.Recipient r, Locale locale, DateTimeFormatter day) {
        DeletionReceipt receipt = r.deletion();
        if (receipt == null || (r.deletionState() != DeletionState.CONFIRMED && r.deletionState() != DeletionState.REQUESTED)) {
            return msg("ledger.state." + r.deletionState(), locale);
        }
        String how = " (" + msg("ledger.deletion.channel." + receipt.channel(), locale) + ")";
        if (r.deletionState() == DeletionState.CONFIRMED) {
            return messages.getMessage("ledger.deletion.confirmed", new Object[] {day.format(receipt.confirmedAt())}, locale) + how;
        }
        String text = messages.getMessage("ledger.deletion.requested", new Object[] {day.format(receipt.sentAt())}, locale) + how;
        if (receipt.answeredAt() != null && receipt.answerStatus() != null) {
            text += "; " + msg("ledger.col.answer", locale) + ": " + messages.getMessage("ledger.deletion.answer",
                    new Object[] {receipt.answerStatus(), receipt.answer() == null ? "" : receipt.answer(), day.format(receipt.answeredAt())}, locale);
        }
        return text;
    }

    /** The agreement by supplier, product and dates; by id only when it is no longer known. */
    private String agreement(LedgerReports.Recipient r, Locale locale) {
        LedgerReports.AgreementRef a = r.agreement();
        if (a == null) {
            return messages.getMessage("ledger.agreement", new Object[] {r.agreementId()}, locale);
        }
        return a.endedOn() == null
                ? messages.getMessage("ledger.agreement.named", new Object[] {a.supplierName(), a.productName(), a.inForceFrom().toString()}, locale)
                : messages.getMessage("ledger.agreement.namedEnded", new Object[] {a.supplierName(), a.productName(), a.inForceFrom().toString(),
                a.endedOn().toString()}, locale);
    }

    private String attributes(List<String> names, Locale locale) {
        return String.join(", ", names.stream().map(a -> msg("attribute." + a, locale)).toList());
    }

    private String msg(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }
}
