package org.tilldela.directory.importing;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;

/**
 * Which directory sources, and so which import sources, import runs and uploads into a source, an administrator exercising
 * DIRECTORY_ADMIN may see and manage (issue 11): the one rule the import pages, the APIs and the directory overview filter by.
 *
 * <p>A source belongs to the organisers it imported: every organisation row carries its source, and a row's id is derived from
 * the source and its id there, so a source's import writes (and a full import replaces) its own rows and no other source's. A
 * caller covers a source when the source has imported at least one organisation unit and every one of them lies within a grant
 * that is not narrowed to school forms. So:
 * <ul>
 *   <li>an organiser's administrator sees and manages the sources that import that organiser (and nothing else); another
 *       organiser's source, its runs and its held files are not found (404), not listed and not counted;</li>
 *   <li>a grant over a school unit, or narrowed to school forms, covers no source, not even read-only: an import replaces the
 *       whole source's directory (every school of the organiser, every school form), and a run's problems and a held run's
 *       removal list name persons anywhere in it, beyond what such a grant may see;</li>
 *   <li>a source that has imported nothing yet belongs to no organiser: only a grant over the whole installation sees it, and
 *       only such a grant adds a source under a name that is not already within the caller's grant.</li>
 * </ul>
 */
@Component("sourceScopes")
public class SourceScopes {

    private final Scopes scopes;
    private final JdbcClient jdbc;

    SourceScopes(Scopes scopes, JdbcClient jdbc) {
        this.scopes = scopes;
        this.jdbc = jdbc;
    }

    /** The caller's DIRECTORY_ADMIN scope, which sources are filtered by. */
    public CallerScope of(Authentication caller) {
        return scopes.of(caller, AdminRight.DIRECTORY_ADMIN);
    }

    /**
     * SQL: the directory source named in {@code nameColumn} (import_source.name, import_run.source) is covered by the scope.
     * Bind {@link CallerScope#params()}.
     */
    public static String covered(CallerScope scope, String nameColumn) {
        if (scope.isWholeInstallation()) {
            return "true";
        }
        if (scope.isNothing()) {
            return "false";
        }
        // every unit of the source within a grant not narrowed to school forms (an import replaces all of them, whatever their forms)
        String whole = scope.wholeUnit("so.id");
        // not correlated with the outer row: PostgreSQL works out the covered sources once per statement (a hashed subplan, one
        // pass over organisation), not once per run listed; a source without organisation rows forms no group, so is not covered
        return "(" + nameColumn + " in (select so.source from organisation so group by so.source having bool_and(" + whole + ")))";
    }

    /** Whether the caller may import into (or configure an import source for) the directory source of this name. */
    public boolean mayImportInto(CallerScope scope, String source) {
        if (scope.isWholeInstallation()) {
            return true;
        }
        if (scope.isNothing() || source == null) {
            return false;
        }
        return jdbc.sql("select " + covered(scope, ":source")).params(scope.params()).param("source", source.strip()).query(Boolean.class).single();
    }

    /**
     * For {@code @PreAuthorize} and the navigation: the import pages open for a grant over the whole installation, and for a
     * grant that covers at least one organiser whole (not narrowed to school forms); what they show is then filtered by
     * {@link #covered}. A school unit's or a form-narrowed administrator gets no link and no page.
     */
    public boolean mayOpen(Authentication caller) {
        CallerScope scope = of(caller);
        if (scope.isWholeInstallation()) {
            return true;
        }
        if (scope.isNothing()) {
            return false;
        }
        return jdbc.sql("select exists (select 1 from organisation o where o.kind = 'ORGANISER' and "
                        + scope.wholeUnit("o.id") + ")")
                .params(scope.params()).query(Boolean.class).single();
    }
}
