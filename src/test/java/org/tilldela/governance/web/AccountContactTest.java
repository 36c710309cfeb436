package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * An administrator account's e-mail address and language (issue 11): set by the account holder on their own page and by
 * an account administrator on the account's page and over the API; checked whole (a wrong language saves no address
 * either), audited without the address, and beyond the administrator's reach as if the account were not there.
 */
class AccountContactTest extends IntegrationTest {

    private static final String PASSWORD = "account-contact-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private String account(String prefix, ScopedMunicipality m) {
        String name = prefix + "-" + m.source;
        accounts.create(name, "Test " + prefix, PASSWORD, Set.of(), "test");
        return name;
    }

    private WebSession.Answer submit(WebSession browser, String page, String action, Map<String, String> values) {
        Map<String, String> fields = new HashMap<>(WebSession.hiddenFields(browser.page(page).body(), action));
        fields.putAll(values);
        WebSession.Answer answer = browser.post(action, fields);
        assertThat(answer.status()).isEqualTo(302);
        return browser.follow(answer);
    }

    @Test
    void theAccountHolderSetsTheirOwnAddressAndLanguageCheckedWholeInTheirLanguage() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String me = account("own", m);
        String address = "own@" + m.source + ".example.org";
        WebSession browser = new WebSession(port).signIn(me, PASSWORD);
        assertThat(browser.page("/account/contact?lang=da").body()).contains("E-mail og sprog");

        String refused = submit(browser, "/account/contact", "/account/contact", Map.of("email", "ikke@", "language", "da")).body();
        assertThat(refused).contains("Det er ikke en e-mailadresse").contains("value=\"ikke@\"").contains("aria-invalid=\"true\"");
        // a good address with a language Tilldela does not speak: neither is saved
        submit(browser, "/account/contact", "/account/contact", Map.of("email", address, "language", "fi"));
        assertThat(accounts.contact(me)).isEqualTo(new AdminAccounts.Contact(null, null));

        String saved = submit(browser, "/account/contact", "/account/contact", Map.of("email", " " + address + " ", "language", "da")).body();
        assertThat(saved).contains("E-mailadressen og sproget er gemt").contains("value=\"" + address + "\"");
        assertThat(accounts.contact(me)).isEqualTo(new AdminAccounts.Contact(address, "da"));
        assertThat(audit.about("admin_account", me)).filteredOn(e -> e.action().equals("ADMIN_ACCOUNT_CONTACT_SET")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("\"set\"").contains("da").doesNotContain(address));

        submit(browser, "/account/contact", "/account/contact", Map.of("email", "", "language", ""));
        assertThat(accounts.contact(me)).isEqualTo(new AdminAccounts.Contact(null, null));
    }

    @Test
    void anAccountAdministratorSetsItOnTheAccountsPageAndApiWithinReachOnly() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String admin = account("adm", m);
        grants.grant(root, admin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, admin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        String neighbour = account("granne", m);
        grants.grant(root, neighbour, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
        grants.grant(root, neighbour, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
        String staff = account("staff", m);
        grants.grant(root, staff, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        String address = "staff@" + m.source + ".example.org";

        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        String page = "/admin/accounts/" + staff;
        String saved = submit(browser, page, page + "/contact", Map.of("email", address, "language", "sv")).body();
        assertThat(saved).contains("The e-mail address and language have been saved.");
        assertThat(accounts.contact(staff)).isEqualTo(new AdminAccounts.Contact(address, "sv"));
        assertThat(audit.about("admin_account", staff)).filteredOn(e -> e.action().equals("ADMIN_ACCOUNT_CONTACT_SET"))
                .singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo(admin));

        // another organiser's administrator: the account is not there
        WebSession other = new WebSession(port).signIn(neighbour, PASSWORD);
        Map<String, String> fields = new HashMap<>(WebSession.hiddenFields(other.page("/account/contact").body(), "/account/contact"));
        fields.putAll(Map.of("email", "x@" + m.source + ".example.org", "language", "en"));
        assertThat(other.post(page + "/contact", fields).status()).isEqualTo(404);
        assertThat(accounts.contact(staff)).isEqualTo(new AdminAccounts.Contact(address, "sv"));

        RestClient api = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
        Map<String, Object> json = api.put().uri("/api/v1/admin-accounts/{u}/contact", staff).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", address, "language", "en")).retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(json).containsEntry("email", address).containsEntry("language", "en");
        int status = api.put().uri("/api/v1/admin-accounts/{u}/contact", staff).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", "not an address", "language", "da")).exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(400);
        assertThat(accounts.contact(staff)).isEqualTo(new AdminAccounts.Contact(address, "en"));
        RestClient neighbourApi = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(neighbour, PASSWORD))
                .build();
        int beyondReach = neighbourApi.put().uri("/api/v1/admin-accounts/{u}/contact", staff).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("email", "", "language", "")).exchange((req, res) -> res.getStatusCode().value());
        assertThat(beyondReach).isEqualTo(404);
        assertThat(accounts.contact(staff).email()).isEqualTo(address);
    }
}
