package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DeletionChannel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.Retention;

/**
 * A supplier without SCIM learns through its own API door what it must delete — fetching the list is the
 * request, recorded with its time — sees each person only by its own pseudonym, and confirms each
 * deletion (idempotently). Nothing of another supplier's, nothing not yet due, and no data beyond the
 * pseudonym ever shows; a request superseded by a new release cannot be confirmed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SupplierDeletionsApiTest extends IntegrationTest {

    private static final String PASSWORD = "supplier-deletions-password";
    private static final Set<Attribute> HELD = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GROUPS);

    @LocalServerPort int port;
    @Autowired SupplierClients clients;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired JdbcClient jdbc;
    @Autowired DisclosureLedger ledger;
    @Autowired Retention retention;
    @Autowired TransactionTemplate tx;
    @Autowired Pseudonyms pseudonyms;
    @Autowired AuditTrail audit;

    UUID supplier;
    UUID otherSupplier;
    UUID product;
    UUID othersProduct;
    SupplierClients.Credentials credentials;
    SupplierClients.Credentials otherCredentials;
    String dpo;

    @BeforeAll
    void setUp() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        supplier = saveSupplier("Raderaren AB " + tag);
        otherSupplier = saveSupplier("Konkurrenten AB " + tag);
        product = saveProduct(supplier);
        othersProduct = saveProduct(otherSupplier);
        credentials = clients.create(supplier, "test");
        otherCredentials = clients.create(otherSupplier, "test");
        dpo = "dpo-door-" + tag;
        accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
    }

    private UUID saveSupplier(String name) {
        UUID id = UUID.randomUUID();
        catalog.save(new Supplier(id, name, "55" + Math.abs(id.getLeastSignificantBits() % 100_000_000L), "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "avtal.pdf", LocalDate.now().minusDays(10), null, Set.of())),
                new Supplier.Contact(null, null, null)));
        return id;
    }

    private UUID saveProduct(UUID owner) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "DEL-" + id.toString().substring(0, 8), owner, "Skrivverkstan", "", Product.Kind.DIGITAL, List.of("GR"), List.of(),
                List.of(), Product.LicenceModel.PER_USER, 12, BigDecimal.TEN, "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                List.of(new Product.DataNeed(Attribute.PSEUDONYMOUS_ID, "konto", 30, Set.of("SE")))));
        return id;
    }

    /** A person whose data the supplier holds through the product; the relation ended that many days ago (30 days' retention). */
    private UUID held(UUID supplierId, UUID productId, Set<Attribute> attributes, int endedDaysAgo) {
        UUID person = UUID.randomUUID();
        tx.executeWithoutResult(s -> ledger.append(List.of(new Disclosure(person, supplierId, productId, Channel.SSO_ID_TOKEN, attributes, null,
                "GDPR art. 6.1 e (public task)", "Inloggning", Instant.now(), 30, null))));
        retention.relationEnded(person, productId, LocalDate.now().minusDays(endedDaysAgo));
        return person;
    }

    private RestClient as(String user, String password) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, password))
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
    }

    private RestClient asSupplier() {
        return as(credentials.clientId(), credentials.secret());
    }

    private ResponseEntity<Map<String, Object>> list(RestClient client) {
        return client.get().uri("/api/v1/supplier/deletions").retrieve().toEntity(new ParameterizedTypeReference<>() { });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> deletions(ResponseEntity<Map<String, Object>> answer) {
        return (List<Map<String, Object>>) answer.getBody().get("deletions");
    }

    private ResponseEntity<Map<String, Object>> confirm(RestClient client, Object requestId) {
        return client.post().uri("/api/v1/supplier/deletions/{id}/confirmation", requestId).retrieve().toEntity(new ParameterizedTypeReference<>() { });
    }

    @Test
    void theSupplierFetchesWhatIsDueByPseudonymAndConfirmsEachDeletionOnce() {
        UUID due = held(supplier, product, HELD, 40);
        UUID notYet = held(supplier, product, HELD, 20);
        UUID withoutPseudonym = held(supplier, product, EnumSet.of(Attribute.GIVEN_NAME), 40);
        UUID othersDue = held(otherSupplier, othersProduct, HELD, 40);

        Instant before = Instant.now();
        ResponseEntity<Map<String, Object>> first = list(asSupplier());
        assertThat(first.getStatusCode().value()).isEqualTo(200);
        assertThat(first.getBody().get("total")).isEqualTo(1);
        Map<String, Object> item = deletions(first).getFirst();
        assertThat(deletions(first)).hasSize(1);
        // the supplier's own pseudonym for the person, and nothing more about them
        assertThat(item.keySet()).containsExactlyInAnyOrder("id", "pseudonymousId", "productId", "dueDate", "requestedAt");
        assertThat(item.get("pseudonymousId")).isEqualTo(pseudonyms.of(due, supplier).toString());
        assertThat(item.get("productId")).isEqualTo(product.toString());
        assertThat(item.get("dueDate")).isEqualTo(LocalDate.now().minusDays(40).plusDays(31).toString());
        assertThat(first.getBody().toString()).doesNotContain(due.toString(), notYet.toString(), withoutPseudonym.toString(), othersDue.toString(),
                pseudonyms.of(othersDue, supplier).toString());

        // fetching was the request: recorded as sent through the supplier API, once
        var receipt = retention.deletionReceipt(due, supplier, product).orElseThrow();
        assertThat(receipt.channel()).isEqualTo(DeletionChannel.SUPPLIER_API);
        assertThat(receipt.sentAt()).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(receipt.requestId().toString()).isEqualTo(item.get("id"));
        assertThat(retention.deletionReceipt(notYet, supplier, product)).isEmpty();
        assertThat(retention.deletionReceipt(othersDue, otherSupplier, othersProduct)).as("another supplier's list was not fetched").isEmpty();
        ResponseEntity<Map<String, Object>> again = list(asSupplier());
        assertThat(deletions(again)).singleElement().satisfies(i -> {
            assertThat(i.get("id")).isEqualTo(item.get("id"));
            assertThat(i.get("requestedAt")).as("sent-at is the first fetch").isEqualTo(item.get("requestedAt"));
        });
        assertThat(audit.about("supplier", supplier.toString())).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("supplier:" + credentials.clientId());
            assertThat(e.action()).isEqualTo("SUPPLIER_DELETIONS_FETCHED");
        });

        // another supplier cannot confirm it, nor can anyone confirm a made-up request
        assertThat(confirm(as(otherCredentials.clientId(), otherCredentials.secret()), item.get("id")).getStatusCode().value()).isEqualTo(404);
        assertThat(confirm(asSupplier(), UUID.randomUUID()).getStatusCode().value()).isEqualTo(404);
        assertThat(confirm(asSupplier(), "not-an-id").getStatusCode().value()).isEqualTo(400);
        assertThat(retention.deletionReceipt(due, supplier, product).orElseThrow().confirmed()).isFalse();

        ResponseEntity<Map<String, Object>> confirmed = confirm(asSupplier(), item.get("id"));
        assertThat(confirmed.getStatusCode().value()).isEqualTo(200);
        assertThat(confirmed.getBody()).containsEntry("alreadyConfirmed", false).containsEntry("id", item.get("id"))
                .containsEntry("productId", product.toString());
        var done = retention.deletionReceipt(due, supplier, product).orElseThrow();
        assertThat(done.confirmedAt()).isNotNull();
        assertThat(done.answer()).isEqualTo("confirmed through the supplier API by " + credentials.clientId());
        assertThat(Instant.parse((String) confirmed.getBody().get("confirmedAt"))).isEqualTo(done.confirmedAt());

        // idempotent: again, the first confirmation stands
        ResponseEntity<Map<String, Object>> repeated = confirm(asSupplier(), item.get("id"));
        assertThat(repeated.getStatusCode().value()).isEqualTo(200);
        assertThat(repeated.getBody()).containsEntry("alreadyConfirmed", true).containsEntry("confirmedAt", confirmed.getBody().get("confirmedAt"));
        assertThat(jdbc.sql("select count(*) from deletion_answer where request_id = :r").param("r", done.requestId()).query(Long.class).single())
                .isEqualTo(1);
        assertThat(audit.about("deletion_request", done.requestId().toString())).hasSize(2)
                .allSatisfy(e -> assertThat(e.action()).isEqualTo("SUPPLIER_DELETION_CONFIRMED"));

        // done: the list is empty, and the data protection officer's overdue list no longer has it
        assertThat(deletions(list(asSupplier()))).isEmpty();
        assertThat(retention.overdueDeletions(LocalDate.now(), 100_000)).noneMatch(d -> d.personId().equals(due));
        // what could not be named without releasing data again stays overdue for the officer
        assertThat(retention.overdueDeletions(LocalDate.now(), 100_000)).anyMatch(d -> d.personId().equals(withoutPseudonym));
    }

    @Test
    void aRequestSupersededByANewReleaseCannotBeConfirmed() {
        UUID person = held(supplier, product, HELD, 35);
        String requestId = (String) deletions(list(asSupplier())).stream().filter(i -> i.get("pseudonymousId").equals(pseudonyms.of(person, supplier).toString()))
                .findFirst().orElseThrow().get("id");
        // the person is back, with a licence, and signs in again: the supplier holds data anew
        tx.executeWithoutResult(s -> ledger.append(List.of(new Disclosure(person, supplier, product, Channel.SSO_ID_TOKEN, HELD, null,
                "GDPR art. 6.1 e (public task)", "Inloggning", Instant.now(), 30, null))));
        assertThat(confirm(asSupplier(), requestId).getStatusCode().value()).isEqualTo(409);
        assertThat(retention.deletionReceipt(person, supplier, product)).isEmpty();
        assertThat(jdbc.sql("select count(*) from deletion_request where id = :id and confirmed_at is null").param("id", UUID.fromString(requestId))
                .query(Long.class).single()).as("kept as history, unconfirmed").isEqualTo(1);
    }

    @Test
    void paging_andTheDoorIsForSuppliersOnly() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        UUID pagedSupplier = saveSupplier("Sidvisaren AB " + tag);
        UUID pagedProduct = saveProduct(pagedSupplier);
        SupplierClients.Credentials paged = clients.create(pagedSupplier, "test");
        for (int i = 0; i < 5; i++) {
            held(pagedSupplier, pagedProduct, HELD, 40 + i);
        }
        RestClient client = as(paged.clientId(), paged.secret());
        ResponseEntity<Map<String, Object>> page1 = client.get().uri("/api/v1/supplier/deletions?limit=2&offset=0").retrieve()
                .toEntity(new ParameterizedTypeReference<>() { });
        ResponseEntity<Map<String, Object>> page3 = client.get().uri("/api/v1/supplier/deletions?limit=2&offset=4").retrieve()
                .toEntity(new ParameterizedTypeReference<>() { });
        assertThat(page1.getBody().get("total")).isEqualTo(5);
        assertThat(deletions(page1)).hasSize(2);
        assertThat(deletions(page3)).hasSize(1);
        // oldest first: the one whose relation ended 44 days ago
        assertThat(deletions(page1).getFirst().get("dueDate")).isEqualTo(LocalDate.now().minusDays(44).plusDays(31).toString());
        // only the pages fetched were requested
        assertThat(jdbc.sql("select count(*) from deletion_request where supplier_id = :s").param("s", pagedSupplier).query(Long.class).single())
                .isEqualTo(3);
        assertThat(client.get().uri("/api/v1/supplier/deletions?limit=5000").retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(400);

        // an administrator's credentials do not open the supplier door, nor does no one's
        assertThat(as(dpo, PASSWORD).get().uri("/api/v1/supplier/deletions").retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(401);
        assertThat(RestClient.builder().baseUrl("http://localhost:" + port).defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build()
                .get().uri("/api/v1/supplier/deletions").retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(401);
        // a disabled client neither
        clients.disable(paged.clientId(), "test");
        assertThat(client.get().uri("/api/v1/supplier/deletions").retrieve().toEntity(String.class).getStatusCode().value()).isEqualTo(401);
    }
}
