package org.tilldela.governance;

/**
 * Where the records a module keeps lie, for the audit search: which events about them lie within a caller's scope. The
 * directory answers for its import sources and runs, sso for the organisers' upstream identity providers; {@link AuditTrail}
 * joins each answer into its one rule. An interface here so that governance, which those modules build on, asks without
 * depending on them (as {@link UpstreamOrganisers}).
 */
public interface AuditedRecords {

    /**
     * SQL: a boolean expression over the audit event aliased {@code a} ({@code a.target_type}, {@code a.target_id},
     * {@code a.action}, {@code a.detail}), true when the event is about one of the module's records within {@code scope}.
     * Asked with a granted scope only (the search answers the whole installation and nothing itself); it may use
     * {@link CallerScope#params()} and no other parameter. Subqueries should not depend on the event row, so PostgreSQL works
     * them out once per search, not once per event.
     */
    String within(CallerScope scope);
}
