package org.tilldela.purchase;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * A municipality of its own (imported through the directory under its own source), suppliers with and
 * without processing agreements, products, and buyer accounts — what purchase needs to decide about.
 */
final class PurchaseFixture {

    static final String PASSWORD = "purchase-test-password";
    static final Set<Attribute> SMALL = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.GIVEN_NAME,
            Attribute.FAMILY_NAME);

    final String tag;
    final String source;
    final Municipality municipality;
    final UUID organiserId;
    final UUID schoolId;
    final UUID otherSchoolId;
    private final ImportRuns imports;
    private final JdbcClient jdbc;
    private final Catalog catalog;

    PurchaseFixture(ImportRuns imports, JdbcClient jdbc, Catalog catalog) throws Exception {
        this.imports = imports;
        this.jdbc = jdbc;
        this.catalog = catalog;
        tag = UUID.randomUUID().toString().substring(0, 8);
        source = "purchase-" + tag;
        municipality = new Municipality(tag);
        importNow();
        organiserId = org("org-0");
        schoolId = org("org-1");
        otherSchoolId = org("org-2");
    }

    /** Imports the municipality as it stands now (again: the next day's snapshot). */
    void importNow() throws Exception {
        Path zip = Files.createTempFile("purchase-municipality-", ".zip");
        municipality.write(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "municipality.zip"), ImportProgress.NONE,
                "municipality.zip");
        Files.delete(zip);
    }

    UUID org(String sourceId) {
        String name = municipality.orgs.stream().filter(o -> o.id().equals(sourceId)).findFirst().orElseThrow().name();
        return jdbc.sql("select id from organisation where source = :s and name = :n").param("s", source).param("n", name).query(UUID.class).single();
    }

    UUID group(String sourceId) {
        Municipality.Klass k = municipality.klass(sourceId);
        return jdbc.sql("select id from student_group where source = :s and name = :n and organisation_id = :o").param("s", source).param("n", k.title())
                .param("o", org(k.school())).query(UUID.class).single();
    }

    UUID person(String sourceId) {
        return jdbc.sql("select id from person where source = :s and source_id = :id").param("s", source).param("id", sourceId).query(UUID.class).single();
    }

    List<UUID> persons(String... sourceIds) {
        return java.util.Arrays.stream(sourceIds).map(this::person).toList();
    }

    /** A supplier processing in Sweden; with {@code agreement} its processing agreement covers this municipality's organiser. */
    UUID supplier(String name, boolean agreement, List<Supplier.SubProcessor> subProcessors) {
        UUID id = UUID.randomUUID();
        List<Supplier.ProcessingAgreement> agreements = agreement
                ? List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", LocalDate.now().minusYears(1), LocalDate.now().plusYears(2),
                Set.of(organiserId)))
                : List.of();
        catalog.save(new Supplier(id, name + " " + tag, "55" + Long.toString(Math.abs(id.getLeastSignificantBits()) % 100_000_000L), "SE", Set.of("SE"),
                subProcessors, agreements, new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        return id;
    }

    UUID product(UUID supplier, String title, Product.Kind kind, Set<Attribute> declared, Integer trialDays) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "ART-" + id.toString().substring(0, 13), supplier, title + " " + tag, "", kind, List.of("GR"), List.of("07"),
                List.of("Matematik"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", trialDays,
                declared.isEmpty() ? Product.AccessMethod.NONE : Product.AccessMethod.OPENID_CONNECT,
                declared.stream().map(a -> new Product.DataNeed(a, "inloggning och klasslistor", 30, Set.of("SE"))).toList()));
        return id;
    }

    /** A buyer account buying for {@code scope}. */
    String buyer(AdminAccounts accounts, BuyerScopes scopes, String name, UUID scope) {
        String username = name + "-" + tag;
        accounts.create(username, "Inköpare", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        if (scope != null) {
            scopes.set(username, scope, "test");
        }
        return username;
    }
}
