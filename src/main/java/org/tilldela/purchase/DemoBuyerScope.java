package org.tilldela.purchase;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.tilldela.directory.DemoMunicipalityLoaded;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminAccounts;

/** With the demo municipality loaded, the first administrator buys for its organiser, so the demo can order at once. */
@Component
class DemoBuyerScope {

    private final BuyerScopes scopes;
    private final OrganisationBrowser organisations;
    private final AdminAccounts accounts;

    DemoBuyerScope(BuyerScopes scopes, OrganisationBrowser organisations, AdminAccounts accounts) {
        this.scopes = scopes;
        this.organisations = organisations;
        this.accounts = accounts;
    }

    @EventListener(DemoMunicipalityLoaded.class)
    void load() {
        if (!accounts.exists("admin") || scopes.of("admin").isPresent()) {
            return;
        }
        organisations.roots().stream().filter(o -> "demo".equals(o.source()) && "ORGANISER".equals(o.kind())).findFirst()
                .ifPresent(o -> scopes.set("admin", o.id(), "demo"));
    }
}
