package org.tilldela.directory.web;

import org.springframework.security.access.prepost.PreAuthorize;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.DirectoryStats;
import org.tilldela.directory.OrganisationBrowser;

@RestController
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
@RequestMapping("/api/v1")
@Tag(name = "Directory", description = "Browse the organisation: organisers, school units, groups and members.")
class DirectoryApi {

    private final OrganisationBrowser browser;

    DirectoryApi(OrganisationBrowser browser) {
        this.browser = browser;
    }

    @GetMapping("/organisations")
    @Operation(summary = "Top-level organisations (organisers) with counts")
    List<OrganisationBrowser.Organisation> roots() {
        return browser.roots();
    }

    @GetMapping("/organisations/{id}")
    OrganisationBrowser.Organisation organisation(@PathVariable UUID id) {
        return browser.organisation(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no organisation " + id));
    }

    @GetMapping("/organisations/{id}/children")
    @Operation(summary = "Organisation units directly under this one, with counts")
    List<OrganisationBrowser.Organisation> children(@PathVariable UUID id) {
        organisation(id);
        return browser.children(id);
    }

    @GetMapping("/organisations/{id}/groups")
    @Operation(summary = "Groups (classes, teaching groups, …) at this organisation unit, with member counts")
    List<OrganisationBrowser.Group> groups(@PathVariable UUID id) {
        organisation(id);
        return browser.groups(id);
    }

    @GetMapping("/groups/{id}")
    OrganisationBrowser.Group group(@PathVariable UUID id) {
        return browser.group(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no group " + id));
    }

    @GetMapping("/groups/{id}/members")
    @Operation(summary = "Members of a group; protected persons masked unless the caller may see them (audited)")
    List<OrganisationBrowser.Member> members(@PathVariable UUID id, Authentication auth) {
        group(id);
        return browser.members(id, Viewers.of(auth));
    }

    @GetMapping("/directory/search")
    @Operation(summary = "Search organisations, groups and persons by name")
    OrganisationBrowser.SearchResult search(@RequestParam String q, Authentication auth) {
        return browser.search(q, Viewers.of(auth), 50);
    }

    @GetMapping("/directory/stats")
    DirectoryStats stats() {
        return browser.stats();
    }
}
