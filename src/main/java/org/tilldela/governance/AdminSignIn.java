package org.tilldela.governance;

import org.springframework.stereotype.Component;

/** How an administrator signs in, through the web form and the API's HTTP Basic alike: see {@link ThrottledSignIn}. */
@Component
public class AdminSignIn extends ThrottledSignIn {

    AdminSignIn(AdminAccounts accounts, SignInThrottle throttle, AuditTrail audit) {
        super(accounts, accounts.passwordEncoder(), throttle, audit, "admin_account", "");
    }
}
