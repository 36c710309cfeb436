package org.tilldela.sso;

import org.springframework.stereotype.Component;
import org.tilldela.governance.AuditedRecords;
import org.tilldela.governance.CallerScope;

/**
 * For the audit search: events about an organiser's upstream identity providers (OpenID and SAML: registered, changed,
 * removed, sign-ins through them that failed) lie within a scope that keeps the organiser's providers
 * ({@link UpstreamProviders#kept}, the rule the provider pages follow).
 */
@Component
class UpstreamAuditRecords implements AuditedRecords {

    /** The organiser a removal recorded; guarded, so that no detail of another shape can fail the search with a bad cast. */
    private static final String ORGANISER = "(case when r.detail ->> 'organiser' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' "
            + "then cast(r.detail ->> 'organiser' as uuid) end)";

    @Override
    public String within(CallerScope scope) {
        // a provider by its organiser now; a removed one (its row gone) by the organiser its removal recorded
        return "(a.target_type in ('sso_upstream_provider', 'sso_upstream_saml_idp') and a.target_id in ("
                + "select cast(p.id as text) from sso_upstream_provider p where " + UpstreamProviders.kept(scope, "p.organiser_id")
                + " union all select cast(s.id as text) from sso_upstream_saml_idp s where " + UpstreamProviders.kept(scope, "s.organiser_id")
                + " union all select r.target_id from audit_event r where r.target_type in ('sso_upstream_provider', 'sso_upstream_saml_idp')"
                + " and r.action in ('SSO_UPSTREAM_PROVIDER_REMOVED', 'SSO_UPSTREAM_SAML_IDP_REMOVED') and "
                + UpstreamProviders.kept(scope, ORGANISER) + "))";
    }
}
