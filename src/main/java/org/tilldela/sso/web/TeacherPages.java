package org.tilldela.sso.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.sso.MyClasses;
import org.tilldela.sso.PersonAccounts;

/**
 * "My classes": a teacher, signed in as a person (never as an administrator), sees the classes they teach
 * and acts for those pupils — sets a password, prints sign-in cards, ends a card. What they may do is
 * MyClasses' to decide (from the directory, each time); a class or pupil that is not theirs is "not found".
 */
@Controller
@PreAuthorize("hasAuthority('ROLE_PERSON')")
@RequestMapping("/start/classes")
class TeacherPages {

    private final MyClasses classes;
    private final AuthorizationServerSettings provider;

    TeacherPages(MyClasses classes, AuthorizationServerSettings provider) {
        this.classes = classes;
        this.provider = provider;
    }

    @GetMapping
    String classes(Authentication person, Model model) {
        model.addAttribute("classes", classes.classes(teacher(person)));
        return "sso/classes";
    }

    @GetMapping("/{classId}")
    String klass(@PathVariable UUID classId, @RequestParam(name = "done", required = false) String done,
                 @RequestParam(name = "pupil", required = false) UUID pupil, Authentication person, Model model) {
        MyClasses.ClassPage page = classes.page(teacher(person), classId);
        model.addAttribute("page", page);
        if (done != null && java.util.Set.of("password", "revoked", "already-made").contains(done)) {
            model.addAttribute("done", done);
            model.addAttribute("donePupil", page.pupils().stream().filter(p -> p.id().equals(pupil)).findFirst().orElse(null));
        }
        return "sso/class";
    }

    @GetMapping("/{classId}/pupils/{pupilId}/password")
    String passwordForm(@PathVariable UUID classId, @PathVariable UUID pupilId, Authentication person, Model model) {
        UUID teacher = teacher(person);
        // the one class and the one pupil: the class page would audit every protected classmate as seen
        model.addAttribute("taught", classes.taught(teacher, classId));
        model.addAttribute("pupil", classes.shownPupil(teacher, classId, pupilId));
        model.addAttribute("username", classes.username(teacher, classId, pupilId).orElse(""));
        return "sso/pupil-password";
    }

    @PostMapping("/{classId}/pupils/{pupilId}/password")
    String setPassword(@PathVariable UUID classId, @PathVariable UUID pupilId, @RequestParam(defaultValue = "") String username,
                       @RequestParam(defaultValue = "") String password, Authentication person, Model model) {
        UUID teacher = teacher(person);
        try {
            classes.setPassword(teacher, classId, pupilId, username, password);
            return "redirect:/start/classes/" + classId + "?done=password&pupil=" + pupilId;
        } catch (PersonAccounts.AccountRefused refused) {
            // the one class and the one pupil: the class page would audit every protected classmate as seen
            model.addAttribute("taught", classes.taught(teacher, classId));
            model.addAttribute("pupil", classes.shownPupil(teacher, classId, pupilId));
            model.addAttribute("username", username);
            model.addAttribute("refusal", refused.refusal().name());
            return "sso/pupil-password";
        }
    }

    /** Makes the cards and shows them this once: their tokens and pictures are kept nowhere but as hashes. */
    @PostMapping("/{classId}/cards")
    String makeCards(@PathVariable UUID classId, @RequestParam(name = "pupil", required = false) UUID pupil,
                     @RequestParam(name = FormSubmissions.FIELD, required = false) UUID form, Authentication person, Model model,
                     HttpServletRequest request, HttpServletResponse response) {
        String issuer = provider.getIssuer() != null ? provider.getIssuer() : ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
        var sheet = classes.makeCards(teacher(person), classId, pupil, form, issuer);
        if (sheet.isEmpty()) {
            return "redirect:/start/classes/" + classId + "?done=already-made";
        }
        response.setHeader("Cache-Control", "no-store");
        model.addAttribute("sheet", sheet.get());
        return "sso/cards-print";
    }

    @PostMapping("/{classId}/pupils/{pupilId}/card/revoke")
    String revoke(@PathVariable UUID classId, @PathVariable UUID pupilId, Authentication person) {
        classes.revokeCard(teacher(person), classId, pupilId);
        return "redirect:/start/classes/" + classId + "?done=revoked&pupil=" + pupilId;
    }

    /** Another class or pupil: answered as if there were none, so the answer tells nothing about them. */
    @ExceptionHandler(MyClasses.NotYourPupil.class)
    void notYours(HttpServletResponse response) throws java.io.IOException {
        response.sendError(HttpStatus.NOT_FOUND.value());
    }

    private static UUID teacher(Authentication person) {
        return UUID.fromString(person.getName());
    }
}
