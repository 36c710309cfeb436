package org.tilldela.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** Administrator accounts and their rights; the source of sign-in for the admin UI and API. */
@Service
public class AdminAccounts implements UserDetailsService {

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final AuditTrail audit;
    private final PasswordPolicy policy;
    private final SignInThrottle throttle;
    private final TransactionTemplate tx;
    private final AdminGrants grants;

    AdminAccounts(JdbcClient jdbc, AuditTrail audit, PasswordPolicy policy, SignInThrottle throttle, TransactionTemplate tx, AdminGrants grants,
                  @Value("${tilldela.passwords.bcrypt-strength:10}") int bcryptStrength) {
        this.jdbc = jdbc;
        this.passwords = encoder(bcryptStrength);
        this.audit = audit;
        this.policy = policy;
        this.throttle = throttle;
        this.tx = tx;
        this.grants = grants;
    }

    PasswordEncoder passwordEncoder() {
        return passwords;
    }

    /**
     * bcrypt today, upgradable later: hashes carry their algorithm ({bcrypt}…), and a hash of any algorithm Spring
     * Security knows still matches. A hash's work factor is in the hash, so a changed strength applies to new passwords
     * and every existing one keeps matching. The strength is configurable for the test suite, which creates and checks
     * hundreds of administrator passwords (at 10 they were a third of its CPU time); below 10 it says so at start
     * with a warning, never silently.
     */
    static PasswordEncoder encoder(int bcryptStrength) {
        if (bcryptStrength < 4 || bcryptStrength > 31) {
            throw new IllegalArgumentException("tilldela.passwords.bcrypt-strength must be between 4 and 31, not " + bcryptStrength);
        }
        if (bcryptStrength < 10) {
            org.slf4j.LoggerFactory.getLogger(AdminAccounts.class).warn(
                    "tilldela.passwords.bcrypt-strength is {}: administrator passwords are hashed with less work than bcrypt's default of 10. "
                            + "Meant for test suites only, never for an installation with real accounts.", bcryptStrength);
        }
        DelegatingPasswordEncoder encoder = new DelegatingPasswordEncoder("bcrypt", Map.of("bcrypt", new BCryptPasswordEncoder(bcryptStrength)));
        encoder.setDefaultPasswordEncoderForMatches(PasswordEncoderFactories.createDelegatingPasswordEncoder());
        return encoder;
    }

    public boolean exists(String username) {
        return jdbc.sql("select count(*) from admin_account where username = :u").param("u", username).query(Integer.class).single() > 0;
    }

    public boolean any() {
        return jdbc.sql("select count(*) from admin_account").query(Integer.class).single() > 0;
    }

    /**
     * Creates an account holding {@code rights} over the WHOLE INSTALLATION: for the first administrator
     * (FirstStart), bootstrap and demo accounts, and tests. Administrators create accounts through
     * {@link #create(String, String, String, String)} and grant scoped rights through {@link AdminGrants}.
     */
    @Transactional
    public void create(String username, String displayName, String rawPassword, Set<AdminRight> rights, String createdBy) {
        insert(username, displayName, rawPassword);
        for (AdminRight right : rights) {
            grants.grantWholeInstallation(username, right, createdBy);
        }
        audit.record(createdBy, "ADMIN_ACCOUNT_CREATED", "admin_account", username,
                Map.of("rights", rights.stream().map(Enum::name).sorted().toList(), "wholeInstallation", true));
    }

    /**
     * An administrator holding ACCOUNT_ADMIN creates an account without rights: they are granted one by one,
     * each within the granting account's own scope ({@link AdminGrants#grant}).
     */
    @Transactional
    public Account create(String actor, String username, String displayName, String rawPassword) {
        if (!grants.holdsAnywhere(actor, AdminRight.ACCOUNT_ADMIN)) {
            // a web session keeps the rights of its sign-in: one whose ACCOUNT_ADMIN was revoked since creates nothing
            throw new org.springframework.security.access.AccessDeniedException("You no longer hold the right to create accounts.");
        }
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("An account name is 2 to 64 letters, digits, dots, dashes, underscores or @.");
        }
        if (displayName == null || displayName.isBlank() || displayName.length() > 200) {
            throw new IllegalArgumentException("An account needs a display name (at most 200 characters).");
        }
        if (RESERVED.contains(username.toLowerCase(java.util.Locale.ROOT)) || UUID_SHAPED.matcher(username).matches()) {
            throw new IllegalArgumentException("The account name " + username + " is reserved: Tilldela records its own work under it.");
        }
        if (exists(username)) {
            throw new IllegalArgumentException("There is already an account " + username + ".");
        }
        insert(username, displayName.strip(), rawPassword);
        audit.record(actor, "ADMIN_ACCOUNT_CREATED", "admin_account", username, Map.of("rights", List.of()));
        return account(username).orElseThrow();
    }

    private static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("[\\p{L}\\p{N}._@-]{2,64}");
    /**
     * The names Tilldela's own work is recorded under in the audit trail (schedulers, sign-in, retention, imports, the
     * demo), and names shaped like an id (clients and suppliers are recorded by id): an account of that name would pass
     * its actions off as the system's, or the system's as its own.
     */
    private static final Set<String> RESERVED = Set.of("system", "retention", "sign-in", "sso", "duty-rules", "benchmark", "import", "licensing",
            "demo", "first-start", "cli", "test", "anonymous", "scheduler");
    private static final java.util.regex.Pattern UUID_SHAPED = java.util.regex.Pattern.compile("[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}");

    private void insert(String username, String displayName, String rawPassword) {
        policy.check(rawPassword, username);
        jdbc.sql("insert into admin_account (username, password_hash, display_name) values (:u, :p, :d)")
                .param("u", username).param("p", passwords.encode(rawPassword)).param("d", displayName).update();
    }

    /** An administrator account as the account pages show it: never its password hash. */
    public record Account(String username, String displayName, boolean enabled, java.time.Instant createdAt) {
    }

    @Transactional(readOnly = true)
    public Optional<Account> account(String username) {
        return jdbc.sql("select username, display_name, enabled, created_at from admin_account where username = :u").param("u", username)
                .query(AdminAccounts::account).optional();
    }

    /** The accounts {@code actor} may manage: every grant they hold is one the actor could have granted ({@link AdminGrants#withinReach}). */
    @Transactional(readOnly = true)
    public List<Account> manageableBy(String actor) {
        // whether the actor holds ACCOUNT_ADMIN now is asked once for the list, not once per account
        if (!grants.holdsAnywhere(actor, AdminRight.ACCOUNT_ADMIN)) {
            return List.of();
        }
        return jdbc.sql("select username, display_name, enabled, created_at from admin_account order by username").query(AdminAccounts::account).list()
                .stream().filter(a -> grants.grantsWithin(actor, a.username())).toList();
    }

    /** The account, if {@code actor} may manage it; otherwise as if there were none. */
    @Transactional(readOnly = true)
    public Optional<Account> manageable(String actor, String username) {
        return account(username).filter(a -> grants.withinReach(actor, a.username()));
    }

    /**
     * Disables (or enables again) an account the actor may manage; not their own, which would lock them out.
     * A disabled account signs in no more and, through {@link Scopes}, sees nothing even in a session still open.
     */
    @Transactional
    public boolean setEnabled(String actor, String username, boolean enabled) {
        if (manageable(actor, username).isEmpty()) {
            return false;
        }
        if (actor.equals(username)) {
            throw new IllegalArgumentException("You cannot disable or enable your own account.");
        }
        jdbc.sql("update admin_account set enabled = :e where username = :u").param("e", enabled).param("u", username).update();
        audit.record(actor, enabled ? "ADMIN_ACCOUNT_ENABLED" : "ADMIN_ACCOUNT_DISABLED", "admin_account", username, Map.of());
        return true;
    }

    /**
     * Until when the account's sign-in is locked out after repeated failures — by its password, or by its second
     * factor's codes — if it is now.
     */
    public java.util.Optional<java.time.Instant> lockedOutUntil(String username) {
        return java.util.stream.Stream.of(SignInThrottle.ADMIN_PASSWORD, SignInThrottle.ADMIN_SECOND_FACTOR)
                .flatMap(door -> throttle.lockedUntil(door + username).stream()).max(java.util.Comparator.naturalOrder());
    }

    /**
     * An account administrator lifts the account's sign-in lockout (its owner, locked out by someone guessing, need not
     * wait it out): the failures counted against its name, at the password and at the second factor, are forgotten.
     * Audited. Not one's own: a session left open could otherwise go on guessing its own password at the password
     * change, lifting each lockout it ran into. And once per lockout period (tilldela.sign-in.lockout) for an account:
     * lifted again and again, the lockout would no longer slow anyone guessing its password or codes.
     *
     * @throws LockoutLiftRefused for one's own account, or one lifted within the period
     */
    @Transactional
    public boolean liftLockout(String actor, String username) {
        if (manageable(actor, username).isEmpty()) {
            return false;
        }
        if (actor.equals(username)) {
            throw new LockoutLiftRefused("accounts.lockoutNotYourOwn", "You cannot lift your own account's lockout.");
        }
        // one lift at a time per account: the account's row locked, then its last lift looked up
        jdbc.sql("select username from admin_account where username = :u for update").param("u", username).query(String.class).optional();
        boolean liftedLately = jdbc.sql("""
                        select exists (select 1 from audit_event where action = 'ADMIN_SIGN_IN_LOCKOUT_LIFTED' and target_type = 'admin_account'
                                       and target_id = :u and occurred_at > now() - make_interval(secs => :period))""")
                .param("u", username).param("period", throttle.limits().lockout().toSeconds()).query(Boolean.class).single();
        if (liftedLately) {
            throw new LockoutLiftRefused("accounts.lockoutLiftedLately", "The account's lockout was lifted less than "
                    + throttle.limits().lockout().toMinutes() + " minutes ago; it can be lifted once per lockout period.");
        }
        boolean wasLocked = throttle.forget(SignInThrottle.ADMIN_PASSWORD + username, SignInThrottle.ADMIN_SECOND_FACTOR + username);
        audit.record(actor, "ADMIN_SIGN_IN_LOCKOUT_LIFTED", "admin_account", username, Map.of("wasLockedOut", wasLocked));
        return true;
    }

    /** A lockout lift refused: the message key saying why (and the same in English). */
    public static class LockoutLiftRefused extends IllegalArgumentException {
        private final String key;

        LockoutLiftRefused(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** The languages an account's mail can be in. */
    public static final List<String> LANGUAGES = List.of("sv", "da", "en");

    /** Where and in which language Tilldela mails an account (either may be null: no mail; the installation's language). */
    public record Contact(String email, String language) implements java.io.Serializable {
    }

    /** A contact setting refused: {@code field} (email or language) and the message key saying why. */
    public static class ContactRefused extends IllegalArgumentException {
        private final String field;
        private final String key;

        ContactRefused(String field, String key) {
            super("The " + field + " is not valid.");
            this.field = field;
            this.key = key;
        }

        public String field() {
            return field;
        }

        public String key() {
            return key;
        }
    }

    @Transactional(readOnly = true)
    public Contact contact(String username) {
        return jdbc.sql("select email, language from admin_account where username = :u").param("u", username)
                .query((rs, n) -> new Contact(rs.getString(1), rs.getString(2))).optional().orElse(new Contact(null, null));
    }

    /**
     * Sets the account's e-mail address and language (blank: none), by the account holder or an administrator who
     * manages the account; otherwise false, as if there were no such account. Both are checked before either is saved
     * ({@link ContactRefused}). Audited, without the address itself (whether it was set, changed or removed).
     */
    @Transactional
    public boolean setContact(String actor, String username, String email, String language) {
        if (!actor.equals(username) && manageable(actor, username).isEmpty() || !exists(username)) {
            return false;
        }
        String address = email == null || email.isBlank() ? null : email.strip();
        if (address != null && !org.tilldela.platform.Mail.isAddress(address)) {
            throw new ContactRefused("email", "contact.error.email");
        }
        String lang = language == null || language.isBlank() ? null : language.strip().toLowerCase(java.util.Locale.ROOT);
        if (lang != null && !LANGUAGES.contains(lang)) {
            throw new ContactRefused("language", "contact.error.language");
        }
        Contact before = contact(username);
        jdbc.sql("update admin_account set email = :e, language = :l where username = :u").param("e", address).param("l", lang).param("u", username)
                .update();
        String emailChange = java.util.Objects.equals(before.email(), address) ? "unchanged"
                : address == null ? "removed" : before.email() == null ? "set" : "changed";
        audit.record(actor, "ADMIN_ACCOUNT_CONTACT_SET", "admin_account", username, Map.of("email", emailChange, "language", lang == null ? "none" : lang));
        return true;
    }

    private static Account account(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Account(rs.getString("username"), rs.getString("display_name"), rs.getBoolean("enabled"), rs.getTimestamp("created_at").toInstant());
    }

    /**
     * An administrator changes their own password. The current one is checked like a sign-in (throttled,
     * a wrong one counts as a failed sign-in), so a session left open is no way to guess it; the new one
     * must pass the {@link PasswordPolicy}. Audited without either password.
     */
    public PasswordChange changeOwnPassword(String username, String currentPassword, String newPassword, String address) {
        SignInThrottle.Admission admission = throttle.admit(SignInThrottle.ADMIN_PASSWORD + username, address);
        if (!(admission instanceof SignInThrottle.Admitted attempt)) {
            return PasswordChange.LOCKED_OUT;
        }
        String hash = jdbc.sql("select password_hash from admin_account where username = :u and enabled").param("u", username)
                .query(String.class).optional().orElse(null);
        if (hash == null || currentPassword == null || !passwords.matches(currentPassword, hash)) {
            SignInThrottle.Failure failure = throttle.failed(attempt);
            audit.record(username, "ADMIN_PASSWORD_CHANGE_REFUSED", "admin_account", username,
                    Map.of("reason", "WRONG_CURRENT_PASSWORD", "address", address == null ? "unknown" : address));
            return failure.lockedUntil().isPresent() ? PasswordChange.LOCKED_OUT : PasswordChange.WRONG_CURRENT_PASSWORD;
        }
        throttle.succeeded(attempt);
        if (newPassword != null && newPassword.equals(currentPassword)) {
            return PasswordChange.refused(PasswordProblem.SAME_AS_CURRENT);
        }
        var problem = policy.problemWith(newPassword, username);
        if (problem.isPresent()) {
            return PasswordChange.refused(problem.get());
        }
        tx.executeWithoutResult(status -> {
            jdbc.sql("update admin_account set password_hash = :p where username = :u").param("p", passwords.encode(newPassword)).param("u", username).update();
            // a password is changed when it may be known to someone else, who could have made a personal API token with
            // it: they go with it, as the sessions do (as when the second factor is removed, SecondFactor)
            int tokens = jdbc.sql("update admin_api_token set revoked_at = now() where username = :u and revoked_at is null and expires_at > now()")
                    .param("u", username).update();
            audit.record(username, "ADMIN_PASSWORD_CHANGED", "admin_account", username,
                    Map.of("address", address == null ? "unknown" : address, "apiTokensRevoked", tokens));
        });
        return PasswordChange.CHANGED;
    }

    /** What became of a password change: done, or why not. */
    public record PasswordChange(Outcome outcome, PasswordProblem problem) {
        public static final PasswordChange CHANGED = new PasswordChange(Outcome.CHANGED, null);
        public static final PasswordChange WRONG_CURRENT_PASSWORD = new PasswordChange(Outcome.WRONG_CURRENT_PASSWORD, null);
        public static final PasswordChange LOCKED_OUT = new PasswordChange(Outcome.LOCKED_OUT, null);

        static PasswordChange refused(PasswordProblem problem) {
            return new PasswordChange(Outcome.NEW_PASSWORD_REFUSED, problem);
        }

        public enum Outcome { CHANGED, WRONG_CURRENT_PASSWORD, LOCKED_OUT, NEW_PASSWORD_REFUSED }
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        record Account(String username, String hash, boolean enabled) {
        }
        Account account = jdbc.sql("select username, password_hash, enabled from admin_account where username = :u").param("u", username)
                .query((rs, n) -> new Account(rs.getString(1), rs.getString(2), rs.getBoolean(3))).optional()
                .orElseThrow(() -> new UsernameNotFoundException("no such administrator"));
        List<SimpleGrantedAuthority> authorities = new ArrayList<>();
        authorities.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
        jdbc.sql("select distinct right_name from admin_grant where username = :u").param("u", username).query(String.class).list()
                .forEach(r -> authorities.add(new SimpleGrantedAuthority(AdminRight.valueOf(r).authority())));
        return User.withUsername(account.username()).password(account.hash()).disabled(!account.enabled()).authorities(authorities).build();
    }
}
