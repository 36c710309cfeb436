package org.tilldela.governance.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminAccounts.PasswordChange;

/** Every administrator changes their own password here (navigation bar, next to their name). */
@Controller
@PreAuthorize("hasRole('ADMIN')")
@RequestMapping("/account/password")
class PasswordPage {

    private final AdminAccounts accounts;
    /** Absent when the jar runs as a command (no web server, no sessions). */
    private final ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions;

    PasswordPage(AdminAccounts accounts, ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions) {
        this.accounts = accounts;
        this.sessions = sessions;
    }

    @GetMapping
    String form(Model model) {
        model.addAttribute("errors", Map.of());
        return "account/password";
    }

    @PostMapping
    String change(@RequestParam(defaultValue = "") String currentPassword, @RequestParam(defaultValue = "") String newPassword,
                  @RequestParam(defaultValue = "") String repeatPassword, Authentication user, HttpServletRequest request,
                  Model model, RedirectAttributes flash) {
        // message keys by field; the passwords themselves are never put back into the page
        Map<String, String> errors = new LinkedHashMap<>();
        if (!newPassword.equals(repeatPassword)) {
            errors.put("repeatPassword", "password.mismatch");
        } else {
            PasswordChange change = accounts.changeOwnPassword(user.getName(), currentPassword, newPassword, request.getRemoteAddr());
            switch (change.outcome()) {
                case CHANGED -> {
                    signOutElsewhere(user.getName(), request);
                    flash.addFlashAttribute("changed", Boolean.TRUE);
                    return "redirect:/account/password";
                }
                case WRONG_CURRENT_PASSWORD -> errors.put("currentPassword", "password.wrongCurrent");
                case LOCKED_OUT -> model.addAttribute("lockedOut", true);
                case NEW_PASSWORD_REFUSED -> errors.put("newPassword", "password.problem." + change.problem().name());
            }
        }
        model.addAttribute("errors", errors);
        return "account/password";
    }

    /**
     * A password is changed when it may be known to someone else: their sessions end with it. This one
     * goes on under a new id.
     */
    private void signOutElsewhere(String username, HttpServletRequest request) {
        // the others first: until this request ends, the stored copy of this session still has its old id
        String current = request.getSession().getId();
        sessions.ifAvailable(stored -> stored.findByPrincipalName(username).keySet().stream().filter(id -> !id.equals(current))
                .forEach(stored::deleteById));
        request.changeSessionId();
    }
}
