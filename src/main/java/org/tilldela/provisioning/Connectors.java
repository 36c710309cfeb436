package org.tilldela.provisioning;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.Licences;
import org.tilldela.platform.ClientCertificates;
import org.tilldela.platform.SecretsAtRest;

/**
 * The SCIM connectors: set up, changed, paused and resumed by an administrator (every change audited, secrets
 * encrypted at rest and never returned). A new connector, or a product added to one, queues a SYNC for every
 * current licence holder, so the supplier gets the accounts it should already have.
 */
@Service
public class Connectors {

    /** Resource types a connector can push: users, and groups (with their members who are the connector's licence holders). */
    static final Set<String> SUPPORTED_RESOURCE_TYPES = Set.of("User", "Group");

    private final JdbcClient jdbc;
    private final SecretsAtRest secrets;
    private final Catalog catalog;
    private final Licences licences;
    private final AuditTrail audit;
    private final Outbox outbox;
    private final DeletionBrake brake;
    private final ConnectorHosts hosts;
    private final BolOrders bolOrders;
    /** Looked up when used: it reads connectors' endpoints through this class. */
    private final org.springframework.beans.factory.ObjectProvider<BolStatistics> bolStatistics;
    /** Looked up when used, for the same reason. */
    private final org.springframework.beans.factory.ObjectProvider<BolUserLicences> bolUserLicences;

    /** The deletion brake of a new connector, in percent of its accounts. */
    static final double DEFAULT_BRAKE_PERCENT = 10;

    Connectors(JdbcClient jdbc, SecretsAtRest secrets, Catalog catalog, Licences licences, AuditTrail audit, Outbox outbox, DeletionBrake brake,
               ConnectorHosts hosts, BolOrders bolOrders, org.springframework.beans.factory.ObjectProvider<BolStatistics> bolStatistics,
               org.springframework.beans.factory.ObjectProvider<BolUserLicences> bolUserLicences) {
        this.bolUserLicences = bolUserLicences;
        this.bolOrders = bolOrders;
        this.bolStatistics = bolStatistics;
        this.brake = brake;
        this.hosts = hosts;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.catalog = catalog;
        this.licences = licences;
        this.audit = audit;
        this.outbox = outbox;
    }

    @Transactional
    public Connector create(Connector.Settings s, String actor) {
        Checked c = check(s, null);
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into provisioning_connector (id, supplier_id, name, base_url, auth_kind, bearer_token, token_url, client_id, client_secret,
                                                            resource_types, enabled, deletion_brake_percent, reconcile_cron, profile, client_certificate,
                                                            client_key, server_ca, service_provider_id)
                        values (:id, :supplier, :name, :url, :auth, :bearer, :tokenUrl, :clientId, :clientSecret, :types, :enabled, :brake,
                                nullif(cast(:cron as text), ''), :profile, :certificate, :key, :serverCa, :serviceProvider)
                        """)
                .param("id", id).param("supplier", s.supplierId()).param("name", s.name().strip()).param("url", c.baseUrl())
                .param("auth", s.auth().name()).param("bearer", c.bearer()).param("tokenUrl", c.tokenUrl()).param("clientId", c.clientId())
                .param("clientSecret", c.clientSecret()).param("types", c.resourceTypes().toArray(String[]::new))
                .param("enabled", s.enabled() == null || s.enabled()).param("brake", c.brake() == null ? DEFAULT_BRAKE_PERCENT : c.brake())
                .param("cron", c.cron())
                .param("profile", c.profile().name()).param("certificate", c.clientCertificate()).param("key", c.clientKey()).param("serverCa", c.serverCa())
                .param("serviceProvider", c.serviceProviderId()).update();
        setProducts(id, c.products());
        int queued = queueHolders(id, c.products(), "CONNECTOR_CREATED");
        audit.record(actor, "PROVISIONING_CONNECTOR_CREATED", "provisioning_connector", id.toString(),
                Map.of("supplier", s.supplierId().toString(), "products", c.products().size(), "auth", s.auth().name(), "queued", queued,
                        "profile", c.profile().name()));
        return get(id).orElseThrow();
    }

    @Transactional
    public Connector change(UUID id, Connector.Settings s, String actor) {
        Stored old = stored(id).orElseThrow(() -> new NoSuchConnector(id));
        if (s != null && s.supplierId() != null && !s.supplierId().equals(old.supplierId())) {
            // the accounts and groups made so far are the old supplier's: they cannot become another's
            throw new IllegalArgumentException("A connector's supplier cannot change; make a new connector for the other supplier.");
        }
        if (s != null && s.profile() != null && s.profile() != old.profile()) {
            // what the supplier holds was made under the old profile (core Users and Groups, or EGIL's objects)
            throw new IllegalArgumentException("A connector's profile cannot change; make a new connector for the other profile.");
        }
        Checked c = check(s, old);
        jdbc.sql("""
                        update provisioning_connector set supplier_id = :supplier, name = :name, base_url = :url, auth_kind = :auth, bearer_token = :bearer,
                               token_url = :tokenUrl, client_id = :clientId, client_secret = :clientSecret, resource_types = :types, enabled = :enabled,
                               deletion_brake_percent = coalesce(:brake, deletion_brake_percent), client_certificate = :certificate,
                               client_key = :key, server_ca = :serverCa, backoff_until = null, updated_at = now(),
                               service_provider_id = :serviceProvider,
                               reconcile_cron = case when cast(:cron as text) is null then reconcile_cron else nullif(cast(:cron as text), '') end
                        where id = :id
                        """)
                .param("id", id).param("supplier", s.supplierId()).param("name", s.name().strip()).param("url", c.baseUrl())
                .param("auth", s.auth().name()).param("bearer", c.bearer()).param("tokenUrl", c.tokenUrl()).param("clientId", c.clientId())
                .param("clientSecret", c.clientSecret()).param("types", c.resourceTypes().toArray(String[]::new))
                .param("enabled", s.enabled() == null ? old.enabled() : s.enabled()).param("brake", c.brake()).param("cron", c.cron())
                .param("certificate", c.clientCertificate()).param("key", c.clientKey()).param("serverCa", c.serverCa())
                .param("serviceProvider", c.serviceProviderId()).update();
        Set<UUID> added = new LinkedHashSet<>(c.products());
        added.removeAll(old.products());
        Set<UUID> removed = new LinkedHashSet<>(old.products());
        removed.removeAll(c.products());
        setProducts(id, c.products());
        int queued = queueHolders(id, added, "CONNECTOR_CHANGED");
        // holders of a product no longer served: their account follows what the remaining products allow
        queued += queueAccounts(id, "CONNECTOR_CHANGED", removed.isEmpty() ? null : "products removed");
        Map<String, Object> detail = new LinkedHashMap<>(Map.of("productsAdded", added.size(), "productsRemoved", removed.size(), "auth", s.auth().name(),
                "secretChanged", blank(s.bearerToken()) && blank(s.clientSecret()) && blank(s.clientKey()) && blank(s.clientCertificate()) ? "no" : "yes",
                "queued", queued,
                "deletionBrakePercent", c.brake() == null ? "unchanged" : c.brake()));
        // where the supplier's data and secrets now go is what a reviewer of this entry needs to see
        if (!c.baseUrl().equals(old.baseUrl())) {
            detail.put("baseUrl", Map.of("from", old.baseUrl(), "to", c.baseUrl()));
        }
        if (!java.util.Objects.equals(c.serverCa(), old.serverCa())) {
            detail.put("serverCaChanged", "yes"); // whom Tilldela trusts as the supplier
        }
        if (!java.util.Objects.equals(c.tokenUrl(), old.tokenUrl())) {
            detail.put("tokenUrl", Map.of("from", String.valueOf(old.tokenUrl()), "to", String.valueOf(c.tokenUrl())));
        }
        audit.record(actor, "PROVISIONING_CONNECTOR_CHANGED", "provisioning_connector", id.toString(), detail);
        return get(id).orElseThrow();
    }

    /**
     * A BOL order that did not reach the publisher (refused, or out of attempts) is sent again (audited); false when the
     * order is not a dead letter at this connector.
     */
    public boolean sendOrderAgain(UUID connector, UUID order, String actor) {
        return bolOrders.sendAgain(connector, order, actor);
    }

    /**
     * An order queued for a BOL connector, as its page lists it: Tilldela's order number (with -A for a bundle's
     * activation), QUEUED / IN_FLIGHT / SENT / DEAD, attempts and the last error.
     */
    public record QueuedOrder(UUID orderId, String number, String state, int attempts, String lastError, Instant queuedAt, Instant sentAt) {
    }

    /** The connector's BOL orders, those not sent first, then the latest. */
    @Transactional(readOnly = true)
    public List<QueuedOrder> queuedOrders(UUID connector, int limit) {
        return jdbc.sql("""
                        select order_id, client_order_number, state, attempts, last_error, created_at, sent_at from bol_order where connector_id = :c
                        order by state = 'SENT', created_at desc, id desc limit :n
                        """).param("c", connector).param("n", limit)
                .query((rs, n) -> new QueuedOrder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                        rs.getTimestamp(6).toInstant(), instant(rs.getTimestamp(7)))).list();
    }

    /** A licence a publisher says the person holds: at which school (by name where Tilldela knows it), which article, how long. */
    public record PublisherLicence(String school, String articleNumber, String articleName, String label, LocalDate validFrom, LocalDate validTo) {
    }

    /** One publisher's answer about a person (its licences), or why there is none ({@code failure}). */
    public record PublisherAnswer(String supplierName, String connectorName, List<PublisherLicence> licences, String failure) {
    }

    /**
     * Asks every publisher Tilldela has assigned licences to for the person (BOL's {@code /v1/users/licenses}, by the ids
     * it sent) what it holds about them, for the data protection officer to compare with the ledger. Audited; nothing
     * the publishers say is kept.
     */
    public List<PublisherAnswer> publisherLicences(UUID person, String actor) {
        List<PublisherAnswer> answers = bolUserLicences.getObject().of(person);
        audit.record(actor, "BOL_PUBLISHER_LICENCES_ASKED", "person", person.toString(),
                Map.of("publishers", answers.size(), "licences", answers.stream().mapToInt(a -> a.licences().size()).sum()));
        return answers;
    }

    /** What fetching a BOL connector's licence figures came to: how the publisher counts, for how many schools, how many figures. */
    public record StatisticsFetched(String method, int schools, int figures) {
    }

    /** Fetches a BOL connector's licence figures from the publisher now (audited); refused for a connector that is not BOL. */
    public StatisticsFetched fetchStatistics(UUID connector, String actor) {
        BolStatistics.Fetched fetched = bolStatistics.getObject().fetchNow(connector, actor);
        return new StatisticsFetched(fetched.method().name(), fetched.schools(), fetched.figures());
    }

    /** Pause (nothing is sent; operations wait) or resume a connector. */
    @Transactional
    public Connector setEnabled(UUID id, boolean enabled, String actor) {
        int n = jdbc.sql("update provisioning_connector set enabled = :e, backoff_until = null, updated_at = now() where id = :id")
                .param("e", enabled).param("id", id).update();
        if (n == 0) {
            throw new NoSuchConnector(id);
        }
        audit.record(actor, enabled ? "PROVISIONING_CONNECTOR_RESUMED" : "PROVISIONING_CONNECTOR_PAUSED", "provisioning_connector", id.toString(), null);
        return get(id).orElseThrow();
    }

    /** The deactivations and deletions the deletion brake holds are sent (audited). */
    @Transactional
    public Connector releaseBrake(UUID id, String actor) {
        Connector connector = get(id).orElseThrow(() -> new NoSuchConnector(id));
        if (!brake.release(id, actor)) {
            throw new IllegalArgumentException("The connector " + connector.name() + " is not held by its deletion brake.");
        }
        return get(id).orElseThrow();
    }

    /** The deactivations and deletions the deletion brake holds are not sent (audited). */
    @Transactional
    public Connector discardHeld(UUID id, String actor) {
        Connector connector = get(id).orElseThrow(() -> new NoSuchConnector(id));
        if (brake.discard(id, actor) < 0) {
            throw new IllegalArgumentException("The connector " + connector.name() + " is not held by its deletion brake.");
        }
        return get(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<Connector> all() {
        return jdbc.sql(SELECT + " order by c.name, c.id").query(this::connector).list();
    }

    @Transactional(readOnly = true)
    public Optional<Connector> get(UUID id) {
        return jdbc.sql(SELECT + " where c.id = :id").param("id", id).query(this::connector).optional();
    }

    /** What a worker needs to reach the supplier, secrets decrypted (never leaves this module). */
    @Transactional(readOnly = true)
    Optional<Endpoint> endpoint(UUID id) {
        return jdbc.sql("""
                        select id, base_url, auth_kind, bearer_token, token_url, client_id, client_secret, resource_types, updated_at, profile,
                               client_certificate, client_key, server_ca, service_provider_id, supplier_id
                        from provisioning_connector where id = :id
                        """)
                .param("id", id)
                .query((rs, n) -> new Endpoint(rs.getObject("id", UUID.class), rs.getString("base_url"), Connector.Auth.valueOf(rs.getString("auth_kind")),
                        decrypt(rs.getBytes("bearer_token")), rs.getString("token_url"), rs.getString("client_id"), decrypt(rs.getBytes("client_secret")),
                        List.of((String[]) rs.getArray("resource_types").getArray()), rs.getTimestamp("updated_at").toInstant(),
                        Connector.Profile.valueOf(rs.getString("profile")), decrypt(rs.getBytes("client_certificate")), decrypt(rs.getBytes("client_key")),
                        rs.getString("server_ca"), rs.getString("service_provider_id"), rs.getObject("supplier_id", UUID.class)))
                .optional();
    }

    /** Where and how to reach a supplier's SCIM service; {@code version} changes whenever an administrator changes the connector. */
    record Endpoint(UUID id, String baseUrl, Connector.Auth auth, String bearerToken, String tokenUrl, String clientId, String clientSecret,
                    List<String> resourceTypes, Instant version, Connector.Profile profile, String clientCertificate, String clientKey, String serverCa,
                    String serviceProviderId, UUID supplierId) {

        /** Not a BOL connector (no publisher identity). */
        Endpoint(UUID id, String baseUrl, Connector.Auth auth, String bearerToken, String tokenUrl, String clientId, String clientSecret,
                 List<String> resourceTypes, Instant version, Connector.Profile profile, String clientCertificate, String clientKey, String serverCa) {
            this(id, baseUrl, auth, bearerToken, tokenUrl, clientId, clientSecret, resourceTypes, version, profile, clientCertificate, clientKey, serverCa,
                    null, null);
        }

        boolean bol() {
            return profile == Connector.Profile.BOL;
        }

        /**
         * The connector's own TLS context — its client certificate for mutual TLS, the supplier's CA when one was given —
         * or null for the JDK's default.
         */
        javax.net.ssl.SSLContext tls() {
            return clientCertificate != null || serverCa != null ? ClientCertificates.context(clientCertificate, clientKey, serverCa) : null;
        }

        boolean pushesGroups() {
            return resourceTypes.contains("Group");
        }

        boolean egil() {
            return profile == Connector.Profile.EGIL;
        }

        @Override
        public String toString() {
            return "Endpoint[" + id + ", " + baseUrl + ", " + auth + "]"; // never the secrets
        }
    }

    private String decrypt(byte[] value) {
        return value == null ? null : secrets.decrypt(value);
    }

    private int queueHolders(UUID connector, Set<UUID> products, String cause) {
        Set<UUID> persons = new LinkedHashSet<>();
        for (UUID product : products) {
            persons.addAll(licences.holders(product, LocalDate.now()));
        }
        outbox.enqueue(connector, persons, "SYNC", cause);
        return persons.size();
    }

    private int queueAccounts(UUID connector, String cause, String why) {
        if (why == null) {
            return 0;
        }
        List<UUID> persons = jdbc.sql("select person_id from provisioned_account where connector_id = :c and active").param("c", connector)
                .query(UUID.class).list();
        outbox.enqueue(connector, persons, "SYNC", cause);
        return persons.size();
    }

    private void setProducts(UUID connector, Set<UUID> products) {
        jdbc.sql("delete from provisioning_connector_product where connector_id = :c").param("c", connector).update();
        jdbc.sql("insert into provisioning_connector_product (connector_id, product_id) select :c, unnest(:p)")
                .param("c", connector).param("p", products.toArray(UUID[]::new)).update();
    }

    private record Checked(String baseUrl, byte[] bearer, String tokenUrl, String clientId, byte[] clientSecret, List<String> resourceTypes,
                           Set<UUID> products, Double brake, String cron, Connector.Profile profile, byte[] clientCertificate, byte[] clientKey,
                           String serverCa, String serviceProviderId) {
    }

    /** What an EGIL connector sends, in the order the EGIL client sends it (master.conf scim-type-send-order). */
    static final List<String> EGIL_RESOURCE_TYPES = List.of("Organisation", "SchoolUnit", "Student", "Teacher", "Employment", "StudentGroup",
            "Activity");

    private Checked check(Connector.Settings s, Stored old) {
        if (s == null || s.supplierId() == null) {
            throw new IllegalArgumentException("Name the supplier (supplierId).");
        }
        Supplier supplier = catalog.supplier(s.supplierId()).orElseThrow(() -> new IllegalArgumentException("No supplier with id " + s.supplierId() + "."));
        if (blank(s.name())) {
            throw new IllegalArgumentException("Give the connector a name.");
        }
        String baseUrl = serviceUrl(s.baseUrl(), "baseUrl");
        hosts.check(URI.create(baseUrl), false);
        if (s.auth() == null) {
            throw new IllegalArgumentException("Say how the supplier authenticates Tilldela: auth BEARER, OAUTH_CLIENT_CREDENTIALS or MUTUAL_TLS.");
        }
        Connector.Profile profile = old != null ? old.profile() : s.profile() == null ? Connector.Profile.SCIM_CORE : s.profile();
        byte[] clientCertificate = null;
        byte[] clientKey = null;
        String serverCa = old == null ? null : old.serverCa();
        if (!blank(s.serverCa())) {
            serverCa = ClientCertificates.checkedCaCertificates(s.serverCa());
        }
        byte[] bearer = null;
        String tokenUrl = null;
        String clientId = null;
        byte[] clientSecret = null;
        // a stored secret stays only while it would go where it went before: a changed address (or client id) needs the
        // secret given again, so that nobody can send the supplier's secret, or tokens bought with it, somewhere else.
        // So does a changed trust anchor (serverCa): a new CA can vouch for another server under the same name.
        boolean sameAuth = old != null && old.auth() == s.auth() && baseUrl.equals(old.baseUrl());
        boolean sameServer = sameAuth && java.util.Objects.equals(serverCa, old.serverCa());
        switch (s.auth()) {
            case BEARER -> {
                if (!blank(s.bearerToken())) {
                    bearer = secrets.encrypt(s.bearerToken().strip());
                } else if (sameServer) {
                    bearer = old.bearer();
                } else {
                    throw new IllegalArgumentException("Give the bearer token the supplier issued (bearerToken); a new address or trusted CA (serverCa) "
                            + "needs it given again.");
                }
            }
            case OAUTH_CLIENT_CREDENTIALS -> {
                tokenUrl = serviceUrl(s.tokenUrl(), "tokenUrl");
                hosts.check(URI.create(tokenUrl), false);
                if (blank(s.clientId())) {
                    throw new IllegalArgumentException("Give the client id the supplier issued (clientId).");
                }
                clientId = s.clientId().strip();
                if (!blank(s.clientSecret())) {
                    clientSecret = secrets.encrypt(s.clientSecret().strip());
                } else if (sameServer && tokenUrl.equals(old.tokenUrl()) && clientId.equals(old.clientId())) {
                    clientSecret = old.clientSecret();
                } else {
                    throw new IllegalArgumentException("Give the client secret the supplier issued (clientSecret); a new address, client id or trusted CA "
                            + "(serverCa) needs it given again.");
                }
            }
            case MUTUAL_TLS -> {
                if (!blank(s.clientCertificate()) || !blank(s.clientKey())) {
                    if (blank(s.clientCertificate()) || blank(s.clientKey())) {
                        throw new IllegalArgumentException("Give the client certificate and its private key together (clientCertificate, clientKey; PEM).");
                    }
                    // refused here, not at the first push: a key that is not the certificate's, an expired certificate, not PEM
                    ClientCertificates.check(s.clientCertificate(), s.clientKey());
                    clientCertificate = secrets.encrypt(s.clientCertificate().strip());
                    clientKey = secrets.encrypt(s.clientKey().strip());
                } else if (sameAuth) {
                    // the private key never leaves Tilldela (the handshake proves it, bound to that handshake): a new CA may
                    // keep it, unlike a bearer token or client secret, which the server itself receives
                    clientCertificate = old.clientCertificate();
                    clientKey = old.clientKey();
                } else {
                    throw new IllegalArgumentException("Give the client certificate and its private key (clientCertificate, clientKey; PEM); "
                            + "a new address needs them given again.");
                }
            }
        }
        String serviceProviderId = null;
        if (profile == Connector.Profile.BOL) {
            serviceProviderId = blank(s.serviceProviderId()) ? old == null ? null : old.serviceProviderId() : s.serviceProviderId().strip();
            if (blank(serviceProviderId)) {
                throw new IllegalArgumentException("Give the publisher's BOL identity (serviceProviderId), as the publisher names itself, e.g. its domain.");
            }
        }
        List<String> types = profile == Connector.Profile.EGIL ? EGIL_RESOURCE_TYPES
                : profile == Connector.Profile.BOL ? List.of() // BOL sends orders and assignments, no SCIM resources
                : s.resourceTypes() == null || s.resourceTypes().isEmpty() ? List.of("User") : List.copyOf(new LinkedHashSet<>(s.resourceTypes()));
        for (String type : profile == Connector.Profile.EGIL ? List.of("User") : types) {
            if (!SUPPORTED_RESOURCE_TYPES.contains(type)) {
                throw new IllegalArgumentException("Resource type " + type + " cannot be pushed; only User and Group.");
            }
        }
        if (profile == Connector.Profile.SCIM_CORE && !types.contains("User")) {
            throw new IllegalArgumentException("A connector pushes User resources (Groups only with them: a group's members are users).");
        }
        if (s.productIds() == null || s.productIds().isEmpty()) {
            throw new IllegalArgumentException("Name the products whose licence holders the connector sends (productIds).");
        }
        Set<UUID> products = new LinkedHashSet<>(s.productIds());
        Map<UUID, Product> found = new LinkedHashMap<>();
        catalog.products(products).forEach(p -> found.put(p.id(), p));
        for (UUID p : products) {
            Product product = found.get(p);
            if (product == null) {
                throw new IllegalArgumentException("No product with id " + p + ".");
            }
            if (!product.supplierId().equals(supplier.id())) {
                throw new IllegalArgumentException("The product " + product.title() + " is not the supplier " + supplier.name() + "'s.");
            }
        }
        Double brake = s.deletionBrakePercent();
        if (brake != null && !(brake > 0 && brake <= 100)) {
            throw new IllegalArgumentException("The deletion brake is a share of the connector's accounts: more than 0 and at most 100 (percent).");
        }
        String cron = s.reconcileCron() == null ? null : s.reconcileCron().strip();
        if (cron != null && !cron.isEmpty() && !org.springframework.scheduling.support.CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("The reconciliation schedule is not a cron expression (second minute hour day month weekday, e.g. 0 40 3 * * *).");
        }
        return new Checked(baseUrl, bearer, tokenUrl, clientId, clientSecret, types, products, brake, cron, profile, clientCertificate, clientKey, serverCa,
                serviceProviderId);
    }

    /**
     * A supplier's service address: https, or plain http to this machine's own loopback address only (a
     * local test server), so a token never crosses a network in the clear.
     */
    static String serviceUrl(String value, String field) {
        if (blank(value)) {
            throw new IllegalArgumentException("Give the address (" + field + ").");
        }
        try {
            URI uri = new URI(value.strip());
            if (uri.getHost() == null || uri.getUserInfo() != null || uri.getFragment() != null || uri.getQuery() != null) {
                throw new IllegalArgumentException(field + " must be an absolute https address without user, query or fragment.");
            }
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            boolean localHttp = "http".equalsIgnoreCase(uri.getScheme()) && isLoopback(uri.getHost());
            if (!https && !localHttp) {
                throw new IllegalArgumentException(field + " must be an https address (plain http only to this machine's loopback address).");
            }
            String s = uri.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(field + " is not an address: " + e.getReason() + ".");
        }
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        // literal addresses only: a name is never resolved here
        if (h.matches("[0-9.]+") || h.contains(":")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private record Stored(Connector.Auth auth, byte[] bearer, byte[] clientSecret, boolean enabled, Set<UUID> products, UUID supplierId,
                          String baseUrl, String tokenUrl, String clientId, Connector.Profile profile, byte[] clientCertificate, byte[] clientKey,
                          String serverCa, String serviceProviderId) {
    }

    private Optional<Stored> stored(UUID id) {
        return jdbc.sql("""
                        select auth_kind, bearer_token, client_secret, enabled,
                               array(select product_id from provisioning_connector_product p where p.connector_id = c.id) products,
                               supplier_id, base_url, token_url, client_id, profile, client_certificate, client_key, server_ca, service_provider_id
                        from provisioning_connector c where id = :id for update
                        """).param("id", id)
                .query((rs, n) -> new Stored(Connector.Auth.valueOf(rs.getString(1)), rs.getBytes(2), rs.getBytes(3), rs.getBoolean(4),
                        new LinkedHashSet<>(Arrays.asList((UUID[]) rs.getArray(5).getArray())), rs.getObject(6, UUID.class), rs.getString(7),
                        rs.getString(8), rs.getString(9), Connector.Profile.valueOf(rs.getString(10)), rs.getBytes(11), rs.getBytes(12),
                        rs.getString(13), rs.getString(14))).optional();
    }

    private static final String SELECT = """
            select c.id, c.supplier_id, s.name supplier_name, c.name, c.base_url, c.auth_kind, c.token_url, c.client_id, c.resource_types, c.enabled,
                   c.last_success_at, c.last_error, c.last_error_at, c.backoff_until,
                   array(select product_id from provisioning_connector_product p where p.connector_id = c.id order by product_id) products,
                   (select count(*) from provisioning_operation o where o.connector_id = c.id and o.state in ('PENDING', 'IN_FLIGHT')) queued,
                   (select count(*) from provisioning_operation o where o.connector_id = c.id and o.state = 'DEAD') dead,
                   c.deletion_brake_percent, c.brake_held_at, c.profile, c.server_ca is not null server_ca_given,
                   (select count(*) from provisioning_operation o where c.brake_held_at is not null and o.connector_id = c.id
                      and o.kind in ('DEACTIVATE', 'DELETE') and o.state = 'PENDING' and o.id > c.brake_released_through) held,
                   c.reconcile_cron, c.reconciled_at, c.service_provider_id
            from provisioning_connector c join supplier s on s.id = c.supplier_id
            """;

    private Connector connector(ResultSet rs, int n) throws SQLException {
        return new Connector(rs.getObject("id", UUID.class), rs.getObject("supplier_id", UUID.class), rs.getString("supplier_name"), rs.getString("name"),
                rs.getString("base_url"), Connector.Auth.valueOf(rs.getString("auth_kind")), rs.getString("token_url"), rs.getString("client_id"),
                List.of((String[]) rs.getArray("resource_types").getArray()), new ArrayList<>(Arrays.asList((UUID[]) rs.getArray("products").getArray())),
                rs.getBoolean("enabled"), instant(rs.getTimestamp("last_success_at")), rs.getString("last_error"), instant(rs.getTimestamp("last_error_at")),
                instant(rs.getTimestamp("backoff_until")), rs.getLong("queued"), rs.getLong("dead"),
                rs.getDouble("deletion_brake_percent"), instant(rs.getTimestamp("brake_held_at")), rs.getLong("held"), rs.getString("reconcile_cron"),
                instant(rs.getTimestamp("reconciled_at")), Connector.Profile.valueOf(rs.getString("profile")), rs.getBoolean("server_ca_given"),
                rs.getString("service_provider_id"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** No connector with this id. */
    public static final class NoSuchConnector extends RuntimeException {
        public NoSuchConnector(UUID id) {
            super("No connector with id " + id + ".");
        }
    }
}
