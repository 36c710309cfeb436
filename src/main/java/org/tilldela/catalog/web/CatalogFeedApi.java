package org.tilldela.catalog.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.tilldela.catalog.feed.CatalogFeeds;
import org.tilldela.catalog.feed.FeedProblem;
import org.tilldela.catalog.feed.FeedRejectedException;

@RestController
// installation-wide (suppliers, their processing agreements with any organiser): for a grant over the whole installation only
@PreAuthorize("hasAuthority('RIGHT_CATALOG_ADMIN') and @scopes.wholeInstallation(authentication, 'CATALOG_ADMIN')")
@RequestMapping("/api/v1/catalog")
@Tag(name = "Catalogue feeds", description = "Apply a supplier feed (CSV or JSON): all of it, or nothing and every problem.")
class CatalogFeedApi {

    private final CatalogFeeds feeds;

    CatalogFeedApi(CatalogFeeds feeds) {
        this.feeds = feeds;
    }

    /** A refused feed: every problem, with line (CSV) or index (JSON), field and reason. */
    record Refusal(String format, String message, List<FeedProblem> problems) {
    }

    @PostMapping(value = "/feeds", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Apply a supplier feed; 200 with counts, or 422 with the problems and nothing applied")
    ResponseEntity<?> apply(@RequestParam("file") MultipartFile file, @RequestParam(required = false) CatalogFeeds.Format format,
                            Authentication auth) throws IOException {
        if (file.isEmpty()) {
            return ResponseEntity.badRequest().body(Map.of("message", "the file is empty"));
        }
        CatalogFeeds.Format f = format != null ? format : CatalogFeeds.Format.of(file.getOriginalFilename(), file.getContentType());
        try {
            return ResponseEntity.ok(feeds.apply(file.getBytes(), f, String.valueOf(file.getOriginalFilename()), auth.getName()));
        } catch (FeedRejectedException e) {
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(new Refusal(f.name(), e.getMessage(), e.problems()));
        }
    }
}
