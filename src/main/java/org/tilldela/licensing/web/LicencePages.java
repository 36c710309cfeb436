package org.tilldela.licensing.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.PersonNames;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.PickerChoice;
import org.tilldela.licensing.AssignmentEngine;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.PoolRefused;
import org.tilldela.licensing.Profiles;
import org.tilldela.licensing.Selector;
import org.tilldela.platform.CsvExport;
import org.tilldela.platform.FormSubmissions;

/** Licences in the web UI: pools with seats and shortfall, a pool's rules and assignments, profiles, a person's licences. */
@Controller
@PreAuthorize("hasAuthority('RIGHT_LICENCE_ADMIN')")
class LicencePages {

    /** The pool's utilisation line, from the usage module when it is there. */
    private final org.springframework.beans.factory.ObjectProvider<org.tilldela.licensing.PoolUtilisation> utilisation;

    /** A pool as listed: with its product's title and its scope's name. */
    record PoolView(LicencePools.Pool pool, String productTitle, String articleNumber, String scopeName) {
    }

    /** How many choices a picker lists: narrowing the words is the answer beyond that. */
    static final int CHOICES = 15;

    /** A rule as shown: what it picks in words (the names of its group or unit). */
    record RuleView(LicencePools.Rule rule, String target) {
    }

    private final Scopes scopes;
    private final LicencePools pools;
    private final Licences licences;
    private final Profiles profiles;
    private final AssignmentEngine engine;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final AuditTrail audit;
    private final FormSubmissions forms;
    private final MessageSource messages;
    private final PersonNames names;
    private final CatalogSearch catalogSearch;

    LicencePages(LicencePools pools, Licences licences, Profiles profiles, AssignmentEngine engine, Catalog catalog, OrganisationBrowser organisations,
                 AuditTrail audit, FormSubmissions forms, MessageSource messages, Scopes scopes, PersonNames names, CatalogSearch catalogSearch,
                 org.springframework.beans.factory.ObjectProvider<org.tilldela.licensing.PoolUtilisation> utilisation) {
        this.utilisation = utilisation;
        this.scopes = scopes;
        this.catalogSearch = catalogSearch;
        this.names = names;
        this.audit = audit;
        this.forms = forms;
        this.messages = messages;
        this.pools = pools;
        this.licences = licences;
        this.profiles = profiles;
        this.engine = engine;
        this.catalog = catalog;
        this.organisations = organisations;
    }

    /** The administrator's LICENCE_ADMIN scope: pools for units outside it, and persons outside it, are not found (404). */
    private CallerScope scope(Authentication auth) {
        return scopes.of(auth, AdminRight.LICENCE_ADMIN);
    }

    private LicencePools.Pool poolWithinScope(UUID id, Authentication auth) {
        return pools.pool(id, scope(auth)).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    /** The pools; with words searched for (the pickers without JavaScript), the products and units they find, to choose from. */
    @GetMapping("/licences")
    String index(@RequestParam(required = false) String findProduct, @RequestParam(required = false) String findScope, Authentication auth,
                 Model model) {
        model.addAttribute("findProduct", findProduct);
        model.addAttribute("findScope", findScope);
        model.addAttribute("productChoices", findProduct == null ? null : choices("products", findProduct, auth));
        model.addAttribute("scopeChoices", findScope == null ? null : choices("units", findScope, auth));
        List<LicencePools.Pool> list = pools.list(200, scope(auth));
        Map<UUID, Product> products = products(list.stream().map(LicencePools.Pool::productId).toList());
        model.addAttribute("pools", list.stream().map(p -> view(p, products)).toList());
        model.addAttribute("today", LocalDate.now());
        return "licensing/index";
    }

    /** A picker's choices for the words typed so far, for htmx to put into the page ({@code find…}: the picker's search field). */
    @GetMapping("/licences/pick/{picker}")
    String pick(@PathVariable String picker, @RequestParam Map<String, String> params, Authentication auth, Model model) {
        String words = params.entrySet().stream().filter(e -> e.getKey().startsWith("find")).map(Map.Entry::getValue).findFirst().orElse("");
        model.addAttribute("pickerName", switch (picker) {
            case "products" -> "productId";
            case "units" -> "scopeId";
            case "targets" -> "target";
            case "holders" -> "holder";
            default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        });
        // on a pool's page its rules and holders are chosen among the pool's organiser's units, groups and persons
        UUID within = null;
        if (params.get("pool") != null && !params.get("pool").isBlank()) {
            try {
                within = poolWithinScope(UUID.fromString(params.get("pool").strip()), auth).organiserId();
            } catch (IllegalArgumentException e) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
        }
        model.addAttribute("pickerChoices", choices(picker, words, auth, within));
        model.addAttribute("pickerRequired", true);
        return "pickers :: pick";
    }

    /**
     * What a picker finds for the words: products by title or article number (the catalogue's search); organisers and
     * school units; for a rule's target also groups and persons — the directory's search, which finds a protected
     * person only for an account that may see them, and audits it. Null for fewer than two letters.
     */
    private List<PickerChoice> choices(String picker, String words, Authentication auth) {
        return choices(picker, words, auth, null);
    }

    /** The choices a picker offers for the words typed; {@code within} non-null narrows them to that unit's subtree. */
    private List<PickerChoice> choices(String picker, String words, Authentication auth, UUID within) {
        String q = words == null ? "" : words.strip();
        if (q.length() < 2) {
            return null; // the picker asks for more letters
        }
        List<PickerChoice> choices = new ArrayList<>();
        switch (picker) {
            case "products" -> catalogSearch.search(new CatalogQuery(q, null, null, null, null, null, 1, CHOICES)).hits().forEach(h ->
                    choices.add(new PickerChoice(h.id().toString(), h.title(), h.supplierName() + " · " + h.articleNumber(), false)));
            case "units" -> organisations.search(q, viewer(auth), CHOICES, within).organisations().forEach(o ->
                    choices.add(new PickerChoice(o.id().toString(), o.name(), unitDetail(o), false)));
            case "targets" -> {
                var found = organisations.search(q, viewer(auth), CHOICES, within);
                found.organisations().forEach(o -> choices.add(new PickerChoice("UNIT:" + o.id(), o.name(), unitDetail(o), false)));
                found.groups().forEach(g -> choices.add(new PickerChoice("GROUP:" + g.id(), g.name(), g.organisationName(), false)));
                found.persons().forEach(m -> choices.add(new PickerChoice("PERSON:" + m.personId(),
                        m.masked() ? messages.getMessage("directory.protected", null, LocaleContextHolder.getLocale()) : m.familyName() + ", " + m.givenName(),
                        m.civicNumberMasked(), false)));
            }
            case "holders" -> {
                var found = organisations.search(q, viewer(auth), CHOICES, within);
                found.groups().forEach(g -> choices.add(new PickerChoice("GROUP:" + g.id(), g.name(), g.organisationName(), false)));
                found.persons().forEach(m -> choices.add(new PickerChoice("PERSON:" + m.personId(),
                        m.masked() ? messages.getMessage("directory.protected", null, LocaleContextHolder.getLocale()) : m.familyName() + ", " + m.givenName(),
                        m.civicNumberMasked(), false)));
            }
            default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return choices;
    }

    private String unitDetail(OrganisationBrowser.Organisation o) {
        String kind = messages.getMessage("kind." + o.kind(), null, o.kind(), LocaleContextHolder.getLocale());
        return o.schoolUnitCode() == null ? kind : kind + " " + o.schoolUnitCode();
    }

    /** A pool by hand: the product chosen in the picker ({@code productId}) or named by article number (the API's and older forms' way). */
    @PostMapping("/licences/pools")
    String create(@RequestParam(required = false) UUID productId, @RequestParam(required = false) String articleNumber, @RequestParam(required = false) UUID scopeId, @RequestParam(required = false) Integer seats,
                  @RequestParam LocalDate startsOn, @RequestParam(required = false) LocalDate endsOn,
                  @RequestParam(defaultValue = "false") boolean trial, @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken,
                  Authentication auth, RedirectAttributes flash, Locale locale) {
        try {
            Product product = (productId != null ? catalog.product(productId)
                    : articleNumber == null || articleNumber.isBlank() ? java.util.Optional.<Product>empty() : catalog.productByArticleNumber(articleNumber.strip()))
                    .orElseThrow(() -> new IllegalArgumentException("licences.error.product"));
            if (scopeId == null) {
                throw new IllegalArgumentException("licences.error.scope");
            }
            var trail = organisations.ancestry(scopeId);
            if (trail.isEmpty() || !pools.keepsPoolsAt(scopeId, scope(auth))) {
                throw new IllegalArgumentException("licences.error.scope");
            }
            UUID organiser = trail.getFirst().id();
            return forms.once(formToken, auth.getName(), "licences.pool", () -> {
                UUID id = trial
                        ? pools.createTrial(product.id(), organiser, scopeId, seats, startsOn, auth.getName())
                        : pools.create(new NewPool(product.id(), organiser, scopeId, seats, startsOn,
                        endsOn != null ? endsOn : startsOn.plusMonths(product.licencePeriodMonths()).minusDays(1), false, null, auth.getName()));
                return "redirect:/licences/pools/" + id;
            });
        } catch (PoolRefused e) {
            flash.addFlashAttribute("errorText", said(e, locale));
            return "redirect:/licences";
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", e.getMessage() != null && e.getMessage().startsWith("licences.") ? e.getMessage() : "licences.error.pool");
            return "redirect:/licences";
        }
    }

    @GetMapping("/licences/pools/{id}")
    String pool(@PathVariable UUID id, @RequestParam(required = false) String findTarget, @RequestParam(required = false) String findHolder,
                Authentication auth, Model model) {
        LicencePools.Pool pool = poolWithinScope(id, auth);
        model.addAttribute("findTarget", findTarget);
        model.addAttribute("findHolder", findHolder);
        model.addAttribute("holderChoices", findHolder == null ? null : choices("holders", findHolder, auth, pool.organiserId()));
        model.addAttribute("targetChoices", findTarget == null ? null : choices("targets", findTarget, auth, pool.organiserId()));
        model.addAttribute("pickWithinPool", pool.id());
        model.addAttribute("p", view(pool, products(List.of(pool.productId()))));
        var assignments = pools.assignments(id, 500);
        var shortfall = pools.shortfall(id);
        var rules = pools.rules(id);
        List<UUID> persons = new ArrayList<>();
        assignments.forEach(a -> persons.add(a.personId()));
        shortfall.forEach(s -> persons.add(s.personId()));
        rules.stream().filter(r -> r.selector().kind() == Selector.Kind.PERSON).forEach(r -> persons.add(r.selector().personId()));
        Map<UUID, OrganisationBrowser.Member> named = names.of(persons, viewer(auth), "pool", id.toString());
        model.addAttribute("names", named);
        model.addAttribute("rules", rules.stream().map(r -> new RuleView(r, describe(r.selector(), named))).toList());
        model.addAttribute("assignments", assignments);
        model.addAttribute("shortfall", shortfall);
        model.addAttribute("kinds", Selector.Kind.values());
        model.addAttribute("utilisation", utilisation.stream().findFirst().flatMap(u -> u.of(pool.id())).orElse(null));
        return "licensing/pool";
    }

    /** Ending a pool early asks first: what ends, for how many, and that it cannot be undone. */
    @GetMapping("/licences/pools/{id}/end")
    String confirmEnd(@PathVariable UUID id, Authentication auth, Model model) {
        LicencePools.Pool pool = poolWithinScope(id, auth);
        model.addAttribute("p", view(pool, products(List.of(pool.productId()))));
        return "licensing/end";
    }

    @PostMapping("/licences/pools/{id}/end")
    String end(@PathVariable UUID id, Authentication auth, RedirectAttributes flash) {
        poolWithinScope(id, auth);
        flash.addFlashAttribute("message", pools.endEarly(id, auth.getName()) ? "licences.end.done" : "licences.end.already");
        return "redirect:/licences/pools/" + id;
    }

    /**
     * The pool's holders and those left without a seat, as CSV: persons by name as this account may see them
     * (protected persons masked, and shown ones audited), each with how and since when. Audited as an export.
     */
    @GetMapping("/licences/pools/{id}/holders.csv")
    @ResponseBody
    ResponseEntity<byte[]> holdersCsv(@PathVariable UUID id, Authentication auth, Locale locale) {
        LicencePools.Pool pool = poolWithinScope(id, auth);
        var assignments = pools.assignments(id, HOLDERS_IN_EXPORT);
        var shortfall = pools.shortfall(id);
        List<UUID> persons = new ArrayList<>();
        assignments.forEach(a -> persons.add(a.personId()));
        shortfall.forEach(s -> persons.add(s.personId()));
        Map<UUID, OrganisationBrowser.Member> named = names.of(persons, viewer(auth), "pool-export", id.toString());
        List<List<Object>> rows = new ArrayList<>();
        for (var a : assignments) {
            rows.add(List.of(personName(named.get(a.personId()), locale), text("licences.state." + a.state(), locale),
                    text("licences.source." + a.source(), locale), a.assignedAt().toString(),
                    a.graceUntil() != null ? a.graceUntil().toString() : a.endedOn() != null ? a.endedOn().toString() : ""));
        }
        for (var s : shortfall) {
            rows.add(List.of(personName(named.get(s.personId()), locale), text("licences.export.withoutSeat", locale),
                    text("licences.source." + s.source(), locale), s.since().toString(), ""));
        }
        audit.record(auth.getName(), "EXPORT_POOL_HOLDERS", "licence_pool", id.toString(),
                Map.of("holders", assignments.size(), "withoutSeat", shortfall.size(), "format", "csv"));
        return CsvExport.download("pool-" + pool.startsOn() + "-holders.csv", CsvExport.of(List.of(text("licences.col.person", locale),
                text("licences.col.state", locale), text("licences.col.source", locale), text("licences.col.assigned", locale),
                text("licences.col.until", locale)), rows));
    }

    /** How many holders an export lists at most (a pool for a whole municipality stays far below). */
    static final int HOLDERS_IN_EXPORT = 100_000;

    private String personName(OrganisationBrowser.Member m, Locale locale) {
        return m == null ? text("names.gone", locale) : m.masked() ? text("directory.protected", locale) : m.familyName() + ", " + m.givenName();
    }

    private String text(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }

    @PostMapping("/licences/pools/{id}/rules")
    String addRule(@PathVariable UUID id, @RequestParam Selector.Kind kind, @RequestParam(required = false) String target,
                   @RequestParam(required = false) String grade, @RequestParam(required = false) String role,
                   @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes flash) {
        poolWithinScope(id, auth);
        try {
            return forms.once(formToken, auth.getName(), "licences.rule", () -> {
                pools.addRule(id, selector(kind, target, grade, role), auth.getName());
                flash.addFlashAttribute("message", "licences.rule.added");
                return "redirect:/licences/pools/" + id;
            });
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "licences.error.rule");
            return "redirect:/licences/pools/" + id;
        }
    }

    @PostMapping("/licences/pools/{id}/rules/{ruleId}/remove")
    String removeRule(@PathVariable UUID id, @PathVariable UUID ruleId, Authentication auth, RedirectAttributes flash) {
        poolWithinScope(id, auth);
        // the rule must be this pool's: the pool's scope is what was checked
        if (pools.rules(id).stream().noneMatch(r -> r.id().equals(ruleId))) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        pools.removeRule(ruleId, auth.getName());
        flash.addFlashAttribute("message", "licences.rule.removed");
        return "redirect:/licences/pools/" + id;
    }

    /** The outcome goes to the next page as plain counts: flash attributes live in the session, in PostgreSQL, and must be serializable. */
    @PostMapping("/licences/pools/{id}/direct")
    String assignDirect(@PathVariable UUID id, @RequestParam(required = false) String persons, @RequestParam(required = false) String groupId,
                        @RequestParam(required = false) String holder,
                        @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes flash) {
        poolWithinScope(id, auth);
        // the picker's choice (GROUP: or PERSON: and an id); ids pasted are still taken, for the API's and older forms' sake
        String group = holder != null && holder.startsWith("GROUP:") ? holder.substring("GROUP:".length()) : groupId;
        String who = holder != null && holder.startsWith("PERSON:") ? holder.substring("PERSON:".length()) : persons;
        try {
            return forms.once(formToken, auth.getName(), "licences.direct", () -> {
                LicencePools.Allocation a;
                if (group != null && !group.isBlank()) {
                    a = pools.assignGroup(id, UUID.fromString(group.strip()), auth.getName());
                } else {
                    List<UUID> ids = Arrays.stream((who == null ? "" : who).split("[\\s,;]+")).filter(s -> !s.isBlank()).map(UUID::fromString)
                            .toList();
                    if (ids.isEmpty()) {
                        throw new IllegalArgumentException("no persons");
                    }
                    a = pools.assignDirect(id, ids, auth.getName());
                }
                flash.addFlashAttribute("holding", a.holding().size());
                flash.addFlashAttribute("withoutSeat", a.withoutSeat().size());
                flash.addFlashAttribute("notEligible", a.notEligible().size());
                return "redirect:/licences/pools/" + id;
            });
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "licences.error.direct");
            return "redirect:/licences/pools/" + id;
        }
    }

    /** The run's counts go to the next page as plain numbers (flash attributes live in the session, in PostgreSQL). */
    // installation-wide (every pool; profiles every pool may use): for a grant over the whole installation only
    @PreAuthorize("hasAuthority('RIGHT_LICENCE_ADMIN') and @scopes.wholeInstallation(authentication, 'LICENCE_ADMIN')")
    @PostMapping("/licences/recompute")
    String recompute(Authentication auth, RedirectAttributes flash) {
        AssignmentEngine.EngineRun run = engine.recomputeAll();
        audit.record(auth.getName(), "LICENCES_RECOMPUTED", "licensing", "all", Map.of("granted", run.granted(), "ended", run.ended(),
                "toGrace", run.toGrace(), "shortfall", run.shortfall()));
        flash.addFlashAttribute("recomputed", true);
        flash.addFlashAttribute("runGranted", run.granted());
        flash.addFlashAttribute("runEnded", run.ended());
        flash.addFlashAttribute("runToGrace", run.toGrace());
        flash.addFlashAttribute("runShortfall", run.shortfall());
        flash.addFlashAttribute("runMillis", run.millis());
        return "redirect:/licences";
    }

    @GetMapping("/licences/profiles")
    String profiles(Model model) {
        var list = profiles.list();
        Map<UUID, Product> products = products(list.stream().flatMap(p -> p.productIds().stream()).distinct().toList());
        model.addAttribute("profiles", list);
        model.addAttribute("products", products);
        return "licensing/profiles";
    }

    // installation-wide (every pool; profiles every pool may use): for a grant over the whole installation only
    @PreAuthorize("hasAuthority('RIGHT_LICENCE_ADMIN') and @scopes.wholeInstallation(authentication, 'LICENCE_ADMIN')")
    @PostMapping("/licences/profiles")
    String createProfile(@RequestParam String name, @RequestParam String articleNumbers,
                         @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes flash) {
        try {
            List<UUID> ids = new ArrayList<>();
            for (String a : articleNumbers.split("[\\s,;]+")) {
                if (!a.isBlank()) {
                    ids.add(catalog.productByArticleNumber(a).orElseThrow(() -> new IllegalArgumentException("licences.error.product")).id());
                }
            }
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("licences.error.product");
            }
            return forms.once(formToken, auth.getName(), "licences.profile", () -> "redirect:/licences/profiles/" + profiles.create(name, ids, auth.getName()));
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", e.getMessage() != null && e.getMessage().startsWith("licences.") ? e.getMessage() : "licences.error.profile");
            return "redirect:/licences/profiles";
        }
    }

    @GetMapping("/licences/profiles/{id}")
    String profile(@PathVariable UUID id, @RequestParam(required = false) String findTarget, Authentication auth, Model model) {
        model.addAttribute("findTarget", findTarget);
        model.addAttribute("targetChoices", findTarget == null ? null : choices("targets", findTarget, auth));
        var profile = profiles.profile(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("profile", profile);
        model.addAttribute("products", catalog.products(profile.productIds()));
        var rules = profiles.rules(id);
        // a profile is installation-wide; the persons its rules name are named only within the administrator's scope
        // (outside it a rule shows the person's id, as for one gone from the directory)
        CallerScope within = scope(auth);
        Map<UUID, OrganisationBrowser.Member> named = names.of(rules.stream().filter(r -> r.selector().kind() == Selector.Kind.PERSON)
                .map(r -> r.selector().personId()).filter(person -> organisations.isWithin(person, within)).toList(), viewer(auth), "profile", id.toString());
        model.addAttribute("rules", rules.stream().map(r -> new RuleView(r, describe(r.selector(), named))).toList());
        model.addAttribute("kinds", Selector.Kind.values());
        return "licensing/profile";
    }

    // installation-wide (every pool; profiles every pool may use): for a grant over the whole installation only
    @PreAuthorize("hasAuthority('RIGHT_LICENCE_ADMIN') and @scopes.wholeInstallation(authentication, 'LICENCE_ADMIN')")
    @PostMapping("/licences/profiles/{id}/rules")
    String addProfileRule(@PathVariable UUID id, @RequestParam Selector.Kind kind, @RequestParam(required = false) String target,
                          @RequestParam(required = false) String grade, @RequestParam(required = false) String role,
                          @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes flash) {
        try {
            return forms.once(formToken, auth.getName(), "licences.profileRule", () -> {
                profiles.addRule(id, selector(kind, target, grade, role), auth.getName());
                flash.addFlashAttribute("message", "licences.rule.added");
                return "redirect:/licences/profiles/" + id;
            });
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "licences.error.rule");
            return "redirect:/licences/profiles/" + id;
        }
    }

    @GetMapping("/licences/persons/{id}")
    String person(@PathVariable UUID id, Authentication auth, Model model) {
        if (!organisations.isWithin(id, scope(auth))) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        model.addAttribute("personId", id);
        model.addAttribute("person", names.of(List.of(id), viewer(auth), "licences", null).get(id));
        model.addAttribute("licences", licences.ofPerson(id));
        return "licensing/person";
    }

    /** Every reason the gate refused the pool for, in the reader's language. */
    private String said(PoolRefused e, Locale locale) {
        return e.reasons().stream().map(r -> {
            List<Object> args = new ArrayList<>(r.args());
            if (r.code().equals("thirdCountry") && !args.isEmpty()) {
                String code = (String) args.getFirst();
                String name = Locale.of("", code).getDisplayCountry(locale);
                args.set(0, name.isBlank() || name.equals(code) ? code : name + " (" + code + ")");
            }
            if (!r.attributes().isEmpty()) {
                args.add(r.attributes().stream().sorted().map(a -> messages.getMessage("attribute." + a.name(), null, a.name(), locale))
                        .collect(Collectors.joining(", ")));
            }
            return messages.getMessage("licences.refused." + r.code(), args.toArray(), r.english(), locale);
        }).collect(Collectors.joining(" "));
    }

    /**
     * The rule from the form. The target comes from the picker as UNIT:, GROUP: or PERSON: and an id, and must be what the
     * kind of rule picks from (a group for GROUP, a person for PERSON, an organisation for the others); a bare id is
     * taken as the kind says (the API's and older forms' way).
     */
    static Selector selector(Selector.Kind kind, String target, String grade, String role) {
        String t = target == null ? "" : target.strip();
        String what = switch (kind) {
            case PERSON -> "PERSON";
            case GROUP -> "GROUP";
            default -> "UNIT";
        };
        int colon = t.indexOf(':');
        if (colon >= 0) {
            if (!t.substring(0, colon).equals(what)) {
                throw new IllegalArgumentException("the target is not what a " + kind + " rule picks");
            }
            t = t.substring(colon + 1);
        }
        UUID id = t.isEmpty() ? null : UUID.fromString(t);
        return switch (kind) {
            case PERSON -> new Selector(kind, null, null, id, null, null, null);
            case GROUP -> new Selector(kind, null, id, null, null, role, null);
            default -> new Selector(kind, id, null, null, grade, role, null);
        };
    }

    /**
     * The rule's target named: a group's or unit's name; a person as the directory shows them to this viewer
     * ({@code persons}: masked when protected), by id only when the directory no longer has them.
     */
    private String describe(Selector s, Map<UUID, OrganisationBrowser.Member> persons) {
        return switch (s.kind()) {
            case PERSON -> {
                OrganisationBrowser.Member m = persons.get(s.personId());
                yield m == null ? s.personId().toString()
                        : m.masked() ? messages.getMessage("directory.protected", null, LocaleContextHolder.getLocale())
                        : m.familyName() + ", " + m.givenName();
            }
            case GROUP -> organisations.group(s.groupId()).map(g -> g.name() + " (" + g.organisationName() + ")").orElse(s.groupId().toString());
            default -> unitName(s.organisationId());
        };
    }

    /** The licence administrator as a viewer of persons: within their LICENCE_ADMIN scope, protected ones masked outside their VIEW_PROTECTED_IDENTITIES scope. */
    private Viewer viewer(Authentication auth) {
        return new Viewer(auth.getName(), scope(auth), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
    }

    private String unitName(UUID id) {
        var trail = organisations.ancestry(id);
        return trail.isEmpty() ? id.toString() : trail.getLast().name();
    }

    private PoolView view(LicencePools.Pool p, Map<UUID, Product> products) {
        Product product = products.get(p.productId());
        // a product gone from the catalogue (its supplier's feed dropped it) is named as such, never by its id
        return new PoolView(p, product == null ? messages.getMessage("licences.product.gone", null, LocaleContextHolder.getLocale()) : product.title(),
                product == null ? "" : product.articleNumber(),
                unitName(p.scopeId()));
    }

    private Map<UUID, Product> products(List<UUID> ids) {
        Map<UUID, Product> map = new LinkedHashMap<>();
        catalog.products(ids.stream().distinct().toList()).forEach(p -> map.put(p.id(), p));
        return map;
    }

}
