package org.tilldela.directory.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.CsvExport;

/**
 * The organisation browser's lists as CSV: a group's members and a search's results — what the pages show this
 * administrator, within their DIRECTORY_ADMIN scope (outside it: not found), protected persons masked unless they may see
 * them (each shown one audited as on the page), civic numbers as the page shows them (birth date only). Audited as an export.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
class DirectoryExports {

    /** At most this many results of each kind in a search's export (the page shows 25): narrowing the search is the answer beyond. */
    static final int SEARCH_IN_EXPORT = 2_000;

    private final OrganisationBrowser browser;
    private final Viewers viewers;
    private final AuditTrail audit;
    private final MessageSource messages;

    DirectoryExports(OrganisationBrowser browser, Viewers viewers, AuditTrail audit, MessageSource messages) {
        this.browser = browser;
        this.viewers = viewers;
        this.audit = audit;
        this.messages = messages;
    }

    @GetMapping(value = "/directory/groups/{id}/members.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<byte[]> members(@PathVariable UUID id, Authentication auth, Locale locale) {
        var viewer = viewers.of(auth);
        var group = browser.group(id, viewer.scope()).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        List<OrganisationBrowser.Member> members = browser.members(id, viewer);
        List<List<Object>> rows = new ArrayList<>();
        for (OrganisationBrowser.Member m : members) {
            rows.add(Arrays.asList(m.masked() ? text("directory.protected", locale) : m.familyName(), m.masked() ? null : m.givenName(),
                    m.role() == null ? null : messages.getMessage("role." + m.role(), null, m.role(), locale), m.civicNumberMasked(),
                    m.protectedIdentity() ? text("directory.protected", locale) : null, m.personId()));
        }
        audit.record(auth.getName(), "EXPORT_GROUP_MEMBERS", "student_group", id.toString(), Map.of("rows", rows.size(), "format", "csv"));
        return CsvExport.download(fileName(group.name()) + "-" + LocalDate.now() + ".csv", CsvExport.of(List.of(text("ui13.export.familyName", locale),
                text("ui13.export.givenName", locale), text("directory.col.role", locale), text("ui13.civic.ANY", locale),
                text("ui13.export.protected", locale), text("ui13.export.id", locale)), rows));
    }

    @GetMapping(value = "/directory/search.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<byte[]> search(@RequestParam(defaultValue = "") String q, Authentication auth, Locale locale) {
        if (q.strip().length() < 2) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "type at least two letters");
        }
        OrganisationBrowser.SearchResult result = browser.search(q, viewers.of(auth), SEARCH_IN_EXPORT);
        List<List<Object>> rows = new ArrayList<>();
        result.organisations().forEach(o -> rows.add(Arrays.asList(text("kind." + o.kind(), locale), o.name(), null, null, o.id())));
        result.groups().forEach(g -> rows.add(Arrays.asList(text("ui13.export.group", locale), g.name(), g.organisationName(), null, g.id())));
        result.persons().forEach(m -> rows.add(Arrays.asList(text("ui13.export.person", locale),
                m.masked() ? text("directory.protected", locale) : m.familyName() + ", " + m.givenName(), null, m.civicNumberMasked(), m.personId())));
        // whom the export took out, by id (the audit trail keeps ids, never names: the query typed is usually a name)
        audit.record(auth.getName(), "EXPORT_DIRECTORY_SEARCH", "directory", "search", Map.of("persons",
                result.persons().stream().map(m -> m.personId().toString()).toList(), "rows", rows.size(), "format", "csv"));
        return CsvExport.download("search-" + LocalDate.now() + ".csv", CsvExport.of(List.of(text("directory.col.kind", locale),
                text("directory.col.name", locale), text("ui13.export.unit", locale), text("ui13.civic.ANY", locale), text("ui13.export.id", locale)),
                rows));
    }

    /** A file name from a group's name: letters, digits and dashes only. */
    private static String fileName(String name) {
        String s = name == null ? "" : name.replaceAll("[^\\p{L}\\p{N}]+", "-").replaceAll("^-|-$", "");
        return s.isEmpty() ? "group" : s;
    }

    private String text(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }
}
