package org.tilldela.directory.web;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.tilldela.directory.RegionalCounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;

/** The purchasing centre's (REGIONAL) page: the same counts as {@link RegionalApi}, per organiser in its scope. */
@Controller
@PreAuthorize("hasAuthority('RIGHT_REGIONAL')")
class RegionalPage {

    private final RegionalCounts counts;
    private final Scopes scopes;

    RegionalPage(RegionalCounts counts, Scopes scopes) {
        this.counts = counts;
        this.scopes = scopes;
    }

    @GetMapping("/regional")
    String page(Model model, Authentication auth) {
        model.addAttribute("organisers", counts.organisers(scopes.of(auth, AdminRight.REGIONAL)));
        return "directory/regional";
    }
}
