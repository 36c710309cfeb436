package org.tilldela.purchase.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Viewer;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.purchase.BuyerScope;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.purchase.Cart;
import org.tilldela.purchase.CartLine;
import org.tilldela.purchase.ComplianceGate;
import org.tilldela.purchase.NoBuyerScope;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.Quote;
import org.tilldela.purchase.Recipient;
import org.tilldela.purchase.Recipients;
import org.tilldela.purchase.RecipientsMissing;
import org.tilldela.purchase.RecipientsRefused;
import org.tilldela.purchase.Verdict;

/**
 * The buyer's pages: catalogue search, a product with its data needs and the gate's verdict for the
 * buyer's organiser, picking recipients by browsing the buyer's own organisation, the cart with the
 * privacy preview and verdict per line, checkout and the order confirmation.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_BUYER')")
class PurchasePages {

    private final CatalogSearch search;
    private final Catalog catalog;
    private final BuyerScopes scopes;
    private final Cart cart;
    private final Orders orders;
    private final Recipients recipients;
    private final ComplianceGate gate;
    private final OrganisationBrowser organisations;
    private final Wording words;
    private final FormSubmissions forms;

    PurchasePages(CatalogSearch search, Catalog catalog, BuyerScopes scopes, Cart cart, Orders orders, Recipients recipients, ComplianceGate gate,
                  OrganisationBrowser organisations, Wording words, FormSubmissions forms,
                  org.springframework.beans.factory.ObjectProvider<org.tilldela.licensing.PoolUtilisation> utilisation,
                  org.tilldela.purchase.Deliveries deliveries) {
        this.deliveries = deliveries;
        this.utilisation = utilisation;
        this.forms = forms;
        this.search = search;
        this.catalog = catalog;
        this.scopes = scopes;
        this.cart = cart;
        this.orders = orders;
        this.recipients = recipients;
        this.gate = gate;
        this.organisations = organisations;
        this.words = words;
    }

    @GetMapping("/purchase")
    String index(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "1") int page, Authentication auth, Model model) {
        model.addAttribute("scope", scopes.of(auth.getName()).orElse(null));
        model.addAttribute("q", q);
        model.addAttribute("result", search.search(CatalogQuery.of(q).withPage(page)));
        model.addAttribute("cartSize", cart.lines(auth.getName()).size());
        model.addAttribute("orders", orders.ofBuyer(auth.getName(), 10));
        return "purchase/index";
    }

    @GetMapping("/purchase/products/{id}")
    String product(@PathVariable UUID id, Authentication auth, Model model, Locale locale) {
        Product product = catalog.product(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
        Optional<BuyerScope> scope = scopes.of(auth.getName());
        model.addAttribute("product", product);
        model.addAttribute("supplier", supplier);
        model.addAttribute("scope", scope.orElse(null));
        scope.ifPresent(s -> {
            Verdict v = gate.check(product, supplier, s.organiserId(), LocalDate.now());
            model.addAttribute("verdict", v);
            model.addAttribute("reasons", words.reasons(v, locale));
        });
        return "purchase/product";
    }

    @PostMapping("/purchase/cart")
    String addToCart(@RequestParam UUID productId, @RequestParam(required = false) Integer seats, @RequestParam(defaultValue = "false") boolean trial,
                     @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect) {
        try {
            return forms.once(formToken, auth.getName(), "purchase.cart", () -> "redirect:/purchase/cart/" + cart.add(auth.getName(), productId, seats, trial)
                    + "/recipients");
        } catch (NoBuyerScope | IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/purchase/products/" + productId;
        }
    }

    record ChosenView(int index, String text, Integer persons) {
    }

    @GetMapping("/purchase/cart/{lineId}/recipients")
    String recipients(@PathVariable UUID lineId, @RequestParam(required = false) UUID unit, @RequestParam(required = false) UUID group,
                      Authentication auth, Model model, Locale locale) {
        CartLine line = cart.line(auth.getName(), lineId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        BuyerScope scope = scopes.require(auth.getName());
        Viewer viewer = words.viewer(auth);
        OrganisationBrowser.Group chosenGroup = null;
        if (group != null) {
            chosenGroup = organisations.group(group).filter(g -> recipients.groupInside(scope, g.id()))
                    .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
            unit = chosenGroup.organisationId();
        }
        UUID unitId = unit == null ? recipients.start(scope) : unit;
        if (!recipients.inside(scope, unitId)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        OrganisationBrowser.Organisation here = organisations.organisation(unitId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        // the trail from the buyer's scope down to here: nothing above the scope is theirs to browse
        List<OrganisationBrowser.UnitName> trail = new ArrayList<>();
        boolean inScope = false;
        for (OrganisationBrowser.UnitName u : organisations.ancestry(unitId)) {
            inScope |= u.id().equals(scope.organisationId());
            if (inScope) {
                trail.add(u);
            }
        }
        // within the BUYER grant too: a grant narrowed to a school form shows that form's groups only
        List<OrganisationBrowser.Group> groups = organisations.groups(unitId, recipients.granted(scope));
        TreeSet<String> grades = new TreeSet<>();
        groups.forEach(g -> {
            if (g.grades() != null) {
                for (String s : g.grades().split(",")) {
                    if (!s.isBlank()) {
                        grades.add(s.strip());
                    }
                }
            }
        });
        Product product = catalog.product(line.productId()).orElseThrow();
        List<OrganisationBrowser.Group> fitting = groups.stream().filter(g -> fits(g, product)).toList();
        model.addAttribute("fitting", fitting);
        model.addAttribute("others", groups.stream().filter(g -> !fitting.contains(g)).toList());
        model.addAttribute("line", line);
        model.addAttribute("product", product);
        model.addAttribute("scope", scope);
        model.addAttribute("here", here);
        model.addAttribute("trail", trail);
        model.addAttribute("children", organisations.children(unitId, recipients.granted(scope)));
        model.addAttribute("groups", groups);
        model.addAttribute("grades", grades);
        model.addAttribute("group", chosenGroup);
        model.addAttribute("members", chosenGroup == null ? List.of() : organisations.members(chosenGroup.id(), viewer));
        model.addAttribute("chosen", chosen(line, scope, viewer, locale));
        return "purchase/recipients";
    }

    /**
     * Whether a class or group is one the product is for: its school form among the product's, and one of its grades
     * among the product's. What either side leaves unsaid does not count against it (a product for every grade, a group
     * the directory gives no grade) — only a known mismatch puts a group behind the toggle.
     */
    static boolean fits(OrganisationBrowser.Group g, Product product) {
        if (g.schoolForm() != null && !g.schoolForm().isBlank() && !product.schoolForms().isEmpty()
                && product.schoolForms().stream().noneMatch(f -> f.equalsIgnoreCase(g.schoolForm().strip()))) {
            return false;
        }
        List<String> groupGrades = g.grades() == null ? List.of()
                : java.util.Arrays.stream(g.grades().split(",")).map(PurchasePages::grade).filter(x -> !x.isEmpty()).toList();
        if (groupGrades.isEmpty() || product.grades().isEmpty()) {
            return true;
        }
        return product.grades().stream().map(PurchasePages::grade).anyMatch(groupGrades::contains);
    }

    /** A grade as compared: "07" and "7" are the same grade (the catalogue and the directory write them either way). */
    private static String grade(String g) {
        String s = g.strip();
        String trimmed = s.replaceFirst("^0+(?=.)", "");
        return trimmed.toUpperCase(Locale.ROOT);
    }

    private List<ChosenView> chosen(CartLine line, BuyerScope scope, Viewer viewer, Locale locale) {
        Map<Recipient, Integer> counts;
        try {
            counts = recipients.resolve(scope, line.recipients()).perSelection();
        } catch (RecipientsRefused e) {
            counts = Map.of();
        }
        List<ChosenView> out = new ArrayList<>();
        List<Recipients.Described> described = recipients.describe(line.recipients(), viewer);
        for (int i = 0; i < described.size(); i++) {
            out.add(new ChosenView(i, words.recipient(described.get(i), locale), counts.get(described.get(i).recipient())));
        }
        return out;
    }

    @PostMapping("/purchase/cart/{lineId}/recipients")
    String addRecipients(@PathVariable UUID lineId, @RequestParam(required = false) UUID unit, @RequestParam(required = false) UUID browsedGroup,
                         @RequestParam(required = false) List<UUID> group, @RequestParam(required = false) List<UUID> groupStaff,
                         @RequestParam(required = false) List<UUID> person,
                         @RequestParam(required = false) List<String> rule, @RequestParam(required = false) String grade,
                         Authentication auth, RedirectAttributes redirect) {
        List<Recipient> added = new ArrayList<>();
        // a class bought for is its pupils; its teachers and other staff only when ticked for themselves
        if (group != null) {
            group.forEach(g -> added.add(Recipient.group(g, "PUPIL")));
        }
        if (groupStaff != null) {
            groupStaff.forEach(g -> added.add(Recipient.group(g, "STAFF")));
        }
        if (person != null) {
            person.forEach(p -> added.add(Recipient.person(p)));
        }
        if (unit != null && rule != null) {
            for (String r : rule) {
                switch (r) {
                    case "ALL_PUPILS" -> added.add(Recipient.allPupilsAtUnit(unit));
                    case "TEACHERS" -> added.add(Recipient.roleAtUnit(unit, "TEACHER"));
                    case "GRADE" -> {
                        if (grade != null && !grade.isBlank()) {
                            added.add(Recipient.gradeAtUnit(unit, grade));
                        }
                    }
                    case "TREE_PUPILS" -> added.add(Recipient.unit(unit, "PUPIL"));
                    case "TREE_STAFF" -> added.add(Recipient.unit(unit, "STAFF"));
                    default -> {
                    }
                }
            }
        }
        String back = "redirect:/purchase/cart/" + lineId + "/recipients" + (browsedGroup != null ? "?group=" + browsedGroup
                : unit != null ? "?unit=" + unit : "");
        if (added.isEmpty()) {
            redirect.addFlashAttribute("error", "purchase.recipients.noneChosen");
            return back;
        }
        try {
            cart.addRecipients(auth.getName(), lineId, added);
            redirect.addFlashAttribute("added", added.size());
        } catch (RecipientsRefused | IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
        }
        return back;
    }

    @PostMapping("/purchase/cart/{lineId}/recipients/{index}/remove")
    String removeRecipient(@PathVariable UUID lineId, @PathVariable int index, @RequestParam(defaultValue = "cart") String back, Authentication auth,
                           RedirectAttributes redirect) {
        try {
            cart.removeRecipient(auth.getName(), lineId, index);
        } catch (IllegalArgumentException e) {
            // the line is gone (removed in another tab, or ordered): the cart as it is now, and why
            redirect.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/purchase/cart";
        }
        return back.equals("browse") ? "redirect:/purchase/cart/" + lineId + "/recipients" : "redirect:/purchase/cart";
    }

    @PostMapping("/purchase/cart/{lineId}/seats")
    String seats(@PathVariable UUID lineId, @RequestParam(required = false) Integer seats, Authentication auth, RedirectAttributes redirect) {
        try {
            cart.setSeats(auth.getName(), lineId, seats);
        } catch (IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
        }
        return "redirect:/purchase/cart";
    }

    @PostMapping("/purchase/cart/{lineId}/remove")
    String removeLine(@PathVariable UUID lineId, Authentication auth, RedirectAttributes redirect) {
        cart.removeLine(auth.getName(), lineId);
        redirect.addFlashAttribute("removed", true);
        return "redirect:/purchase/cart";
    }

    /** A cart line as the cart page shows it: the line, its quote (preview and verdict), its selections in words. */
    record LineView(CartLine line, Quote.Line quote, List<ChosenView> chosen, String outcome, List<String> reasons) {
    }

    @GetMapping("/purchase/cart")
    String cart(Authentication auth, Model model, Locale locale) {
        return cartPage(auth, model, locale, null);
    }

    private String cartPage(Authentication auth, Model model, Locale locale, Quote placed) {
        String buyer = auth.getName();
        Optional<BuyerScope> scope = scopes.of(buyer);
        List<CartLine> lines = cart.lines(buyer);
        model.addAttribute("scope", scope.orElse(null));
        Quote quote = placed;
        if (quote == null && scope.isPresent() && !lines.isEmpty()) {
            try {
                quote = cart.quote(buyer);
            } catch (RecipientsRefused | IllegalArgumentException e) {
                model.addAttribute("errorText", e.getMessage());
            }
        }
        Viewer viewer = words.viewer(auth);
        List<LineView> views = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            CartLine l = lines.get(i);
            Quote.Line q = quote != null && i < quote.lines().size() ? quote.lines().get(i) : null;
            List<ChosenView> chosen = scope.map(s -> chosen(l, s, viewer, locale)).orElse(List.of());
            views.add(new LineView(l, q, chosen, q == null ? null : words.outcome(q.verdict().outcome(), locale),
                    q == null ? List.of() : words.reasons(q.verdict(), locale)));
        }
        Map<UUID, Product> products = new LinkedHashMap<>();
        catalog.products(lines.stream().map(CartLine::productId).distinct().toList()).forEach(p -> products.put(p.id(), p));
        model.addAttribute("lines", views);
        model.addAttribute("products", products);
        model.addAttribute("quote", quote);
        model.addAttribute("blocked", quote != null && quote.blocked());
        model.addAttribute("needsApproval", quote != null && quote.outcome() == Verdict.Outcome.NEEDS_DPO_APPROVAL);
        model.addAttribute("missingRecipients", quote != null && quote.lines().stream().anyMatch(Quote.Line::needsRecipients));
        model.addAttribute("total", quote == null ? null : quote.lines().stream().map(Quote.Line::total).reduce(java.math.BigDecimal.ZERO,
                java.math.BigDecimal::add));
        return "purchase/cart";
    }

    /**
     * Places the cart's order once per rendered cart: a double click or a resubmission carries the same
     * one-time token and lands on the order the first one placed.
     */
    @PostMapping("/purchase/checkout")
    String checkout(@RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, Model model, Locale locale,
                    RedirectAttributes redirect) {
        try {
            return forms.once(formToken, auth.getName(), "purchase.checkout", () -> {
                Orders.Placement placement = cart.checkout(auth.getName());
                if (placement.blocked()) {
                    model.addAttribute("refused", true);
                    return cartPage(auth, model, locale, placement.quote());
                }
                return "redirect:/purchase/orders/" + placement.order().id();
            });
        } catch (RecipientsMissing e) {
            redirect.addFlashAttribute("errorText", words.text("purchase.cart.notPlacedMissingRecipients", locale, e.productTitle()));
            return "redirect:/purchase/cart";
        } catch (NoBuyerScope | RecipientsRefused | IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/purchase/cart";
        }
    }

    /** An order line with what fulfilment made of it, why it cannot be cancelled now (null: it can), and its utilisation. */
    record OrderLineView(Order.Line line, List<String> recipients, Orders.Fulfilment fulfilment, List<String> withoutSeat, int maskedWithoutSeat,
                         String notCancellable, org.tilldela.licensing.PoolUtilisation.Figures utilisation, org.tilldela.purchase.LineDelivery delivery) {
    }

    /** How far the publisher has come with each line sent to it (BOL). */
    private final org.tilldela.purchase.Deliveries deliveries;

    /** An order line's utilisation line, from the usage module when it is there. */
    private final org.springframework.beans.factory.ObjectProvider<org.tilldela.licensing.PoolUtilisation> utilisation;

    @GetMapping("/purchase/orders/{id}")
    String order(@PathVariable UUID id, Authentication auth, Model model, Locale locale) {
        Order order = orders.order(id).filter(o -> o.buyer().equals(auth.getName()))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        Viewer viewer = words.viewer(auth);
        Map<UUID, Orders.Fulfilment> byLine = new LinkedHashMap<>();
        orders.fulfilment(order).forEach(f -> byLine.put(f.line().id(), f));
        List<OrderLineView> lines = new ArrayList<>();
        Map<UUID, org.tilldela.purchase.LineDelivery> delivered = deliveries.ofOrder(order.id());
        for (Order.Line line : order.lines()) {
            Orders.Fulfilment f = byLine.get(line.id());
            List<String> without = new ArrayList<>();
            int masked = 0;
            if (f != null) {
                for (UUID p : f.withoutSeat()) {
                    Optional<OrganisationBrowser.Member> m = organisations.person(p, viewer);
                    if (m.isPresent() && !m.get().masked()) {
                        without.add(m.get().givenName() + " " + m.get().familyName());
                    } else {
                        masked++;
                    }
                }
            }
            lines.add(new OrderLineView(line, recipients.describe(line.recipients(), viewer).stream().map(d -> words.recipient(d, locale)).toList(),
                    f, without, masked, orders.whyNotCancellable(order, line).orElse(null), line.poolId() == null ? null
                    : utilisation.stream().findFirst().flatMap(u -> u.of(line.poolId())).orElse(null), delivered.get(line.id())));
        }
        model.addAttribute("order", order);
        model.addAttribute("lines", lines);
        // a held order is withdrawn whole; a placed one as a whole when each of several lines can be
        model.addAttribute("cancellable", order.status() == Order.Status.AWAITING_APPROVAL && lines.size() > 1
                || lines.stream().filter(v -> !v.line().cancelled()).count() > 1
                && lines.stream().allMatch(v -> v.line().cancelled() || v.notCancellable() == null));
        model.addAttribute("beyond", order.approval() == null ? null : words.attributes(order.approval().attributes(), locale));
        return "purchase/order";
    }

    @GetMapping("/purchase/orders")
    String orders(Authentication auth, Model model) {
        model.addAttribute("orders", orders.ofBuyer(auth.getName(), 200));
        return "purchase/orders";
    }
}
