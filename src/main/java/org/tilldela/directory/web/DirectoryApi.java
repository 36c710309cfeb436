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
    private final Viewers viewers;

    DirectoryApi(OrganisationBrowser browser, Viewers viewers) {
        this.browser = browser;
        this.viewers = viewers;
    }

    @GetMapping("/organisations")
    @Operation(summary = "The top organisations within the caller's scope (organisers for the whole installation), with counts within the scope")
    List<OrganisationBrowser.Organisation> roots(Authentication auth) {
        return browser.roots(viewers.of(auth).scope());
    }

    @GetMapping("/organisations/{id}")
    @Operation(summary = "One organisation with counts within the caller's scope; 404 outside it")
    OrganisationBrowser.Organisation organisation(@PathVariable UUID id, Authentication auth) {
        return browser.organisation(id, viewers.of(auth).scope()).orElseThrow(() -> notFound("no organisation " + id));
    }

    @GetMapping("/organisations/{id}/children")
    @Operation(summary = "Organisation units directly under this one within the caller's scope, with counts")
    List<OrganisationBrowser.Organisation> children(@PathVariable UUID id, Authentication auth) {
        organisation(id, auth);
        return browser.children(id, viewers.of(auth).scope());
    }

    @GetMapping("/organisations/{id}/groups")
    @Operation(summary = "Groups (classes, teaching groups, …) at this organisation unit within the caller's scope, with member counts")
    List<OrganisationBrowser.Group> groups(@PathVariable UUID id, Authentication auth) {
        organisation(id, auth);
        return browser.groups(id, viewers.of(auth).scope());
    }

    @GetMapping("/groups/{id}")
    @Operation(summary = "One group; 404 outside the caller's scope")
    OrganisationBrowser.Group group(@PathVariable UUID id, Authentication auth) {
        return browser.group(id, viewers.of(auth).scope()).orElseThrow(() -> notFound("no group " + id));
    }

    @GetMapping("/groups/{id}/members")
    @Operation(summary = "Members of a group; protected persons masked unless the caller may see them there (audited); 404 outside the caller's scope")
    List<OrganisationBrowser.Member> members(@PathVariable UUID id, Authentication auth) {
        group(id, auth);
        return browser.members(id, viewers.of(auth));
    }

    @GetMapping("/persons/{id}")
    @Operation(summary = "One person as a listing shows them (masked unless the caller may see a protected identity; audited); 404 outside the caller's scope")
    OrganisationBrowser.Member person(@PathVariable UUID id, Authentication auth) {
        return browser.person(id, viewers.of(auth)).orElseThrow(() -> notFound("no person " + id));
    }

    @GetMapping("/directory/search")
    @Operation(summary = "Search organisations, groups and persons by name, within the caller's scope")
    OrganisationBrowser.SearchResult search(@RequestParam String q, Authentication auth) {
        return browser.search(q, viewers.of(auth), 50);
    }

    @GetMapping("/directory/stats")
    @Operation(summary = "Counts of what the directory holds within the caller's scope")
    DirectoryStats stats(Authentication auth) {
        return browser.stats(viewers.of(auth).scope());
    }

    /** Out of scope and absent answer alike: nobody learns that a record outside their scope exists. */
    private static ResponseStatusException notFound(String what) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, what);
    }
}
