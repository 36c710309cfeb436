package org.tilldela.sso;

import java.util.Map;
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
    public Map<String, String> within(CallerScope scope) {
        // a provider by its organiser now; a removed one (its row gone) by the organiser its removal recorded
        return Map.of(
                "sso_upstream_provider", "select cast(p.id as text) from sso_upstream_provider p where " + UpstreamProviders.kept(scope, "p.organiser_id")
                        + removed("sso_upstream_provider", "SSO_UPSTREAM_PROVIDER_REMOVED", scope),
                "sso_upstream_saml_idp", "select cast(s.id as text) from sso_upstream_saml_idp s where " + UpstreamProviders.kept(scope, "s.organiser_id")
                        + removed("sso_upstream_saml_idp", "SSO_UPSTREAM_SAML_IDP_REMOVED", scope));
    }

    private static String removed(String type, String action, CallerScope scope) {
        return " union all select r.target_id from audit_event r where r.target_type = '" + type + "' and r.action = '" + action + "' and "
                + UpstreamProviders.kept(scope, ORGANISER);
    }
}
