package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;

/**
 * The sign-in throttle against the real database, with a clock the test moves: failures in a row lock
 * an account out, a lockout refuses even the right password and ends on time, an address trying many
 * accounts is locked out too, and every failure is audited without the password typed.
 */
class SignInThrottleTest extends IntegrationTest {

    private static final String PASSWORD = "tranbär-och-lingon-42";
    private static final SignInLimits LIMITS = new SignInLimits(5, 8, Duration.ofMinutes(15), Duration.ZERO, Duration.ZERO);

    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    AdminUpstreamAccounts upstream;
    @Autowired
    SecondFactor secondFactor;

    private MutableClock clock;
    private SignInThrottle throttle;
    private AdminSignIn signIn;
    private String account;
    private String address;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.now());
        throttle = new SignInThrottle(jdbc, tx, LIMITS, Optional.of(clock));
        signIn = new AdminSignIn(accounts, throttle, audit, jdbc, upstream, secondFactor);
        account = "throttled-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(account, "Throttled", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        // a fresh address per test, so tests do not count against each other
        address = freshAddress();
    }

    @Test
    void theRightPasswordSignsIn() {
        Authentication result = signIn.authenticate(attempt(account, PASSWORD, address));
        assertThat(result.isAuthenticated()).isTrue();
        assertThat(result.getName()).isEqualTo(account);
    }

    @Test
    void failuresInARowLockTheAccountOutAndTheRightPasswordIsRefusedUntilTheLockoutEnds() {
        for (int i = 1; i <= 4; i++) {
            assertThatThrownBy(() -> signIn.authenticate(attempt(account, "not-the-password-" + UUID.randomUUID(), address)))
                    .isExactlyInstanceOf(BadCredentialsException.class);
        }
        // the fifth failure says "locked out", not "wrong password"
        assertThatThrownBy(() -> signIn.authenticate(attempt(account, "not-the-password-either", address)))
                .isInstanceOf(SignInLockedOut.class);

        // locked out: the right password, even from another address, gets nowhere and the lockout does not grow
        clock.advance(Duration.ofMinutes(14));
        assertThatThrownBy(() -> signIn.authenticate(attempt(account, PASSWORD, freshAddress())))
                .isInstanceOfSatisfying(SignInLockedOut.class, e -> assertThat(e.until()).isBefore(clock.instant().plus(Duration.ofMinutes(2))));

        // the lockout ends on time
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(signIn.authenticate(attempt(account, PASSWORD, address)).isAuthenticated()).isTrue();
    }

    @Test
    void aSuccessfulSignInStartsTheAccountAfresh() {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> signIn.authenticate(attempt(account, "almost-the-password", freshAddress())))
                        .isExactlyInstanceOf(BadCredentialsException.class);
            }
            assertThat(signIn.authenticate(attempt(account, PASSWORD, freshAddress())).isAuthenticated()).isTrue();
        }
    }

    @Test
    void oneAddressTryingManyAccountsIsLockedOutAndOthersAreNot() {
        // eight failures spread over eight names, none reaching the per-account limit
        for (int i = 0; i < 7; i++) {
            String name = "sprayed-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            assertThatThrownBy(() -> signIn.authenticate(attempt(name, "Vinter2026!!", address))).isExactlyInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> signIn.authenticate(attempt("sprayed-last", "Vinter2026!!", address))).isInstanceOf(SignInLockedOut.class);
        assertThatThrownBy(() -> signIn.authenticate(attempt(account, PASSWORD, address))).isInstanceOf(SignInLockedOut.class);
        assertThat(signIn.authenticate(attempt(account, PASSWORD, freshAddress())).isAuthenticated()).as("from elsewhere").isTrue();
    }

    @Test
    void unknownNamesAreThrottledLikeKnownOnesSoTheLockoutRevealsNoAccount() {
        String nobody = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> signIn.authenticate(attempt(nobody, "guess-number-" + UUID.randomUUID(), freshAddress())))
                    .isExactlyInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> signIn.authenticate(attempt(nobody, "guess-number-five", freshAddress()))).isInstanceOf(SignInLockedOut.class);
    }

    @Test
    void aFailedSignInIsAuditedWithNameAddressAndTimeButNeverThePassword() {
        String typed = "Hemligt-Lösen-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(5);
        assertThatThrownBy(() -> signIn.authenticate(attempt(account, typed, address))).isInstanceOf(BadCredentialsException.class);

        List<AuditTrail.Entry> entries = audit.about("admin_account", account).stream().filter(e -> e.action().equals("SIGN_IN_FAILED")).toList();
        assertThat(entries).hasSize(1);
        AuditTrail.Entry entry = entries.getFirst();
        assertThat(entry.targetId()).isEqualTo(account);
        assertThat(entry.detail()).contains("\"address\": \"" + address + "\"").contains("BAD_CREDENTIALS");
        assertThat(entry.occurredAt()).isAfter(before);
        // nowhere in the whole audit trail
        assertThat(jdbc.sql("select count(*) from audit_event where actor like :p or action like :p or target_id like :p or detail::text like :p")
                .param("p", "%" + typed + "%").query(Integer.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from sign_in_throttle where subject like :p").param("p", "%" + typed + "%").query(Integer.class).single()).isZero();
    }

    @Test
    void ipv6AddressesAreCountedByTheirSlash64() {
        assertThat(SignInThrottle.addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo(SignInThrottle.addressKey("2001:db8:1:2::1"))
                .isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(SignInThrottle.addressKey("2001:db8:1:3::1")).isNotEqualTo(SignInThrottle.addressKey("2001:db8:1:2::1"));
        assertThat(SignInThrottle.addressKey("192.0.2.10")).isEqualTo("192.0.2.10");
        assertThat(SignInThrottle.addressKey("::ffff:192.0.2.10")).isEqualTo("192.0.2.10");
    }

    @Test
    void thePolicyHoldsWhenAnAccountIsCreated() {
        assertThatThrownBy(() -> accounts.create("weak-" + UUID.randomUUID(), "Weak", "aaaaaaaaaaaa", EnumSet.of(AdminRight.BUYER), "test"))
                .isInstanceOfSatisfying(PasswordPolicy.PasswordRefused.class, e -> assertThat(e.problem()).isEqualTo(PasswordProblem.TOO_PREDICTABLE));
        String name = "sigrid-" + UUID.randomUUID().toString().substring(0, 6);
        assertThatThrownBy(() -> accounts.create(name, "Sigrid", name + "-lösenord", EnumSet.of(AdminRight.BUYER), "test"))
                .isInstanceOfSatisfying(PasswordPolicy.PasswordRefused.class, e -> assertThat(e.problem()).isEqualTo(PasswordProblem.CONTAINS_ACCOUNT_NAME));
        assertThat(accounts.exists(name)).isFalse();
    }

    @Test
    void aNameTypedAtTheAdministratorsDoorCountsThereOnlyNotAgainstTheSecondFactorOfTheAccountItSpells() {
        // "totp:<account>" was the second factor's own key while this door counted names bare: typing it here with wrong
        // passwords locked the account's second factor without its password
        for (int i = 0; i < LIMITS.maxFailuresPerAccount() + 1; i++) {
            int n = i;
            assertThatThrownBy(() -> signIn.authenticate(attempt(SignInThrottle.ADMIN_SECOND_FACTOR + account, "guess-" + n, freshAddress())))
                    .isInstanceOfAny(BadCredentialsException.class, SignInLockedOut.class);
        }
        assertThat(throttle.lockedUntil(SignInThrottle.ADMIN_PASSWORD + SignInThrottle.ADMIN_SECOND_FACTOR + account)).as("the name typed").isPresent();
        assertThat(throttle.lockedUntil(SignInThrottle.ADMIN_SECOND_FACTOR + account)).as("the account's second factor").isEmpty();
        assertThat(accounts.lockedOutUntil(account)).isEmpty();
        assertThat(signIn.authenticate(attempt(account, PASSWORD, freshAddress())).isAuthenticated()).isTrue();
    }

    @Test
    void anAccountAdministratorLiftsALockoutAuditedButNotTheirOwn() {
        for (int i = 0; i < LIMITS.maxFailuresPerAccount(); i++) {
            int n = i;
            assertThatThrownBy(() -> signIn.authenticate(attempt(account, "guess-" + n, freshAddress())))
                    .isInstanceOfAny(BadCredentialsException.class, SignInLockedOut.class);
        }
        assertThat(accounts.lockedOutUntil(account)).hasValueSatisfying(until -> assertThat(until).isAfter(Instant.now().plus(Duration.ofMinutes(10))));
        assertThatThrownBy(() -> signIn.authenticate(attempt(account, PASSWORD, freshAddress()))).isInstanceOf(SignInLockedOut.class);

        String admin = "lifter-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Lifter", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");
        assertThat(accounts.liftLockout(account, account)).as("an account without ACCOUNT_ADMIN manages none").isFalse();
        assertThatThrownBy(() -> accounts.liftLockout(admin, admin)).isInstanceOf(IllegalArgumentException.class);
        assertThat(accounts.lockedOutUntil(account)).isPresent();

        assertThat(accounts.liftLockout(admin, account)).isTrue();
        assertThat(accounts.lockedOutUntil(account)).isEmpty();
        assertThatThrownBy(() -> accounts.liftLockout(admin, account)).as("once per lockout period")
                .isInstanceOfSatisfying(AdminAccounts.LockoutLiftRefused.class, e -> assertThat(e.key()).isEqualTo("accounts.lockoutLiftedLately"));
        assertThat(signIn.authenticate(attempt(account, PASSWORD, freshAddress())).isAuthenticated()).isTrue();
        assertThat(audit.about("admin_account", account).stream().filter(e -> e.action().equals("ADMIN_SIGN_IN_LOCKOUT_LIFTED")).toList())
                .singleElement().satisfies(e -> {
                    assertThat(e.actor()).isEqualTo(admin);
                    assertThat(e.detail()).contains("\"wasLockedOut\": true");
                });
    }

    private static UsernamePasswordAuthenticationToken attempt(String name, String password, String from) {
        UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(name, password);
        token.setDetails(new WebAuthenticationDetails(from, null));
        return token;
    }

    /** An address in its own /64 of the IPv6 documentation prefix (RFC 3849). */
    private static String freshAddress() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "2001:db8:%x:%x::%x".formatted(random.nextInt(0x10000), random.nextInt(0x10000), random.nextInt(1, 0x10000));
    }
}
