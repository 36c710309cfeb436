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
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

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

    public List<Supplier> suppliers(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        UUID[] idArray = ids.toArray(UUID[]::new);
        Map<UUID, List<String>> countries = new HashMap<>();
        jdbc.sql("select supplier_id, country from supplier_processing_country where supplier_id = any(:ids) order by country")
                .param("ids", idArray).query(rs -> {
                    countries.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(rs.getString(2));
                });
        Map<UUID, List<Supplier.SubProcessor>> subs = new HashMap<>();
        jdbc.sql("select supplier_id, name, country, purpose from sub_processor where supplier_id = any(:ids) order by name")
                .param("ids", idArray).query(rs -> {
                    subs.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Supplier.SubProcessor(rs.getString(2), rs.getString(3), rs.getString(4)));
                });
        Map<UUID, List<Supplier.ProcessingAgreement>> agreements = new HashMap<>();
        jdbc.sql("""
                        select a.supplier_id, a.id, a.document_name, a.signed_on, a.valid_until,
                               coalesce(array_agg(o.organiser_id) filter (where o.organiser_id is not null), '{}') organisers
                        from processing_agreement a left join processing_agreement_organiser o on o.agreement_id = a.id
                        where a.supplier_id = any(:ids) group by a.id order by a.signed_on
                        """)
                .param("ids", idArray).query(rs -> {
                    agreements.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(new Supplier.ProcessingAgreement(
                            rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, java.time.LocalDate.class),
                            rs.getObject(5, java.time.LocalDate.class), new HashSet<>(Arrays.asList(uuids(rs.getArray(6))))));
                });
        return jdbc.sql("select id, name, organisation_number, country, contact_name, contact_email, contact_phone from supplier where id = any(:ids) order by name")
                .param("ids", idArray)
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    return new Supplier(id, rs.getString(2), rs.getString(3), rs.getString(4), new HashSet<>(countries.getOrDefault(id, List.of())),
                            subs.getOrDefault(id, List.of()), agreements.getOrDefault(id, List.of()),
                            new Supplier.Contact(rs.getString(5), rs.getString(6), rs.getString(7)));
                }).list();
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

    public List<Product> products(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        UUID[] idArray = ids.toArray(UUID[]::new);
        Map<UUID, List<Product.DataNeed>> needs = new HashMap<>();
        jdbc.sql("select product_id, attribute, purpose, retention_days, processing_countries from product_data_need where product_id = any(:ids) order by attribute")
                .param("ids", idArray).query(rs -> {
                    needs.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(new Product.DataNeed(
                            Attribute.valueOf(rs.getString(2)), rs.getString(3), rs.getInt(4), new HashSet<>(Arrays.asList(strings(rs.getArray(5))))));
                });
        return jdbc.sql("""
                        select id, article_number, supplier_id, title, description, kind, school_forms, grades, subjects, licence_model,
                               licence_period_months, price, currency, trial_days, access_method
                        from product where id = any(:ids) order by title
                        """)
                .param("ids", idArray).query((rs, n) -> product(rs, needs)).list();
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
