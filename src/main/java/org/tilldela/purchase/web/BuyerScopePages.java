package org.tilldela.purchase.web;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.purchase.BuyerScopes;

/** Which organisation each buyer account buys for: set by a directory administrator. */
@Controller
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @scopes.wholeInstallation(authentication, 'DIRECTORY_ADMIN')")
class BuyerScopePages {

    private final BuyerScopes scopes;
    private final OrganisationBrowser organisations;

    BuyerScopePages(BuyerScopes scopes, OrganisationBrowser organisations) {
        this.scopes = scopes;
        this.organisations = organisations;
    }

    /** An organisation to choose: organisers, and the units right under them, indented. */
    record Choice(UUID id, String name, boolean unit) {
    }

    @GetMapping("/purchase/buyers")
    String buyers(Model model) {
        List<Choice> choices = new ArrayList<>();
        for (OrganisationBrowser.Organisation root : organisations.roots()) {
            choices.add(new Choice(root.id(), root.name(), false));
            organisations.children(root.id()).forEach(c -> choices.add(new Choice(c.id(), c.name(), true)));
        }
        model.addAttribute("scopes", scopes.all());
        model.addAttribute("choices", choices);
        return "purchase/buyers";
    }

    @PostMapping("/purchase/buyers")
    String set(@RequestParam String username, @RequestParam UUID organisation, Authentication auth, RedirectAttributes redirect) {
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
