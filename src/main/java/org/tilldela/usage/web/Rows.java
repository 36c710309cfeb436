package org.tilldela.usage.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One page of a table's rows on the utilisation page. A table per school unit holds one row per unit — thousands for a
 * large organiser, a megabyte of HTML and a chart nobody can read — so the page shows {@code perPage} rows at a time,
 * says which of how many, and links to the pages before and after (the page's own address with only this table's page
 * changed, so the period, product and the other tables' pages stay). The CSV beside the table holds every row.
 *
 * @param shown    the rows on this page
 * @param total    how many rows the table has
 * @param first    the number of the first row shown, from 1 (0 when there are none)
 * @param previous the address of the page before, or null on the first
 * @param next     the address of the page after, or null on the last
 */
public record Rows<T>(List<T> shown, int total, int first, String previous, String next) {

    /** Rows shown at a time when nothing else is configured. */
    static final int PER_PAGE = 50;

    /**
     * The page {@code asked} (from 1; none, below 1 or beyond the last: the nearest there is) of {@code all}, linked through
     * the query parameter {@code param} and the table's section {@code anchor}.
     */
    static <T> Rows<T> of(List<T> all, Integer asked, int perPage, String param, String anchor, HttpServletRequest request) {
        int pages = Math.max(1, (all.size() + perPage - 1) / perPage);
        int page = asked == null ? 1 : Math.clamp(asked, 1, pages);
        int from = (page - 1) * perPage;
        List<T> shown = all.subList(from, Math.min(all.size(), from + perPage));
        return new Rows<>(List.copyOf(shown), all.size(), shown.isEmpty() ? 0 : from + 1,
                page > 1 ? link(request, param, page - 1, anchor) : null, page < pages ? link(request, param, page + 1, anchor) : null);
    }

    /** Every row on one page: for a table the page does not split. */
    static <T> Rows<T> all(List<T> all) {
        return new Rows<>(all, all.size(), all.isEmpty() ? 0 : 1, null, null);
    }

    /** The number of the last row shown. */
    public int last() {
        return first == 0 ? 0 : first + shown.size() - 1;
    }

    /** Whether the table has more rows than one page shows. */
    public boolean split() {
        return previous != null || next != null;
    }

    public boolean isEmpty() {
        return total == 0;
    }

    private static String link(HttpServletRequest request, String param, int page, String anchor) {
        // the query as the browser sent it (already encoded), with this table's page replaced
        return UriComponentsBuilder.fromPath(request.getRequestURI()).query(request.getQueryString())
                .replaceQueryParam(param, page).fragment(anchor).build().toUriString();
    }
}
