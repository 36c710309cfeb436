package org.tilldela.governance;

import java.util.Map;
import java.util.Objects;

/**
 * What an administrator may see while exercising one right, as SQL to put in a query's {@code where}:
 * "this organisation / group / enrolment / duty / person is within the caller's scope". Every module
 * filters through it (ask {@link Scopes} for one), so "within scope" is defined once, in the database
 * function {@code admin_scope_units} (governance migration V2026.12.02.1), and not per controller.
 *
 * <p>Bind {@link #params()} with the statement ({@code jdbc.sql(...).params(scope.params())}). Each
 * fragment is a boolean SQL expression over the column or alias it is given; the subqueries in it do not
 * depend on the outer row, so PostgreSQL evaluates each once per statement (a hashed subplan), not per
 * row. A record outside the scope is simply not found: callers answer 404, never 403, so nobody learns
 * that it exists.
 */
public final class CallerScope {

    private enum Kind { WHOLE_INSTALLATION, NOTHING, GRANTED }

    private static final CallerScope WHOLE_INSTALLATION = new CallerScope(Kind.WHOLE_INSTALLATION, null, null);
    private static final CallerScope NOTHING = new CallerScope(Kind.NOTHING, null, null);

    private final Kind kind;
    private final String account;
    private final AdminRight right;

    private CallerScope(Kind kind, String account, AdminRight right) {
        this.kind = kind;
        this.account = account;
        this.right = right;
    }

    /**
     * Everything: for a grant over the whole installation without school forms, and for work the system does
     * on its own behalf (imports, pushes to suppliers), never for a request an administrator makes.
     */
    public static CallerScope wholeInstallation() {
        return WHOLE_INSTALLATION;
    }

    /** Nothing at all: an account without the right, or a disabled one. */
    public static CallerScope nothing() {
        return NOTHING;
    }

    static CallerScope granted(String account, AdminRight right) {
        return new CallerScope(Kind.GRANTED, Objects.requireNonNull(account), Objects.requireNonNull(right));
    }

    public boolean isWholeInstallation() {
        return kind == Kind.WHOLE_INSTALLATION;
    }

    public boolean isNothing() {
        return kind == Kind.NOTHING;
    }

    /** The named parameters the fragments use; empty when they use none. */
    public Map<String, Object> params() {
        return kind == Kind.GRANTED ? Map.of("scope_account", account) : Map.of();
    }

    /** The units covered: the account's grants of the right, each unit with its subtree, narrowed by school forms. */
    private String units(String where) {
        // the right's name is an enum constant, not input: safe to write into the statement
        return "select unit_id from admin_scope_units(:scope_account, '" + right.name() + "')" + where;
    }

    /** An organisation unit (its id column, e.g. {@code o.id}) is within scope. */
    public String unit(String idColumn) {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "true";
            case NOTHING -> "false";
            case GRANTED -> "(" + idColumn + " in (" + units("") + "))";
        };
    }

    /** An organisation row (alias of {@code organisation}) is within scope. */
    public String organisation(String alias) {
        return unit(alias + ".id");
    }

    /**
     * Something placed at a unit in a school form (an enrolment, a group) is within scope: at a covered unit,
     * and in one of the grant's school forms when it names any. A placement without a school form is outside
     * a form-narrowed grant: a preschool grant must never show a pupil whose form is unknown.
     */
    public String placement(String unitColumn, String formColumn) {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "true";
            case NOTHING -> "false";
            case GRANTED -> "(" + unitColumn + " in (" + units(" where forms is null") + ") or (" + unitColumn + ", " + formColumn
                    + ") in (select unit_id, unnest(forms) from admin_scope_units(:scope_account, '" + right.name() + "') where forms is not null))";
        };
    }

    /**
     * An organisation unit (its id column) is within a grant as a whole: covered, and not only for some school forms.
     * What reaches everyone at a unit whatever their form — a data-access agreement, an order, a buyer's purchases, an
     * import source, an identity provider — is decided on only under such a grant. True or false, never null.
     */
    public String wholeUnit(String idColumn) {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "true";
            case NOTHING -> "false";
            case GRANTED -> "(" + idColumn + " in (" + units(" where forms is null") + "))";
        };
    }

    /**
     * An organisation unit (its id column) is within the grant for everyone at it: covered whole ({@link #wholeUnit}), or a
     * school unit every school form of which the grant names (a preschool under a preschool grant). Not an organiser or
     * a school of other forms too under a grant narrowed to forms, which {@link #unit} lets through so that the tree can
     * be walked: what reaches everyone at the unit whatever their form — a licence pool there, a purchase for all its
     * pupils — is decided on only where this holds. True or false, never null.
     */
    public String unitInEveryForm(String idColumn) {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "true";
            case NOTHING -> "false";
            case GRANTED -> "(" + idColumn + " in (select e.unit_id from admin_scope_units(:scope_account, '" + right.name() + "') e "
                    + "join organisation eo on eo.id = e.unit_id where e.forms is null "
                    + "or (eo.kind = 'SCHOOL_UNIT' and cardinality(eo.school_forms) > 0 and eo.school_forms <@ e.forms)))";
        };
    }

    /** A student group row (alias of {@code student_group}) is within scope. */
    public String group(String alias) {
        return placement(alias + ".organisation_id", alias + ".school_form");
    }

    /** An enrolment row (alias of {@code enrolment}) is within scope. */
    public String enrolment(String alias) {
        return placement(alias + ".school_unit_id", alias + ".school_form");
    }

    /** A duty row (alias of {@code duty}): staff at a covered unit (one serving the grant's school forms, if any). */
    public String duty(String alias) {
        return unit(alias + ".organisation_id");
    }

    /**
     * A person (their id column, e.g. {@code p.id}) is within scope: enrolled, on duty or a member of a group
     * within it, or the guardian of a pupil enrolled within it.
     */
    public String person(String idColumn) {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "true";
            case NOTHING -> "false";
            case GRANTED -> "(" + idColumn + " in (" + persons() + "))";
        };
    }

    /**
     * The persons within scope ({@link #person}'s rule) as SQL selecting one uuid column: each placement table read once
     * and its rows checked against the covered units, which suits a scope of many (an organiser's hundred thousand).
     */
    public String persons() {
        return switch (kind) {
            case WHOLE_INSTALLATION -> "select p.id from person p";
            case NOTHING -> "select cast(null as uuid) where false";
            case GRANTED -> "select e.person_id from enrolment e where " + enrolment("e")
                    + " union select d.person_id from duty d where " + duty("d")
                    + " union select m.person_id from membership m join student_group g on g.id = m.group_id where " + group("g")
                    + " union select gl.guardian_id from guardian_link gl join enrolment e on e.person_id = gl.child_id where " + enrolment("e");
        };
    }

    /**
     * The same persons as {@link #persons()}, found the other way round, which suits a scope of few: from the covered units
     * through each table's unit index ({@link #placement}'s rule as a join), so a school's few hundred persons cost a few
     * hundred index entries, not a pass over every enrolment of the installation. A person may be named more than once,
     * so that a query wanting only the first thousands stops there.
     */
    public String personsByUnit() {
        return switch (kind) {
            case WHOLE_INSTALLATION, NOTHING -> persons();
            case GRANTED -> {
                String covered = "admin_scope_units(:scope_account, '" + right.name() + "') u";
                String inForm = " where (u.forms is null or %s = any(u.forms))";
                yield "select e.person_id from " + covered + " join enrolment e on e.school_unit_id = u.unit_id" + inForm.formatted("e.school_form")
                        + " union all select d.person_id from " + covered + " join duty d on d.organisation_id = u.unit_id"
                        + " union all select m.person_id from " + covered + " join student_group g on g.organisation_id = u.unit_id"
                        + " join membership m on m.group_id = g.id" + inForm.formatted("g.school_form")
                        + " union all select gl.guardian_id from " + covered + " join enrolment e on e.school_unit_id = u.unit_id"
                        + " join guardian_link gl on gl.child_id = e.person_id" + inForm.formatted("e.school_form");
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.GRANTED ? "CallerScope[" + right + "]" : "CallerScope[" + kind + "]";
    }
}
