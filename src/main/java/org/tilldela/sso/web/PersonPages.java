package org.tilldela.sso.web;

import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.tilldela.sso.StartPage;

/** The sign-in page of pupils and staff, and their start page: the products they hold a licence for. */
@Controller
@PreAuthorize("hasAuthority('ROLE_PERSON')")
class PersonPages {

    private final StartPage startPage;
    private final org.tilldela.sso.FirstSignInNotice notices;
    private final org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings provider;

    private final org.tilldela.sso.MyClasses myClasses;

    PersonPages(StartPage startPage, org.tilldela.sso.FirstSignInNotice notices,
                org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings provider,
                org.tilldela.sso.MyClasses myClasses) {
        this.myClasses = myClasses;
        this.startPage = startPage;
        this.notices = notices;
        this.provider = provider;
    }

    @GetMapping("/sign-in")
    @PreAuthorize("permitAll()")
    String signIn() {
        return "sso/sign-in";
    }

    /**
     * The first sign-in to a product (the authorization server's consent page, see FirstSignInNotice): what
     * goes to the supplier and why; "Continue" goes on with the sign-in. Only the client id, scope and state
     * come from the address: the continuation is checked by the authorization server against the request it keeps.
     */
    @GetMapping(org.tilldela.sso.FirstSignInNotice.PATH)
    String notice(@org.springframework.web.bind.annotation.RequestParam("client_id") String clientId,
                  @org.springframework.web.bind.annotation.RequestParam("state") String state,
                  @org.springframework.web.bind.annotation.RequestParam(name = "scope", defaultValue = "openid") String scope,
                  Authentication person, Model model) {
        try {
            model.addAttribute("notice", notices.of(UUID.fromString(person.getName()), clientId));
        } catch (IllegalArgumentException e) {
            // no product's sign-in client (made up, or removed since the product sent the person here)
            throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.NOT_FOUND);
        }
        model.addAttribute("clientId", clientId);
        model.addAttribute("state", state);
        model.addAttribute("scopes", java.util.List.of(scope.split(" ")));
        return "sso/notice";
    }

    /** After an authorization request for a product the person holds no licence for (see AuthorizationErrors). */
    @GetMapping("/start/no-licence")
    @PreAuthorize("hasAuthority('ROLE_PERSON')")
    String noLicence(jakarta.servlet.http.HttpSession session, Model model) {
        Object denied = session.getAttribute(StartPage.NO_LICENCE_SESSION_KEY);
        if (denied == null) {
            return "redirect:/start";
        }
        session.removeAttribute(StartPage.NO_LICENCE_SESSION_KEY);
        model.addAttribute("denied", denied);
        return "sso/no-licence";
    }

    @GetMapping("/start")
    @PreAuthorize("hasAuthority('ROLE_PERSON')")
    String start(Authentication person, Model model, jakarta.servlet.http.HttpServletRequest request) {
        // the issuer as the provider announces it: the configured one, or (without tilldela.base-url) this request's
        // origin, which the platform pins to http://localhost on this server's port, as the provider itself does
        String issuer = provider.getIssuer() != null ? provider.getIssuer()
                : org.springframework.web.servlet.support.ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
        StartPage.View view = startPage.of(UUID.fromString(person.getName()), issuer);
        model.addAttribute("view", view);
        // a teacher (by the directory, today) also finds their classes here
        model.addAttribute("teaches", !myClasses.classes(UUID.fromString(person.getName())).isEmpty());
        return "sso/start";
    }
}
