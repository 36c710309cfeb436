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

    PersonPages(StartPage startPage) {
        this.startPage = startPage;
    }

    @GetMapping("/sign-in")
    @PreAuthorize("permitAll()")
    String signIn() {
        return "sso/sign-in";
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
    String start(Authentication person, Model model) {
        StartPage.View view = startPage.of(UUID.fromString(person.getName()));
        model.addAttribute("view", view);
        return "sso/start";
    }
}
