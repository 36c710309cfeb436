package org.tilldela.usage.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.platform.PickerChoice;
import org.tilldela.purchase.BuyerScope;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.usage.PeriodCounts;
import org.tilldela.usage.Utilisation;
import org.tilldela.usage.UtilisationCounts;
import org.tilldela.usage.Viewer;

/**
 * The utilisation page: a chart, the same figures as a table, and the table as CSV, for each of: seats per product
 * and organisation, the renewal list, one product per school unit, and the trend over terms. A licence
 * administrator of the whole installation sees every organiser's pools; a buyer those of the organisation they buy
 * for (an organiser: all its pools; a school unit: the pools bought for it, and its own line of the split per
 * unit); a licence administrator granted some school units (a principal) those units; a purchasing centre (REGIONAL)
 * the pools of its organisers, per organiser and never per school unit; nothing without one.
 */
@Controller
@PreAuthorize("hasAnyAuthority('RIGHT_LICENCE_ADMIN','RIGHT_BUYER','RIGHT_REGIONAL')")
class UtilisationPages {

    /** The period shown when none is asked for: the last 30 days, today included. */
    static final int DEFAULT_DAYS = UtilisationCounts.DEFAULT_DAYS;

    /** The renewal list's horizon when none is asked for: pools ending within 90 days. */
    static final int DEFAULT_HORIZON = 90;

    /** The longest horizon asked for that is taken as it is. */
    static final int LONGEST_HORIZON = Utilisation.LONGEST_HORIZON;

    private static final String[] HEADER = {"product", "article_number", "organisation", "seats_bought", "seats_assigned", "seats_used", "used_percent"};
    private static final String[] RENEWAL_HEADER = {"product", "article_number", "organisation", "last_day", "seats_bought", "seats_assigned",
            "seats_used", "seats_unused", "seat_price", "currency", "money_at_stake"};
    private static final String[] UNIT_HEADER = {"product", "article_number", "school_unit", "seats_bought", "seats_assigned", "seats_used",
            "used_percent"};
    private static final String[] TERM_HEADER = {"product", "article_number", "term", "first_day", "last_day", "seats_assigned", "seats_used",
            "used_percent"};

    private final Utilisation utilisation;
    private final UtilisationCounts counts;
    private final PeriodCounts periodCounts;
    private final BuyerScopes buyerScopes;
    private final org.tilldela.governance.Scopes scopes;
    private final MessageSource messages;

    /** The publishers' own figures (BOL), next to Tilldela's. */
    private final org.tilldela.usage.PublisherFigures publisherFigures;

    /** How many rows of a table the page shows at a time (tests make it small on the running application). */
    private volatile int rowsPerPage;

    UtilisationPages(Utilisation utilisation, UtilisationCounts counts, PeriodCounts periodCounts, BuyerScopes buyerScopes,
                     org.tilldela.governance.Scopes scopes, MessageSource messages, org.tilldela.usage.PublisherFigures publisherFigures,
                     @Value("${tilldela.usage.utilisation.rows-per-page:" + Rows.PER_PAGE + "}") int rowsPerPage) {
        this.rowsPerPage = Math.max(1, rowsPerPage);
        this.periodCounts = periodCounts;
        this.publisherFigures = publisherFigures;
        this.counts = counts;
        this.messages = messages;
        this.utilisation = utilisation;
        this.buyerScopes = buyerScopes;
        this.scopes = scopes;
    }

    /** Whose figures the account may see, and the name of the organisation a buyer buys for. */
    private record Seen(Viewer viewer, String name) {
    }

    private Optional<Seen> seen(Authentication auth) {
        CallerScope licences = scopes.of(auth, AdminRight.LICENCE_ADMIN);
        if (licences.isWholeInstallation()) {
            return Optional.of(new Seen(Viewer.everything(), null));
        }
        // a buyer's scope counts only while the account is a buyer: a scope left from a BUYER right since revoked (or set
        // for an account that never had one) widens nothing
        Optional<BuyerScope> buyer = scopes.of(auth, AdminRight.BUYER).isNothing() ? Optional.empty() : buyerScopes.of(auth.getName());
        if (buyer.isPresent()) {
            return buyer.map(s -> new Seen(Viewer.buyer(s.organisationId(), s.organiserId()), s.organisationName()));
        }
        // a licence administrator of some school units (a principal): the pools bought for them, and their units' share
        if (!licences.isNothing()) {
            return Optional.of(new Seen(Viewer.granted(licences), null));
        }
        // a purchasing centre: its organisers' pools, the same figures per organiser
        CallerScope regional = scopes.of(auth, AdminRight.REGIONAL);
        return regional.isNothing() ? Optional.empty() : Optional.of(new Seen(Viewer.regional(regional), null));
    }

    private record Period(LocalDate from, LocalDate to, boolean refused) {

        static Period of(LocalDate from, LocalDate to) {
            LocalDate today = LocalDate.now();
            LocalDate end = to != null ? to : today;
            LocalDate start = from != null ? from : end.minusDays(DEFAULT_DAYS - 1);
            // a day the database has no date for (year 6,000,000) is refused as a period backwards is, not a server error
            boolean unkept = start.getYear() < 1900 || end.getYear() > 9999;
            return start.isAfter(end) || unkept ? new Period(today.minusDays(DEFAULT_DAYS - 1), today, true) : new Period(start, end, false);
        }
    }

    private static int horizon(Integer days) {
        return days == null || days < 1 ? DEFAULT_HORIZON : Math.min(days, LONGEST_HORIZON);
    }

    @GetMapping("/utilisation")
    String page(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                @RequestParam(required = false) UUID product, @RequestParam(required = false) Integer horizon,
                @RequestParam(required = false) String findProduct, @RequestParam(required = false) Integer linesPage,
                @RequestParam(required = false) Integer renewalsPage, @RequestParam(required = false) Integer unitsPage,
                @RequestParam(required = false) Integer publishersPage, HttpServletRequest request, Authentication auth, Model model) {
        Period period = Period.of(from, to);
        model.addAttribute("findProduct", findProduct);
        int days = horizon(horizon);
        Optional<Seen> seen = seen(auth);
        if (seen.isEmpty()) {
            model.addAttribute("noScope", true);
            model.addAttribute("tableQuery", "");
            model.addAttribute("from", period.from());
            model.addAttribute("to", period.to());
            model.addAttribute("periodRefused", period.refused());
            model.addAttribute("productChoices", productChoices(Map.of(), null, findProduct, LocaleContextHolder.getLocale()));
            model.addAttribute("horizon", days);
            model.addAttribute("lines", Rows.all(List.of()));
            model.addAttribute("smallest", Utilisation.SMALLEST_SHOWN);
            model.addAttribute("publisherFigures", Rows.all(List.of()));
            return "usage/utilisation";
        }
        Viewer viewer = seen.get().viewer();
        LocalDate today = LocalDate.now();
        List<Utilisation.Line> all;
        List<Utilisation.Renewal> renewals;
        List<Utilisation.UnitLine> units;
        List<Utilisation.TermLine> terms;
        // the default period of a large installation: the figures kept, read in a few milliseconds (UtilisationCounts)
        Optional<java.time.Instant> kept = from == null && to == null ? counts.kept(today) : Optional.empty();
        // a period chosen on a large installation: counted in the background, the page says so until it is done (PeriodCounts)
        Optional<PeriodCounts.State> counted = kept.isEmpty() && (from != null || to != null) && !period.refused()
                ? periodCounts.ask(viewer, product, days, period.from(), period.to(), today) : Optional.empty();
        if (kept.isPresent()) {
            all = utilisation.keptLines(viewer);
            renewals = utilisation.keptRenewals(viewer, product, today, days);
            units = product == null ? List.of() : utilisation.keptUnits(viewer, product);
            terms = utilisation.keptTerms(viewer, product, today);
        } else if (counted.isPresent() && !counted.get().counted()) {
            // nothing to show yet: the products to choose from are those of the pools in force in the period
            all = List.of();
            renewals = List.of();
            units = List.of();
            terms = List.of();
            model.addAttribute("waiting", counted.get());
            model.addAttribute("waitingSince", java.time.LocalDateTime.ofInstant(counted.get().failed() ? counted.get().finishedAt()
                    : counted.get().startedAt(), java.time.ZoneId.systemDefault()));
        } else {
            Utilisation.Sections sections = counted.map(PeriodCounts.State::sections)
                    .orElseGet(() -> utilisation.sections(viewer, product, today, days, period.from(), period.to()));
            all = sections.lines();
            renewals = sections.renewals();
            units = sections.units();
            terms = sections.terms();
            counted.ifPresent(c -> model.addAttribute("periodCountedAt", java.time.LocalDateTime.ofInstant(c.finishedAt(), java.time.ZoneId.systemDefault())));
        }
        model.addAttribute("countedAt", kept.map(t -> java.time.LocalDateTime.ofInstant(t, java.time.ZoneId.systemDefault())).orElse(null));
        // the products to choose from: those on the page without a choice
        Map<UUID, String> products = new LinkedHashMap<>();
        if (model.containsAttribute("waiting")) {
            utilisation.products(viewer, period.from(), period.to()).forEach(p -> products.put(p.id(), p.title() + " (" + p.articleNumber() + ")"));
        }
        all.forEach(l -> products.putIfAbsent(l.productId(), l.productTitle() + " (" + l.articleNumber() + ")"));
        // a product the viewer has no pool of shows nothing (what the sections found for it is dropped)
        UUID chosen = product != null && products.containsKey(product) ? product : null;
        model.addAttribute("from", period.from());
        model.addAttribute("to", period.to());
        model.addAttribute("periodRefused", period.refused());
        model.addAttribute("noScope", seen.isEmpty());
        model.addAttribute("scopeName", seen.map(Seen::name).orElse(null));
        model.addAttribute("productChoices", productChoices(products, chosen, findProduct, LocaleContextHolder.getLocale()));
        model.addAttribute("product", chosen);
        model.addAttribute("productName", chosen == null ? null : products.get(chosen));
        model.addAttribute("horizon", days);
        model.addAttribute("tableQuery", tableQuery(from, to, product, horizon));
        // long tables are shown a page at a time (their CSV holds every row): thousands of school units are no table to read
        int perPage = rowsPerPage;
        model.addAttribute("lines", Rows.of(chosen == null ? all : all.stream().filter(l -> l.productId().equals(chosen)).toList(), linesPage,
                perPage, "linesPage", "utilisation-table", request));
        model.addAttribute("renewals", Rows.of(product != null && chosen == null ? List.of() : renewals, renewalsPage, perPage, "renewalsPage",
                "renewals", request));
        model.addAttribute("units", Rows.of(chosen == null ? List.of() : units, unitsPage, perPage, "unitsPage", "units", request));
        model.addAttribute("terms", product != null && chosen == null ? List.of() : terms);
        model.addAttribute("smallest", Utilisation.SMALLEST_SHOWN);
        model.addAttribute("perOrganiser", viewer.perOrganiser());
        model.addAttribute("publisherFigures", Rows.of(publisherFigures.seen(viewer, product), publishersPage, perPage, "publishersPage",
                "publishers", request));
        return "usage/utilisation";
    }

    /**
     * Whether the figures of a chosen period are still being counted (PeriodCounts): 204 while they are, so that the page
     * asking every few seconds (htmx) stays as it is; once they are counted, or the count failed, htmx is told to load the
     * page again, which then shows them.
     */
    @GetMapping("/utilisation/counting")
    ResponseEntity<Void> counting(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                                  @RequestParam(required = false) UUID product, @RequestParam(required = false) Integer horizon,
                                  Authentication auth) {
        Period period = Period.of(from, to);
        Optional<PeriodCounts.State> state = seen(auth).filter(s -> !period.refused()).flatMap(s -> periodCounts.ask(s.viewer(), product, horizon(horizon), period.from(),
                period.to(), LocalDate.now()));
        if (state.isPresent() && state.get().counting()) {
            return ResponseEntity.noContent().build();
        }
        return ResponseEntity.ok().header("HX-Refresh", "true").build();
    }

    /**
     * The product picker's choices for the words typed so far (the products of the pools the account sees in force in the
     * period), for htmx to put into the form: "all products" first (pickerAny), as on the page.
     */
    @GetMapping("/utilisation/pick/products")
    String pickProduct(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                       @RequestParam(required = false) UUID product, @RequestParam(required = false) String findProduct, Authentication auth,
                       Model model) {
        Period period = Period.of(from, to);
        Map<UUID, String> products = new LinkedHashMap<>();
        seen(auth).ifPresent(s -> utilisation.products(s.viewer(), period.from(), period.to())
                .forEach(p -> products.put(p.id(), p.title() + " (" + p.articleNumber() + ")")));
        model.addAttribute("pickerName", "product");
        model.addAttribute("pickerAny", messages.getMessage("util.product.all", null, LocaleContextHolder.getLocale()));
        model.addAttribute("pickerChoices", productChoices(products, products.containsKey(product) ? product : null, findProduct,
                LocaleContextHolder.getLocale()));
        return "pickers :: pick";
    }

    /**
     * The product chosen, then those whose name holds the words (case and accents aside) — without words the first few:
     * the products are those the account has pools of, seldom many. The picker lists "all products" before them.
     */
    private List<PickerChoice> productChoices(Map<UUID, String> products, UUID chosen, String words, java.util.Locale locale) {
        List<PickerChoice> out = new ArrayList<>();
        if (chosen != null) {
            out.add(new PickerChoice(chosen.toString(), products.get(chosen), null, true));
        }
        String folded = words == null ? "" : fold(words);
        products.entrySet().stream().filter(e -> !e.getKey().equals(chosen)).filter(e -> fold(e.getValue()).contains(folded))
                .limit(PickerChoice.LIMIT).forEach(e -> out.add(new PickerChoice(e.getKey().toString(), e.getValue(), null, false)));
        return out;
    }

    private static String fold(String s) {
        return Normalizer.normalize(s.strip().toLowerCase(java.util.Locale.ROOT), Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    @GetMapping(value = "/utilisation.csv", produces = "text/csv")
    ResponseEntity<String> csv(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                               @RequestParam(required = false) UUID product, @RequestParam(required = false) Integer horizon,
                               Authentication auth) {
        Period period = Period.of(from, to);
        boolean kept = kept(from, to);
        // the kept figures and a count hold every product's lines: the product chosen is picked out of them
        List<Utilisation.Line> lines = seen(auth).map(s -> kept ? utilisation.keptLines(s.viewer())
                        : counted(s.viewer(), from, to, product, horizon).map(Utilisation.Sections::lines)
                        .orElseGet(() -> utilisation.lines(s.viewer(), product, period.from(), period.to())))
                .orElse(List.of()).stream().filter(l -> product == null || l.productId().equals(product)).toList();
        return csv("utilisation-" + period.from() + "-" + period.to(), HEADER, csv -> lines.forEach(l -> print(csv, cell(l.productTitle()),
                cell(l.articleNumber()), cell(l.scopeName()), l.bought() == null ? "unlimited" : l.bought(), count(l.assigned()), count(l.used()),
                l.usedPercent())));
    }

    @GetMapping(value = "/utilisation/renewals.csv", produces = "text/csv")
    ResponseEntity<String> renewalsCsv(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                                       @RequestParam(required = false) UUID product, @RequestParam(required = false) Integer horizon,
                                       Authentication auth) {
        Period period = Period.of(from, to);
        LocalDate today = LocalDate.now();
        int days = horizon(horizon);
        boolean kept = kept(from, to);
        List<Utilisation.Renewal> renewals = seen(auth).map(s -> kept ? utilisation.keptRenewals(s.viewer(), product, today, days)
                : counted(s.viewer(), from, to, product, horizon).map(Utilisation.Sections::renewals)
                .orElseGet(() -> utilisation.renewals(s.viewer(), product, today, days, period.from(), period.to()))).orElse(List.of());
        return csv("renewals-" + today + "-" + days + "-days", RENEWAL_HEADER, csv -> renewals.forEach(r -> print(csv, cell(r.productTitle()),
                cell(r.articleNumber()), cell(r.scopeName()), r.endsOn(), r.bought() == null ? "unlimited" : r.bought(), count(r.assigned()),
                count(r.used()), r.unused() == null ? "" : (r.atLeast() ? ">=" : "") + r.unused(), plain(r.unitPrice()), r.currency(),
                r.atStake() == null ? "" : (r.atLeast() ? ">=" : "") + plain(r.atStake()))));
    }

    @GetMapping(value = "/utilisation/units.csv", produces = "text/csv")
    ResponseEntity<String> unitsCsv(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                                    @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                                    @RequestParam UUID product, @RequestParam(required = false) Integer horizon, Authentication auth) {
        Period period = Period.of(from, to);
        Optional<Seen> seen = seen(auth);
        boolean kept = kept(from, to);
        Optional<Utilisation.Sections> counted = kept ? Optional.empty() : seen.flatMap(s -> counted(s.viewer(), from, to, product, horizon));
        // the product's name as the page shows it, from the lines the viewer sees (none: a product they have no pool of)
        Optional<Utilisation.Line> named = seen.flatMap(s -> (kept ? utilisation.keptLines(s.viewer()) : counted.map(Utilisation.Sections::lines)
                        .orElseGet(() -> utilisation.lines(s.viewer(), product, period.from(), period.to())))
                .stream().filter(l -> l.productId().equals(product)).findFirst());
        List<Utilisation.UnitLine> units = seen.map(s -> kept ? utilisation.keptUnits(s.viewer(), product) : counted.map(Utilisation.Sections::units)
                .orElseGet(() -> utilisation.units(s.viewer(), product, period.from(), period.to()))).orElse(List.of());
        String title = named.map(Utilisation.Line::productTitle).orElse(product.toString());
        String article = named.map(Utilisation.Line::articleNumber).orElse("");
        return csv("utilisation-units-" + period.from() + "-" + period.to(), UNIT_HEADER, csv -> units.forEach(u -> print(csv, cell(title),
                cell(article), cell(u.unitName()), u.bought() == null ? "" : u.bought(), count(u.assigned()), count(u.used()), u.usedPercent())));
    }

    @GetMapping(value = "/utilisation/terms.csv", produces = "text/csv")
    ResponseEntity<String> termsCsv(@RequestParam(required = false) UUID product, Authentication auth) {
        boolean kept = kept(null, null);
        List<Utilisation.TermLine> terms = seen(auth).map(s -> kept ? utilisation.keptTerms(s.viewer(), product, LocalDate.now())
                : utilisation.terms(s.viewer(), product, LocalDate.now())).orElse(List.of());
        return csv("utilisation-terms-" + LocalDate.now(), TERM_HEADER, csv -> terms.forEach(t -> print(csv, cell(t.productTitle()),
                cell(t.articleNumber()), t.term().key(), t.term().starts(), t.term().ends(), count(t.assigned()), count(t.used()), t.usedPercent())));
    }

    /**
     * A chosen period's figures as the page shows them once counted in the background (a large installation): the CSV holds
     * the same figures, and does not count them again (up to a minute at a million persons). Empty otherwise: counted on the
     * request.
     */
    private Optional<Utilisation.Sections> counted(Viewer viewer, LocalDate from, LocalDate to, UUID product, Integer horizon) {
        Period period = Period.of(from, to);
        if (from == null && to == null || period.refused()) {
            return Optional.empty();
        }
        return periodCounts.counted(viewer, product, horizon(horizon), period.from(), period.to(), LocalDate.now());
    }

    /**
     * The page's own query (from, to, product and horizon, those it was asked with) for its CSV links: a table's CSV then
     * reads its figures where the page read them — the kept figures of the default period, or a chosen period's count —
     * rather than counting them again for a period spelled out.
     */
    private static String tableQuery(LocalDate from, LocalDate to, UUID product, Integer horizon) {
        org.springframework.web.util.UriComponentsBuilder query = org.springframework.web.util.UriComponentsBuilder.newInstance();
        if (from != null) {
            query.queryParam("from", from);
        }
        if (to != null) {
            query.queryParam("to", to);
        }
        if (product != null) {
            query.queryParam("product", product);
        }
        if (horizon != null) {
            query.queryParam("horizon", horizon(horizon));
        }
        return query.build().toUriString();
    }

    /** Whether the figures asked for are the default period's of a large installation: kept, as the page shows them. */
    private boolean kept(LocalDate from, LocalDate to) {
        return from == null && to == null && counts.kept(LocalDate.now()).isPresent();
    }

    private static ResponseEntity<String> csv(String name, String[] header, Consumer<CSVPrinter> rows) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header).get())) {
            rows.accept(csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name + ".csv").build().toString())
                .body(out.toString());
    }

    private static void print(CSVPrinter csv, Object... values) {
        try {
            csv.printRecord(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String plain(BigDecimal amount) {
        return amount == null ? "" : amount.toPlainString();
    }

    /** Names come from suppliers and imports and open in spreadsheets: one that starts like a formula stays text (as the ledger's CSV does). */
    static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    private static String count(Utilisation.Count c) {
        return c.suppressed() ? "<" + Utilisation.SMALLEST_SHOWN : c.value().toString();
    }
}
