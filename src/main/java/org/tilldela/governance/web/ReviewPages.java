package org.tilldela.governance.web;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.governance.AccessReviews;
import org.tilldela.governance.AdminGrants;
import org.tilldela.platform.CsvExport;

/**
 * Access reviews in the web UI, for ACCOUNT_ADMIN: the campaigns over units within the caller's scope, a form
 * to start one and to name a unit's standing reviewer, a campaign's grants for its reviewer to confirm or
 * revoke, and its outcome as CSV. A campaign over a unit outside the caller's scope answers 404.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_ACCOUNT_ADMIN')")
@RequestMapping("/admin/reviews")
class ReviewPages {

    /** A reviewed grant as the page shows it: units by name. */
    record ItemView(AccessReviews.Item item, List<String> units) {
    }

    private final AccessReviews reviews;
    private final AdminGrants grants;
    private final MessageSource messages;

    ReviewPages(AccessReviews reviews, AdminGrants grants, MessageSource messages) {
        this.reviews = reviews;
        this.grants = grants;
        this.messages = messages;
    }

    /**
     * The campaigns, and the forms to start one and to name a standing reviewer. Their unit is picked by name
     * ({@code findStartUnit}, {@code findStandingUnit}: htmx asks /admin/reviews/pick/units as they are typed, a plain
     * search without JavaScript), among the units within the administrator's own scope.
     */
    @GetMapping
    String list(@RequestParam(required = false) String findStartUnit, @RequestParam(required = false) String findStandingUnit, Model model,
                Authentication auth) {
        model.addAttribute("reviews", reviews.visibleTo(auth.getName()));
        model.addAttribute("findStartUnit", findStartUnit);
        model.addAttribute("findStandingUnit", findStandingUnit);
        model.addAttribute("startUnits", GrantableUnitChoices.of(grants, messages, auth.getName(), findStartUnit, null));
        model.addAttribute("standingUnits", GrantableUnitChoices.of(grants, messages, auth.getName(), findStandingUnit, null));
        model.addAttribute("notices", reviews.noticesFor(auth.getName()));
        return "governance/reviews";
    }

    /** A unit picker's choices for the words typed so far (either form's), for htmx to put into the form. */
    @GetMapping("/pick/units")
    String pickUnit(@RequestParam(required = false) String findStartUnit, @RequestParam(required = false) String findStandingUnit, Model model,
                    Authentication auth) {
        // the two forms' choices are named apart (one page cannot hold two "unit-0"s)
        model.addAttribute("pickerName", findStartUnit != null ? "unit" : "standingUnit");
        model.addAttribute("pickerChoices", GrantableUnitChoices.of(grants, messages, auth.getName(),
                findStartUnit != null ? findStartUnit : findStandingUnit, null));
        model.addAttribute("pickerRequired", true);
        return "pickers :: pick";
    }

    @PostMapping
    String start(@RequestParam(required = false) UUID unit, @RequestParam(defaultValue = "") String reviewer, Authentication auth,
                 RedirectAttributes flash) {
        if (unit == null) {
            flash.addFlashAttribute("error", "ui2.picker.unit.none");
            return "redirect:/admin/reviews";
        }
        try {
            AccessReviews.Review review = reviews.start(auth.getName(), unit, reviewer.strip(), Instant.now());
            flash.addFlashAttribute("message", "reviews.started");
            return "redirect:/admin/reviews/" + review.id();
        } catch (AccessReviews.NoSuchReview e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "reviews.reviewerInvalid");
            return "redirect:/admin/reviews";
        }
    }

    @PostMapping("/reviewers")
    String standingReviewer(@RequestParam(required = false) UUID standingUnit, @RequestParam(required = false) UUID unit,
                            @RequestParam(defaultValue = "") String reviewer, Authentication auth, RedirectAttributes flash) {
        // the page's picker names its choice standingUnit (the start form's is unit); unit is what the form sent before
        unit = standingUnit != null ? standingUnit : unit;
        if (unit == null) {
            flash.addFlashAttribute("error", "ui2.picker.unit.none");
            return "redirect:/admin/reviews";
        }
        try {
            reviews.setStandingReviewer(auth.getName(), unit, reviewer.strip());
            flash.addFlashAttribute("message", "reviews.reviewerSet");
        } catch (AccessReviews.NoSuchReview e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "reviews.reviewerInvalid");
        }
        return "redirect:/admin/reviews";
    }

    @GetMapping("/{id}")
    String review(@PathVariable long id, Model model, Authentication auth) {
        AccessReviews.Review review = found(() -> reviews.find(auth.getName(), id));
        List<AccessReviews.Item> items = reviews.items(auth.getName(), id);
        var names = grants.unitNames(items.stream().flatMap(i -> i.organisations().stream()).collect(Collectors.toSet()));
        model.addAttribute("review", review);
        model.addAttribute("items", items.stream().map(i -> new ItemView(i, i.organisations().stream().map(names::get).sorted().toList())).toList());
        model.addAttribute("mayDecide", review.isOpen() && review.reviewer().equals(auth.getName()));
        return "governance/review";
    }

    @PostMapping("/{id}/items/{item}/confirm")
    String confirm(@PathVariable long id, @PathVariable long item, Authentication auth, RedirectAttributes flash) {
        return decide(id, item, true, auth, flash);
    }

    @PostMapping("/{id}/items/{item}/revoke")
    String revoke(@PathVariable long id, @PathVariable long item, Authentication auth, RedirectAttributes flash) {
        return decide(id, item, false, auth, flash);
    }

    private String decide(long id, long item, boolean confirm, Authentication auth, RedirectAttributes flash) {
        try {
            AccessReviews.Decision decision = found(() -> reviews.decide(auth.getName(), id, item, confirm, Instant.now()));
            flash.addFlashAttribute("message", "reviews.decided." + decision.name());
        } catch (AccessReviews.NotYours e) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN);
        }
        return "redirect:/admin/reviews/" + id;
    }

    @GetMapping("/{id}/report.csv")
    ResponseEntity<byte[]> report(@PathVariable long id, Authentication auth) {
        List<List<Object>> rows = found(() -> reviews.report(auth.getName(), id));
        return CsvExport.download("access-review-" + id + ".csv", CsvExport.of(AccessReviews.REPORT_HEADER, rows));
    }

    private static <T> T found(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (AccessReviews.NoSuchReview e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }
}
