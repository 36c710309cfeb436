package org.tilldela.access;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * A small synthetic municipality of its own (imported through the directory like any other), a supplier
 * with a processing agreement covering its organiser, a product declaring what it needs, and a licence
 * pool — what the release policy needs to have something to decide about.
 */
public final class AccessFixture {

    static final Set<Attribute> DECLARED = Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES,
            Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL, Attribute.CIVIC_NUMBER);

    public final String source;
    public final UUID organiserId;
    public final List<UUID> persons;
    public final List<UUID> protectedPersons;
    public final UUID supplierId;
    public final UUID productId;
    public final UUID poolId;
    private final Catalog catalog;
    private final LicencePools pools;

    public AccessFixture(ImportRuns imports, JdbcClient jdbc, Catalog catalog, LicencePools pools) throws Exception {
        this(imports, jdbc, catalog, pools, 1500);
    }

    /** With a municipality of {@code municipalityPersons} generated persons (about half pupils, a twentieth staff, the rest guardians). */
    public AccessFixture(ImportRuns imports, JdbcClient jdbc, Catalog catalog, LicencePools pools, int municipalityPersons) throws Exception {
        this.catalog = catalog;
        this.pools = pools;
        String tag = UUID.randomUUID().toString().substring(0, 8);
        source = "access-" + tag;
        organiserId = importMunicipality(imports, jdbc, source, municipalityPersons);
        // pupils placed at a school unit, and among them the protected ones
        persons = jdbc.sql("select distinct p.id from person p join enrolment e on e.person_id = p.id where p.source = :s and p.protection = 'NONE' order by p.id limit 20")
                .param("s", source).query(UUID.class).list();
        protectedPersons = jdbc.sql("""
                        select p.id from person p where p.source = :s and p.protection <> 'NONE'
                          and (exists (select 1 from enrolment e where e.person_id = p.id) or exists (select 1 from duty d where d.person_id = p.id))
                        order by p.id""")
                .param("s", source).query(UUID.class).list();
        // the organiser's data protection officer allows whatever the products here declare, so licences for
        // them pass the compliance gate (beyond the policy they could only come through an approved order);
        // what actually leaves is the release policy's to decide, which is what these tests are about
        jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, 'test')").param("o", organiserId)
                .param("a", java.util.Arrays.stream(Attribute.values()).map(Enum::name).sorted().toArray(String[]::new)).update();
        supplierId = supplier("Läromedel " + tag, true);
        productId = product(supplierId, DECLARED);
        poolId = pools.create(new NewPool(productId, organiserId, organiserId, 1000, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1), false,
                null, "test"));
        pools.assignDirect(poolId, persons, "test");
        pools.assignDirect(poolId, protectedPersons, "test");
    }

    /** Generates and imports a synthetic municipality under its own source; returns its organiser's id. */
    static UUID importMunicipality(ImportRuns imports, JdbcClient jdbc, String source, int persons) throws Exception {
        Path zip = Files.createTempFile("access-municipality-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, 7, "sv", 0, 0)).writeTo(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "municipality.zip"), ImportProgress.NONE,
                "municipality.zip");
        Files.delete(zip);
        return jdbc.sql("select id from organisation where source = :s and kind = 'ORGANISER' order by name limit 1").param("s", source)
                .query(UUID.class).single();
    }

    /** A supplier; with {@code agreementOnFile} its processing agreement covers this fixture's organiser. */
    public UUID supplier(String name, boolean agreementOnFile) {
        UUID id = UUID.randomUUID();
        List<Supplier.ProcessingAgreement> agreements = agreementOnFile
                ? List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", LocalDate.now().minusYears(1), LocalDate.now().plusYears(2),
                Set.of(organiserId)))
                : List.of();
        catalog.save(new Supplier(id, name, "55" + Long.toString(Math.abs(id.getLeastSignificantBits()) % 100_000_000L), "SE", Set.of("SE"), List.of(),
                agreements, new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        return id;
    }

    /** The supplier's processing agreements end (after licences were given under them). */
    void endProcessingAgreements(UUID supplier) {
        Supplier s = catalog.supplier(supplier).orElseThrow();
        catalog.save(new Supplier(s.id(), s.name(), s.organisationNumber(), s.country(), s.processingCountries(), s.subProcessors(), List.of(),
                s.contact()));
    }

    public UUID product(UUID supplier, Set<Attribute> declared) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "ART-" + id.toString().substring(0, 13), supplier, "Digital matematik", "", Product.Kind.DIGITAL, List.of("GR"),
                List.of("7"), List.of("Matematik"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT,
                declared.stream().map(a -> new Product.DataNeed(a, "inloggning och klasslistor", 30, Set.of("SE"))).toList()));
        return id;
    }

    /** A licence for these persons to another product (its own pool, which is answered). */
    public UUID license(UUID product, List<UUID> who) {
        UUID pool = pools.create(new NewPool(product, organiserId, organiserId, 1000, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1), false,
                null, "test"));
        pools.assignDirect(pool, who, "test");
        return pool;
    }

    public NewDataAccessRequest request(AttributePackage attributePackage) {
        return new NewDataAccessRequest(productId, organiserId, attributePackage, Set.of(), "Inloggning och klasslistor",
                "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30);
    }
}
