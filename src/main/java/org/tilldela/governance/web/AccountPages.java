package org.tilldela.governance.web;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
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
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.DutyGrants;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.PasswordPolicy;

/**
 * Administrator accounts in the web UI: the same rules as {@link AccountApi} (accounts beyond reach are not
 * found; a grant beyond the administrator's own rights and scope is refused), each action audited.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_ACCOUNT_ADMIN')")
@RequestMapping("/admin/accounts")
class AccountPages {

    /** A grant as the page shows it: the units by name, the school forms by code. */
    record GrantView(long id, AdminRight right, boolean wholeInstallation, List<String> units, List<String> schoolForms, String grantedBy, Long rule) {
    }

    /** A choice in the person picker, as pickers.html lists it. */
    record Choice(String value, String label, String detail, boolean checked) {
    }

    private final AdminAccounts accounts;
    private final AdminGrants grants;
    private final AccountSessions sessions;
    private final org.tilldela.governance.SecondFactor secondFactor;
    private final DutyGrants dutyGrants;

    private final MessageSource messages;
    private final org.tilldela.governance.AdminUpstreamAccounts upstream;

    AccountPages(AdminAccounts accounts, AdminGrants grants, AccountSessions sessions, org.tilldela.governance.SecondFactor secondFactor,
                 MessageSource messages, DutyGrants dutyGrants, org.tilldela.governance.AdminUpstreamAccounts upstream) {
        this.upstream = upstream;
        this.messages = messages;
        this.accounts = accounts;
        this.grants = grants;
        this.sessions = sessions;
        this.secondFactor = secondFactor;
        this.dutyGrants = dutyGrants;
    }

    @GetMapping
    String list(Model model, Authentication auth) {
        model.addAttribute("accounts", accounts.manageableBy(auth.getName()));
        return "governance/accounts";
    }

    @PostMapping
    String create(@RequestParam(defaultValue = "") String username, @RequestParam(defaultValue = "") String displayName,
                  @RequestParam(defaultValue = "") String password, Authentication auth, RedirectAttributes flash) {
        try {
            accounts.create(auth.getName(), username.strip(), displayName, password);
        } catch (PasswordPolicy.PasswordRefused e) {
            flash.addFlashAttribute("error", "password.problem." + e.problem().name());
            return "redirect:/admin/accounts";
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/admin/accounts";
        }
        flash.addFlashAttribute("message", "accounts.created");
        return "redirect:/admin/accounts/" + username.strip();
    }

    /**
     * An account with its grants, and the form to grant a right. The units are picked by name ({@code findUnit}: htmx asks
     * /admin/accounts/pick/units as it is typed, a plain search without JavaScript), among those within the administrator's
     * own scope; several may be ticked ({@code organisations}: those already ticked stay listed, ticked).
     */
    @GetMapping("/{username}")
    String account(@PathVariable String username, @RequestParam(required = false) String findUnit,
                   @RequestParam(required = false) Set<UUID> organisations, @RequestParam(required = false) String person, Model model,
                   Authentication auth, Locale locale) {
        AdminAccounts.Account account = accounts.manageable(auth.getName(), username).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        List<AdminGrants.Grant> held = grants.of(username);
        var names = grants.unitNames(held.stream().flatMap(g -> g.organisations().stream()).collect(Collectors.toSet()));
        model.addAttribute("account", account);
        model.addAttribute("grants", held.stream().map(g -> new GrantView(g.id(), g.right(), g.wholeInstallation(),
                g.organisations().stream().map(names::get).sorted().toList(), g.schoolForms(), g.grantedBy(), g.rule())).toList());
        model.addAttribute("rights", AdminRight.values());
        model.addAttribute("findUnit", findUnit);
        model.addAttribute("unitChoices", GrantableUnitChoices.of(grants, messages, auth.getName(), findUnit, organisations));
        model.addAttribute("schoolForms", grants.schoolForms().stream().map(f -> new String[] {f.code(), f.name(locale)}).toList());
        model.addAttribute("self", auth.getName().equals(username));
        model.addAttribute("secondFactor", secondFactor.enrolled(username));
        model.addAttribute("secondFactorRequired", secondFactor.requiredFor(username));
        model.addAttribute("lockedOutUntil", accounts.lockedOutUntil(username).map(until -> java.time.format.DateTimeFormatter.ofLocalizedTime(
                java.time.format.FormatStyle.SHORT).withLocale(locale).withZone(java.time.ZoneId.systemDefault()).format(until)).orElse(null));
        model.addAttribute("upstreamBinding", upstream.binding(username));
        model.addAttribute("upstreamOrganisers", upstream.bindable(auth.getName()));
        if (!model.containsAttribute("contact")) {
            model.addAttribute("contact", accounts.contact(username));
        }
        model.addAttribute("languages", AdminAccounts.LANGUAGES);
        if (!model.containsAttribute("contactErrors")) {
            model.addAttribute("contactErrors", java.util.Map.of());
        }
        model.addAttribute("linkedPerson", dutyGrants.linkedPerson(username, auth.getName()).orElse(null));
        model.addAttribute("personQuery", person);
        model.addAttribute("personChoices", person == null || person.isBlank() ? null : staffChoices(auth, person));
        return "governance/account";
    }

    /** The unit picker's choices for the words typed so far, those ticked ({@code organisations}) kept first, for htmx. */
    @GetMapping("/pick/units")
    String pickUnits(@RequestParam(required = false) String findUnit, @RequestParam(required = false) Set<UUID> organisations, Model model,
                     Authentication auth) {
        model.addAttribute("pickerName", "organisations");
        model.addAttribute("pickerChoices", GrantableUnitChoices.of(grants, messages, auth.getName(), findUnit, organisations));
        model.addAttribute("pickerMany", true);
        return "pickers :: pick";
    }

    /** The person picker's choices alone, for htmx as the administrator types. */
    @GetMapping("/{username}/person-choices")
    String personChoices(@PathVariable String username, @RequestParam(defaultValue = "") String person, Model model, Authentication auth) {
        manageable(auth, username);
        model.addAttribute("pickerName", "personId");
        model.addAttribute("pickerChoices", person.isBlank() ? null : staffChoices(auth, person));
        return "pickers :: pick";
    }

    private List<Choice> staffChoices(Authentication auth, String query) {
        return dutyGrants.staff(auth.getName(), query).stream().map(p -> new Choice(p.id().toString(), p.name(), p.units(), false)).toList();
    }

    /** Links the account to a directory person on duty within the caller's scope, so duty rules reach it; or unlinks it. */
    @PostMapping("/{username}/person")
    String linkPerson(@PathVariable String username, @RequestParam(required = false) UUID personId, Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        try {
            if (!dutyGrants.linkPerson(auth.getName(), username, personId)) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
            flash.addFlashAttribute("message", personId == null ? "accounts.personUnlinked" : "accounts.personLinked");
        } catch (AdminGrants.GrantRefused e) {
            flash.addFlashAttribute("error", "accounts.grantRefused");
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "accounts.personTaken");
        }
        return "redirect:/admin/accounts/" + username;
    }

    @PostMapping("/{username}/grants")
    String grant(@PathVariable String username, @RequestParam AdminRight right, @RequestParam(defaultValue = "units") String scope,
                 @RequestParam(required = false) Set<UUID> organisations, @RequestParam(required = false) Set<String> schoolForms,
                 Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        try {
            grants.grant(auth.getName(), username, right, new GrantScope("whole".equals(scope), "whole".equals(scope) ? Set.of() : organisations,
                    schoolForms));
            flash.addFlashAttribute("message", "accounts.granted");
        } catch (AdminGrants.BoundElsewhere e) {
            flash.addFlashAttribute("error", "accounts.grantRefusedBound");
        } catch (AdminGrants.GrantRefused e) {
            flash.addFlashAttribute("error", "accounts.grantRefused");
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "accounts.grantInvalid");
        }
        return "redirect:/admin/accounts/" + username;
    }

    @PostMapping("/{username}/grants/{id}/revoke")
    String revoke(@PathVariable String username, @PathVariable long id, Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        if (!grants.revoke(auth.getName(), username, id)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        flash.addFlashAttribute("message", "accounts.revoked");
        return "redirect:/admin/accounts/" + username;
    }

    /**
     * Removes another account's second factor (a lost phone): audited, and its sessions end, so the next sign-in is
     * with the password alone and it can enrol again. Not one's own: that would let a stolen session drop it.
     */
    @PostMapping("/{username}/second-factor/remove")
    String removeSecondFactor(@PathVariable String username, Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        if (auth.getName().equals(username)) {
            flash.addFlashAttribute("error", "accounts.notYourOwn");
            return "redirect:/admin/accounts/" + username;
        }
        if (secondFactor.remove(auth.getName(), username)) {
            sessions.signOut(username);
            flash.addFlashAttribute("message", "accounts.secondFactorRemoved");
        }
        return "redirect:/admin/accounts/" + username;
    }

    /** Lifts the account's sign-in lockout (someone guessed its password or codes): audited ({@link AdminAccounts#liftLockout}). */
    @PostMapping("/{username}/lockout/lift")
    String liftLockout(@PathVariable String username, Authentication auth, RedirectAttributes flash) {
        try {
            if (!accounts.liftLockout(auth.getName(), username)) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
        } catch (AdminAccounts.LockoutLiftRefused e) {
            flash.addFlashAttribute("error", e.key());
            return "redirect:/admin/accounts/" + username;
        }
        flash.addFlashAttribute("message", "accounts.lockoutLifted");
        return "redirect:/admin/accounts/" + username;
    }

    /** Requires a second factor of the account (or no longer): audited; it must set one up at its next sign-in, and uses API tokens. */
    @PostMapping("/{username}/second-factor/required")
    String requireSecondFactor(@PathVariable String username, @RequestParam(defaultValue = "true") boolean required, Authentication auth,
                               RedirectAttributes flash) {
        manageable(auth, username);
        secondFactor.require(auth.getName(), username, required);
        flash.addFlashAttribute("message", required ? "accounts.secondFactorRequiredNow" : "accounts.secondFactorNotRequiredNow");
        return "redirect:/admin/accounts/" + username;
    }

    /** Marks the account break-glass (or not): it may sign in with its password though its organiser has a provider; audited. */
    @PostMapping("/{username}/break-glass")
    String breakGlass(@PathVariable String username, @RequestParam(defaultValue = "true") boolean breakGlass, Authentication auth,
                      RedirectAttributes flash) {
        manageable(auth, username);
        try {
            upstream.setBreakGlass(auth.getName(), username, breakGlass);
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "accounts.notYourOwn");
            return "redirect:/admin/accounts/" + username;
        }
        flash.addFlashAttribute("message", breakGlass ? "accounts.breakGlassMarked" : "accounts.breakGlassUnmarked");
        return "redirect:/admin/accounts/" + username;
    }

    /**
     * Binds the account to an upstream account — the subject ({@code sub}) it has at an organiser's identity provider —
     * so that it signs in through that provider; both empty: removes the binding. Audited ({@link
     * org.tilldela.governance.AdminUpstreamAccounts#bind}); an organiser the administrator does not hold ACCOUNT_ADMIN over
     * is refused as one that does not exist.
     */
    @PostMapping("/{username}/upstream-binding")
    String upstreamBinding(@PathVariable String username, @RequestParam(required = false) UUID organiser,
                           @RequestParam(defaultValue = "") String subject, Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        String sub = subject.strip();
        if ((organiser == null) != sub.isEmpty()) {
            flash.addFlashAttribute("error", "accounts.upstream.incomplete");
            return "redirect:/admin/accounts/" + username;
        }
        if (sub.length() > 255) {
            flash.addFlashAttribute("error", "accounts.upstream.tooLong");
            return "redirect:/admin/accounts/" + username;
        }
        try {
            if (!upstream.bind(auth.getName(), username, organiser, organiser == null ? null : sub)) {
                flash.addFlashAttribute("error", "accounts.upstream.unknownOrganiser");
                return "redirect:/admin/accounts/" + username;
            }
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "accounts.upstream.taken");
            return "redirect:/admin/accounts/" + username;
        }
        flash.addFlashAttribute("message", organiser == null ? "accounts.upstream.unbound" : "accounts.upstream.bound");
        return "redirect:/admin/accounts/" + username;
    }

    /** The account's e-mail address and language for the notices Tilldela mails it; checked whole, audited ({@link AdminAccounts#setContact}). */
    @PostMapping("/{username}/contact")
    String contact(@PathVariable String username, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String language,
                   Authentication auth, RedirectAttributes flash) {
        manageable(auth, username);
        ContactForm.save(accounts, auth.getName(), username, email, language, flash);
        return "redirect:/admin/accounts/" + username;
    }

    @PostMapping("/{username}/disable")
    String disable(@PathVariable String username, Authentication auth, RedirectAttributes flash) {
        return setEnabled(username, false, auth, flash);
    }

    @PostMapping("/{username}/enable")
    String enable(@PathVariable String username, Authentication auth, RedirectAttributes flash) {
        return setEnabled(username, true, auth, flash);
    }

    private String setEnabled(String username, boolean enabled, Authentication auth, RedirectAttributes flash) {
        try {
            if (!accounts.setEnabled(auth.getName(), username, enabled)) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "accounts.notYourOwn");
            return "redirect:/admin/accounts/" + username;
        }
        if (!enabled) {
            sessions.signOut(username);
        }
        flash.addFlashAttribute("message", enabled ? "accounts.enabledNow" : "accounts.disabledNow");
        return "redirect:/admin/accounts/" + username;
    }

    private void manageable(Authentication auth, String username) {
        if (accounts.manageable(auth.getName(), username).isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }
}
