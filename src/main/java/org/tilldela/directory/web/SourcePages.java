package org.tilldela.directory.web;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.SourceScopes;
import org.tilldela.governance.CallerScope;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.directory.sources.SourceSettingsException;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.tilldela.directory.ss12000.HostNotAllowedException;
import org.tilldela.platform.FormSubmissions;

/**
 * Import sources in the web UI: the list, adding one, and a source's page (its last run, next run, settings). Within the caller's
 * DIRECTORY_ADMIN scope (SourceScopes): an organiser's administrator sees and manages the sources importing that organiser; any
 * other source is not found.
 */
@Controller
// a source replaces every school it lists: the pages open only for grants covering a whole organiser (SourceScopes.mayOpen)
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @sourceScopes.mayOpen(authentication)")
class SourcePages {

    private final ImportSources sources;
    private final SourceRuns sourceRuns;
    private final ImportRuns runs;
    private final FormSubmissions forms;
    private final MessageSource messages;
    private final SourceScopes scopes;

    SourcePages(ImportSources sources, SourceRuns sourceRuns, ImportRuns runs, FormSubmissions forms, MessageSource messages, SourceScopes scopes) {
        this.messages = messages;
        this.scopes = scopes;
        this.sources = sources;
        this.sourceRuns = sourceRuns;
        this.runs = runs;
        this.forms = forms;
    }

    @GetMapping("/imports/sources")
    String list(Model model, Authentication auth) {
        model.addAttribute("sources", sources.list(scopes.of(auth)));
        // a scoped administrator is told why the list is short and which names a new source may have
        model.addAttribute("scoped", !scopes.of(auth).isWholeInstallation());
        return "imports/sources";
    }

    @PostMapping("/imports/sources")
    String create(@RequestParam MultiValueMap<String, String> form, Authentication auth, Model model) {
        return forms.once(form.getFirst(FormSubmissions.FIELD), auth.getName(), "imports.source", () -> {
            try {
                UUID id = sources.create(scopes.of(auth), settings(form), auth.getName(), ImportSourcesApi.origin());
                return "redirect:/imports/sources/" + id;
            } catch (IllegalArgumentException e) {
                model.addAttribute("sources", sources.list(scopes.of(auth)));
                model.addAttribute("scoped", !scopes.of(auth).isWholeInstallation());
                refused(e, model);
                model.addAttribute("form", form.toSingleValueMap());
                return "imports/sources";
            }
        });
    }

    @GetMapping("/imports/sources/{id}")
    String source(@PathVariable UUID id, Model model, Authentication auth) {
        ImportSources.Source source = sources.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("source", source);
        if (source.lastRunId() != null) {
            runs.find(scopes.of(auth), source.lastRunId()).ifPresent(run -> model.addAttribute("lastRun", run));
        }
        return "imports/source";
    }

    @PostMapping("/imports/sources/{id}")
    String update(@PathVariable UUID id, @RequestParam MultiValueMap<String, String> form, Authentication auth, Model model) {
        CallerScope scope = scopes.of(auth);
        sources.find(scope, id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        try {
            sources.update(scope, id, settings(form), auth.getName(), ImportSourcesApi.origin());
            return "redirect:/imports/sources/" + id + "?saved";
        } catch (IllegalArgumentException e) {
            refused(e, model);
            return source(id, model, auth);
        }
    }

    @PostMapping("/imports/sources/{id}/run")
    String run(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean full, Authentication auth) {
        sources.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        sources.request(id, full, auth.getName());
        sourceRuns.runSoon(id);
        return "redirect:/imports/sources/" + id + "?requested";
    }

    @PostMapping("/imports/sources/{id}/delete")
    String delete(@PathVariable UUID id, Authentication auth) {
        sources.find(scopes.of(auth), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        sources.delete(id, auth.getName());
        return "redirect:/imports/sources?removed";
    }

    private void refused(IllegalArgumentException e, Model model) {
        if (e instanceof HostNotAllowedException host) {
            model.addAttribute("hostNotAllowed", host.host());
        } else if (e instanceof SourceSettingsException wrong) {
            // in the reader's language
            model.addAttribute("sourceError", messages.getMessage(wrong.key(), wrong.arguments(), wrong.getMessage(), LocaleContextHolder.getLocale()));
        } else {
            model.addAttribute("sourceError", e.getMessage());
        }
    }

    private static ImportSources.Settings settings(MultiValueMap<String, String> form) {
        ImportSources.Kind kind;
        try {
            kind = ImportSources.Kind.valueOf(value(form, "kind"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new SourceSettingsException("sources.error.kind", "choose what kind of source it is");
        }
        Integer delta = null;
        if (value(form, "deltaMinutes") != null) {
            try {
                delta = Integer.parseInt(value(form, "deltaMinutes"));
            } catch (NumberFormatException e) {
                throw new SourceSettingsException("sources.error.deltaMinutes", "a delta import runs every 1–1440 minutes");
            }
        }
        LocalTime fullAt = null;
        if (value(form, "fullAt") != null) {
            try {
                fullAt = LocalTime.parse(value(form, "fullAt"));
            } catch (DateTimeParseException e) {
                throw new SourceSettingsException("sources.error.fullAt", "the daily full import's time is a time of day such as 02:30");
            }
        }
        ImportSources.Auth auth = "OAUTH_CLIENT_CREDENTIALS".equals(value(form, "auth")) ? ImportSources.Auth.OAUTH_CLIENT_CREDENTIALS
                : ImportSources.Auth.BEARER;
        return new ImportSources.Settings(value(form, "name"), kind, value(form, "url"), value(form, "token"), delta, fullAt,
                "true".equals(form.getFirst("enabled")), "true".equals(form.getFirst("notifications")), auth, value(form, "tokenUrl"),
                value(form, "clientId"), value(form, "clientSecret"), value(form, "tokenScope"), value(form, "folder"),
                value(form, "alertEmails") == null ? java.util.List.of() : java.util.List.of(value(form, "alertEmails")),
                value(form, "clientCertificate"), value(form, "clientKey"), value(form, "serverCa"),
                "true".equals(form.getFirst("removeClientCertificate")), "true".equals(form.getFirst("removeServerCa")));
    }

    private static String value(MultiValueMap<String, String> form, String name) {
        String v = form.getFirst(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
