package org.tilldela.ledger.web;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.tilldela.catalog.CatalogQuery;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.PersonNames;
import org.tilldela.governance.AuditTrail;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.ChainVerification;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerCheckpoints;
import org.tilldela.ledger.LedgerRecord;
import org.tilldela.ledger.OverdueDeletionsCsv;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.ledger.PersonReportPdf;
import org.tilldela.ledger.Retention;
import org.tilldela.platform.CsvExport;
import org.tilldela.platform.PickerChoice;

/** The disclosure ledger in the web UI, for the data protection officer. */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER')")
// Everything about persons filters by the officer's scope in SQL (LedgerViewers: persons placed within it); the chain's
// verification, its checkpoints and the kept overview's recount vouch for the whole ledger, so they stay with an officer
// over the whole installation.
class LedgerPages {

    private final LedgerViewers viewers;
    private final DisclosureLedger ledger;
    private final LedgerReports reports;
    private final Retention retention;
    private final PersonReportPdf pdf;
    private final OrganisationBrowser directory;
    private final Catalog catalog;
    private final AuditTrail audit;
    private final OverdueDeletionsCsv csv;
    private final PersonNames names;
    private final MessageSource messages;
    private final LedgerCheckpoints checkpoints;

    private final org.tilldela.catalog.CatalogSearch catalogSearch;

    private final org.tilldela.ledger.SupplierOverview overview;

    LedgerPages(DisclosureLedger ledger, LedgerReports reports, Retention retention, PersonReportPdf pdf, OrganisationBrowser directory,
                Catalog catalog, AuditTrail audit, OverdueDeletionsCsv csv, LedgerViewers viewers, PersonNames names, MessageSource messages,
                org.tilldela.catalog.CatalogSearch catalogSearch, LedgerCheckpoints checkpoints, org.tilldela.ledger.SupplierOverview overview) {
        this.overview = overview;
        this.checkpoints = checkpoints;
        this.catalogSearch = catalogSearch;
        this.viewers = viewers;
        this.messages = messages;
        this.names = names;
        this.csv = csv;
        this.ledger = ledger;
        this.reports = reports;
        this.retention = retention;
        this.pdf = pdf;
        this.directory = directory;
        this.catalog = catalog;
        this.audit = audit;
    }

    @GetMapping("/ledger")
    String index(@RequestParam(required = false) String q, Authentication auth, Model model) {
        LocalDate today = LocalDate.now();
        if (q != null && !q.isBlank()) {
            model.addAttribute("q", q.strip());
            try {
                UUID id = UUID.fromString(q.strip());
                return "redirect:/ledger/persons/" + id;
            } catch (IllegalArgumentException notAnId) {
                model.addAttribute("persons", directory.search(q, viewers.of(auth), 25).persons());
            }
        }
        // counts are counts within scope: a scoped officer's are counted now over their persons; the chain's length is the
        // whole ledger's, so only an officer over the whole installation is told it
        var scope = viewers.of(auth).scope();
        boolean whole = scope.isWholeInstallation();
        model.addAttribute("wholeInstallation", whole);
        org.tilldela.ledger.SupplierOverview.Overview recipients = overview.overview(today, scope);
        model.addAttribute("suppliers", recipients.suppliers());
        model.addAttribute("suppliersCountedAt", recipients.countedAt() == null ? null : LocalDateTime.ofInstant(recipients.countedAt(), ZoneId.systemDefault()));
        model.addAttribute("overdue", retention.overdueCount(today, scope));
        if (whole) {
            model.addAttribute("head", ledger.head());
        }
        return "ledger/index";
    }

    @GetMapping("/ledger/persons/{id}")
    String person(@PathVariable UUID id, Authentication auth, Model model) {
        model.addAttribute("report", reports.personReport(id, viewers.of(auth), "page"));
        return "ledger/person";
    }

    @GetMapping(value = "/ledger/persons/{id}/report.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    ResponseEntity<LedgerReports.PersonReport> personJson(@PathVariable UUID id, Authentication auth) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("disclosures-" + id + ".json").build().toString())
                .body(reports.personReport(id, viewers.of(auth), "json"));
    }

    @GetMapping(value = "/ledger/persons/{id}/report.pdf", produces = MediaType.APPLICATION_PDF_VALUE)
    @ResponseBody
    ResponseEntity<byte[]> personPdf(@PathVariable UUID id, Authentication auth, Locale locale) {
        byte[] body = pdf.render(reports.personReport(id, viewers.of(auth), "pdf"), locale);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("disclosures-" + id + ".pdf").build().toString())
                .body(body);
    }

    @GetMapping("/ledger/suppliers/{id}")
    String supplier(@PathVariable UUID id, Authentication auth, Model model) {
        model.addAttribute("inventory", reports.supplierInventory(id, LocalDate.now(), viewers.of(auth).scope()));
        return "ledger/supplier";
    }

    /** The live feed; htmx re-fetches the rows every few seconds with the same filters. */
    @GetMapping("/ledger/feed")
    String feed(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) UUID product,
                @RequestParam(required = false) Channel channel, @RequestParam(required = false) UUID person,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime from,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime to,
                @RequestParam(required = false) String findProduct, @RequestParam(required = false) String findPerson,
                @RequestParam(required = false) String findSupplier,
                @RequestHeader(value = "HX-Request", required = false) String htmx, Authentication auth, Model model) {
        ZoneId zone = ZoneId.systemDefault();
        Instant fromInstant = from == null ? null : from.atZone(zone).toInstant();
        Instant toInstant = to == null ? null : to.atZone(zone).toInstant();
        List<LedgerRecord> records = ledger.feed(new DisclosureLedger.FeedFilter(supplier, product, channel, person, fromInstant, toInstant, null), 100,
                viewers.of(auth).scope());
        Set<UUID> supplierIds = new HashSet<>();
        Set<UUID> productIds = new HashSet<>();
        Set<UUID> personIds = new HashSet<>();
        records.forEach(r -> {
            supplierIds.add(r.supplierId());
            productIds.add(r.productId());
            personIds.add(r.personId());
        });
        model.addAttribute("records", records);
        // each refresh shows the persons again: a protected one's showing is audited each time, as every view of them is
        model.addAttribute("names", names.of(personIds, viewers.of(auth), "ledger-feed", null));
        model.addAttribute("supplierNames", reports.supplierNames(supplierIds));
        model.addAttribute("productNames", reports.productNames(productIds));
        model.addAttribute("filter", new FeedForm(supplier, product, channel, person, from, to));
        model.addAttribute("refreshedAt", Instant.now());
        if (htmx != null) {
            return "ledger/feed :: rows";
        }
        model.addAttribute("findSupplier", findSupplier);
        model.addAttribute("supplierChoices", withChosen(supplierChoices(findSupplier), supplier,
                () -> new PickerChoice(supplier.toString(), reports.supplierNames(Set.of(supplier)).getOrDefault(supplier, supplier.toString()), null, true)));
        model.addAttribute("channels", Channel.values());
        // the product and the person are picked by name (found by the words typed; the one filtered by stays listed, chosen)
        model.addAttribute("findProduct", findProduct);
        model.addAttribute("findPerson", findPerson);
        model.addAttribute("productChoices", withChosen(productChoices(findProduct), product,
                () -> new PickerChoice(product.toString(), reports.productNames(Set.of(product)).getOrDefault(product, product.toString()), null, true)));
        model.addAttribute("personChoices", withChosen(personChoices(findPerson, auth), person, () -> {
            // named only within the officer's scope: outside it the same answer as for a person gone from the directory
            var viewer = viewers.of(auth);
            var m = directory.isWithin(person, viewer.scope()) ? names.of(Set.of(person), viewer, "ledger-feed", null).get(person) : null;
            String name = m == null ? text("names.gone", LocaleContextHolder.getLocale())
                    : m.masked() ? text("directory.protected", LocaleContextHolder.getLocale()) : m.familyName() + ", " + m.givenName();
            return new PickerChoice(person.toString(), name, null, true);
        }));
        return "ledger/feed";
    }

    /** How many choices a picker lists: narrowing the words is the answer beyond that. */
    static final int CHOICES = 10;

    /** A feed picker's choices for the words typed so far, for htmx to put into the filter form ({@code findProduct}, {@code findPerson}). */
    @GetMapping("/ledger/pick/{picker}")
    String pick(@PathVariable String picker, @RequestParam(required = false) String findProduct, @RequestParam(required = false) String findPerson,
                @RequestParam(required = false) String findSupplier, Authentication auth, Model model) {
        switch (picker) {
            case "suppliers" -> {
                model.addAttribute("pickerName", "supplier");
                model.addAttribute("pickerChoices", supplierChoices(findSupplier));
            }
            case "products" -> {
                model.addAttribute("pickerName", "product");
                model.addAttribute("pickerChoices", productChoices(findProduct));
            }
            case "persons" -> {
                model.addAttribute("pickerName", "person");
                model.addAttribute("pickerChoices", personChoices(findPerson, auth));
            }
            default -> throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.NOT_FOUND);
        }
        // a filter may be left open: "any" first, chosen while nothing else is
        model.addAttribute("pickerAny", text("ledger.feed.any", LocaleContextHolder.getLocale()));
        return "pickers :: pick";
    }

    /** Suppliers whose name holds the words (case aside); null while fewer than two letters are typed. */
    private List<PickerChoice> supplierChoices(String words) {
        String q = words == null ? "" : words.strip().toLowerCase(Locale.ROOT);
        if (q.length() < 2) {
            return null;
        }
        return catalog.allSuppliers().stream().filter(s -> s.name().toLowerCase(Locale.ROOT).contains(q)).limit(CHOICES)
                .map(s -> new PickerChoice(s.id().toString(), s.name(), s.organisationNumber(), false)).toList();
    }

    /** Products by title or article number (the catalogue's search); null while fewer than two letters are typed. */
    private List<PickerChoice> productChoices(String words) {
        String q = words == null ? "" : words.strip();
        if (q.length() < 2) {
            return null;
        }
        return catalogSearch.search(new CatalogQuery(q, null, null, null, null, null, 1, CHOICES)).hits().stream()
                .map(h -> new PickerChoice(h.id().toString(), h.title(), h.supplierName() + " · " + h.articleNumber(), false)).toList();
    }

    /** Persons by name as the organisation browser finds them for this officer (protected ones only if they may see them). */
    private List<PickerChoice> personChoices(String words, Authentication auth) {
        String q = words == null ? "" : words.strip();
        if (q.length() < 2) {
            return null;
        }
        return directory.search(q, viewers.of(auth), CHOICES).persons().stream().map(m -> new PickerChoice(m.personId().toString(),
                m.masked() ? text("directory.protected", LocaleContextHolder.getLocale()) : m.familyName() + ", " + m.givenName(),
                m.civicNumberMasked(), false)).toList();
    }

    /** The choices found, with the one filtered by first and chosen (unless found anyway). */
    private static List<PickerChoice> withChosen(List<PickerChoice> found, UUID chosen, java.util.function.Supplier<PickerChoice> describe) {
        if (chosen == null) {
            return found;
        }
        List<PickerChoice> out = new java.util.ArrayList<>();
        out.add(describe.get());
        if (found != null) {
            found.stream().filter(c -> !c.value().equals(chosen.toString())).forEach(out::add);
        }
        return out;
    }

    /**
     * The feed with the same filters as CSV (at most {@link #FEED_IN_EXPORT} releases, newest first): persons by name as
     * this officer may see them (protected persons masked; shown ones audited), with their id, which an Art. 15 answer
     * needs. Audited as an export.
     */
    @GetMapping(value = "/ledger/feed.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<byte[]> feedCsv(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) UUID product,
                                   @RequestParam(required = false) Channel channel, @RequestParam(required = false) UUID person,
                                   @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime from,
                                   @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime to,
                                   Authentication auth, Locale locale) {
        ZoneId zone = ZoneId.systemDefault();
        List<LedgerRecord> records = ledger.feed(new DisclosureLedger.FeedFilter(supplier, product, channel, person,
                from == null ? null : from.atZone(zone).toInstant(), to == null ? null : to.atZone(zone).toInstant(), null), FEED_IN_EXPORT,
                viewers.of(auth).scope());
        Set<UUID> supplierIds = new HashSet<>();
        Set<UUID> productIds = new HashSet<>();
        Set<UUID> personIds = new HashSet<>();
        records.forEach(r -> {
            supplierIds.add(r.supplierId());
            productIds.add(r.productId());
            personIds.add(r.personId());
        });
        Map<UUID, String> suppliers = reports.supplierNames(supplierIds);
        Map<UUID, String> products = reports.productNames(productIds);
        var persons = names.of(personIds, viewers.of(auth), "ledger-export", null);
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (LedgerRecord r : records) {
            var m = persons.get(r.personId());
            String name = m == null ? text("names.gone", locale) : m.masked() ? text("directory.protected", locale) : m.familyName() + ", " + m.givenName();
            rows.add(List.of(r.sequence(), r.disclosedAt().toString(), suppliers.get(r.supplierId()), products.get(r.productId()),
                    text("ledger.channel." + r.channel(), locale), name, r.personId(),
                    String.join(", ", r.attributes().stream().map(a -> text("attribute." + a, locale)).toList())));
        }
        audit.record(auth.getName(), "EXPORT_LEDGER_FEED", "ledger", "feed", Map.of("rows", records.size(), "format", "csv"));
        return CsvExport.download("disclosures-" + LocalDate.now() + ".csv", CsvExport.of(List.of(text("ledger.col.sequence", locale),
                text("ledger.col.time", locale), text("ledger.col.supplier", locale), text("ledger.export.product", locale),
                text("ledger.col.channel", locale), text("ledger.col.person", locale), text("ledger.person.id", locale),
                text("ledger.col.attributes", locale)), rows));
    }

    /**
     * What a supplier holds, as CSV: one row per product and kind of data, with how many persons it is held about and the
     * product's figures as the supplier's page shows them — counts only, no person. Audited as an export.
     */
    @GetMapping(value = "/ledger/suppliers/{id}/inventory.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<byte[]> inventoryCsv(@PathVariable UUID id, Authentication auth, Locale locale) {
        if (catalog.supplier(id).isEmpty()) {
            throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.NOT_FOUND);
        }
        LedgerReports.SupplierInventory inventory = reports.supplierInventory(id, LocalDate.now(), viewers.of(auth).scope());
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (LedgerReports.ProductInventory p : inventory.products()) {
            for (Map.Entry<String, Long> a : p.personsPerAttribute().entrySet()) {
                rows.add(java.util.Arrays.asList(inventory.supplierName(), p.productName(), text("attribute." + a.getKey(), locale), a.getValue(),
                        p.persons(), p.ended(), p.expiringWithin30Days(), p.overdue(), p.nextExpiry(),
                        p.lastDisclosed() == null ? null : p.lastDisclosed().toString()));
            }
        }
        audit.record(auth.getName(), "EXPORT_SUPPLIER_INVENTORY", "supplier", id.toString(), Map.of("rows", rows.size(), "format", "csv"));
        return CsvExport.download("inventory-" + LocalDate.now() + ".csv", CsvExport.of(List.of(text("ledger.col.supplier", locale),
                text("ledger.export.product", locale), text("ledger.col.attribute", locale), text("ui13.export.personsWithData", locale),
                text("ui13.export.personsOfProduct", locale), text("ledger.col.ended", locale), text("ledger.col.expiring", locale),
                text("ledger.col.overdue", locale), text("ledger.col.nextexpiry", locale), text("ledger.col.last", locale)), rows));
    }

    /** How many releases a feed export holds at most: narrowing the filters is the answer beyond that. */
    static final int FEED_IN_EXPORT = 50_000;

    private String text(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }

    /** The feed's filters as the form shows them. */
    record FeedForm(UUID supplier, UUID product, Channel channel, UUID person, LocalDateTime from, LocalDateTime to) {
    }

    @GetMapping("/ledger/deletions")
    String deletions(Authentication auth, Model model) {
        LocalDate today = LocalDate.now();
        var scope = viewers.of(auth).scope();
        var overdue = retention.overdueDeletions(today, 500, scope);
        Set<UUID> supplierIds = new HashSet<>();
        Set<UUID> productIds = new HashSet<>();
        overdue.forEach(d -> {
            supplierIds.add(d.supplierId());
            productIds.add(d.productId());
        });
        model.addAttribute("overdue", overdue);
        model.addAttribute("supplierNames", reports.supplierNames(supplierIds));
        model.addAttribute("productNames", reports.productNames(productIds));
        model.addAttribute("today", today);
        model.addAttribute("total", retention.overdueCount(today, scope));
        return "ledger/deletions";
    }

    @GetMapping(value = "/ledger/deletions.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<String> deletionsCsv(Authentication auth) {
        LocalDate today = LocalDate.now();
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("overdue-deletions-" + today + ".csv").build().toString())
                .body(csv.export(today, auth.getName(), viewers.of(auth).scope()));
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @GetMapping("/ledger/verify")
    String verifyPage(Model model) {
        model.addAttribute("head", ledger.head());
        model.addAttribute("checkpoint", checkpoints.latest().orElse(null));
        return "ledger/verify";
    }

    /** Counts the overview of recipients again now (otherwise every 10 minutes, where it is kept): audited. */
    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @PostMapping("/ledger/suppliers/recount")
    String recountSuppliers(Authentication auth) {
        java.time.Instant at = overview.recount(LocalDate.now());
        audit.record(auth.getName(), "LEDGER_OVERVIEW_RECOUNTED", "ledger", "holding", Map.of("countedAt", at.toString()));
        return "redirect:/ledger";
    }

    /** Signs the head now (otherwise hourly), to publish it: audited. */
    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @PostMapping("/ledger/checkpoint")
    String makeCheckpoint(Authentication auth) {
        checkpoints.make().ifPresent(c -> audit.record(auth.getName(), "LEDGER_CHECKPOINT_SIGNED", "ledger", "disclosure", Map.of("sequence", c.sequence())));
        return "redirect:/ledger/verify";
    }

    /** The latest signed checkpoint as a file to publish (a compact JWS, RFC 7515's application/jose). */
    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @GetMapping("/ledger/checkpoint.jws")
    ResponseEntity<String> checkpointFile() {
        return checkpoints.latest().map(c -> ResponseEntity.ok().contentType(new MediaType("application", "jose"))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("ledger-checkpoint-" + c.sequence() + ".jws").build().toString())
                .body(c.signed() + "\n")).orElse(ResponseEntity.notFound().build());
    }

    /** The public key checkpoints are verified with (a JWK). */
    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @GetMapping("/ledger/checkpoint-key.jwk")
    ResponseEntity<String> checkpointKey() {
        return ResponseEntity.ok().contentType(new MediaType("application", "jwk+json"))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("ledger-checkpoint-key.jwk").build().toString())
                .body(checkpoints.publicKey());
    }

    @PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')")
    @PostMapping("/ledger/verify")
    String verify(Authentication auth, Model model) {
        ChainVerification result = ledger.verify();
        audit.record(auth.getName(), "VERIFY_LEDGER", "ledger", "disclosure", result.intact()
                ? Map.of("records", result.recordsChecked(), "intact", true)
                : Map.of("records", result.recordsChecked(), "intact", false, "firstBroken", result.firstBrokenSequence()));
        model.addAttribute("head", ledger.head());
        model.addAttribute("checkpoint", checkpoints.latest().orElse(null));
        model.addAttribute("result", result);
        return "ledger/verify";
    }
}
