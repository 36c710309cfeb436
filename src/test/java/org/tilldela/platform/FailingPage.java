package org.tilldela.platform;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** A page that fails (tests only): how the site answers an unexpected error (ErrorPagesTest). */
@Controller
@PreAuthorize("isAuthenticated()")
class FailingPage {

    @GetMapping("/test-only/fails")
    String fails() {
        throw new IllegalStateException("a failure the error page must not show");
    }
}
