package org.tilldela.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
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

    AdminAccounts(JdbcClient jdbc, AuditTrail audit, PasswordPolicy policy, SignInThrottle throttle, TransactionTemplate tx) {
        this.jdbc = jdbc;
        // bcrypt today, upgradable later: hashes carry their algorithm ({bcrypt}…)
        this.passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        this.audit = audit;
        this.policy = policy;
        this.throttle = throttle;
        this.tx = tx;
    }

    PasswordEncoder passwordEncoder() {
        return passwords;
    }

    public boolean exists(String username) {
        return jdbc.sql("select count(*) from admin_account where username = :u").param("u", username).query(Integer.class).single() > 0;
    }

    public boolean any() {
        return jdbc.sql("select count(*) from admin_account").query(Integer.class).single() > 0;
    }

    @Transactional
    public void create(String username, String displayName, String rawPassword, Set<AdminRight> rights, String createdBy) {
        policy.check(rawPassword, username);
        jdbc.sql("insert into admin_account (username, password_hash, display_name) values (:u, :p, :d)")
                .param("u", username).param("p", passwords.encode(rawPassword)).param("d", displayName).update();
        for (AdminRight right : rights) {
            jdbc.sql("insert into admin_right (username, right_name) values (:u, :r)").param("u", username).param("r", right.name()).update();
        }
        audit.record(createdBy, "ADMIN_ACCOUNT_CREATED", "admin_account", username, Map.of("rights", rights.stream().map(Enum::name).sorted().toList()));
    }

    /**
     * An administrator changes their own password. The current one is checked like a sign-in (throttled,
     * a wrong one counts as a failed sign-in), so a session left open is no way to guess it; the new one
     * must pass the {@link PasswordPolicy}. Audited without either password.
     */
    public PasswordChange changeOwnPassword(String username, String currentPassword, String newPassword, String address) {
        SignInThrottle.Admission admission = throttle.admit(username, address);
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
            audit.record(username, "ADMIN_PASSWORD_CHANGED", "admin_account", username, Map.of("address", address == null ? "unknown" : address));
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
        jdbc.sql("select right_name from admin_right where username = :u").param("u", username).query(String.class).list()
                .forEach(r -> authorities.add(new SimpleGrantedAuthority(AdminRight.valueOf(r).authority())));
        return User.withUsername(account.username()).password(account.hash()).disabled(!account.enabled()).authorities(authorities).build();
    }
}
