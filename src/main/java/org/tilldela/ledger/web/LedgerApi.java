package org.tilldela.ledger.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.catalog.Attribute;
import org.tilldela.governance.AuditTrail;
import org.tilldela.ledger.ChainVerification;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DeletionDue;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerCheckpoints;
import org.tilldela.ledger.LedgerRecord;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.ledger.OverdueDeletion;
import org.tilldela.ledger.OverdueDeletionsCsv;
import org.tilldela.ledger.PersonReportPdf;
import org.tilldela.ledger.Retention;

@RestController
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER')")
// Everything about persons filters by the officer's scope in SQL (LedgerViewers: persons placed within it); the chain's
// verification and checkpoints vouch for the whole ledger, so they stay with an officer over the whole installation.
@RequestMapping("/api/v1/ledger")
@Tag(name = "Disclosure ledger", description = "Who holds which personal data about whom, why and until when; the hash chain's verification.")
class LedgerApi {

    private final LedgerViewers viewers;
    private final DisclosureLedger ledger;
    private final LedgerReports reports;
    private final Retention retention;
    private final PersonReportPdf pdf;
    private final AuditTrail audit;
    private final OverdueDeletionsCsv csv;
    private final LedgerCheckpoints checkpoints;

    private final org.tilldela.ledger.SupplierOverview overview;

    LedgerApi(DisclosureLedger ledger, LedgerReports reports, Retention retention, PersonReportPdf pdf, AuditTrail audit, OverdueDeletionsCsv csv, LedgerViewers viewers,
              LedgerCheckpoints checkpoints, org.tilldela.ledger.SupplierOverview overview) {
        this.overview = overview;
        this.checkpoints = checkpoints;
        this.viewers = viewers;
        this.csv = csv;
        this.ledger = ledger;
        this.reports = reports;
        this.retention = retention;
        this.pdf = pdf;
        this.audit = audit;
    }

    @GetMapping("/persons/{id}")
    @Operation(summary = "Who has data about this person: every recipient, the attributes, since when, why, until when; and the recent releases (audited)")
    LedgerReports.PersonReport person(@PathVariable UUID id, Authentication auth) {
        return reports.personReport(id, viewers.of(auth), "json");
    }

    @GetMapping(value = "/persons/{id}/report.pdf", produces = MediaType.APPLICATION_PDF_VALUE)
    @Operation(summary = "The same report as a PDF, to hand to the person (audited)")
    ResponseEntity<byte[]> personPdf(@PathVariable UUID id, Authentication auth, @RequestParam(defaultValue = "sv") String lang) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .body(pdf.render(reports.personReport(id, viewers.of(auth), "pdf"), Locale.forLanguageTag(lang)));
    }

    @GetMapping("/suppliers")
    @Operation(summary = "Every supplier holding personal data, with the number of persons and products (at millions of holdings: "
            + "as last counted, see README)")
    List<LedgerReports.SupplierSummary> suppliers(Authentication auth) {
        return overview.overview(LocalDate.now(), viewers.of(auth).scope()).suppliers();
    }

    @GetMapping("/suppliers/{id}")
    @Operation(summary = "A supplier's inventory: per product, which attributes it holds for how many persons, expiring when")
    LedgerReports.SupplierInventory supplier(@PathVariable UUID id, Authentication auth) {
        return reports.supplierInventory(id, LocalDate.now(), viewers.of(auth).scope());
    }

    /** A ledger record as the API shows it: hashes in hex. */
    record FeedEntry(long sequence, UUID personId, UUID supplierId, UUID productId, Channel channel, Set<Attribute> attributes, UUID agreementId,
                     String legalBasis, String purpose, Instant disclosedAt, int retentionDays, LocalDate retainUntil, String prevHash, String hash) {
        static FeedEntry of(LedgerRecord r) {
            HexFormat hex = HexFormat.of();
            return new FeedEntry(r.sequence(), r.personId(), r.supplierId(), r.productId(), r.channel(), r.attributes(), r.agreementId(),
                    r.legalBasis(), r.purpose(), r.disclosedAt(), r.retentionDays(), r.retainUntil(), hex.formatHex(r.prevHash()), hex.formatHex(r.hash()));
        }
    }

    @GetMapping("/feed")
    @Operation(summary = "The newest disclosures, newest first, filtered; page backwards with 'before' (a sequence number)")
    List<FeedEntry> feed(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) UUID product,
                         @RequestParam(required = false) Channel channel, @RequestParam(required = false) UUID person,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                         @RequestParam(required = false) Long before, @RequestParam(defaultValue = "100") int limit, Authentication auth) {
        return ledger.feed(new DisclosureLedger.FeedFilter(supplier, product, channel, person, from, to, before), limit, viewers.of(auth).scope()).stream()
                .map(FeedEntry::of).toList();
    }

    @GetMapping("/deletions/due")
    @Operation(summary = "Deletion requests due (retention passed, none sent yet) on a day, today by default")
    List<DeletionDue> deletionsDue(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate date, Authentication auth) {
        if (date != null && (date.getYear() < 1 || date.getYear() > 9999)) {
            throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.BAD_REQUEST,
                    "date: a day between the years 1 and 9999");
        }
        return retention.deletionsDue(date == null ? LocalDate.now() : date, viewers.of(auth).scope());
    }

    @GetMapping("/deletions/overdue")
    @Operation(summary = "Overdue deletions: due, or requested and not confirmed; with each request's receipt (sent when and how, the supplier's answer)")
    List<OverdueDeletion> overdue(Authentication auth) {
        return retention.overdueDeletions(LocalDate.now(), 1000, viewers.of(auth).scope());
    }

    @GetMapping(value = "/deletions/overdue.csv", produces = "text/csv")
    @Operation(summary = "Every overdue deletion as CSV (RFC 4180, UTF-8), with its receipt (audited as an export)")
    ResponseEntity<String> overdueCsv(Authentication auth) {
        LocalDate today = LocalDate.now();
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header(org.springframework.http.HttpHeaders.CONTENT_DISPOSITION, org.springframework.http.ContentDisposition.attachment()
                        .filename("overdue-deletions-" + today + ".csv").build().toString())
                .body(csv.export(today, auth.getName(), viewers.of(auth).scope()));
    }

    /** The verification's outcome, with the time in milliseconds. */
    record Verification(long recordsChecked, boolean intact, Long firstBrokenSequence, String reason, long tookMillis, double recordsPerSecond,
                        long checkpointsHeld) {
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @PostMapping("/verify")
    @Operation(summary = "Verifies the whole hash chain; names the first broken record")
    Verification verify(Authentication auth) {
        ChainVerification v = ledger.verify();
        audit.record(auth.getName(), "VERIFY_LEDGER", "ledger", "disclosure", v.intact()
                ? Map.of("records", v.recordsChecked(), "intact", true)
                : Map.of("records", v.recordsChecked(), "intact", false, "firstBroken", v.firstBrokenSequence()));
        return new Verification(v.recordsChecked(), v.intact(), v.firstBrokenSequence(), v.reason(), v.took().toMillis(), v.rate(), v.checkpointsHeld());
    }

    /** A signed checkpoint: the record it signs, when, and the compact JWS to publish. */
    record SignedCheckpoint(long sequence, String hash, Instant signedAt, String keyId, String jws) {
        static SignedCheckpoint of(LedgerCheckpoints.Checkpoint c) {
            return new SignedCheckpoint(c.sequence(), c.hashHex(), c.madeAt(), c.keyId(), c.signed());
        }
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @GetMapping("/checkpoint")
    @Operation(summary = "The latest signed checkpoint of the chain (404 before the first): fetch it from outside now and then to publish it")
    ResponseEntity<SignedCheckpoint> latestCheckpoint() {
        return ResponseEntity.of(checkpoints.latest().map(SignedCheckpoint::of));
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @PostMapping("/checkpoint")
    @Operation(summary = "Signs the head of the chain now (otherwise hourly); the same checkpoint when the ledger has not grown (audited)")
    ResponseEntity<SignedCheckpoint> makeCheckpoint(Authentication auth) {
        return ResponseEntity.of(checkpoints.make().map(c -> {
            audit.record(auth.getName(), "LEDGER_CHECKPOINT_SIGNED", "ledger", "disclosure", Map.of("sequence", c.sequence()));
            return SignedCheckpoint.of(c);
        }));
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @GetMapping(value = "/checkpoint/key", produces = "application/jwk+json")
    @Operation(summary = "The public key (JWK, ES256) that signed checkpoints verify with")
    String checkpointKey() {
        return checkpoints.publicKey();
    }
}
