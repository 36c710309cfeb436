package org.tilldela.governance.web;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.governance.AdminAccounts;

/** Every administrator sets their own e-mail address and language for the notices Tilldela mails them (navigation bar). */
@Controller
@PreAuthorize("hasRole('ADMIN')")
@RequestMapping("/account/contact")
class ContactPage {

    private final AdminAccounts accounts;

    ContactPage(AdminAccounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping
    String form(Model model, Authentication auth) {
        if (!model.containsAttribute("contact")) {
            model.addAttribute("contact", accounts.contact(auth.getName()));
        }
        model.addAttribute("languages", AdminAccounts.LANGUAGES);
        if (!model.containsAttribute("contactErrors")) {
            model.addAttribute("contactErrors", java.util.Map.of());
        }
        return "account/contact";
    }

    @PostMapping
    String save(@RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String language, Authentication auth,
                RedirectAttributes flash) {
        ContactForm.save(accounts, auth.getName(), auth.getName(), email, language, flash);
        return "redirect:/account/contact";
    }
}
