package org.tilldela.directory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Persons named in other modules' listings (a pool's holders, the disclosure feed) in one query, shown as the
 * organisation browser shows a person: protected persons masked unless the viewer may see them, and every
 * shown protected person audited — the browser's own masking and audit, not a copy of them.
 */
@Service
@Transactional
public class PersonNames {

    private final JdbcClient jdbc;
    private final OrganisationBrowser browser;

    PersonNames(JdbcClient jdbc, OrganisationBrowser browser) {
        this.jdbc = jdbc;
        this.browser = browser;
    }

    /**
     * The persons by id, as far as the directory still has them (a person gone from it is absent from the map).
     *
     * @param context where they are listed, for the audit trail ("pool", "ledger-feed", …)
     * @param contextId the listing's own id, or null
     */
    public Map<UUID, OrganisationBrowser.Member> of(Collection<UUID> ids, Viewer viewer, String context, String contextId) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<OrganisationBrowser.Member> found = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, p.protection, p.civic_number, %s masked from person p where p.id = any(:ids)
                        """.formatted(OrganisationBrowser.masked(viewer))).param("ids", ids.stream().distinct().toArray(UUID[]::new))
                .params(viewer.protectedIdentities().params())
                .query((rs, n) -> OrganisationBrowser.member(rs, null)).list();
        browser.auditProtected(found, viewer, context, contextId);
        Map<UUID, OrganisationBrowser.Member> byId = new LinkedHashMap<>();
        found.forEach(m -> byId.put(m.personId(), m));
        return byId;
    }
}
