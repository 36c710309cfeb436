package org.tilldela.directory.web;

import org.springframework.security.access.prepost.PreAuthorize;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.SourceScopes;

@RestController
// within the caller's scope (SourceScopes): runs of, and imports into, the sources whose organisers the grant covers whole; a
// school unit's or a form-narrowed grant gets 403 for the whole API (an import replaces every school of its source)
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @sourceScopes.mayOpen(authentication)")
@RequestMapping("/api/v1/imports")
@Tag(name = "Imports", description = "Import school core data; runs are asynchronous: poll the run until it is over.")
class ImportApi {

    private final ImportRuns runs;
    private final ImportUploads uploads;
    private final SourceScopes scopes;

    ImportApi(ImportRuns runs, ImportUploads uploads, SourceScopes scopes) {
        this.runs = runs;
        this.uploads = uploads;
        this.scopes = scopes;
    }

    /**
     * An import names the source it replaces: within a scoped grant it must be one the grant covers. Another is not found, whether
     * it exists or not (and a new source is for a grant over the whole installation), before anything is read or kept.
     */
    private void requireWithin(String source, Authentication auth) {
        if (!scopes.mayImportInto(scopes.of(auth), source)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no source " + source + " within your grant (a new source is added by an "
                    + "administrator over the whole installation)");
        }
    }

    @PostMapping(value = "/oneroster", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Full import of a OneRoster 1.1/1.2 CSV zip (multipart field 'file'); answers 202 with the run. The package the "
            + "source's last import read is recognised and not read again (summary.unchangedSince) unless reread=true")
    ResponseEntity<ImportRuns.Run> oneRoster(@RequestParam("file") MultipartFile file, @RequestParam(defaultValue = "oneroster") String source,
                                             @RequestParam(defaultValue = "false") boolean allowMassRemoval,
                                             @RequestParam(defaultValue = "false") boolean reread, Authentication auth) throws IOException {
        if (file.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the multipart field 'file' is empty");
        }
        requireWithin(source, auth);
        UUID id;
        try {
            id = uploads.submitOneRoster(file.getInputStream(), file.getOriginalFilename(), new ImportOptions(source, allowMassRemoval, auth.getName(), reread));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return accepted(id);
    }

    /** What starts an SS 12000 import; the token is used for the fetch and never stored. */
    record Ss12000Request(@NotBlank String baseUrl, String token, String source, boolean delta, boolean allowMassRemoval) {
    }

    @PostMapping(value = "/ss12000", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Import from an SS 12000 API (full, or delta since this source's last import); answers 202 with the run")
    ResponseEntity<ImportRuns.Run> ss12000(@Valid @RequestBody Ss12000Request request, Authentication auth) {
        String source = request.source() == null || request.source().isBlank() ? "ss12000" : request.source().strip();
        requireWithin(source, auth);
        try {
            return accepted(uploads.submitSs12000(request.baseUrl(), request.token(), source, request.delta(), request.allowMassRemoval(), auth.getName()));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    @GetMapping
    @Operation(summary = "The newest 50 runs of the sources within the caller's scope")
    List<ImportRuns.Run> recent(Authentication auth) {
        return runs.recent(scopes.of(auth), 50);
    }

    @GetMapping("/{id}")
    @Operation(summary = "An import run: status, progress, summary or problems (404 outside the caller's scope)")
    ImportRuns.Run run(@PathVariable UUID id, Authentication auth) {
        return runs.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no import run " + id));
    }

    @GetMapping("/{id}/removal")
    @Operation(summary = "Who a run held by the deletion guard would remove: counts per school unit, and the first 500 persons' ids by name")
    ImportRuns.RemovalPreview removal(@PathVariable UUID id, Authentication auth) {
        run(id, auth);
        return runs.removalPreview(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no import run " + id + " waiting for approval"));
    }

    @PostMapping("/{id}/approve")
    @Operation(summary = "Approve a run the deletion guard held: runs it again with mass removal allowed. confirm must be the number of "
            + "persons it would remove (wouldRemove), as the web form asks to tick that the list was checked")
    ResponseEntity<ImportRuns.Run> approve(@PathVariable UUID id, @RequestParam(required = false) Integer confirm, Authentication auth) {
        ImportRuns.Run held = run(id, auth);
        if (held.wouldRemove() != null && !held.wouldRemove().equals(confirm)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "nothing was removed: confirm=" + held.wouldRemove()
                    + " (the number of persons it would remove; see GET /api/v1/imports/" + id + "/removal for who) is required");
        }
        try {
            return accepted(uploads.approve(id, auth.getName()));
        } catch (IllegalStateException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage());
        }
    }

    @PostMapping("/{id}/discard")
    @Operation(summary = "Discard a run the deletion guard held: nothing of it is applied, its kept file is deleted; audited. 409 when it is not held")
    ImportRuns.Run discard(@PathVariable UUID id, Authentication auth) {
        run(id, auth);
        try {
            runs.discard(id, auth.getName());
        } catch (IllegalStateException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage());
        }
        return runs.find(id).orElseThrow();
    }

    private ResponseEntity<ImportRuns.Run> accepted(UUID id) {
        return ResponseEntity.accepted().location(URI.create("/api/v1/imports/" + id)).body(runs.find(id).orElseThrow());
    }
}
