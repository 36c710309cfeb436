package org.tilldela.sso;

import org.springframework.stereotype.Component;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.SignInThrottle;
import org.tilldela.governance.ThrottledSignIn;

/**
 * How pupils and staff sign in with a local account: throttled and audited like administrators (failures
 * per sign-in name and per address, lockout, slowed answers), with their names counted apart from
 * administrators' so that neither door can lock the other's accounts.
 */
@Component
class PersonSignIn extends ThrottledSignIn {

    PersonSignIn(PersonAccounts accounts, SignInThrottle throttle, AuditTrail audit) {
        super(accounts.userDetails(), accounts.passwordEncoder(), throttle, audit, "person_account", "person:", "person:");
    }
}
