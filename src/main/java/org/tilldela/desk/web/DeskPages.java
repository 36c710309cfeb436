package org.tilldela.desk.web;

import java.util.List;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.desk.DpoDesk;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.CsvExport;

/**
 * The data protection officer's desk: the overview of counts, each linking to its list (and the list as CSV).
 * For the DATA_PROTECTION_OFFICER right within its scope, and for whole-installation account administrators.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') or @scopes.wholeInstallation(authentication, 'ACCOUNT_ADMIN')")
class DeskPages {

    /** A tile as the overview shows it: its list's path segment with the count. */
    record TileView(String slug, String key, Long count) {
    }

    private final DpoDesk desk;
    private final MessageSource messages;
    private final AuditTrail audit;

    DeskPages(DpoDesk desk, MessageSource messages, AuditTrail audit) {
        this.audit = audit;
        this.desk = desk;
        this.messages = messages;
    }

    static String slug(DpoDesk.Tile tile) {
        return tile.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static DpoDesk.Tile tile(String slug) {
        for (DpoDesk.Tile t : DpoDesk.Tile.values()) {
            if (slug(t).equals(slug)) {
                return t;
            }
        }
        throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }

    @GetMapping("/dpo")
    String overview(Model model, Authentication auth) {
        model.addAttribute("tiles", desk.overview(auth).stream().map(c -> new TileView(slug(c.tile()), c.tile().name(), c.count())).toList());
        return "desk/overview";
    }

    @GetMapping("/dpo/{list}")
    String list(@PathVariable String list, Model model, Authentication auth) {
        DpoDesk.Tile tile = tile(list);
        model.addAttribute("slug", list);
        model.addAttribute("key", tile.name());
        model.addAttribute("listing", desk.list(auth, tile));
        model.addAttribute("maxRows", DpoDesk.MAX_ROWS);
        return "desk/list";
    }

    @GetMapping("/dpo/{list}.csv")
    ResponseEntity<byte[]> csv(@PathVariable String list, Authentication auth, Locale locale) {
        DpoDesk.Listing listing = desk.list(auth, tile(list));
        List<String> header = listing.columns().stream().map(c -> messages.getMessage(c, null, c, locale)).toList();
        // a list taken away (overdue deletions by person, who looked at which protected person) is audited as every export is
        audit.record(auth.getName(), "EXPORT_DPO_LIST", "dpo_list", list, java.util.Map.of("rows", listing.rows().size(), "format", "csv"));
        return CsvExport.download("dpo-" + list + ".csv", CsvExport.of(header, listing.rows().stream().map(DpoDesk.Row::cells).toList()));
    }
}
