package org.tilldela.governance;

import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;

/**
 * The one place every module asks what the signed-in administrator may see while exercising a right: the
 * answer is a {@link CallerScope} to filter its SQL with. Read from the grants as they are now, not as
 * they were at sign-in, so a revoked grant or a disabled account stops showing records at once.
 */
@Service
public class Scopes {

    private final JdbcClient jdbc;

    Scopes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public CallerScope of(Authentication caller, AdminRight right) {
        return caller == null || !caller.isAuthenticated() ? CallerScope.nothing() : of(caller.getName(), right);
    }

    /**
     * For a part of Tilldela that does not filter by scope yet: only a grant over the whole installation (in
     * every school form) may use it, so a scoped grant never sees more there than its scope. Used in
     * {@code @PreAuthorize("... and @scopes.wholeInstallation(authentication, 'RIGHT')")}.
     */
    public boolean wholeInstallation(Authentication caller, String right) {
        return of(caller, AdminRight.valueOf(right)).isWholeInstallation();
    }

    /**
     * For lists a module answers installation-wide (held orders, data-access requests): is an organisation unit
     * within the scope? The covered units are read once here, so a page filters many rows without a query each.
     */
    public java.util.function.Predicate<java.util.UUID> unitTest(CallerScope scope) {
        if (scope.isWholeInstallation()) {
            return unit -> true;
        }
        if (scope.isNothing()) {
            return unit -> false;
        }
        Set<java.util.UUID> units = Set.copyOf(jdbc.sql("select o.id from organisation o where " + scope.unit("o.id"))
                .params(scope.params()).query(java.util.UUID.class).list());
        return unit -> unit != null && units.contains(unit);
    }

    public CallerScope of(String account, AdminRight right) {
        record Held(boolean whole, long grants) {
        }
        Held held = jdbc.sql("""
                        select coalesce(bool_or(g.whole_installation and cardinality(g.school_forms) = 0), false), count(*)
                        from admin_grant g join admin_account a on a.username = g.username
                        where g.username = :u and g.right_name = :r and a.enabled
                        """).param("u", account).param("r", right.name())
                .query((rs, n) -> new Held(rs.getBoolean(1), rs.getLong(2))).single();
        if (held.whole()) {
            return CallerScope.wholeInstallation();
        }
        return held.grants() == 0 ? CallerScope.nothing() : CallerScope.granted(account, right);
    }
}
