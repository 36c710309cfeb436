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
    private final Viewers viewers;

    private final org.tilldela.directory.sources.ImportSources sources;

    DirectoryPages(OrganisationBrowser browser, Viewers viewers, org.tilldela.directory.sources.ImportSources sources) {
        this.sources = sources;
        this.browser = browser;
        this.viewers = viewers;
    }

    // Everything within the administrator's DIRECTORY_ADMIN scope only; outside it a page is not found (404).

    @GetMapping("/directory")
    String roots(Model model, Authentication auth) {
        var scope = viewers.of(auth).scope();
        model.addAttribute("organisations", browser.roots(scope));
        model.addAttribute("stats", browser.stats(scope));
        // the failing sources the administrator manages (SourceScopes: those importing organisers within the grant), no other
        model.addAttribute("failingSources", sources.failing(scope));
        return "directory/index";
    }

    @GetMapping("/directory/organisations/{id}")
    String organisation(@PathVariable UUID id, Model model, Authentication auth) {
        var scope = viewers.of(auth).scope();
        Organisation org = browser.organisation(id, scope).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("organisation", org);
        model.addAttribute("trail", org.parentId() == null ? List.of() : browser.ancestry(org.parentId(), scope));
        model.addAttribute("children", browser.children(id, scope));
        model.addAttribute("groups", browser.groups(id, scope));
        return "directory/organisation";
    }

    @GetMapping("/directory/groups/{id}")
    String group(@PathVariable UUID id, Model model, Authentication auth) {
        var viewer = viewers.of(auth);
        var group = browser.group(id, viewer.scope()).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("group", group);
        model.addAttribute("trail", browser.ancestry(group.organisationId(), viewer.scope()));
        var members = browser.members(id, viewer);
        model.addAttribute("members", members);
        // the column is called what every shown number is (personnummer, CPR-nummer), else a word for either
        model.addAttribute("civicKind", org.tilldela.directory.CivicNumbers.shared(members.stream().filter(m -> m.civicNumberMasked() != null)
                .map(OrganisationBrowser.Member::civicNumberKind).toList()));
        return "directory/group";
    }

    @GetMapping("/directory/search")
    String search(@RequestParam(defaultValue = "") String q, Model model, Authentication auth,
                  @RequestHeader(value = "HX-Request", required = false) String htmx) {
        model.addAttribute("q", q);
        model.addAttribute("result", browser.search(q, viewers.of(auth), 25));
        // htmx asks for the results only, to replace them in place as the user types
        return htmx != null ? "directory/search :: results" : "directory/search";
    }
}
