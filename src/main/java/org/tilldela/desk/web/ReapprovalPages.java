package org.tilldela.desk.web;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessRefused;
import org.tilldela.desk.AgreementReapprovals;
import org.tilldela.platform.FormSubmissions;

/**
 * The school's re-approval of data-access agreements: the agreements within the access administrator's scope that come
 * up for re-approval soon (or lapsed), and each one's overview of the processing with the form to re-approve or narrow it.
 * An agreement outside the caller's scope answers 404.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN')")
class ReapprovalPages {

    private final AgreementReapprovals reapprovals;
    private final MessageSource messages;
    private final FormSubmissions forms;

    ReapprovalPages(AgreementReapprovals reapprovals, MessageSource messages, FormSubmissions forms) {
        this.reapprovals = reapprovals;
        this.messages = messages;
        this.forms = forms;
    }

    @GetMapping("/access/reapprovals")
    String list(Model model, Authentication auth) {
        model.addAttribute("due", reapprovals.due(auth));
        model.addAttribute("remindDays", AgreementReapprovals.REMIND_DAYS);
        return "desk/reapprovals";
    }

    @GetMapping("/access/reapprovals/{id}")
    String page(@PathVariable UUID id, Model model, Authentication auth) {
        DataAccessAgreement agreement = reapprovals.find(auth, id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        AgreementReapprovals.Overview overview = reapprovals.overview(agreement);
        model.addAttribute("o", overview);
        model.addAttribute("a", agreement);
        model.addAttribute("attributes", agreement.approvedAttributes().stream().sorted().toList());
        if (!model.containsAttribute("ticked")) {
            model.addAttribute("ticked", agreement.approvedAttributes());
        }
        model.addAttribute("remindDays", AgreementReapprovals.REMIND_DAYS);
        model.addAttribute("mayReapprove", reapprovals.mayReapprove(auth, id));
        return "desk/reapproval";
    }

    @PostMapping("/access/reapprovals/{id}")
    String reapprove(@PathVariable UUID id, @RequestParam(required = false) Set<org.tilldela.catalog.Attribute> attributes,
                     @RequestParam(required = false) String reason, @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken,
                     Authentication auth, RedirectAttributes redirect, Locale locale) {
        reapprovals.find(auth, id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        try {
            return forms.once(formToken, auth.getName(), "access.reapprove", () -> {
                if (attributes == null || attributes.isEmpty()) {
                    // nothing ticked means nothing chosen, never "as it stands": to stop all data, revoke the agreement
                    throw new DataAccessRefused("reapprovalNothingTicked", "Tick what the supplier may go on receiving; to stop everything, revoke the agreement.");
                }
                reapprovals.reapprove(auth, id, attributes, reason).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
                redirect.addFlashAttribute("message", "gov3.reapproval.done");
                return "redirect:/access/reapprovals/" + id;
            });
        } catch (DataAccessRefused e) {
            redirect.addFlashAttribute("error", e.code() == null ? e.getMessage()
                    : messages.getMessage("access.refused." + e.code(), e.args(), e.getMessage(), locale));
            redirect.addFlashAttribute("ticked", attributes == null ? Set.of() : Set.copyOf(attributes));
            redirect.addFlashAttribute("reapproveReason", reason);
            return "redirect:/access/reapprovals/" + id;
        }
    }
}
