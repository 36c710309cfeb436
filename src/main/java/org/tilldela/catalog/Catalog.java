package org.tilldela.catalog;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.platform.OneRoundTrip;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The catalogue as other modules see it: suppliers and products by id, and saving them whole. */
@Service
public class Catalog {

    private final JdbcClient jdbc;

    Catalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Supplier> supplier(UUID id) {
        return suppliers(List.of(id)).stream().findFirst();
    }

    /**
     * Suppliers whole, in one statement (their countries, sub-processors and processing agreements as
     * aggregates): the release policy reads a supplier on every token request, and each round trip counts there.
     */
    public List<Supplier> suppliers(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(SUPPLIERS.replace("{which}", "s.id = any(:ids) order by s.name"))
                .param("ids", ids.toArray(UUID[]::new))
                .query((rs, n) -> supplier(rs)).list();
    }

    /** A supplier's row with its countries, sub-processors and processing agreements as aggregates; {which} is its where-clause. */
    private static final String SUPPLIERS = """
                        select s.id, s.name, s.organisation_number, s.country, s.contact_name, s.contact_email, s.contact_phone,
                               array(select c.country from supplier_processing_country c where c.supplier_id = s.id order by c.country) countries,
                               (select coalesce(json_agg(json_build_object('name', p.name, 'country', p.country, 'purpose', p.purpose) order by p.name), '[]')
                                from sub_processor p where p.supplier_id = s.id) sub_processors,
                               (select coalesce(json_agg(json_build_object('id', a.id, 'documentName', a.document_name, 'signedOn', a.signed_on,
                                           'validUntil', a.valid_until,
                                           'organisers', array(select o.organiser_id from processing_agreement_organiser o where o.agreement_id = a.id))
                                       order by a.signed_on), '[]')
                                from processing_agreement a where a.supplier_id = s.id) agreements
                        from supplier s where {which}
                        """;

    private static Supplier supplier(ResultSet rs) throws SQLException {
        List<Supplier.SubProcessor> subs = new ArrayList<>();
        for (JsonNode sub : JSON.readTree(rs.getString("sub_processors"))) {
            subs.add(new Supplier.SubProcessor(text(sub, "name"), text(sub, "country"), text(sub, "purpose")));
            }
            List<Supplier.ProcessingAgreement> agreements = new ArrayList<>();
            for (JsonNode a : JSON.readTree(rs.getString("agreements"))) {
                Set<UUID> organisers = new HashSet<>();
                a.path("organisers").forEach(o -> organisers.add(UUID.fromString(o.asString())));
                agreements.add(new Supplier.ProcessingAgreement(UUID.fromString(a.get("id").asString()), text(a, "documentName"),
                        date(a, "signedOn"), date(a, "validUntil"), organisers));
            }
            return new Supplier(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("organisation_number"), rs.getString("country"),
                    new HashSet<>(Arrays.asList(strings(rs.getArray("countries")))), subs, agreements,
                    new Supplier.Contact(rs.getString("contact_name"), rs.getString("contact_email"), rs.getString("contact_phone")));
    }

    /**
     * The supplier of the product {@code :product}, for a module composing its reads into one round trip
     * ({@link OneRoundTrip}): the same row as {@link #supplier}.
     */
    public static final OneRoundTrip.Read<Optional<Supplier>> SUPPLIER_OF_PRODUCT = OneRoundTrip.Read.of(
            SUPPLIERS.replace("{which}", "s.id = " + Catalog.SUPPLIER_ID_OF_PRODUCT).strip(),
            rs -> rs.next() ? Optional.of(supplier(rs)) : Optional.empty());

    /** PostgreSQL's JSON aggregates of the rows a supplier or product owns (read with Jackson, never by hand). */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static java.time.LocalDate date(JsonNode node, String field) {
        String v = text(node, field);
        return v == null ? null : java.time.LocalDate.parse(v);
    }

    /** Every supplier, by name: the catalogue has tens of suppliers, not thousands. */
    public List<Supplier> allSuppliers() {
        return suppliers(jdbc.sql("select id from supplier").query(UUID.class).list());
    }

    /** A supplier by its organisation number (organisationsnummer / CVR-nummer), as feeds name them. */
    public Optional<Supplier> supplierByOrganisationNumber(String organisationNumber) {
        return jdbc.sql("select id from supplier where organisation_number = :o").param("o", organisationNumber).query(UUID.class).optional()
                .flatMap(this::supplier);
    }

    /** How many products each supplier has, by supplier id. */
    public Map<UUID, Long> productCounts() {
        Map<UUID, Long> counts = new HashMap<>();
        jdbc.sql("select supplier_id, count(*) from product group by supplier_id").query(rs -> {
            counts.put(rs.getObject(1, UUID.class), rs.getLong(2));
        });
        return counts;
    }

    /** The signed agreement document on file, if one was uploaded. */
    public Optional<AgreementDocument> agreementDocument(UUID agreementId) {
        return jdbc.sql("select document_name, document_type, document from processing_agreement where id = :id and document is not null")
                .param("id", agreementId)
                .query((rs, n) -> new AgreementDocument(rs.getString(1), rs.getString(2), rs.getBytes(3))).optional();
    }

    /** Files the signed document of an agreement already saved with its supplier. */
    @Transactional
    public void attachAgreementDocument(UUID agreementId, String name, String contentType, byte[] content) {
        int n = jdbc.sql("update processing_agreement set document_name = :n, document_type = :t, document = :d where id = :id")
                .param("id", agreementId).param("n", name).param("t", contentType).param("d", content).update();
        if (n != 1) {
            throw new IllegalArgumentException("no processing agreement " + agreementId);
        }
    }

    public record AgreementDocument(String name, String contentType, byte[] content) {
    }

    public Optional<Product> product(UUID id) {
        return products(List.of(id)).stream().findFirst();
    }

    /** Products with their data needs, in one statement (the release policy reads one on every token request). */
    public List<Product> products(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(PRODUCTS.replace("{which}", "id = any(:ids) order by title"))
                .param("ids", ids.toArray(UUID[]::new)).query((rs, n) -> productWithNeeds(rs)).list();
    }

    /** A product's row with its data needs as an aggregate; {which} is its where-clause. */
    private static final String PRODUCTS = """
            select id, article_number, supplier_id, title, description, kind, school_forms, grades, subjects, licence_model,
                   licence_period_months, price, currency, trial_days, access_method,
                   (select coalesce(json_agg(json_build_object('attribute', n.attribute, 'purpose', n.purpose, 'retentionDays', n.retention_days,
                               'processingCountries', n.processing_countries) order by n.attribute), '[]')
                    from product_data_need n where n.product_id = product.id) needs
            from product where {which}""";

    /**
     * The product {@code :product}, for a module composing its reads into one round trip ({@link OneRoundTrip}):
     * the same as {@link #product}.
     */
    public static final OneRoundTrip.Read<Optional<Product>> PRODUCT = OneRoundTrip.Read.of(PRODUCTS.replace("{which}", "id = :product"),
            rs -> rs.next() ? Optional.of(productWithNeeds(rs)) : Optional.empty());

    /**
     * The catalogue's version, as a read to compose into one round trip ({@link OneRoundTrip}): a counter that every
     * change to products, their declarations and suppliers whole bumps (the catalogue's triggers), for a module that
     * keeps what it read of the catalogue until the next change. Empty when this transaction has written: its
     * changes, the catalogue's or not, are nobody else's yet, so nothing it reads may be kept.
     */
    public static final OneRoundTrip.Read<Optional<Long>> VERSION = OneRoundTrip.Read.of(
            "select case when txid_current_if_assigned() is null then version end from catalog_version where id = 1",
            rs -> rs.next() ? Optional.ofNullable(rs.getObject(1, Long.class)) : Optional.empty());

    /** The id of the product {@code :product}'s supplier, as an SQL expression. */
    public static final String SUPPLIER_ID_OF_PRODUCT = "(select supplier_id from product where id = :product)";

    private static Product productWithNeeds(ResultSet rs) throws SQLException {
        List<Product.DataNeed> needs = new ArrayList<>();
        for (JsonNode need : JSON.readTree(rs.getString("needs"))) {
            Set<String> countries = new HashSet<>();
            need.path("processingCountries").forEach(c -> countries.add(c.asString()));
            needs.add(new Product.DataNeed(Attribute.valueOf(need.get("attribute").asString()), text(need, "purpose"),
                    need.get("retentionDays").asInt(), countries));
        }
        return product(rs, Map.of(rs.getObject("id", UUID.class), needs));
    }

    public Optional<Product> productByArticleNumber(String articleNumber) {
        return jdbc.sql("select id from product where article_number = :a").param("a", articleNumber).query(UUID.class).optional()
                .flatMap(this::product);
    }

    private static Product product(ResultSet rs, Map<UUID, List<Product.DataNeed>> needs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        Integer trial = rs.getObject("trial_days", Integer.class);
        return new Product(id, rs.getString("article_number"), rs.getObject("supplier_id", UUID.class), rs.getString("title"),
                rs.getString("description"), Product.Kind.valueOf(rs.getString("kind")), List.of(strings(rs.getArray("school_forms"))),
                List.of(strings(rs.getArray("grades"))), List.of(strings(rs.getArray("subjects"))),
                Product.LicenceModel.valueOf(rs.getString("licence_model")), rs.getInt("licence_period_months"), rs.getBigDecimal("price"),
                rs.getString("currency"), trial, Product.AccessMethod.valueOf(rs.getString("access_method")),
                needs.getOrDefault(id, List.of()));
    }

    /**
     * For an edit that reads a supplier and saves it whole ({@link #save(Supplier)} replaces its agreements by those it
     * carries): locks its row until the caller's transaction ends, so that two edits at once (two agreements filed) take
     * turns instead of the second undoing the first. Call before reading it.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void lockSupplier(UUID id) {
        jdbc.sql("select id from supplier where id = :id for update").param("id", id).query(UUID.class).optional();
    }

    /**
     * Holds an article or organisation number until the caller's transaction ends: two creations of one number at once take
     * turns, and the second finds the first's (a unique violation, answered as a server error, otherwise). Call before
     * looking it up. Shares {@link #holdAllNumbers}' lock, so a catalogue feed being applied holds them all.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void holdNumber(String kind, String number) {
        jdbc.sql("select pg_advisory_xact_lock_shared(hashtextextended(:all, 0)), pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("all", ALL_NUMBERS).param("key", "catalog-" + kind + ":" + number).query().singleRow();
    }

    /**
     * Holds every article and organisation number until the caller's transaction ends (a feed of thousands of articles:
     * one lock, not one each, which would fill PostgreSQL's lock table): the editor's creations wait for it, and it for them.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void holdAllNumbers() {
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:all, 0))").param("all", ALL_NUMBERS).query().singleRow();
    }

    private static final String ALL_NUMBERS = "catalog-numbers";

    /** Saves a supplier whole: its countries, sub-processors and agreements are replaced by what it carries now. */
    @Transactional
    public void save(Supplier s) {
        jdbc.sql("""
                        insert into supplier (id, name, organisation_number, country, contact_name, contact_email, contact_phone)
                        values (:id, :name, :org, :country, :cn, :ce, :cp)
                        on conflict (id) do update set name = excluded.name, organisation_number = excluded.organisation_number,
                            country = excluded.country, contact_name = excluded.contact_name, contact_email = excluded.contact_email,
                            contact_phone = excluded.contact_phone, updated_at = now()
                        """)
                .param("id", s.id()).param("name", s.name()).param("org", s.organisationNumber()).param("country", s.country())
                .param("cn", s.contact() == null ? null : s.contact().name()).param("ce", s.contact() == null ? null : s.contact().email())
                .param("cp", s.contact() == null ? null : s.contact().phone()).update();
        jdbc.sql("delete from supplier_processing_country where supplier_id = :id").param("id", s.id()).update();
        for (String country : s.processingCountries()) {
            jdbc.sql("insert into supplier_processing_country (supplier_id, country) values (:id, :c)").param("id", s.id()).param("c", country).update();
        }
        jdbc.sql("delete from sub_processor where supplier_id = :id").param("id", s.id()).update();
        for (Supplier.SubProcessor sub : s.subProcessors()) {
            jdbc.sql("insert into sub_processor (id, supplier_id, name, country, purpose) values (gen_random_uuid(), :id, :n, :c, :p)")
                    .param("id", s.id()).param("n", sub.name()).param("c", sub.country()).param("p", sub.purpose()).update();
        }
        jdbc.sql("delete from processing_agreement where supplier_id = :id and id <> all(:keep)").param("id", s.id())
                .param("keep", s.processingAgreements().stream().map(Supplier.ProcessingAgreement::id).toArray(UUID[]::new)).update();
        for (Supplier.ProcessingAgreement a : s.processingAgreements()) {
            jdbc.sql("""
                            insert into processing_agreement (id, supplier_id, document_name, signed_on, valid_until) values (:id, :s, :d, :signed, :until)
                            on conflict (id) do update set document_name = excluded.document_name, signed_on = excluded.signed_on, valid_until = excluded.valid_until
                            """)
                    .param("id", a.id()).param("s", s.id()).param("d", a.documentName()).param("signed", a.signedOn()).param("until", a.validUntil()).update();
            jdbc.sql("delete from processing_agreement_organiser where agreement_id = :id").param("id", a.id()).update();
            for (UUID organiser : a.organisers()) {
                jdbc.sql("insert into processing_agreement_organiser (agreement_id, organiser_id) values (:a, :o)").param("a", a.id()).param("o", organiser).update();
            }
        }
    }

    /** Saves a product whole, its declaration replaced by the one it carries now. */
    @Transactional
    public void save(Product p) {
        jdbc.sql("""
                        insert into product (id, article_number, supplier_id, title, description, kind, school_forms, grades, subjects,
                                             licence_model, licence_period_months, price, currency, trial_days, access_method)
                        values (:id, :article, :supplier, :title, :description, :kind, :forms, :grades, :subjects, :model, :period, :price,
                                :currency, :trial, :access)
                        on conflict (id) do update set article_number = excluded.article_number, supplier_id = excluded.supplier_id,
                            title = excluded.title, description = excluded.description, kind = excluded.kind, school_forms = excluded.school_forms,
                            grades = excluded.grades, subjects = excluded.subjects, licence_model = excluded.licence_model,
                            licence_period_months = excluded.licence_period_months, price = excluded.price, currency = excluded.currency,
                            trial_days = excluded.trial_days, access_method = excluded.access_method, updated_at = now()
                        """)
                .param("id", p.id()).param("article", p.articleNumber()).param("supplier", p.supplierId()).param("title", p.title())
                .param("description", p.description() == null ? "" : p.description()).param("kind", p.kind().name())
                .param("forms", p.schoolForms().toArray(String[]::new)).param("grades", p.grades().toArray(String[]::new))
                .param("subjects", p.subjects().toArray(String[]::new)).param("model", p.licenceModel().name())
                .param("period", p.licencePeriodMonths()).param("price", p.price()).param("currency", p.currency())
                .param("trial", p.trialDays()).param("access", p.accessMethod().name()).update();
        jdbc.sql("delete from product_data_need where product_id = :id").param("id", p.id()).update();
        for (Product.DataNeed need : p.dataNeeds()) {
            jdbc.sql("insert into product_data_need (product_id, attribute, purpose, retention_days, processing_countries) values (:p, :a, :purpose, :r, :c)")
                    .param("p", p.id()).param("a", need.attribute().name()).param("purpose", need.purpose()).param("r", need.retentionDays())
                    .param("c", need.processingCountries().stream().sorted().toArray(String[]::new)).update();
        }
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? new String[0] : (String[]) array.getArray();
    }

    private static UUID[] uuids(Array array) throws SQLException {
        return array == null ? new UUID[0] : (UUID[]) array.getArray();
    }
}
