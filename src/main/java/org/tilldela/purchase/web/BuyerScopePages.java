package org.tilldela.purchase.web;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.directory.UnitPicker;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.purchase.NotInScope;

/**
 * Which organisation each buyer account buys for: set by a directory administrator, within their DIRECTORY_ADMIN scope
 * (BuyerScopes' one rule: they see the buyers buying for a unit within it, and let a buyer buy only for such a unit).
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
class BuyerScopePages {

    private final BuyerScopes buyers;
    private final UnitPicker unitPicker;
    private final Scopes scopes;

    BuyerScopePages(BuyerScopes buyers, UnitPicker unitPicker, Scopes scopes) {
        this.buyers = buyers;
        this.unitPicker = unitPicker;
        this.scopes = scopes;
    }

    private CallerScope scope(Authentication auth) {
        return scopes.of(auth, AdminRight.DIRECTORY_ADMIN);
    }

    /**
     * The buyers and the form to set one's organisation, which is picked by name ({@code findOrganisation}: an organiser
     * or a school unit within the caller's scope; htmx asks /purchase/buyers/pick/organisations as it is typed, a plain
     * search without JavaScript).
     */
    @GetMapping("/purchase/buyers")
    String buyers(@RequestParam(required = false) String findOrganisation, Model model, Authentication auth) {
        CallerScope scope = scope(auth);
        // each with whether the caller may change it: the remove control only where a removal would not be refused
        model.addAttribute("scopes", buyers.listed(scope));
        model.addAttribute("findOrganisation", findOrganisation);
        model.addAttribute("organisationChoices", unitPicker.choices(findOrganisation, scope, false, null));
        return "purchase/buyers";
    }

    /** The organisation picker's choices for the words typed so far, for htmx to put into the form. */
    @GetMapping("/purchase/buyers/pick/organisations")
    String pick(@RequestParam(required = false) String findOrganisation, Model model, Authentication auth) {
        model.addAttribute("pickerName", "organisation");
        model.addAttribute("pickerChoices", unitPicker.choices(findOrganisation, scope(auth), false, null));
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
            buyers.set(scope(auth), username.strip(), organisation, auth.getName());
            redirect.addFlashAttribute("message", "purchase.buyers.saved");
        } catch (NotInScope e) {
            // an organisation or a buyer outside the caller's scope, or none: not found, and nothing changed
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (BuyerScopes.NotYoursToSet e) {
            redirect.addFlashAttribute("error", "purchase.buyers.notYoursToSet");
        } catch (IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
        }
        return "redirect:/purchase/buyers";
    }

    @PostMapping("/purchase/buyers/remove")
    String remove(@RequestParam String username, Authentication auth, RedirectAttributes redirect) {
        try {
            buyers.remove(scope(auth), username, auth.getName());
            redirect.addFlashAttribute("message", "purchase.buyers.removed");
        } catch (NotInScope e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (BuyerScopes.NotYoursToSet e) {
            redirect.addFlashAttribute("error", "purchase.buyers.notYoursToSet");
        }
        return "redirect:/purchase/buyers";
    }
}
