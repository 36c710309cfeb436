package org.tilldela.sso.web;

import java.util.List;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.tilldela.sso.UpstreamProviders;

/**
 * The page that says why a sign-in through an organiser's identity provider was refused, and whom to ask. It
 * names the organiser only: nothing about the account that signed in upstream, nothing about anyone else.
 */
@Controller
@PreAuthorize("permitAll()")
class UpstreamSignInPages {

    private static final List<String> REASONS = List.of("no-match", "several-matches", "no-admin-account", "failed");

    private final UpstreamProviders providers;

    UpstreamSignInPages(UpstreamProviders providers) {
        this.providers = providers;
    }

    @GetMapping("/sign-in/upstream/{provider}/refused")
    String refused(@PathVariable String provider, @RequestParam(defaultValue = "failed") String reason, Model model) {
        model.addAttribute("organiser", providers.organiserName(provider).orElse(null));
        model.addAttribute("reason", REASONS.contains(reason) ? reason : "failed");
        return "sso/upstream-refused";
    }

    /** The administrators' sign-in page (platform's /login) gets the same buttons, each to the administrators' sign-in. */
    @ControllerAdvice(basePackages = "org.tilldela.platform")
    static class AdminButtons {

        private final UpstreamProviders providers;

        AdminButtons(UpstreamProviders providers) {
            this.providers = providers;
        }

        @ModelAttribute("adminUpstreamProviders")
        List<UpstreamProviders.Button> buttons(jakarta.servlet.http.HttpServletRequest request) {
            // administrators sign in upstream over OpenID Connect only: an organiser's SAML IdP is the persons' way in
            return request.getRequestURI().endsWith("/login") ? providers.buttons().stream().filter(b -> !b.saml()).toList() : List.of();
        }
    }

    /** The sign-in page's buttons, one per organiser whose identity provider is enabled. */
    @ControllerAdvice(assignableTypes = PersonPages.class)
    static class Buttons {

        private final UpstreamProviders providers;

        Buttons(UpstreamProviders providers) {
            this.providers = providers;
        }

        @ModelAttribute("upstreamProviders")
        List<UpstreamProviders.Button> buttons(jakarta.servlet.http.HttpServletRequest request) {
            return request.getRequestURI().endsWith("/sign-in") ? providers.buttons() : List.of();
        }
    }
}
