package org.tilldela.governance;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Sign-in with a name and a password, throttled and audited: the throttle first (a locked-out name or
 * address is refused without looking at the password), then the password, and every failure goes to the
 * audit trail with the name typed and the remote address — never the password typed. Administrators sign
 * in through it ({@link AdminSignIn}), and so do pupils and staff with local accounts (the sso module);
 * each door counts its names apart ({@code namePrefix}), while an address's failures count across doors.
 * A door may refuse a name before its password is looked at ({@link #refuseBeforePassword}): such a refusal is
 * throttled and counted like a wrong password, so it can neither be asked without limit nor tell names apart faster
 * than guessing passwords would.
 */
public class ThrottledSignIn implements AuthenticationProvider {

    private final DaoAuthenticationProvider passwords;
    private final SignInThrottle throttle;
    private final AuditTrail audit;
    private final String accountKind;
    private final String namePrefix;
    private final String auditPrefix;

    /**
     * @param accountKind the audit trail's target type for failures (e.g. admin_account)
     * @param namePrefix  what the throttle counts a typed name under, so one door's names never lock another's (never
     *                    empty: see {@link SignInThrottle#ADMIN_PASSWORD})
     * @param auditPrefix what a failure's audit target puts before the typed name
     */
    public ThrottledSignIn(UserDetailsService accounts, PasswordEncoder encoder, SignInThrottle throttle, AuditTrail audit, String accountKind,
                           String namePrefix, String auditPrefix) {
        if (namePrefix.isEmpty()) {
            throw new IllegalArgumentException("a door counts its names under a prefix of its own");
        }
        this.passwords = new DaoAuthenticationProvider(accounts);
        this.passwords.setPasswordEncoder(encoder);
        this.throttle = throttle;
        this.audit = audit;
        this.accountKind = accountKind;
        this.namePrefix = namePrefix;
        this.auditPrefix = auditPrefix;
    }

    /**
     * Refuses the typed name whatever the password (by throwing), after the throttle let the attempt through and before
     * the password is checked; the door audits its own refusal. Nothing by default.
     */
    protected void refuseBeforePassword(Authentication request) throws AuthenticationException {
    }

    @Override
    public Authentication authenticate(Authentication request) throws AuthenticationException {
        String name = namePrefix + request.getName();
        String audited = auditPrefix + request.getName();
        String address = request.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
        SignInThrottle.Admission admission = throttle.admit(name, address);
        if (admission instanceof SignInThrottle.Refused refused) {
            recordFailure(audited, address, "LOCKED_OUT", null);
            throw new SignInLockedOut(refused.until());
        }
        SignInThrottle.Admitted attempt = (SignInThrottle.Admitted) admission;
        try {
            refuseBeforePassword(request);
        } catch (AuthenticationException refusedName) {
            throttle.failed(attempt).lockOutOrHoldBack();
            throw refusedName;
        }
        try {
            Authentication result = passwords.authenticate(request);
            throttle.succeeded(attempt);
            return result;
        } catch (AuthenticationException e) {
            SignInThrottle.Failure failure = throttle.failed(attempt);
            recordFailure(audited, address, e instanceof DisabledException ? "DISABLED" : "BAD_CREDENTIALS", failure);
            failure.lockOutOrHoldBack();
            throw e instanceof DisabledException ? new BadCredentialsException("Bad credentials") : e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private void recordFailure(String name, String address, String reason, SignInThrottle.Failure failure) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("address", address == null ? "unknown" : address);
        detail.put("reason", reason);
        if (failure != null && failure.lockedUntil().isPresent()) {
            detail.put("lockedOutUntil", failure.lockedUntil().get().toString());
        }
        String target = SignInThrottle.accountKey(name);
        audit.record("sign-in", "SIGN_IN_FAILED", accountKind, target, detail);
    }
}
