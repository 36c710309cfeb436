package org.tilldela.purchase.web;

import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.directory.UnitPicker;
import org.tilldela.governance.CallerScope;
import org.tilldela.purchase.BuyerScopes;

/** Which organisation each buyer account buys for: set by a directory administrator. */
@Controller
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @scopes.wholeInstallation(authentication, 'DIRECTORY_ADMIN')")
class BuyerScopePages {

    private final BuyerScopes scopes;
    private final UnitPicker unitPicker;

    BuyerScopePages(BuyerScopes scopes, UnitPicker unitPicker) {
        this.scopes = scopes;
        this.unitPicker = unitPicker;
    }

    /**
     * The buyers and the form to set one's organisation, which is picked by name ({@code findOrganisation}: an organiser
     * or a school unit; htmx asks /purchase/buyers/pick/organisations as it is typed, a plain search without JavaScript).
     */
    @GetMapping("/purchase/buyers")
    String buyers(@RequestParam(required = false) String findOrganisation, Model model) {
        model.addAttribute("scopes", scopes.all());
        model.addAttribute("findOrganisation", findOrganisation);
        model.addAttribute("organisationChoices", unitPicker.choices(findOrganisation, CallerScope.wholeInstallation(), false, null));
        return "purchase/buyers";
    }

    /** The organisation picker's choices for the words typed so far, for htmx to put into the form. */
    @GetMapping("/purchase/buyers/pick/organisations")
    String pick(@RequestParam(required = false) String findOrganisation, Model model) {
        model.addAttribute("pickerName", "organisation");
        model.addAttribute("pickerChoices", unitPicker.choices(findOrganisation, CallerScope.wholeInstallation(), false, null));
        model.addAttribute("pickerRequired", true);
        return "pickers :: pick";
    }

    @PostMapping("/purchase/buyers")
    String set(@RequestParam String username, @RequestParam(required = false) UUID organisation, Authentication auth, RedirectAttributes redirect) {
        if (organisation == null) {
            // nothing picked (a search that found nothing, without the browser's own check): said, not a bare 400
            redirect.addFlashAttribute("error", "ui2.picker.organisation.none");
            return "redirect:/purchase/buyers";
        }
        try {
            scopes.set(username.strip(), organisation, auth.getName());
            redirect.addFlashAttribute("message", "purchase.buyers.saved");
        } catch (IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
        }
        return "redirect:/purchase/buyers";
    }

    @PostMapping("/purchase/buyers/remove")
    String remove(@RequestParam String username, Authentication auth, RedirectAttributes redirect) {
        scopes.remove(username, auth.getName());
        redirect.addFlashAttribute("message", "purchase.buyers.removed");
        return "redirect:/purchase/buyers";
    }
}
