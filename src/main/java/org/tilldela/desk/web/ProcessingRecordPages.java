package org.tilldela.desk.web;

import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.desk.ProcessingRecord;
import org.tilldela.platform.CsvExport;

/**
 * The record of processing activities on the desk: the versions generated so far (newest first, each as CSV and PDF)
 * and a button to generate one now. A version outside the caller's scope answers 404.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') or @scopes.wholeInstallation(authentication, 'ACCOUNT_ADMIN')")
class ProcessingRecordPages {

    private final ProcessingRecord record;

    ProcessingRecordPages(ProcessingRecord record) {
        this.record = record;
    }

    @GetMapping("/dpo/processing-record")
    String versions(Model model, Authentication auth) {
        model.addAttribute("versions", record.versions(auth));
        return "desk/processing-record";
    }

    @PostMapping("/dpo/processing-record")
    String generate(Authentication auth, Locale locale, RedirectAttributes flash) {
        ProcessingRecord.Version v = record.generate(auth, locale);
        flash.addFlashAttribute("message", "gov2.art30.generatedNow");
        flash.addFlashAttribute("entries", v.entries());
        return "redirect:/dpo/processing-record";
    }

    @GetMapping("/dpo/processing-record/{id}.csv")
    ResponseEntity<byte[]> csv(@PathVariable long id, Authentication auth) {
        return CsvExport.download("processing-record-" + id + ".csv", record.file(auth, id, "csv").orElseThrow(ProcessingRecordPages::notFound));
    }

    @GetMapping("/dpo/processing-record/{id}.pdf")
    ResponseEntity<byte[]> pdf(@PathVariable long id, Authentication auth) {
        byte[] pdf = record.file(auth, id, "pdf").orElseThrow(ProcessingRecordPages::notFound);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"processing-record-" + id + ".pdf\"").body(pdf);
    }

    private static ResponseStatusException notFound() {
        return new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
}
