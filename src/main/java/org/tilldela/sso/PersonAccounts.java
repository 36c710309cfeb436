package org.tilldela.sso;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * Local sign-in accounts of directory persons, with Argon2id password hashes. The signed-in principal's
 * name is the person's id (what the provider stores and what the release policy is asked about); the
 * only authority is {@link #PERSON}: nothing administrative can ever come from here.
 */
@Service
public class PersonAccounts {

    public static final String PERSON = "ROLE_PERSON";
    static final int MINIMUM_LENGTH = 8;

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final PasswordEncoder passwords = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /** Absent when the jar runs as a command (no web server, no sessions). */
    private final ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions;

    PersonAccounts(JdbcClient jdbc, AuditTrail audit, ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.sessions = sessions;
    }

    /**
     * Creates the person's account or sets a new password on it; audited, never logged. A new password on an existing
     * account signs the person out everywhere — a teacher resets a password because someone else may know it, and that
     * someone's open session and the products' refresh tokens would outlive the old password otherwise.
     */
    @Transactional
    public void setPassword(UUID personId, String username, String rawPassword, String actor) {
        if (username == null || username.isBlank()) {
            throw new AccountRefused(Refusal.NAME_REQUIRED, "a sign-in name is required");
        }
        if (rawPassword == null || rawPassword.length() < MINIMUM_LENGTH || rawPassword.strip().equalsIgnoreCase(username.strip())) {
            throw new AccountRefused(Refusal.WEAK_PASSWORD, "a password has at least " + MINIMUM_LENGTH + " characters and is not the sign-in name");
        }
        String taken = jdbc.sql("select person_id::text from sso_person_account where username = :u and person_id <> :p")
                .param("u", signInName(username)).param("p", personId).query(String.class).optional().orElse(null);
        if (taken != null) {
            throw new AccountRefused(Refusal.NAME_TAKEN, "that sign-in name is taken");
        }
        boolean reset = jdbc.sql("select exists (select 1 from sso_person_account where person_id = :p)").param("p", personId)
                .query(Boolean.class).single();
        try {
            jdbc.sql("""
                            insert into sso_person_account (person_id, username, password_hash, password_set_by) values (:p, :u, :h, :a)
                            on conflict (person_id) do update set username = excluded.username, password_hash = excluded.password_hash,
                              password_set_at = now(), password_set_by = excluded.password_set_by, enabled = true""")
                    .param("p", personId).param("u", signInName(username)).param("h", passwords.encode(rawPassword))
                    .param("a", actor).update();
        } catch (org.springframework.dao.DataIntegrityViolationException e) {
            // the account's person must be in the directory (foreign key)
            throw new AccountRefused(Refusal.NO_SUCH_PERSON, "no person with that id");
        }
        int signedOut = reset ? signOutEverywhere(personId) : 0;
        audit.record(actor, "PERSON_PASSWORD_SET", "person", personId.toString(), Map.of("signedOut", signedOut));
    }

    /**
     * Ends the person's web sessions and every authorization products hold for them (their access and refresh tokens
     * with it: the next refresh is refused, introspection says inactive). Returns how many were ended. For a way in
     * someone else may know: a password reset, a sign-in card ended or replaced (SignInCards).
     */
    int signOutEverywhere(UUID personId) {
        String principal = personId.toString(); // the principal's name is the person's id (userDetails)
        jdbc.sql("delete from sso_spent_refresh_token where authorization_id in (select id from oauth2_authorization where principal_name = :p)")
                .param("p", principal).update();
        int authorizations = jdbc.sql("delete from oauth2_authorization where principal_name = :p").param("p", principal).update();
        int[] webSessions = {0};
        sessions.ifAvailable(stored -> stored.findByPrincipalName(principal).keySet().forEach(id -> {
            stored.deleteById(id);
            webSessions[0]++;
        }));
        return authorizations + webSessions[0];
    }

    /** Why an account was not set; the pages say it in the reader's language ({@code sso.account.refused.*}). */
    public enum Refusal { NAME_REQUIRED, WEAK_PASSWORD, NAME_TAKEN, NO_SUCH_PERSON }

    /** An account refused, with the reason (the message is English, for the API). */
    public static final class AccountRefused extends IllegalArgumentException {
        private final Refusal refusal;

        AccountRefused(Refusal refusal, String message) {
            super(message);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** The sign-in names of those of these persons who have a local account. */
    public Map<UUID, String> usernames(java.util.Collection<UUID> personIds) {
        Map<UUID, String> names = new java.util.HashMap<>();
        jdbc.sql("select person_id, username from sso_person_account where person_id = any(:p)").param("p", personIds.toArray(UUID[]::new))
                .query((rs, n) -> names.put(rs.getObject(1, UUID.class), rs.getString(2))).list();
        return names;
    }

    public Optional<String> username(UUID personId) {
        return jdbc.sql("select username from sso_person_account where person_id = :p").param("p", personId).query(String.class).optional();
    }

    public List<UUID> withAccounts() {
        return jdbc.sql("select person_id from sso_person_account").query(UUID.class).list();
    }

    /** Sign-in of persons: by sign-in name, with the person's id as the principal's name. */
    UserDetailsService userDetails() {
        return username -> {
            record Account(UUID personId, String hash, boolean enabled) {
            }
            Account account = jdbc.sql("select person_id, password_hash, enabled from sso_person_account where username = :u")
                    .param("u", username == null ? "" : signInName(username))
                    .query((rs, n) -> new Account(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3))).optional()
                    .orElseThrow(() -> new UsernameNotFoundException("no such person account"));
            return User.withUsername(account.personId().toString()).password(account.hash()).disabled(!account.enabled())
                    .authorities(List.of(new SimpleGrantedAuthority(PERSON))).build();
        };
    }

    /**
     * A person signed in by a door of our own making (a sign-in card, an upstream provider): the principal a
     * password sign-in gives — the person's id, the PERSON authority only — plus the factor that says how they
     * authenticated (the authorization server takes the ID token's auth_time from it).
     */
    static org.springframework.security.authentication.UsernamePasswordAuthenticationToken signedIn(UUID personId, String factorAuthority) {
        User principal = new User(personId.toString(), "", List.of(new SimpleGrantedAuthority(PERSON)));
        principal.eraseCredentials();
        return org.springframework.security.authentication.UsernamePasswordAuthenticationToken.authenticated(principal, null, List.of(
                new SimpleGrantedAuthority(PERSON), org.springframework.security.core.authority.FactorGrantedAuthority.fromAuthority(factorAuthority)));
    }

    /** Sign-in names are stored and looked up as typed, without surrounding spaces or case. */
    private static String signInName(String typed) {
        return typed.strip().toLowerCase(java.util.Locale.ROOT);
    }

    PasswordEncoder passwordEncoder() {
        return passwords;
    }
}
