package org.tilldela.provisioning;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.purchase.BuyerScopes;

/**
 * A small municipality whose data protection officer allows what products declare (so orders are placed, not held), a
 * publisher with an agreement in force and its BOL service ({@link BolTestServer}), and what a test makes of them:
 * products, BOL connectors, buyers.
 */
final class BolFixture implements AutoCloseable {

    static final String PASSWORD = "bol-test-password";

    final ScopedMunicipality m;
    final BolTestServer publisher;
    final UUID supplier;
    private final Catalog catalog;
    private final Connectors connectors;
    private final AdminAccounts accounts;
    private final BuyerScopes buyerScopes;

    BolFixture(JdbcClient jdbc, Catalog catalog, Connectors connectors, AdminAccounts accounts, BuyerScopes buyerScopes) throws Exception {
        this.catalog = catalog;
        this.connectors = connectors;
        this.accounts = accounts;
        this.buyerScopes = buyerScopes;
        m = new ScopedMunicipality(jdbc);
        jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, 'test')").param("o", m.organiser)
                .param("a", java.util.Arrays.stream(Attribute.values()).map(Enum::name).sorted().toArray(String[]::new)).update();
        Supplier s = CatalogFixtures.withAgreement(CatalogFixtures.supplier("BOL-förlaget " + CatalogFixtures.unique(), "SE"),
                Set.of(m.organiser), LocalDate.now().minusYears(1), LocalDate.now().plusYears(1));
        catalog.save(s);
        supplier = s.id();
        publisher = new BolTestServer();
    }

    /** A digital product of the publisher that needs the pseudonym and the school unit. */
    UUID product(String title) {
        Product p = CatalogFixtures.digital(catalog.supplier(supplier).orElseThrow(), title, "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID,
                Attribute.SCHOOL_UNIT);
        catalog.save(p);
        return p.id();
    }

    /** A BOL connector serving these products (each test its own, so their orders and assignments stay apart). */
    UUID connector(String name, UUID... products) {
        return connectors.create(new Connector.Settings(supplier, name, publisher.baseUrl(), Connector.Auth.BEARER, publisher.token, null, null, null,
                null, List.of(products), true, null, null, Connector.Profile.BOL, null, null, null, publisher.serviceProviderId), "test").id();
    }

    /** A buyer for the whole organiser. */
    String buyer(String name) {
        String username = name + "-" + m.source;
        accounts.create(username, "Inköpare", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        buyerScopes.set(username, m.organiser, "test");
        return username;
    }

    /**
     * Waits until the publisher holds {@code n} assignments of the order line and Tilldela has recorded them as such (it
     * records an assignment once the publisher has answered, so the publisher's side alone is not enough to go on).
     */
    void awaitAssigned(JdbcClient jdbc, java.util.UUID line, long n) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                publisher.held().stream().filter(a -> a.get("line").equals(line.toString())).count() == n
                && jdbc.sql("select count(*) from bol_assignment where line_id = :l").param("l", line).query(Long.class).single() == n);
    }

    @Override
    public void close() {
        publisher.close();
    }
}
