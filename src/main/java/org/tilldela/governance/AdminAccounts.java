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

/** Administrator accounts and their rights; the source of sign-in for the admin UI and API. */
@Service
public class AdminAccounts implements UserDetailsService {

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final AuditTrail audit;

    AdminAccounts(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        // bcrypt today, upgradable later: hashes carry their algorithm ({bcrypt}…)
        this.passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        this.audit = audit;
    }

    public boolean exists(String username) {
        return jdbc.sql("select count(*) from admin_account where username = :u").param("u", username).query(Integer.class).single() > 0;
    }

    public boolean any() {
        return jdbc.sql("select count(*) from admin_account").query(Integer.class).single() > 0;
    }

    @Transactional
    public void create(String username, String displayName, String rawPassword, Set<AdminRight> rights, String createdBy) {
        if (rawPassword == null || rawPassword.length() < 12) {
            throw new IllegalArgumentException("an administrator password has at least 12 characters");
        }
        jdbc.sql("insert into admin_account (username, password_hash, display_name) values (:u, :p, :d)")
                .param("u", username).param("p", passwords.encode(rawPassword)).param("d", displayName).update();
        for (AdminRight right : rights) {
            jdbc.sql("insert into admin_right (username, right_name) values (:u, :r)").param("u", username).param("r", right.name()).update();
        }
        audit.record(createdBy, "ADMIN_ACCOUNT_CREATED", "admin_account", username, Map.of("rights", rights.stream().map(Enum::name).sorted().toList()));
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
