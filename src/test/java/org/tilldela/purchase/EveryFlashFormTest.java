package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Parameter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Profiles;

/**
 * Every form whose handler hands results to the next page in flash attributes, actually submitted over
 * HTTP against the session store production uses — Spring Session JDBC, where flash attributes are
 * serialized into PostgreSQL. Each must answer a redirect (never a 500, which a value that cannot be
 * serialized gives after its change was saved), and the next page must show the result: the new API
 * secret once, the allocation, the recompute's counts, the messages and errors. The last step checks that
 * no handler taking {@link RedirectAttributes} was left out, so a new one must be walked here too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryFlashFormTest extends IntegrationTest {

    private static final String PASSWORD = "every-form-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired org.tilldela.governance.AdminGrants grants;
    @Autowired BuyerScopes scopes;
    @Autowired Cart cart;
    @Autowired Orders orders;
    @Autowired LicencePools pools;
    @Autowired Profiles profiles;
    @Autowired DataAccessAgreements agreements;
    @Autowired SessionRepository<?> sessions;
    @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping mapping;

    PurchaseFixture fx;
    String admin;
    UUID supplier;
    UUID product;
    UUID beyondPolicy;
    WebSession web;
    final Set<String> walked = new TreeSet<>();

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        admin = "every-form-" + fx.tag;
        accounts.create(admin, "Allt-i-ett", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.BUYER, AdminRight.LICENCE_ADMIN,
                AdminRight.ACCESS_ADMIN, AdminRight.DATA_PROTECTION_OFFICER, AdminRight.ACCOUNT_ADMIN), "test");
        scopes.set(admin, fx.organiserId, "test");
        supplier = fx.supplier("Förlaget med avtal", true, List.of());
        product = fx.product(supplier, "Formulärboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        beyondPolicy = fx.product(supplier, "Personnummerboken", Product.Kind.DIGITAL,
                EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.CIVIC_NUMBER), null);
        web = new WebSession(port).signIn(admin, PASSWORD);
    }

    @Test
    void theTestServerKeepsSessionsInPostgreSQL() {
        assertThat(sessions).isInstanceOf(JdbcIndexedSessionRepository.class);
        assertThat(jdbc.sql("select count(*) from spring_session where principal_name = :u").param("u", admin).query(Long.class).single()).isPositive();
    }

    /** The hidden fields (CSRF, one-time token) of the form posting to {@code action} on {@code page}, plus what the user fills in. */
    private List<Map.Entry<String, String>> form(String page, String action, String... nameValues) {
        List<Map.Entry<String, String>> fields = new ArrayList<>(WebSession.toList(WebSession.hiddenFields(web.get(page).body(), action)));
        for (int i = 0; i < nameValues.length; i += 2) {
            fields.add(Map.entry(nameValues[i], nameValues[i + 1]));
        }
        return fields;
    }

    /** Submits, as {@code handler} ("POST /pattern"), and answers the page the browser shows next, which must say {@code shows}. */
    private String submit(String handler, String path, List<Map.Entry<String, String>> fields, String shows) {
        walked.add(handler);
        WebSession.Answer answer = web.post(path, fields);
        assertThat(answer.status()).as(handler + " answers a redirect, not " + answer.status()).isEqualTo(302);
        WebSession.Answer next = web.follow(answer);
        assertThat(next.status()).as("the page after " + handler).isEqualTo(200);
        assertThat(next.body()).as("the page after " + handler).contains(shows);
        return next.body();
    }

    @Test
    void everyFlashFormSubmittedThroughTheJdbcSessionStoreShowsItsResult() {
        // --- access: file, approve, decline, revoke, credentials, public authority
        String filedPage = submit("POST /access/requests", "/access/requests", form("/access/requests/new?supplier=" + supplier, "/access/requests",
                "product", product.toString(), "scope", fx.organiserId.toString(), "attributePackage", "SMALL", "purpose", "Inloggning",
                "legalBasis", "Allmänt intresse", "retentionDays", "30"), "The request is filed and awaits a decision.");
        assertThat(filedPage).contains("Formulärboken");
        DataAccessAgreement filed = agreements.list(DataAccessAgreement.State.REQUESTED, supplier, 10).getFirst();
        String request = "/access/requests/" + filed.id();
        List<Map.Entry<String, String>> accessApproval = form(request, request + "/approve");
        filed.requestedAttributes().forEach(a -> accessApproval.add(Map.entry("attributes", a.name())));
        submit("POST /access/requests/{id}/approve", request + "/approve", accessApproval, "The agreement is in force.");
        // the school's re-approval: a narrowing without a reason is refused (the ticks go back in the flash), then as it stands
        String reapproval = "/access/reapprovals/" + filed.id();
        submit("POST /access/reapprovals/{id}", reapproval, form(reapproval, reapproval, "attributes", Attribute.PSEUDONYMOUS_ID.name()),
                "Say why the request is narrowed.");
        List<Map.Entry<String, String>> reapproveAll = form(reapproval, reapproval);
        filed.requestedAttributes().forEach(a -> reapproveAll.add(Map.entry("attributes", a.name())));
        submit("POST /access/reapprovals/{id}", reapproval, reapproveAll, "The agreement is re-approved.");
        submit("POST /access/requests/{id}/revoke", request + "/revoke", form(request, request + "/revoke", "reason", "Avtalet upphör"),
                "The agreement is revoked.");
        DataAccessAgreement other = agreements.file(supplier, new NewDataAccessRequest(product, fx.schoolId, AttributePackage.MINIMAL, Set.of(),
                "Inloggning", "Allmänt intresse", 30), "supplier");
        String otherRequest = "/access/requests/" + other.id();
        submit("POST /access/requests/{id}/decline", otherRequest + "/decline", form(otherRequest, otherRequest + "/decline", "reason", "Behövs inte"),
                "The request is declined.");

        String supplierPage = "/access/suppliers/" + supplier;
        walked.add("POST /access/suppliers/{id}/clients");
        WebSession.Answer created = web.post(supplierPage + "/clients", form(supplierPage, supplierPage + "/clients"));
        assertThat(created.status()).isEqualTo(302);
        assertThat(jdbc.sql("""
                        select count(*) from spring_session_attributes a join spring_session s on s.primary_id = a.session_primary_id
                        where s.principal_name = :u and a.attribute_name like '%FLASH_MAPS'
                        """).param("u", admin).query(Long.class).single()).as("the flash attributes went into PostgreSQL").isPositive();
        String withSecret = web.follow(created).body();
        String clientId = jdbc.sql("select client_id from supplier_api_client where supplier_id = :s").param("s", supplier).query(String.class).single();
        assertThat(withSecret).contains("New API credentials").contains(clientId).contains("class=\"client-secret\"");
        assertThat(web.get(supplierPage).body()).as("the secret is shown once").doesNotContain("class=\"client-secret\"");
        submit("POST /access/suppliers/{id}/public-authority", supplierPage + "/public-authority", form(supplierPage, supplierPage + "/public-authority",
                "reason", ""), "Say why the supplier is recorded as a public authority");

        // --- purchase: cart, recipients, seats, removing a line, checkout
        String productPage = "/purchase/products/" + product;
        submit("POST /purchase/cart", "/purchase/cart", form(productPage, "/purchase/cart", "trial", "true"), "has no trial");
        UUID line = cart.add(admin, product, null, false);
        String recipients = "/purchase/cart/" + line + "/recipients";
        submit("POST /purchase/cart/{lineId}/recipients", recipients, form(recipients, recipients, "group", fx.group("c-7a").toString()),
                "1 selection added");
        UUID bare = cart.add(admin, product, null, false);
        submit("POST /purchase/checkout", "/purchase/checkout", form(productPage, "/purchase/cart"),
                "The order was not placed: choose who should get Formulärboken");
        submit("POST /purchase/cart/{lineId}/seats", "/purchase/cart/" + line + "/seats", form("/purchase/cart", "/purchase/cart/" + line + "/seats",
                "seats", "0"), "The number of seats must be at least 1.");
        submit("POST /purchase/cart/{lineId}/remove", "/purchase/cart/" + bare + "/remove", form("/purchase/cart", "/purchase/cart/" + bare + "/remove"),
                "The product was removed from the cart.");
        String removeRecipient = "/purchase/cart/" + line + "/recipients/0/remove";
        List<Map.Entry<String, String>> removeAfterwards = form("/purchase/cart", removeRecipient);
        String orderPage = submit("POST /purchase/checkout", "/purchase/checkout", form("/purchase/cart", "/purchase/checkout"), "Formulärboken");
        assertThat(orderPage).doesNotContain("The order was not placed");
        // the line is ordered now: a recipient removed from it in a tab still open is refused, saying why
        submit("POST /purchase/cart/{lineId}/recipients/{index}/remove", removeRecipient, removeAfterwards, "No such line in your cart.");

        // --- buyers
        String otherBuyer = "every-form-other-" + fx.tag;
        accounts.create(otherBuyer, "Annan inköpare", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        submit("POST /purchase/buyers", "/purchase/buyers", form("/purchase/buyers", "/purchase/buyers", "username", otherBuyer, "organisation",
                fx.schoolId.toString()), "Saved.");
        submit("POST /purchase/buyers/remove", "/purchase/buyers/remove", form("/purchase/buyers", "/purchase/buyers", "username", otherBuyer), "Removed.");

        // --- the data protection officer: held orders, adequacy, policy
        UUID held = orders.place(admin, List.of(new OrderLineRequest(beyondPolicy, List.of(Recipient.group(fx.group("c-7b"))), null, false))).order().id();
        String approval = "/purchase/approvals/" + held;
        submit("POST /purchase/approvals/{id}/approve", approval + "/approve", form(approval, approval + "/approve"), "Approved: the licences are created.");
        UUID declined = orders.place(admin, List.of(new OrderLineRequest(beyondPolicy, List.of(Recipient.group(fx.group("c-8a"))), null, false)))
                .order().id();
        String declinePage = "/purchase/approvals/" + declined;
        submit("POST /purchase/approvals/{id}/decline", declinePage + "/decline", form(declinePage, declinePage + "/decline", "reason", "För mycket data"),
                "Declined.");
        submit("POST /purchase/adequacy", "/purchase/adequacy", form("/purchase/adequacy", "/purchase/adequacy", "country", "XK", "name", "Testland",
                "basis", "ADEQUACY_DECISION", "decision", "Testbeslut", "decisionDate", "", "validFrom", LocalDate.now().toString(),
                "validUntil", "", "note", ""), "Saved.");
        submit("POST /purchase/adequacy/{country}/remove", "/purchase/adequacy/XK/remove", form("/purchase/adequacy", "/purchase/adequacy/XK/remove"),
                "Removed.");
        submit("POST /purchase/policy", "/purchase/policy", form("/purchase/policy?organiser=" + fx.organiserId, "/purchase/policy", "reset", "true"),
                "The policy is saved.");

        // --- licences: a pool, its rules, assigning by hand, recompute, profiles
        submit("POST /licences/pools", "/licences/pools", form("/licences", "/licences/pools", "articleNumber", catalog.product(product).orElseThrow()
                .articleNumber(), "scopeId", fx.schoolId.toString(), "seats", "0", "startsOn", LocalDate.now().toString()), "a pool needs at least 1 seat");
        UUID poolId = pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 3, LocalDate.now(), LocalDate.now().plusYears(1), false, null, admin));
        String poolPage = "/licences/pools/" + poolId;
        submit("POST /licences/pools/{id}/rules", poolPage + "/rules", form(poolPage, poolPage + "/rules", "kind", "GROUP", "target",
                fx.group("c-8a").toString()), "The rule is added");
        UUID rule = pools.rules(poolId).getFirst().id();
        submit("POST /licences/pools/{id}/rules/{ruleId}/remove", poolPage + "/rules/" + rule + "/remove",
                form(poolPage, poolPage + "/rules/" + rule + "/remove"), "The rule is removed.");
        submit("POST /licences/pools/{id}/direct", poolPage + "/direct", form(poolPage, poolPage + "/direct", "persons",
                fx.person("p2") + " " + fx.person("p3")), "2 hold a seat, 0 are left without one");
        // a pool that starts today, ended on its first day: its seats end at once
        submit("POST /licences/pools/{id}/end", poolPage + "/end", form(poolPage + "/end", poolPage + "/end"), "The pool has ended");
        assertThat(jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state <> 'ENDED'").param("p", poolId).query(Long.class)
                .single()).isZero();
        submit("POST /licences/recompute", "/licences/recompute", form("/licences", "/licences/recompute"), "Recomputed:");
        submit("POST /licences/profiles", "/licences/profiles", form("/licences/profiles", "/licences/profiles", "name", "Profil " + fx.tag,
                "articleNumbers", "NO-SUCH-ARTICLE"), "No product with that article number.");
        UUID profile = profiles.create("Elev år 7 " + fx.tag, List.of(product), admin);
        String profilePage = "/licences/profiles/" + profile;
        submit("POST /licences/profiles/{id}/rules", profilePage + "/rules", form(profilePage, profilePage + "/rules", "kind", "GRADE_AT_UNIT",
                "target", fx.schoolId.toString(), "grade", "07"), "The rule is added");

        // --- provisioning: a connector set up (paused, for a product nobody holds, so nothing is ever sent), changed, resumed and paused;
        // the brake and dead-letter actions with nothing to act on say so
        UUID connectorProduct = fx.product(supplier, "Kopplingsboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        String connectorsNew = "/provisioning/connectors/new?supplier=" + supplier;
        String connectorPage = submit("POST /provisioning/connectors", "/provisioning/connectors", form(connectorsNew, "/provisioning/connectors",
                "name", "Formulärkopplingen", "baseUrl", "https://scim.flash.invalid/v2", "auth", "BEARER", "bearerToken", "flash-token",
                "products", connectorProduct.toString()), "The connector is set up.");
        assertThat(connectorPage).contains("Kopplingsboken").doesNotContain("flash-token");
        UUID connector = jdbc.sql("select id from provisioning_connector where supplier_id = :s and name = 'Formulärkopplingen'").param("s", supplier)
                .query(UUID.class).single();
        String connectorPath = "/provisioning/connectors/" + connector;
        submit("POST /provisioning/connectors/{id}", connectorPath, form(connectorPath + "/edit", connectorPath, "name", "Formulärkopplingen",
                "baseUrl", "https://scim.flash.invalid/v2", "auth", "BEARER", "products", connectorProduct.toString()), "The connector is changed.");
        submit("POST /provisioning/connectors/{id}/resume", connectorPath + "/resume", form(connectorPath, connectorPath + "/resume"),
                "The connector is resumed");
        submit("POST /provisioning/connectors/{id}/pause", connectorPath + "/pause", form(connectorPath, connectorPath + "/pause"),
                "The connector is paused");
        submit("POST /provisioning/connectors/{id}/release-brake", connectorPath + "/release-brake", form(connectorPath, connectorPath + "/resume"),
                "is not held by its deletion brake");
        submit("POST /provisioning/connectors/{id}/discard-held", connectorPath + "/discard-held", form(connectorPath, connectorPath + "/resume"),
                "is not held by its deletion brake");
        submit("POST /provisioning/connectors/{id}/dead-letters/{operation}/replay", connectorPath + "/dead-letters/1/replay",
                form(connectorPath, connectorPath + "/resume"), "That dead letter is no longer there");
        submit("POST /provisioning/connectors/{id}/dead-letters/replay", connectorPath + "/dead-letters/replay",
                form(connectorPath, connectorPath + "/resume"), "No operation is queued again.");
        // a BOL order that is not a dead letter at this (SCIM) connector: said so, nothing queued
        submit("POST /provisioning/connectors/{id}/orders/{order}/send-again", connectorPath + "/orders/" + UUID.randomUUID() + "/send-again",
                form(connectorPath, connectorPath + "/resume"), "The order is not one that failed: nothing was changed.");

        // --- governance: administrator accounts (create, grant, revoke, disable, enable)
        String managed = "flash-managed-" + fx.tag;
        String accountPath = "/admin/accounts/" + managed;
        submit("POST /admin/accounts", "/admin/accounts", form("/admin/accounts", "/admin/accounts", "username", managed, "displayName", "Hanterad",
                "password", PASSWORD), "The account has been created.");
        submit("POST /admin/accounts/{username}/grants", accountPath + "/grants", form(accountPath, accountPath + "/grants", "right", "BUYER",
                "scope", "units", "organisations", fx.organiserId.toString()), "The right has been granted.");
        long grantId = jdbc.sql("select id from admin_grant where username = :u").param("u", managed).query(Long.class).single();
        String revoke = accountPath + "/grants/" + grantId + "/revoke";
        submit("POST /admin/accounts/{username}/grants/{id}/revoke", revoke, form(accountPath, revoke), "The right has been revoked.");
        submit("POST /admin/accounts/{username}/second-factor/required", accountPath + "/second-factor/required",
                form(accountPath, accountPath + "/second-factor/required"), "A second factor is now required of the account.");
        assertThat(jdbc.sql("select second_factor_required from admin_account where username = :u").param("u", managed).query(Boolean.class).single()).isTrue();
        // locked out by someone guessing its password: the lockout lifted
        jdbc.sql("insert into sign_in_throttle (kind, subject, failures, last_attempt_at) values ('ACCOUNT', :s, 100, now())")
                .param("s", org.tilldela.governance.SignInThrottle.ADMIN_PASSWORD + managed).update();
        submit("POST /admin/accounts/{username}/lockout/lift", accountPath + "/lockout/lift", form(accountPath, accountPath + "/lockout/lift"),
                "The lockout is lifted");
        submit("POST /admin/accounts/{username}/break-glass", accountPath + "/break-glass", form(accountPath, accountPath + "/break-glass"),
                "The account is marked as a break-glass account.");
        assertThat(jdbc.sql("select break_glass from admin_account where username = :u").param("u", managed).query(Boolean.class).single()).isTrue();
        // the upstream binding's refusal (no organiser here has a provider, so the form is not on the page: the session's
        // form token is the contact form's)
        List<Map.Entry<String, String>> binding = form(accountPath, accountPath + "/contact", "subject", "uppe-" + fx.tag);
        submit("POST /admin/accounts/{username}/upstream-binding", accountPath + "/upstream-binding", binding,
                "Choose both the organiser and the subject");
        // the contact form's refusal carries the typed values and the error by field through the session store
        submit("POST /admin/accounts/{username}/contact", accountPath + "/contact", form(accountPath, accountPath + "/contact", "email", "nej@",
                "language", "sv"), "That is not an e-mail address");
        submit("POST /account/contact", "/account/contact", form("/account/contact", "/account/contact", "email", "flash@" + fx.tag + ".example.org",
                "language", "da"), "The e-mail address and language have been saved.");
        submit("POST /admin/accounts/{username}/disable", accountPath + "/disable", form(accountPath, accountPath + "/disable"),
                "The account has been disabled");
        submit("POST /admin/accounts/{username}/enable", accountPath + "/enable", form(accountPath, accountPath + "/enable"),
                "The account has been enabled.");

        // --- governance: access reviews (a standing reviewer refused, a campaign over the organiser, one right confirmed, one revoked)
        submit("POST /admin/reviews/reviewers", "/admin/reviews/reviewers", form("/admin/reviews", "/admin/reviews/reviewers", "unit",
                fx.organiserId.toString(), "reviewer", "no-such-account-" + fx.tag), "The reviewer must be an enabled account");
        grants.grant(admin, managed, AdminRight.BUYER, GrantScope.units(Set.of(fx.organiserId), Set.of()));
        grants.grant(admin, managed, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(fx.organiserId), Set.of()));
        walked.add("POST /admin/reviews");
        WebSession.Answer started = web.post("/admin/reviews", form("/admin/reviews", "/admin/reviews", "unit", fx.organiserId.toString(),
                "reviewer", admin));
        assertThat(started.status()).isEqualTo(302);
        String campaign = started.location().replaceFirst("^https?://[^/]+", "");
        assertThat(web.follow(started).body()).contains("The campaign has started.");
        List<Long> items = jdbc.sql("select id from access_review_item where review_id = :r order by id")
                .param("r", Long.parseLong(campaign.substring(campaign.lastIndexOf('/') + 1))).query(Long.class).list();
        assertThat(items).as("the two rights over the organiser").hasSize(2);
        submit("POST /admin/reviews/{id}/items/{item}/confirm", campaign + "/items/" + items.get(0) + "/confirm",
                form(campaign, campaign + "/items/" + items.get(0) + "/confirm"), "The right is confirmed.");
        submit("POST /admin/reviews/{id}/items/{item}/revoke", campaign + "/items/" + items.get(1) + "/revoke",
                form(campaign, campaign + "/items/" + items.get(1) + "/revoke"), "The right is revoked.");
        // --- governance: rights from duties (a rule made and removed; an account unlinked from its person)
        submit("POST /admin/duty-rules", "/admin/duty-rules", form("/admin/duty-rules", "/admin/duty-rules", "dutyRole", "PRINCIPAL", "right", "BUYER",
                "unit", fx.organiserId.toString()), "The rule is made and in effect");
        long ruleId = jdbc.sql("select max(id) from duty_grant_rule where created_by = :u").param("u", admin).query(Long.class).single();
        String removeRule = "/admin/duty-rules/" + ruleId + "/remove";
        submit("POST /admin/duty-rules/{id}/remove", removeRule, form("/admin/duty-rules", removeRule), "The rule is removed");
        submit("POST /admin/accounts/{username}/person", accountPath + "/person", form(accountPath, accountPath + "/person"),
                "The account is no longer linked to a person");
        // --- the desk: a version of the record of processing activities
        submit("POST /dpo/processing-record", "/dpo/processing-record", form("/dpo/processing-record", "/dpo/processing-record"),
                "A new version is generated with");
        submit("POST /dpo/breaches", "/dpo/breaches", form("/dpo/breaches", "/dpo/breaches", "discoveredAt", "", "description", ""),
                "Give when it was discovered");
        // nobody removes their own second factor
        String own = "/admin/accounts/" + admin;
        submit("POST /admin/accounts/{username}/second-factor/remove", own + "/second-factor/remove", form(accountPath, accountPath + "/disable"),
                "You cannot disable or enable your own account.");

        // --- sign-in: a SAML service provider for an unknown article, and removing one that is not registered
        submit("POST /sso/saml", "/sso/saml", form("/sso/saml", "/sso/saml", "articleNumber", "NO-SUCH-ARTICLE", "metadata", "", "metadataUrl", ""),
                "No product has that article number.");
        submit("POST /sso/saml/remove", "/sso/saml/remove", form("/sso/saml", "/sso/saml", "entityId", "https://sp.flash.invalid/none"),
                "No service provider with that entityID is registered.");

        // --- governance: a personal API token revoked (this account has none: told so)
        submit("POST /account/api-tokens/{id}/revoke", "/account/api-tokens/999999999/revoke", form("/account/password", "/account/password"),
                "You have no such token that is still valid.");

        // --- governance: the administrator changes their own password (last: the session goes on under a new id)
        String newPassword = "ett helt nytt lösenord för flash-testet";
        submit("POST /account/password", "/account/password", form("/account/password", "/account/password",
                "currentPassword", PASSWORD, "newPassword", newPassword, "repeatPassword", newPassword), "Your password has been changed.");

        // --- none left out: every handler that takes RedirectAttributes was walked above
        Set<String> flashHandlers = new TreeSet<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            boolean flash = false;
            for (Parameter p : e.getValue().getMethod().getParameters()) {
                flash |= RedirectAttributes.class.isAssignableFrom(p.getType());
            }
            if (flash) {
                e.getKey().getMethodsCondition().getMethods().forEach(m -> e.getKey().getPatternValues()
                        .forEach(pattern -> flashHandlers.add(m.name() + " " + pattern)));
            }
        }
        assertThat(flashHandlers).as("handlers passing flash attributes").isNotEmpty();
        assertThat(walked).as("every handler passing flash attributes is submitted by this test").containsAll(flashHandlers);
    }
}
