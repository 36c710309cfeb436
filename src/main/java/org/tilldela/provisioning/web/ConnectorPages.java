package org.tilldela.provisioning.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.ClientCertificates;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.provisioning.Connector;
import org.tilldela.provisioning.ConnectorQueues;
import org.tilldela.provisioning.Connectors;
import org.tilldela.provisioning.DeadLetters;

/**
 * The connector pages (Kopplingar / Forbindelser) for the administrator who decides what reaches suppliers (right
 * ACCESS_ADMIN, as {@link ConnectorApi}): every connector with its queue and last success or error; one connector's
 * queue, dead letters (replay), the deletions its brake holds (release, discard), pause and resume; the form to set
 * one up or change it, whose secret is taken and never shown. Every action goes through the same services as the
 * API, which check and audit it.
 */
@Controller
@RequestMapping("/provisioning/connectors")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
class ConnectorPages {

    /** Rows of the queue and of the dead letters a page lists; the counts above them say how many there are in all. */
    static final int LISTED = 50;

    private final Connectors connectors;
    private final ConnectorQueues queues;
    private final DeadLetters deadLetters;
    private final Catalog catalog;
    private final CatalogSearch search;
    private final OrganisationBrowser directory;
    private final FormSubmissions forms;
    private final MessageSource messages;
    private final Scopes scopes;

    ConnectorPages(Connectors connectors, ConnectorQueues queues, DeadLetters deadLetters, Catalog catalog, CatalogSearch search,
                   OrganisationBrowser directory, FormSubmissions forms, MessageSource messages, Scopes scopes) {
        this.connectors = connectors;
        this.queues = queues;
        this.deadLetters = deadLetters;
        this.catalog = catalog;
        this.search = search;
        this.directory = directory;
        this.forms = forms;
        this.messages = messages;
        this.scopes = scopes;
    }

    /** A connector with the names of the products it serves and its queue. */
    record Row(Connector connector, List<String> products, ConnectorQueues.Summary queue) {
    }

    @GetMapping
    String list(Model model) {
        List<Connector> all = connectors.all();
        Map<UUID, String> titles = titles(all.stream().flatMap(c -> c.productIds().stream()).distinct().toList());
        Map<UUID, ConnectorQueues.Summary> summaries = queues.summaries();
        model.addAttribute("rows", all.stream()
                .sorted(Comparator.comparing(Connector::supplierName, String.CASE_INSENSITIVE_ORDER).thenComparing(Connector::name, String.CASE_INSENSITIVE_ORDER))
                .map(c -> new Row(c, names(c.productIds(), titles), summaries.getOrDefault(c.id(), ConnectorQueues.Summary.EMPTY))).toList());
        return "provisioning/connectors";
    }

    /** A person in the queue or among the dead letters, by name (masked when protected); null name: no longer in the directory. */
    record Who(String name, boolean masked) {
    }

    @GetMapping("/{id}")
    String connector(@PathVariable UUID id, Authentication auth, Model model) {
        Connector c = connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        List<ConnectorQueues.Waiting> waiting = queues.waiting(id, LISTED);
        List<DeadLetters.DeadLetter> dead = deadLetters.of(id, LISTED);
        Set<UUID> persons = new LinkedHashSet<>();
        waiting.forEach(w -> persons.add(w.personId()));
        dead.forEach(d -> persons.add(d.personId()));
        Viewer viewer = viewer(auth);
        Map<UUID, Who> who = new HashMap<>();
        for (UUID p : persons) {
            // each protected person shown is audited by the directory
            who.put(p, directory.person(p, viewer).map(m -> new Who(m.masked() ? null : m.givenName() + " " + m.familyName(), m.masked()))
                    .orElse(new Who(null, false)));
        }
        model.addAttribute("c", c);
        model.addAttribute("products", names(c.productIds(), titles(c.productIds())));
        model.addAttribute("queue", queues.of(id));
        model.addAttribute("waiting", waiting);
        model.addAttribute("dead", dead);
        model.addAttribute("who", who);
        model.addAttribute("bolOrders", c.profile() == Connector.Profile.BOL ? connectors.queuedOrders(id, LISTED) : List.of());
        return "provisioning/connector";
    }

    /** The queue's counts and the last success alone, for the page to follow the queue while it drains (htmx). */
    @GetMapping("/{id}/queue")
    String queueCounts(@PathVariable UUID id, Model model) {
        model.addAttribute("c", connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)));
        model.addAttribute("queue", queues.of(id));
        return "provisioning/connector :: counts";
    }

    @PostMapping("/{id}/pause")
    String pause(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        return act(id, flash, "provisioning.paused", () -> connectors.setEnabled(id, false, auth.getName()));
    }

    @PostMapping("/{id}/resume")
    String resume(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        return act(id, flash, "provisioning.resumed", () -> connectors.setEnabled(id, true, auth.getName()));
    }

    @PostMapping("/{id}/release-brake")
    String releaseBrake(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        return act(id, flash, "provisioning.brake.released", () -> connectors.releaseBrake(id, auth.getName()));
    }

    @PostMapping("/{id}/discard-held")
    String discardHeld(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        return act(id, flash, "provisioning.brake.discarded", () -> connectors.discardHeld(id, auth.getName()));
    }

    @PostMapping("/{id}/dead-letters/{operation}/replay")
    String replay(@PathVariable UUID id, @PathVariable long operation, Authentication auth, RedirectAttributes flash) {
        connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        boolean replayed = deadLetters.replay(id, operation, auth.getName());
        flash.addFlashAttribute(replayed ? "message" : "error", replayed ? "provisioning.dead.replayed" : "provisioning.dead.gone");
        return "redirect:/provisioning/connectors/" + id;
    }

    /** A BOL order that did not reach the publisher, sent again (audited). */
    @PostMapping("/{id}/orders/{order}/send-again")
    String sendOrderAgain(@PathVariable UUID id, @PathVariable UUID order, Authentication auth, RedirectAttributes flash) {
        connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        boolean queued = connectors.sendOrderAgain(id, order, auth.getName());
        flash.addFlashAttribute(queued ? "message" : "error", queued ? "provisioning.bol.sentAgain" : "provisioning.bol.notDead");
        return "redirect:/provisioning/connectors/" + id;
    }

    @PostMapping("/{id}/dead-letters/replay")
    String replayAll(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        flash.addFlashAttribute("replayedAll", deadLetters.replayAll(id, auth.getName()));
        return "redirect:/provisioning/connectors/" + id;
    }

    // ---- the form: set up (two steps: the supplier, then what its products need) and change

    /** What the form holds, as typed; the secrets are never put back into it. */
    record Form(UUID supplierId, String name, String baseUrl, Connector.Auth auth, String tokenUrl, String clientId, Set<String> resourceTypes,
                Set<UUID> productIds, String deletionBrakePercent, boolean enabled, Connector.Profile profile, String serviceProviderId,
                String serverCa) {

        static Form blank(UUID supplier) {
            return new Form(supplier, "", "", Connector.Auth.BEARER, "", "", Set.of("User"), Set.of(), "", true, Connector.Profile.SCIM_CORE, "", "");
        }

        static Form of(Connector c) {
            return new Form(c.supplierId(), c.name(), c.baseUrl(), c.auth(), c.tokenUrl(), c.clientId(), new LinkedHashSet<>(c.resourceTypes()),
                    new LinkedHashSet<>(c.productIds()), percent(c.deletionBrakePercent()), c.enabled(), c.profile(),
                    c.serviceProviderId() == null ? "" : c.serviceProviderId(), "");
        }

        /** As typed; {@code fixed}: the profile of the connector being changed (it cannot change), null for a new one. */
        static Form of(MultiValueMap<String, String> f, UUID supplier, Connector.Profile fixed) {
            Set<UUID> products = new LinkedHashSet<>();
            for (String p : f.getOrDefault("products", List.of())) {
                try {
                    products.add(UUID.fromString(p));
                } catch (IllegalArgumentException ignored) {
                    // not one of the offered boxes: left out, and the service says what is missing
                }
            }
            Connector.Auth auth = java.util.Arrays.stream(Connector.Auth.values()).filter(a -> a.name().equals(f.getFirst("auth"))).findFirst().orElse(null);
            return new Form(supplier, text(f.getFirst("name")), text(f.getFirst("baseUrl")), auth,
                    text(f.getFirst("tokenUrl")), text(f.getFirst("clientId")), new LinkedHashSet<>(f.getOrDefault("resourceTypes", List.of())), products,
                    text(f.getFirst("deletionBrakePercent")), f.containsKey("enabled"),
                    fixed != null ? fixed : "BOL".equals(f.getFirst("profile")) ? Connector.Profile.BOL : Connector.Profile.SCIM_CORE,
                    text(f.getFirst("serviceProviderId")), text(f.getFirst("serverCa")));
        }

        /** Public: the form's template asks it (a record's accessors are public; other methods only when declared so). */
        public boolean bol() {
            return profile == Connector.Profile.BOL;
        }

        private static String text(String s) {
            return s == null ? "" : s.strip();
        }

        private static String percent(double p) {
            return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
        }
    }

    /** Step one: the supplier, found by name ({@code findSupplier}: htmx asks /provisioning/connectors/pick/suppliers as it is typed). */
    @GetMapping("/new")
    String newConnector(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) String findSupplier, Model model) {
        if (supplier != null && catalog.supplier(supplier).isEmpty()) {
            supplier = null;
        }
        model.addAttribute("findSupplier", findSupplier);
        model.addAttribute("supplierChoices", supplierChoices(findSupplier));
        return form(model, null, Form.blank(supplier), Map.of(), List.of());
    }

    /** The suppliers a search finds, for htmx to put into step one's form. */
    @GetMapping("/pick/suppliers")
    String pickSupplier(@RequestParam(required = false) String findSupplier, Model model) {
        model.addAttribute("pickerName", "supplier");
        model.addAttribute("pickerChoices", supplierChoices(findSupplier));
        return "pickers :: pick";
    }

    /** Suppliers whose name holds the words (case and accents aside); null while too few letters are typed. */
    private List<org.tilldela.platform.PickerChoice> supplierChoices(String words) {
        if (!org.tilldela.platform.PickerChoice.enough(words)) {
            return null;
        }
        String folded = fold(words);
        return catalog.allSuppliers().stream().filter(s -> fold(s.name()).contains(folded))
                .sorted(Comparator.comparing(Supplier::name, String.CASE_INSENSITIVE_ORDER)).limit(org.tilldela.platform.PickerChoice.LIMIT)
                .map(s -> new org.tilldela.platform.PickerChoice(s.id().toString(), s.name(), s.organisationNumber(), false)).toList();
    }

    private static String fold(String s) {
        return java.text.Normalizer.normalize(s.strip().toLowerCase(java.util.Locale.ROOT), java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    @GetMapping("/{id}/edit")
    String edit(@PathVariable UUID id, Model model) {
        Connector c = connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return form(model, c, Form.of(c), Map.of(), List.of());
    }

    /** Set up once per filled-in form; refused, nothing is kept and the form comes back as it was typed (without the secret). */
    @PostMapping
    String create(@RequestParam MultiValueMap<String, String> f, Authentication auth, Model model, Locale locale, RedirectAttributes flash) {
        UUID supplier = uuid(f.getFirst("supplier"));
        Form form = Form.of(f, supplier, null);
        return forms.once(f.getFirst(FormSubmissions.FIELD), auth.getName(), "provisioning.connector", () -> {
            try {
                Connector made = connectors.create(settings(form, f, true), auth.getName());
                flash.addFlashAttribute("message", "provisioning.created");
                return "redirect:/provisioning/connectors/" + made.id();
            } catch (IllegalArgumentException e) {
                // the service's transaction is marked for rollback: FormSubmissions rolls back everything and keeps the token usable
                return refused(model, null, form, e, locale);
            }
        });
    }

    @PostMapping("/{id}")
    String change(@PathVariable UUID id, @RequestParam MultiValueMap<String, String> f, Authentication auth, Model model, Locale locale,
                  RedirectAttributes flash) {
        Connector c = connectors.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        Form form = Form.of(f, c.supplierId(), c.profile());
        try {
            connectors.change(id, settings(form, f, false), auth.getName());
        } catch (IllegalArgumentException e) {
            return refused(model, c, form, e, locale);
        }
        flash.addFlashAttribute("message", "provisioning.changed");
        return "redirect:/provisioning/connectors/" + id;
    }

    private Connector.Settings settings(Form form, MultiValueMap<String, String> f, boolean creating) {
        Double brake = null;
        if (!form.deletionBrakePercent().isEmpty()) {
            try {
                brake = Double.valueOf(form.deletionBrakePercent().replace(',', '.'));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("The deletion brake is a share of the connector's accounts: more than 0 and at most 100 (percent).");
            }
        }
        return new Connector.Settings(form.supplierId(), form.name(), form.baseUrl(), form.auth(), f.getFirst("bearerToken"), form.tokenUrl(),
                form.clientId(), f.getFirst("clientSecret"), List.copyOf(form.resourceTypes()), List.copyOf(form.productIds()),
                creating ? form.enabled() : null, brake, null, creating ? form.profile() : null, f.getFirst("clientCertificate"), f.getFirst("clientKey"),
                form.serverCa().isEmpty() ? null : form.serverCa(), form.bol() ? form.serviceProviderId() : null);
    }

    private String refused(Model model, Connector existing, Form form, IllegalArgumentException e, Locale locale) {
        if (e instanceof ClientCertificates.RefusedException pem) {
            // PEM that is not what it should be: said next to the field it was pasted into, in the reader's language
            String field = switch (pem.problem()) {
                case CA_UNREADABLE, NO_CA -> "serverCa";
                case KEY_UNREADABLE, NO_KEY, KEY_NOT_THE_CERTIFICATES -> "clientKey";
                case CERTIFICATE_UNREADABLE, NO_CERTIFICATE, NOT_VALID_TODAY -> "clientCertificate";
            };
            String said = messages.getMessage(pem.messageKey(), null, e.getMessage(), locale);
            return form(model, existing, form, Map.of(field, said), List.of());
        }
        String field = Problem.field(e.getMessage());
        String said = field == null ? e.getMessage() : messages.getMessage("provisioning.error." + field, null, e.getMessage(), locale);
        return form(model, existing, form, field == null ? Map.of() : Map.of(field, said), field == null ? List.of(said) : List.of());
    }

    private String form(Model model, Connector existing, Form form, Map<String, String> errors, List<String> otherErrors) {
        model.addAttribute("connector", existing);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("otherErrors", otherErrors);
        if (form.supplierId() != null) {
            model.addAttribute("supplierName", catalog.supplier(form.supplierId()).map(Supplier::name).orElse(""));
            model.addAttribute("offered", offered(form.supplierId(), existing == null ? Set.of() : new LinkedHashSet<>(existing.productIds())));
        }
        return "provisioning/connector-form";
    }

    /** A product to tick: its title and article number. */
    record Offered(UUID id, String title, String articleNumber) {
    }

    /** The supplier's products (the catalogue's first hundred, by title), and those the connector serves already. */
    private List<Offered> offered(UUID supplier, Set<UUID> served) {
        Map<UUID, Offered> offered = new LinkedHashMap<>();
        CatalogPage page = search.search(new CatalogQuery("", null, null, null, Set.of(supplier), null, 1, CatalogQuery.MAX_PAGE_SIZE));
        page.hits().forEach(h -> offered.put(h.id(), new Offered(h.id(), h.title(), h.articleNumber())));
        catalog.products(served).forEach(p -> offered.putIfAbsent(p.id(), new Offered(p.id(), p.title(), p.articleNumber())));
        List<Offered> sorted = new ArrayList<>(offered.values());
        sorted.sort(Comparator.comparing(Offered::title, String.CASE_INSENSITIVE_ORDER).thenComparing(Offered::articleNumber));
        return sorted;
    }

    /**
     * Which field of the form a refusal of {@link Connectors} is about, so that the form can say it next to the field
     * in the reader's language. The service names the field in its message; a refusal this does not know is shown as
     * the service worded it.
     */
    static final class Problem {
        private static final Map<String, String> FIELDS = new LinkedHashMap<>();

        static {
            FIELDS.put("supplier cannot change", "supplier");
            FIELDS.put("(supplierId)", "supplier");
            FIELDS.put("No supplier", "supplier");
            FIELDS.put("connector a name", "name");
            FIELDS.put("baseUrl", "baseUrl");
            FIELDS.put("tokenUrl", "tokenUrl");
            FIELDS.put("(bearerToken)", "bearerToken");
            FIELDS.put("(clientSecret)", "clientSecret");
            FIELDS.put("(clientId)", "clientId");
            FIELDS.put("auth BEARER", "auth");
            FIELDS.put("Resource type", "resourceTypes");
            FIELDS.put("pushes User", "resourceTypes");
            FIELDS.put("(productIds)", "products");
            FIELDS.put("No product", "products");
            FIELDS.put("The product", "products");
            FIELDS.put("deletion brake", "deletionBrakePercent");
            FIELDS.put("(serviceProviderId)", "serviceProviderId");
            FIELDS.put("(clientCertificate", "clientCertificate");
        }

        static String field(String message) {
            if (message == null) {
                return null;
            }
            return FIELDS.entrySet().stream().filter(e -> message.contains(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
        }
    }

    // ---- helpers

    private String act(UUID id, RedirectAttributes flash, String message, Runnable action) {
        try {
            action.run();
            flash.addFlashAttribute("message", message);
        } catch (Connectors.NoSuchConnector e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (IllegalArgumentException e) {
            // e.g. the brake was released meanwhile by someone else
            flash.addFlashAttribute("error", "provisioning.brake.notHeld");
        }
        return "redirect:/provisioning/connectors/" + id;
    }

    private Map<UUID, String> titles(List<UUID> products) {
        return catalog.products(products).stream().collect(Collectors.toMap(Product::id, Product::title));
    }

    private static List<String> names(List<UUID> products, Map<UUID, String> titles) {
        return products.stream().map(p -> titles.getOrDefault(p, "?")).sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    private static UUID uuid(String s) {
        try {
            return s == null || s.isBlank() ? null : UUID.fromString(s.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The queue's persons are every organiser's (these pages are for a grant over the whole installation); a protected
     * person's name only within the scope of the account's own VIEW_PROTECTED_IDENTITIES grants, read now.
     */
    private Viewer viewer(Authentication auth) {
        return new Viewer(auth.getName(), CallerScope.wholeInstallation(), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
    }
}
