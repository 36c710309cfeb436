package org.tilldela.governance.web;

import java.util.UUID;
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
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.DutyGrants;

/**
 * Rights from duties in the web UI, for ACCOUNT_ADMIN: the rules over units within the caller's scope, a form to
 * make one (only for a right the caller could grant over the unit) and to remove one (its grants go with it). A
 * rule outside the caller's scope answers 404.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_ACCOUNT_ADMIN')")
@RequestMapping("/admin/duty-rules")
class DutyRulePages {

    private final DutyGrants dutyGrants;
    private final AdminGrants grants;
    private final org.springframework.context.MessageSource messages;

    DutyRulePages(DutyGrants dutyGrants, AdminGrants grants, org.springframework.context.MessageSource messages) {
        this.dutyGrants = dutyGrants;
        this.grants = grants;
        this.messages = messages;
    }

    /** The rules, and the form to make one; its unit is picked by name ({@code findUnit}, as on the access reviews page). */
    @GetMapping
    String list(@RequestParam(required = false) String findUnit, Model model, Authentication auth) {
        model.addAttribute("rules", dutyGrants.visibleTo(auth.getName()));
        model.addAttribute("findUnit", findUnit);
        model.addAttribute("unitChoices", GrantableUnitChoices.of(grants, messages, auth.getName(), findUnit, null));
        model.addAttribute("rights", AdminRight.values());
        model.addAttribute("dutyRoles", DutyGrants.DUTY_ROLES);
        return "governance/duty-rules";
    }

    /** The unit picker's choices for the words typed so far, for htmx. */
    @GetMapping("/pick/units")
    String pickUnit(@RequestParam(required = false) String findUnit, Model model, Authentication auth) {
        model.addAttribute("pickerName", "unit");
        model.addAttribute("pickerChoices", GrantableUnitChoices.of(grants, messages, auth.getName(), findUnit, null));
        model.addAttribute("pickerRequired", true);
        return "pickers :: pick";
    }

    @PostMapping
    String create(@RequestParam String dutyRole, @RequestParam AdminRight right, @RequestParam(required = false) UUID unit, Authentication auth,
                  RedirectAttributes flash) {
        if (unit == null) {
            flash.addFlashAttribute("error", "dutyRules.invalid");
            return "redirect:/admin/duty-rules";
        }
        try {
            dutyGrants.create(auth.getName(), dutyRole, right, unit);
            flash.addFlashAttribute("message", "dutyRules.created");
        } catch (AdminGrants.GrantRefused e) {
            flash.addFlashAttribute("error", "accounts.grantRefused");
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", "dutyRules.invalid");
        }
        return "redirect:/admin/duty-rules";
    }

    @PostMapping("/{id}/remove")
    String remove(@PathVariable long id, Authentication auth, RedirectAttributes flash) {
        try {
            dutyGrants.remove(auth.getName(), id);
            flash.addFlashAttribute("message", "dutyRules.removed");
        } catch (DutyGrants.NoSuchRule e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (AdminGrants.GrantRefused e) {
            flash.addFlashAttribute("error", "accounts.grantRefused");
        }
        return "redirect:/admin/duty-rules";
    }
}
