package org.tilldela.directory.web;

import org.springframework.security.access.prepost.PreAuthorize;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.OrganisationBrowser.Organisation;

/** The organisation browser in the web UI: organiser → school units → groups → members, and search. */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
class DirectoryPages {

    private final OrganisationBrowser browser;

    DirectoryPages(OrganisationBrowser browser) {
        this.browser = browser;
    }


    @GetMapping("/directory")
    String roots(Model model) {
        model.addAttribute("organisations", browser.roots());
        model.addAttribute("stats", browser.stats());
        return "directory/index";
    }

    @GetMapping("/directory/organisations/{id}")
    String organisation(@PathVariable UUID id, Model model) {
        Organisation org = browser.organisation(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("organisation", org);
        model.addAttribute("trail", org.parentId() == null ? List.of() : browser.ancestry(org.parentId()));
        model.addAttribute("children", browser.children(id));
        model.addAttribute("groups", browser.groups(id));
        return "directory/organisation";
    }

    @GetMapping("/directory/groups/{id}")
    String group(@PathVariable UUID id, Model model, Authentication auth) {
        var group = browser.group(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("group", group);
        model.addAttribute("trail", browser.ancestry(group.organisationId()));
        model.addAttribute("members", browser.members(id, Viewers.of(auth)));
        return "directory/group";
    }

    @GetMapping("/directory/search")
    String search(@RequestParam(defaultValue = "") String q, Model model, Authentication auth,
                  @RequestHeader(value = "HX-Request", required = false) String htmx) {
        model.addAttribute("q", q);
        model.addAttribute("result", browser.search(q, Viewers.of(auth), 25));
        // htmx asks for the results only, to replace them in place as the user types
        return htmx != null ? "directory/search :: results" : "directory/search";
    }
}
