package org.tilldela.desk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.CsvExport;
import org.tilldela.purchase.AdequacyEntry;
import org.tilldela.purchase.AdequacyList;

/**
 * The record of processing activities (GDPR Art. 30; registerförteckning / fortegnelse), generated from what
 * Tilldela knows: one entry per data-access agreement in force at a unit within the officer's scope — the supplier
 * (recipient) and its sub-processors, the product, purpose and legal basis, the categories of data subjects and of
 * data (the attributes approved, and the package), third-country transfers and their basis (the adequacy list), the
 * retention after the relation ends, and the supplier's processing agreements in force. As CSV and PDF; every
 * generated version is stored as generated, with its date, and can be downloaded again. Generating is audited.
 */
@Service
public class ProcessingRecord {

    /** The columns, as message keys: the CSV's header and the PDF's labels. */
    public static final List<String> COLUMNS = List.of("gov2.art30.col.supplier", "gov2.art30.col.organisationNumber", "gov2.art30.col.supplierCountry",
            "gov2.art30.col.product", "gov2.art30.col.unit", "gov2.art30.col.purpose", "gov2.art30.col.legalBasis", "gov2.art30.col.dataSubjects",
            "gov2.art30.col.dataCategories", "gov2.art30.col.package", "gov2.art30.col.recipients", "gov2.art30.col.thirdCountries",
            "gov2.art30.col.retention", "gov2.art30.col.processingAgreements", "gov2.art30.col.agreement");

    /** A stored version, without its files. */
    public record Version(long id, Instant generatedAt, String generatedBy, boolean wholeInstallation, List<UUID> scopeUnits, String language,
                          int entries) {
    }

    private final JdbcClient jdbc;
    private final Scopes scopes;
    private final AdminGrants grants;
    private final DataAccessAgreements agreements;
    private final Catalog catalog;
    private final AdequacyList adequacy;
    private final AuditTrail audit;
    private final MessageSource messages;
    private final Clock clock;

    ProcessingRecord(JdbcClient jdbc, Scopes scopes, AdminGrants grants, DataAccessAgreements agreements, Catalog catalog, AdequacyList adequacy,
                     AuditTrail audit, MessageSource messages, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.scopes = scopes;
        this.grants = grants;
        this.agreements = agreements;
        this.catalog = catalog;
        this.adequacy = adequacy;
        this.audit = audit;
        this.messages = messages;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The scope the record covers: as the desk's ({@link DpoDesk#scope}). */
    private CallerScope scope(Authentication caller) {
        if (scopes.of(caller, AdminRight.ACCOUNT_ADMIN).isWholeInstallation()) {
            return CallerScope.wholeInstallation();
        }
        return scopes.of(caller, AdminRight.DATA_PROTECTION_OFFICER);
    }

    /** The entries, one line of cells per agreement in force within the caller's scope, by supplier and product. */
    List<List<String>> entries(Authentication caller, Locale locale) {
        CallerScope scope = scope(caller);
        LocalDate today = LocalDate.now(clock);
        List<DataAccessAgreement> inForce = agreements.list(scope, DataAccessAgreement.State.APPROVED, null, 100_000);
        Map<UUID, Supplier> suppliers = catalog.suppliers(inForce.stream().map(DataAccessAgreement::supplierId).collect(Collectors.toSet())).stream()
                .collect(Collectors.toMap(Supplier::id, s -> s));
        Map<UUID, Product> products = catalog.products(inForce.stream().map(DataAccessAgreement::productId).collect(Collectors.toSet())).stream()
                .collect(Collectors.toMap(Product::id, p -> p));
        Map<UUID, String> units = grants.unitNames(inForce.stream().map(DataAccessAgreement::scopeId).collect(Collectors.toSet()));
        List<AdequacyEntry> list = adequacy.all();
        Set<String> eea = list.stream().filter(e -> e.basis() == AdequacyEntry.Basis.EU_EEA).map(AdequacyEntry::country).collect(Collectors.toSet());
        Map<String, AdequacyEntry> adequate = list.stream().filter(e -> e.basis() == AdequacyEntry.Basis.ADEQUACY_DECISION && e.validOn(today))
                .collect(Collectors.toMap(AdequacyEntry::country, e -> e, (a, b) -> a));
        List<List<String>> rows = new ArrayList<>();
        for (DataAccessAgreement a : inForce) {
            Supplier s = suppliers.get(a.supplierId());
            Product p = products.get(a.productId());
            if (s == null) {
                continue;
            }
            String unit = units.getOrDefault(a.scopeId(), a.scopeId().toString());
            Set<Attribute> data = a.approvedAttributes();
            String subjects = msg(locale, "gov2.art30.subjects", unit) + (data.contains(Attribute.GUARDIAN_LINKS) ? " " + msg(locale, "gov2.art30.subjects.guardians") : "");
            String categories = data.stream().sorted().map(x -> msg(locale, "attribute." + x.name())).collect(Collectors.joining(", "));
            List<String> recipients = new ArrayList<>();
            recipients.add(s.name() + " (" + s.country() + ")");
            s.subProcessors().forEach(sp -> recipients.add(msg(locale, "gov2.art30.subProcessor", sp.name(), sp.country(), sp.purpose() == null ? "" : sp.purpose())));
            Set<String> third = new TreeSet<>(s.allProcessingCountries());
            third.removeAll(eea);
            String transfers = third.isEmpty() ? msg(locale, "gov2.art30.noTransfers") : third.stream().map(c -> adequate.containsKey(c)
                    ? msg(locale, "gov2.art30.transfer.adequacy", c, adequate.get(c).decision() == null ? "" : adequate.get(c).decision())
                    : msg(locale, "gov2.art30.transfer.none", c)).collect(Collectors.joining("; "));
            String processingAgreements = s.processingAgreements().stream()
                    .filter(pa -> !today.isBefore(pa.signedOn()) && (pa.validUntil() == null || !today.isAfter(pa.validUntil())))
                    .map(pa -> pa.documentName() + " (" + pa.signedOn() + " – " + (pa.validUntil() == null ? "" : pa.validUntil()) + ")")
                    .collect(Collectors.joining("; "));
            rows.add(List.of(s.name(), nz(s.organisationNumber()), nz(s.country()), p == null ? a.productId().toString() : p.title() + " (" + p.articleNumber() + ")",
                    unit, nz(a.purpose()), nz(a.legalBasis()), subjects, categories, a.attributePackage().name(), String.join("; ", recipients), transfers,
                    msg(locale, "gov2.art30.retentionDays", a.retentionDays()),
                    processingAgreements.isEmpty() ? msg(locale, "gov2.art30.noProcessingAgreement") : processingAgreements, a.id().toString()));
        }
        rows.sort(Comparator.<List<String>, String>comparing(r -> r.get(0).toLowerCase(Locale.ROOT)).thenComparing(r -> r.get(3)).thenComparing(r -> r.get(4)));
        return rows;
    }

    /** Generates a version within the caller's scope, in {@code locale}'s language, stores it and audits it. */
    @Transactional
    public Version generate(Authentication caller, Locale locale) {
        CallerScope scope = scope(caller);
        Instant now = clock.instant();
        List<List<String>> rows = entries(caller, locale);
        List<String> header = COLUMNS.stream().map(c -> messages.getMessage(c, null, c, locale)).toList();
        byte[] csv = CsvExport.of(header, rows);
        List<UUID> units = scope.isWholeInstallation() ? List.of() : grants.of(caller.getName()).stream()
                .filter(g -> g.right() == AdminRight.DATA_PROTECTION_OFFICER).flatMap(g -> g.organisations().stream()).distinct().sorted().toList();
        byte[] pdf = pdf(header, rows, now, caller.getName(), scope.isWholeInstallation() ? msg(locale, "gov2.art30.wholeInstallation")
                : String.join(", ", grants.unitNames(units).values().stream().sorted().toList()), locale);
        long id = jdbc.sql("""
                        insert into processing_record_version (generated_at, generated_by, whole_installation, scope_units, language, entries, csv, pdf)
                        values (:at, :by, :whole, cast(:units as uuid[]), :lang, :n, :csv, :pdf) returning id
                        """).param("at", Timestamp.from(now)).param("by", caller.getName()).param("whole", scope.isWholeInstallation())
                .param("units", units.toArray(UUID[]::new)).param("lang", locale.getLanguage()).param("n", rows.size()).param("csv", csv).param("pdf", pdf)
                .query(Long.class).single();
        audit.record(caller.getName(), "PROCESSING_RECORD_GENERATED", "processing_record_version", Long.toString(id),
                Map.of("entries", rows.size(), "wholeInstallation", scope.isWholeInstallation(), "language", locale.getLanguage()));
        return find(id).orElseThrow();
    }

    private Optional<Version> find(long id) {
        return jdbc.sql(VERSION_SELECT + " where id = :id").param("id", id).query(ProcessingRecord::version).optional();
    }

    private static final String VERSION_SELECT = "select id, generated_at, generated_by, whole_installation, scope_units, language, entries from processing_record_version";

    /**
     * The versions the caller may see, newest first (at most 200): over the whole installation, every one; within units,
     * those generated within units that all lie within the caller's scope.
     */
    @Transactional(readOnly = true)
    public List<Version> versions(Authentication caller) {
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        return jdbc.sql(VERSION_SELECT + " order by generated_at desc, id desc limit 200").query(ProcessingRecord::version).list().stream()
                .filter(v -> visible(v, scope, within)).toList();
    }

    private static boolean visible(Version v, CallerScope scope, Predicate<UUID> within) {
        return scope.isWholeInstallation() || (!v.wholeInstallation() && !v.scopeUnits().isEmpty() && v.scopeUnits().stream().allMatch(within));
    }

    /** A stored version's file ("csv" or "pdf"), if the caller may see the version; empty otherwise (the caller answers 404). */
    @Transactional(readOnly = true)
    public Optional<byte[]> file(Authentication caller, long id, String kind) {
        if (!kind.equals("csv") && !kind.equals("pdf")) {
            return Optional.empty();
        }
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        return find(id).filter(v -> visible(v, scope, within))
                .map(v -> jdbc.sql("select " + kind + " from processing_record_version where id = :id").param("id", id).query(byte[].class).single());
    }

    private static Version version(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Array units = rs.getArray("scope_units");
        return new Version(rs.getLong("id"), rs.getTimestamp("generated_at").toInstant(), rs.getString("generated_by"), rs.getBoolean("whole_installation"),
                units == null ? List.of() : List.of((UUID[]) units.getArray()), rs.getString("language"), rs.getInt("entries"));
    }

    private String msg(Locale locale, String key, Object... args) {
        return messages.getMessage(key, args, key, locale);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** One block per entry, a label and its value a line, wrapped; standard Helvetica (Latin-1: Swedish and Danish print). */
    private byte[] pdf(List<String> header, List<List<String>> rows, Instant at, String by, String scope, Locale locale) {
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
        try (PDDocument doc = new PDDocument()) {
            doc.getDocumentInformation().setTitle(msg(locale, "gov2.art30.title"));
            doc.getDocumentInformation().setCreator("Tilldela");
            org.tilldela.platform.PdfPages w = new org.tilldela.platform.PdfPages(doc);
            w.line(w.bold, 15, msg(locale, "gov2.art30.title"));
            w.line(w.regular, 10, msg(locale, "gov2.art30.generated", time.format(at), by));
            w.line(w.regular, 10, msg(locale, "gov2.art30.scope", scope));
            w.line(w.regular, 10, msg(locale, "gov2.art30.entries", rows.size()));
            for (List<String> row : rows) {
                w.gap(10);
                w.line(w.bold, 12, row.get(0) + " – " + row.get(3));
                for (int i = 1; i < row.size(); i++) {
                    if (i != 3) {
                        w.line(w.regular, 9, header.get(i) + ": " + row.get(i));
                    }
                }
            }
            w.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
