package org.tilldela.governance.web;

import java.util.Map;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.governance.AdminAccounts;

/**
 * The e-mail and language form, the same on an administrator's account page and on the account holder's own: on a
 * refusal the typed values go back into the form with the error by its field (flash attributes, Strings only, so the
 * database-stored session can hold them); on success a message.
 */
final class ContactForm {

    private ContactForm() {
    }

    /** @return whether it was saved */
    static boolean save(AdminAccounts accounts, String actor, String username, String email, String language, RedirectAttributes flash) {
        try {
            if (!accounts.setContact(actor, username, email, language)) {
                throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.NOT_FOUND);
            }
            flash.addFlashAttribute("message", "contact.saved");
            return true;
        } catch (AdminAccounts.ContactRefused e) {
            flash.addFlashAttribute("contact", new AdminAccounts.Contact(email, language));
            flash.addFlashAttribute("contactErrors", Map.of(e.field(), e.key()));
            return false;
        }
    }
}
