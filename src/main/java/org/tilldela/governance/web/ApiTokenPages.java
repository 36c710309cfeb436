package org.tilldela.governance.web;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.governance.ApiTokens;
import org.tilldela.governance.SecondFactor;

/**
 * The administrator's own personal API tokens, on the account pages: created once the account has a second factor
 * (a session reaches this page only after its code), listed, revoked. A new token is shown in the answer to the
 * form that created it, and nowhere else: never put in the (database-stored) session as a flash attribute.
 */
@Controller
@PreAuthorize("hasRole('ADMIN')")
class ApiTokenPages {

    private final ApiTokens tokens;
    private final SecondFactor secondFactor;

    ApiTokenPages(ApiTokens tokens, SecondFactor secondFactor) {
        this.tokens = tokens;
        this.secondFactor = secondFactor;
    }

    @GetMapping("/account/api-tokens")
    String page(Model model, Authentication auth) {
        model.addAttribute("enrolled", secondFactor.enrolled(auth.getName()));
        model.addAttribute("tokens", tokens.of(auth.getName()));
        model.addAttribute("now", java.time.Instant.now());
        return "governance/api-tokens";
    }

    @PostMapping("/account/api-tokens")
    String create(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "90") int days, Model model, Authentication auth) {
        try {
            model.addAttribute("created", tokens.create(auth.getName(), name, days));
        } catch (org.tilldela.governance.ApiTokens.ProviderOnly e) {
            model.addAttribute("problem", "apiTokens.providerOnly");
        } catch (IllegalStateException e) {
            model.addAttribute("problem", "apiTokens.needsSecondFactor");
        } catch (IllegalArgumentException e) {
            model.addAttribute("problem", "apiTokens.invalid");
        }
        return page(model, auth);
    }

    @PostMapping("/account/api-tokens/{id}/revoke")
    String revoke(@PathVariable long id, Authentication auth, RedirectAttributes flash) {
        flash.addFlashAttribute("notice", tokens.revoke(auth.getName(), id) ? "apiTokens.revoked" : "apiTokens.noSuchToken");
        return "redirect:/account/api-tokens";
    }
}
