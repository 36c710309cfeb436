package org.tilldela.catalog.web;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.tilldela.catalog.feed.CatalogFeeds;
import org.tilldela.catalog.feed.FeedRejectedException;

/** Uploading a supplier feed in the web UI: applied whole, or refused with every problem listed by line or index. */
@Controller
// installation-wide (suppliers, their processing agreements with any organiser): for a grant over the whole installation only
@PreAuthorize("hasAuthority('RIGHT_CATALOG_ADMIN') and @scopes.wholeInstallation(authentication, 'CATALOG_ADMIN')")
class FeedPages {

    private final CatalogFeeds feeds;

    FeedPages(CatalogFeeds feeds) {
        this.feeds = feeds;
    }

    /** A problem as the page lists it, its reason in the reader's language. */
    public record ProblemView(String where, String field, String reason) {
    }

    @GetMapping("/catalog/feeds")
    String page(Model model) {
        model.addAttribute("columns", CatalogFeeds.csvColumns());
        return "catalog/feeds";
    }

    @PostMapping("/catalog/feeds")
    String upload(@RequestParam(required = false) MultipartFile file, Authentication auth, Model model, Locale locale) throws IOException {
        model.addAttribute("columns", CatalogFeeds.csvColumns());
        if (file == null || file.isEmpty()) {
            model.addAttribute("uploadError", "catalog.feeds.nofile");
            return "catalog/feeds";
        }
        CatalogFeeds.Format format = CatalogFeeds.Format.of(file.getOriginalFilename(), file.getContentType());
        model.addAttribute("fileName", file.getOriginalFilename());
        try {
            model.addAttribute("applied", feeds.apply(file.getBytes(), format, String.valueOf(file.getOriginalFilename()), auth.getName()));
        } catch (FeedRejectedException e) {
            List<ProblemView> problems = e.problems().stream().map(p -> new ProblemView(
                    p.line() != null ? String.valueOf(p.line()) : p.index() != null ? String.valueOf(p.index()) : "–",
                    p.field(), feeds.describe(p, locale))).toList();
            model.addAttribute("format", format.name());
            model.addAttribute("problems", problems);
        }
        return "catalog/feeds";
    }
}
