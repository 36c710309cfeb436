package org.tilldela.usage.web;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
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
import org.tilldela.purchase.BuyerScope;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.usage.Utilisation;

/**
 * The utilisation page: a chart, the same figures as a table, and the table as CSV. A licence
 * administrator of the whole installation sees every organiser's pools; a buyer those of the organisation they buy for (an organiser:
 * all its pools; a school unit: the pools bought for it), and nothing without one.
 */
@Controller
@PreAuthorize("hasAnyAuthority('RIGHT_LICENCE_ADMIN','RIGHT_BUYER')")
class UtilisationPages {

    /** The period shown when none is asked for: the last 30 days, today included. */
    static final int DEFAULT_DAYS = 30;

    private static final String[] HEADER = {"product", "article_number", "organisation", "seats_bought", "seats_assigned", "seats_used", "used_percent"};

    private final Utilisation utilisation;
    private final BuyerScopes buyerScopes;
    private final org.tilldela.governance.Scopes scopes;

    UtilisationPages(Utilisation utilisation, BuyerScopes buyerScopes, org.tilldela.governance.Scopes scopes) {
        this.utilisation = utilisation;
        this.buyerScopes = buyerScopes;
        this.scopes = scopes;
    }

    /** Whose pools the account may see: empty when none; {@code within} null for all. */
    private record Seen(UUID within, String name) {
    }

    private Optional<Seen> seen(Authentication auth) {
        // every organiser's pools only for a licence administrator of the whole installation (the page does not filter by
        // a scoped grant yet); a scoped one sees what a buyer would
        if (scopes.wholeInstallation(auth, AdminRight.LICENCE_ADMIN.name())) {
            return Optional.of(new Seen(null, null));
        }
        return buyerScopes.of(auth.getName()).map((BuyerScope s) -> new Seen(s.organisationId(), s.organisationName()));
    }

    private record Period(LocalDate from, LocalDate to, boolean refused) {

        static Period of(LocalDate from, LocalDate to) {
            LocalDate today = LocalDate.now();
            LocalDate end = to != null ? to : today;
            LocalDate start = from != null ? from : end.minusDays(DEFAULT_DAYS - 1);
            return start.isAfter(end) ? new Period(today.minusDays(DEFAULT_DAYS - 1), today, true) : new Period(start, end, false);
        }
    }

    @GetMapping("/utilisation")
    String page(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to, Authentication auth, Model model) {
        Period period = Period.of(from, to);
        Optional<Seen> seen = seen(auth);
        model.addAttribute("from", period.from());
        model.addAttribute("to", period.to());
        model.addAttribute("periodRefused", period.refused());
        model.addAttribute("noScope", seen.isEmpty());
        model.addAttribute("scopeName", seen.map(Seen::name).orElse(null));
        model.addAttribute("lines", seen.map(s -> utilisation.lines(s.within(), period.from(), period.to())).orElse(List.of()));
        model.addAttribute("smallest", Utilisation.SMALLEST_SHOWN);
        return "usage/utilisation";
    }

    @GetMapping(value = "/utilisation.csv", produces = "text/csv")
    ResponseEntity<String> csv(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to, Authentication auth) {
        Period period = Period.of(from, to);
        List<Utilisation.Line> lines = seen(auth).map(s -> utilisation.lines(s.within(), period.from(), period.to())).orElse(List.of());
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(HEADER).get())) {
            for (Utilisation.Line l : lines) {
                csv.printRecord(cell(l.productTitle()), cell(l.articleNumber()), cell(l.scopeName()), l.bought() == null ? "unlimited" : l.bought(), count(l.assigned()),
                        count(l.used()), l.usedPercent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("utilisation-" + period.from() + "-" + period.to() + ".csv").build().toString())
                .body(out.toString());
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
