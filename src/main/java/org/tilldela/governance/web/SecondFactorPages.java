package org.tilldela.governance.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.SecondFactor;
import org.tilldela.platform.QrCode;

/**
 * The second factor in the web UI. At sign-in, after a right password, the session holds a token that opens
 * this page only (see platform's SecurityConfiguration): the code, or for an account that must enrol first the
 * QR code and a first code; a right code signs the account in fully, in a new session id. Signed in, an
 * administrator enrols on /account/second-factor.
 */
@Controller
// each method names its own: the sign-in step wants the token between password and code, the account page a signed-in administrator
@PreAuthorize("isAuthenticated()")
class SecondFactorPages {

    private static final String PENDING = "hasAnyAuthority('SECOND_FACTOR_PENDING', 'SECOND_FACTOR_ENROLMENT')";

    private final SecondFactor secondFactor;
    private final AdminAccounts accounts;
    private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();
    private final AccountSessions openSessions;

    SecondFactorPages(SecondFactor secondFactor, AdminAccounts accounts, AccountSessions openSessions) {
        this.secondFactor = secondFactor;
        this.accounts = accounts;
        this.openSessions = openSessions;
    }

    private static boolean enrolling(Authentication auth) {
        return auth.getAuthorities().stream().anyMatch(a -> "SECOND_FACTOR_ENROLMENT".equals(a.getAuthority()));
    }

    @GetMapping("/login/second-factor")
    @PreAuthorize(PENDING)
    String signInStep(Model model, Authentication auth) {
        if (enrolling(auth)) {
            offer(model, auth.getName());
        }
        model.addAttribute("signingIn", true);
        return "governance/second-factor";
    }

    @PostMapping("/login/second-factor")
    @PreAuthorize(PENDING)
    String signInCode(@RequestParam(defaultValue = "") String code, Authentication auth, HttpServletRequest request, HttpServletResponse response) {
        String name = auth.getName();
        boolean enrolling = enrolling(auth);
        SecondFactor.Outcome outcome = enrolling ? secondFactor.confirm(name, code, request.getRemoteAddr(), Instant.now())
                : secondFactor.verify(name, code, request.getRemoteAddr(), Instant.now());
        if (outcome != SecondFactor.Outcome.ACCEPTED) {
            return "redirect:/login/second-factor?" + (outcome == SecondFactor.Outcome.LOCKED_OUT ? "locked" : "wrong");
        }
        if (enrolling) {
            // sessions from before the second factor was required, signed in with the password alone
            openSessions.signOutAllBut(name, request.getSession().getId());
        }
        // the rights as they are now (a grant revoked since the password was typed is gone), and a new session id
        UserDetails user = accounts.loadUserByUsername(name);
        if (!user.isEnabled()) {
            return "redirect:/login?error";
        }
        request.changeSessionId();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()));
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        return "redirect:/";
    }

    @GetMapping("/account/second-factor")
    @PreAuthorize("hasRole('ADMIN')")
    String account(Model model, Authentication auth) {
        boolean enrolled = secondFactor.enrolled(auth.getName());
        model.addAttribute("enrolled", enrolled);
        if (!enrolled) {
            offer(model, auth.getName());
        }
        return "governance/second-factor";
    }

    @PostMapping("/account/second-factor")
    @PreAuthorize("hasRole('ADMIN')")
    String enrol(@RequestParam(defaultValue = "") String code, Authentication auth, HttpServletRequest request) {
        SecondFactor.Outcome outcome = secondFactor.confirm(auth.getName(), code, request.getRemoteAddr(), Instant.now());
        if (outcome == SecondFactor.Outcome.ACCEPTED) {
            // this session has just shown the second factor; the account's others were signed in with the password alone,
            // perhaps by whoever made it want one
            // (by the id it is stored under: a new id is stored only as the request ends)
            openSessions.signOutAllBut(auth.getName(), request.getSession().getId());
            request.changeSessionId();
        }
        return "redirect:/account/second-factor" + switch (outcome) {
            case ACCEPTED -> "?enrolled";
            case LOCKED_OUT -> "?locked";
            case WRONG -> "?wrong";
        };
    }

    private void offer(Model model, String username) {
        SecondFactor.Offer offer = secondFactor.pendingOffer(username).orElseGet(() -> secondFactor.offer(username));
        model.addAttribute("offer", offer);
        model.addAttribute("qr", QrCode.of(offer.uri()));
    }
}
