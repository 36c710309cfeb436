package org.tilldela.governance;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;

/**
 * How an administrator signs in, through the web form and the API's HTTP Basic alike: see {@link ThrottledSignIn}.
 * A successful sign-in is noted on the account ({@code last_signed_in_at}): access reviews flag grants of
 * accounts not signed in for months.
 */
@Component
public class AdminSignIn extends ThrottledSignIn {

    private final JdbcClient jdbc;

    AdminSignIn(AdminAccounts accounts, SignInThrottle throttle, AuditTrail audit, JdbcClient jdbc) {
        super(accounts, accounts.passwordEncoder(), throttle, audit, "admin_account", "");
        this.jdbc = jdbc;
    }

    @Override
    public Authentication authenticate(Authentication request) throws AuthenticationException {
        Authentication result = super.authenticate(request);
        // HTTP Basic signs in on every request: written at most once an hour, so API calls do not each update the row
        jdbc.sql("""
                        update admin_account set last_signed_in_at = now()
                        where username = :u and (last_signed_in_at is null or last_signed_in_at < now() - interval '1 hour')
                        """).param("u", result.getName()).update();
        return result;
    }
}
