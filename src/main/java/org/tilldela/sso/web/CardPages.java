package org.tilldela.sso.web;

import java.util.List;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.tilldela.sso.Picture;
import org.tilldela.sso.SignInCards;

/**
 * Where a sign-in card's QR code leads: the pupil's first name and the pictures to pick their picture
 * password from. Each picture is a button of a plain form, so it works without JavaScript and with the
 * keyboard; a pick comes back here until the last one, which signs in (CardSignInFilter). The page shows how
 * many pictures are picked, never which.
 */
@Controller
@PreAuthorize("permitAll()")
class CardPages {

    private final SignInCards cards;

    CardPages(SignInCards cards) {
        this.cards = cards;
    }

    @GetMapping("/sign-in/card/{token}")
    String card(@PathVariable String token, Model model) {
        return page(token, List.of(), null, model);
    }

    @PostMapping("/sign-in/card")
    String pick(@RequestParam(defaultValue = "") String token, @RequestParam(required = false) String picked, @RequestParam(required = false) String pick,
                @RequestParam(required = false) String clear, Model model) {
        return page(token, Picture.afterPick(picked, pick, clear != null), clear != null ? null : pick, model);
    }

    private String page(String token, List<Picture> picked, String last, Model model) {
        SignInCards.Face face = cards.face(token);
        model.addAttribute("face", face);
        model.addAttribute("token", token);
        model.addAttribute("pictures", Picture.values());
        model.addAttribute("picked", Picture.join(picked));
        model.addAttribute("count", picked.size());
        model.addAttribute("length", Picture.LENGTH);
        // the keyboard goes on from the picture just picked (the page is new after every pick)
        model.addAttribute("last", last);
        return "sso/card-sign-in";
    }
}
