package org.tilldela.governance;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * How an administrator signs in with a local password, through the web form and the API's HTTP Basic alike: see
 * {@link ThrottledSignIn}. A successful sign-in is noted on the account ({@code last_signed_in_at}): access reviews
 * flag grants of accounts not signed in for months.
 *
 * <p>A right password is still refused (and the refusal audited) for an account of an organiser with its own identity
 * provider: it signs in through that provider ({@link AdminUpstreamAccounts}), unless an account administrator marked
 * it break-glass, whose every password sign-in is audited. On the API door ({@link #apiDoor()}) a right password is
 * refused, too, for an account that must have a second factor: it uses a personal API token ({@link ApiTokens}).
 */
@Component
public class AdminSignIn extends ThrottledSignIn {

    private final JdbcClient jdbc;
    private final AdminUpstreamAccounts upstream;
    private final SecondFactor secondFactor;
    private final AuditTrail audit;

    AdminSignIn(AdminAccounts accounts, SignInThrottle throttle, AuditTrail audit, JdbcClient jdbc, AdminUpstreamAccounts upstream,
                SecondFactor secondFactor) {
        super(accounts, accounts.passwordEncoder(), throttle, audit, "admin_account", SignInThrottle.ADMIN_PASSWORD, "");
        this.jdbc = jdbc;
        this.upstream = upstream;
        this.secondFactor = secondFactor;
        this.audit = audit;
    }

    /**
     * Decided before the password is checked, and the same whatever was typed: answering "use your organisation's
     * sign-in" only to the right password would tell a guesser when they had it. Throttled and counted like a wrong
     * password (ThrottledSignIn), so that the answer is no faster a way to learn which names are bound to a provider,
     * nor a way to write refusals into the audit trail without limit.
     */
    @Override
    protected void refuseBeforePassword(Authentication request) throws AuthenticationException {
        refuseIfUpstreamOnly(request.getName(), request);
    }

    @Override
    public Authentication authenticate(Authentication request) throws AuthenticationException {
        Authentication result = super.authenticate(request);
        String name = result.getName();
        // the login form's name may differ in case from the account's: decided again for the account itself
        Optional<Map<String, Object>> breakGlass = name.equals(request.getName()) ? upstreamOnly(name, request) : refuseIfUpstreamOnly(name, request);
        // a break-glass account past its provider, with the right password: audited as such
        breakGlass.ifPresent(detail -> audit.record("sign-in", "ADMIN_BREAK_GLASS_SIGN_IN", "admin_account", name, detail));
        // HTTP Basic signs in on every request: written at most once an hour, so API calls do not each update the row
        jdbc.sql("""
                        update admin_account set last_signed_in_at = now()
                        where username = :u and (last_signed_in_at is null or last_signed_in_at < now() - interval '1 hour')
                        """).param("u", name).update();
        return result;
    }

    /**
     * An account of an organiser with its own provider, with a way in through it, signs in there unless break-glass:
     * refused here (audited); a break-glass one answers the audit detail of its sign-in.
     */
    private Optional<Map<String, Object>> refuseIfUpstreamOnly(String name, Authentication request) {
        Optional<Map<String, Object>> detail = upstreamOnly(name, request);
        if (detail.isPresent() && !upstream.breakGlass(name)) {
            audit.record("sign-in", "ADMIN_LOCAL_SIGN_IN_REFUSED", "admin_account", name, detail.get());
            throw new UpstreamSignInRequired();
        }
        return detail;
    }

    /** The audit detail when the account must sign in through its organiser's provider (break-glass or not), else empty. */
    private Optional<Map<String, Object>> upstreamOnly(String name, Authentication request) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        Set<UUID> withProvider = upstream.providerOrganisers(name);
        return withProvider.isEmpty() ? Optional.empty()
                : Optional.of(Map.of("organisers", withProvider.stream().map(UUID::toString).sorted().toList(), "address", address(request)));
    }

    /**
     * The API's HTTP Basic door: as the web form, and a right password of an account that must have a second factor
     * (enrolled, required of it, or of every account) is refused, audited: the password alone would get round it.
     */
    public AuthenticationProvider apiDoor() {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication request) throws AuthenticationException {
                Authentication result = AdminSignIn.this.authenticate(request);
                if (secondFactor.requiredFor(result.getName()) || secondFactor.enrolled(result.getName())) {
                    audit.record("sign-in", "ADMIN_API_PASSWORD_REFUSED", "admin_account", result.getName(),
                            Map.of("reason", "SECOND_FACTOR", "address", address(request)));
                    throw new PasswordAloneRefused();
                }
                return result;
            }

            @Override
            public boolean supports(Class<?> authentication) {
                return AdminSignIn.this.supports(authentication);
            }
        };
    }

    private static String address(Authentication request) {
        return request.getDetails() instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null ? web.getRemoteAddress() : "unknown";
    }
}
