package org.tilldela.directory.web;

import org.springframework.security.access.prepost.PreAuthorize;
import java.io.IOException;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.SourceScopes;
import org.tilldela.directory.ss12000.HostNotAllowedException;

/**
 * Imports in the web UI: upload, live progress, summary, and approval of runs the deletion guard held; within the caller's
 * DIRECTORY_ADMIN scope (SourceScopes): the runs of, and imports into, the sources whose organisers the grant covers whole.
 */
@Controller
// an import replaces every school of its source: the pages open only for grants covering a whole organiser (SourceScopes.mayOpen)
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @sourceScopes.mayOpen(authentication)")
class ImportPages {

    private final ImportRuns runs;
    private final ImportUploads uploads;
    private final org.tilldela.directory.PersonNames names;
    private final Viewers viewers;
    private final ImportProblemWords problemWords;
    private final SourceScopes scopes;

    private final String importMaxSize;

    ImportPages(ImportRuns runs, ImportUploads uploads, org.tilldela.platform.RequestBodyLimits limits, org.tilldela.directory.PersonNames names,
                Viewers viewers, ImportProblemWords problemWords, SourceScopes scopes) {
        this.scopes = scopes;
        this.problemWords = problemWords;
        this.names = names;
        this.viewers = viewers;
        this.runs = runs;
        this.uploads = uploads;
        this.importMaxSize = limits.importMaxSize().toMegabytes() + " MB";
    }

    @org.springframework.beans.factory.annotation.Value("${tilldela.import.held-retention-days:30}")
    private int heldRetentionDays;

    /** How long a held run waits for a decision before it is discarded, said on the run and in the list. */
    @ModelAttribute("heldRetentionDays")
    int heldRetentionDays() {
        return heldRetentionDays;
    }

    /** The largest package the form takes, said beside it: a larger one is refused unread (see RequestBodyGate). */
    @ModelAttribute("importMaxSize")
    String importMaxSize() {
        return importMaxSize;
    }

    @GetMapping("/imports")
    String list(Model model, Authentication auth) {
        model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
        return "imports/index";
    }

    @PostMapping("/imports/oneroster")
    String upload(@RequestParam("file") MultipartFile file, @RequestParam(defaultValue = "oneroster") String source,
                  @RequestParam(defaultValue = "false") boolean reread, Authentication auth, Model model) throws IOException {
        if (file.isEmpty()) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("uploadError", "imports.error.nofile");
            return "imports/index";
        }
        // another organiser's source and one that does not exist alike (a new source is for a grant over the whole installation)
        if (!scopes.mayImportInto(scopes.of(auth), source.trim())) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("uploadError", "imports.error.notWithinScope");
            return "imports/index";
        }
        try {
            UUID id = uploads.submitOneRoster(file.getInputStream(), file.getOriginalFilename(), new ImportOptions(source.trim(), false, auth.getName(), reread));
            return "redirect:/imports/" + id;
        } catch (IllegalArgumentException e) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("uploadError", "imports.error.source");
            return "imports/index";
        }
    }

    @PostMapping("/imports/ss12000")
    String ss12000(@RequestParam String baseUrl, @RequestParam(required = false) String token, @RequestParam(defaultValue = "ss12000") String source,
                   @RequestParam(defaultValue = "false") boolean delta, @RequestParam(defaultValue = "false") boolean allowMassRemoval,
                   Authentication auth, Model model) {
        if (!scopes.mayImportInto(scopes.of(auth), source.strip())) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("ss12000OutOfScope", true);
            return "imports/index";
        }
        try {
            return "redirect:/imports/" + uploads.submitSs12000(baseUrl, token, source.strip(), delta, allowMassRemoval, auth.getName());
        } catch (HostNotAllowedException e) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("ss12000HostNotAllowed", e.host());
            return "imports/index";
        } catch (IllegalArgumentException e) {
            model.addAttribute("runs", runs.recent(scopes.of(auth), 30));
            model.addAttribute("ss12000Error", e.getMessage());
            return "imports/index";
        }
    }

    @GetMapping("/imports/{id}")
    String run(@PathVariable UUID id, Model model, @RequestHeader(value = "HX-Request", required = false) String htmx, Authentication auth,
               java.util.Locale locale) {
        var run = runs.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("run", run);
        model.addAttribute("problems", problemWords.worded(run.problems(), locale));
        // a run held by the deletion guard: who it would remove, per school and by name (protected persons masked, their view audited)
        runs.removalPreview(id).ifPresent(preview -> {
            model.addAttribute("removal", preview);
            model.addAttribute("removalNames", names.of(preview.first(), viewers.of(auth), "import_run", id.toString()).values());
        });
        // htmx polls for the status panel only, until the run is over
        return htmx != null ? "imports/run :: status" : "imports/run";
    }

    @PostMapping("/imports/{id}/approve")
    String approve(@PathVariable UUID id, @RequestParam(name = "confirmed", defaultValue = "false") boolean confirmed, Authentication auth) {
        runs.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        if (!confirmed) {
            // the page asks to tick that the list was looked at; without it nothing is removed
            return "redirect:/imports/" + id + "?confirm";
        }
        try {
            return "redirect:/imports/" + uploads.approve(id, auth.getName());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    @PostMapping("/imports/{id}/discard")
    String discard(@PathVariable UUID id, Authentication auth) {
        runs.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        try {
            runs.discard(id, auth.getName());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage());
        }
        return "redirect:/imports/" + id;
    }
}
