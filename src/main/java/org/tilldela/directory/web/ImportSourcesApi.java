package org.tilldela.directory.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.tilldela.directory.importing.SourceScopes;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;

@RestController
// within the caller's scope (SourceScopes): a source replaces the directory of every school it lists, so a grant covering a
// whole organiser manages the sources importing it; a school unit's or a form-narrowed grant gets 403 for the whole API
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @sourceScopes.mayOpen(authentication)")
@RequestMapping("/api/v1/import-sources")
@Tag(name = "Import sources", description = "Systems Tilldela imports from by itself, on a schedule and on change notifications")
class ImportSourcesApi {

    private final ImportSources sources;
    private final SourceRuns runs;
    private final SourceScopes scopes;

    ImportSourcesApi(ImportSources sources, SourceRuns runs, SourceScopes scopes) {
        this.sources = sources;
        this.runs = runs;
        this.scopes = scopes;
    }

    /**
     * A source's settings. token: the bearer token (write-only: never returned; left out when editing, the stored one
     * stays). deltaMinutes: a delta import every so many minutes; fullAt: a daily full import at this time (HH:mm).
     * auth OAUTH_CLIENT_CREDENTIALS: an access token is got from tokenUrl with clientId and clientSecret (write-only like
     * the token; left out when editing, the stored one stays while tokenUrl and clientId do) and tokenScope if given.
     * kind ONEROSTER_FOLDER: folder, under the base directory the operator allows, instead of url. alertEmails: who is
     * e-mailed when the source starts failing and when it works again (where SMTP is configured). SS 12000 only:
     * clientCertificate and clientKey (PEM; write-only, checked to belong together and be valid today; left out when editing,
     * the stored ones stay) are presented in the TLS handshake, with either kind of auth; serverCa (PEM) are the CA
     * certificates trusted for the source's server instead of the JDK's; removeClientCertificate and removeServerCa forget them.
     */
    record SourceRequest(String name, ImportSources.Kind kind, String url, String token, Integer deltaMinutes, String fullAt, Boolean enabled,
                         Boolean notifications, ImportSources.Auth auth, String tokenUrl, String clientId, String clientSecret, String tokenScope,
                         String folder, List<String> alertEmails, String clientCertificate, String clientKey, String serverCa,
                         Boolean removeClientCertificate, Boolean removeServerCa) {
        ImportSources.Settings settings() {
            LocalTime at;
            try {
                at = fullAt == null || fullAt.isBlank() ? null : LocalTime.parse(fullAt.strip());
            } catch (DateTimeParseException e) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "fullAt is a time of day such as 02:30");
            }
            return new ImportSources.Settings(name, kind, url, token, deltaMinutes, at, enabled == null || enabled, Boolean.TRUE.equals(notifications),
                    auth == null ? ImportSources.Auth.BEARER : auth, tokenUrl, clientId, clientSecret, tokenScope, folder,
                    alertEmails == null ? List.of() : alertEmails, clientCertificate, clientKey, serverCa,
                    Boolean.TRUE.equals(removeClientCertificate), Boolean.TRUE.equals(removeServerCa));
        }
    }

    @GetMapping
    @Operation(summary = "The sources within the caller's scope: for a grant over an organiser, those importing it")
    List<ImportSources.Source> list(Authentication auth) {
        return sources.list(scopes.of(auth));
    }

    /** Outside the caller's scope as if it did not exist: 404. */
    @GetMapping("/{id}")
    ImportSources.Source get(@PathVariable UUID id, Authentication auth) {
        return sources.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no import source " + id));
    }

    @PostMapping
    @Operation(summary = "Add a source; with notifications on, an SS 12000 source subscribes to its server's change notifications")
    ResponseEntity<ImportSources.Source> create(@RequestBody SourceRequest request, Authentication auth) {
        try {
            UUID id = sources.create(scopes.of(auth), request.settings(), auth.getName(), origin());
            return ResponseEntity.created(URI.create("/api/v1/import-sources/" + id)).body(get(id, auth));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    @PutMapping("/{id}")
    ImportSources.Source update(@PathVariable UUID id, @RequestBody SourceRequest request, Authentication auth) {
        get(id, auth);
        try {
            sources.update(scopes.of(auth), id, request.settings(), auth.getName(), origin());
            return get(id, auth);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Remove a source (its subscription at the server ends); what it imported stays")
    ResponseEntity<Void> delete(@PathVariable UUID id, Authentication auth) {
        get(id, auth);
        sources.delete(id, auth.getName());
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/run")
    @Operation(summary = "Run the source now (a delta, or a full import with full=true); answers 202 at once")
    ResponseEntity<ImportSources.Source> run(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean full, Authentication auth) {
        get(id, auth);
        sources.request(id, full, auth.getName());
        runs.runSoon(id);
        return ResponseEntity.accepted().body(get(id, auth));
    }

    static String origin() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
    }
}
