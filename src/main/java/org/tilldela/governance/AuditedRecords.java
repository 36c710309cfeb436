package org.tilldela.governance;

import java.util.Map;

/**
 * Where the records a module keeps lie, for the audit search: which of them lie within a caller's scope, so that the events
 * about them do. The directory answers for its import sources and runs, sso for the organisers' upstream identity
 * providers; {@link AuditTrail} joins each answer into its one rule. An interface here so that governance, which those
 * modules build on, asks without depending on them (as {@link UpstreamOrganisers}).
 */
public interface AuditedRecords {

    /**
     * The module's records within {@code scope}, by the audit trail's target type ({@code target_type}): for each type, SQL
     * selecting one text column, the records' ids as the trail names them ({@code target_id}). Asked with a granted scope
     * only (the search answers the whole installation and nothing itself); it may use {@link CallerScope#params()} and no
     * other parameter. The search either looks the events up by these ids or keeps them in a hash while it reads the trail,
     * so a select should not depend on anything outside itself.
     */
    Map<String, String> within(CallerScope scope);
}
