package org.tilldela.platform;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class LoginPage {

    /** Named in the lockout message, so a locked-out administrator knows how long to wait at most. */
    private final long lockoutMinutes;

    LoginPage(@Value("${tilldela.sign-in.lockout:15m}") Duration lockout) {
        this.lockoutMinutes = Math.max(1, (lockout.toSeconds() + 59) / 60);
    }

    @GetMapping("/login")
    String login(Model model) {
        model.addAttribute("lockoutMinutes", lockoutMinutes);
        return "login";
    }
}
