package org.tilldela.catalog.feed;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AuditTrail;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Supplier feeds: products with their data-needs declarations, as CSV or JSON (format in the README,
 * "Catalogue"). A feed is all or nothing: every row is read and checked first, and only a feed without
 * a single problem is applied, in one transaction. Products are matched by article number: a known one
 * is updated, a new one created; products missing from the feed are left alone. Suppliers are named by
 * organisation number and must already be in the catalogue.
 */
@Service
public class CatalogFeeds {

    public enum Format {
        CSV, JSON;

        /** From the file name, else the content type; CSV when neither says. */
        public static Format of(String fileName, String contentType) {
            String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
            if (name.endsWith(".json") || contentType != null && contentType.contains("json")) {
                return JSON;
            }
            return CSV;
        }
    }

    static final List<String> CSV_COLUMNS = List.of("supplier_organisation_number", "article_number", "title", "description", "kind",
            "school_forms", "grades", "subjects", "licence_model", "licence_period_months", "price", "currency", "trial_days",
            "access_method", "data_needs");
    private static final Set<String> REQUIRED_CSV_COLUMNS = Set.of("supplier_organisation_number", "article_number", "title", "kind",
            "licence_model", "price", "access_method");
    private static final Set<String> JSON_FIELDS = Set.of("supplierOrganisationNumber", "articleNumber", "title", "description", "kind",
            "schoolForms", "grades", "subjects", "licenceModel", "licencePeriodMonths", "price", "currency", "trialDays", "accessMethod",
            "dataNeeds");
    private static final Set<String> JSON_NEED_FIELDS = Set.of("attribute", "purpose", "retentionDays", "processingCountries");
    private static final int MAX_PROBLEMS = 1000;

    private final Catalog catalog;
    private final AuditTrail audit;
    private final JsonMapper json;
    private final MessageSource messages;

    CatalogFeeds(Catalog catalog, AuditTrail audit, JsonMapper json, MessageSource messages) {
        this.catalog = catalog;
        this.audit = audit;
        this.json = json;
        this.messages = messages;
    }

    /** A draft read from the feed, and where it was. */
    private record Row(Integer line, Integer index, ProductDraft draft) {
    }

    /**
     * Reads, checks and — only when nothing is wrong — applies the feed.
     *
     * @throws FeedRejectedException listing every problem (up to 1,000); nothing was applied
     */
    @Transactional
    public FeedResult apply(byte[] content, Format format, String feedName, String actor) {
        List<FeedProblem> problems = new ArrayList<>();
        List<Row> rows = format == Format.CSV ? readCsv(content, problems) : readJson(content, problems);
        // its new articles are looked up and then inserted: an editor creating one of them meanwhile waits (Catalog.holdNumber)
        catalog.holdAllNumbers();

        Map<String, Optional<Supplier>> suppliers = new HashMap<>();
        Map<String, Integer> firstSeen = new HashMap<>();
        List<Product> products = new ArrayList<>();
        int created = 0;
        for (Row row : rows) {
            ProductDraft d = row.draft();
            List<ProductDraft.FieldError> errors = new ArrayList<>(d.check());
            Supplier supplier = null;
            if (d.supplierOrganisationNumber() != null && !d.supplierOrganisationNumber().isBlank()) {
                supplier = suppliers.computeIfAbsent(d.supplierOrganisationNumber().strip(), catalog::supplierByOrganisationNumber).orElse(null);
                if (supplier == null) {
                    errors.add(ProductDraft.FieldError.of("supplier", "unknownSupplier", d.supplierOrganisationNumber().strip()));
                }
            }
            UUID id = UUID.randomUUID();
            boolean isNew = true;
            if (d.articleNumber() != null && !d.articleNumber().isBlank()) {
                String article = d.articleNumber().strip();
                Integer earlier = firstSeen.putIfAbsent(article, row.line() != null ? row.line() : row.index());
                if (earlier != null) {
                    errors.add(ProductDraft.FieldError.of("articleNumber", row.line() != null ? "duplicateArticleLine" : "duplicateArticleIndex",
                            article, String.valueOf(earlier)));
                }
                Optional<Product> existing = catalog.productByArticleNumber(article);
                if (existing.isPresent()) {
                    id = existing.get().id();
                    isNew = false;
                    if (supplier != null && !existing.get().supplierId().equals(supplier.id())) {
                        errors.add(ProductDraft.FieldError.of("articleNumber", "otherSupplier", article));
                    }
                }
            }
            for (ProductDraft.FieldError e : errors) {
                problems.add(problem(row.line(), row.index(), e.field(), e.code(), e.args()));
            }
            if (errors.isEmpty() && problems.isEmpty()) {
                products.add(d.toProduct(id, supplier.id()));
                created += isNew ? 1 : 0;
            }
        }
        if (rows.isEmpty() && problems.isEmpty()) {
            problems.add(problem(format == Format.CSV ? 1 : null, null, null, "emptyFeed", List.of()));
        }
        if (!problems.isEmpty()) {
            // in file order, whichever check found them
            problems.sort(java.util.Comparator.comparing((FeedProblem p) -> p.line() != null ? p.line() : p.index() != null ? p.index() : -1));
            throw new FeedRejectedException(problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
        }
        for (Product p : products) {
            catalog.save(p);
        }
        FeedResult result = new FeedResult(format, products.size(), created, products.size() - created);
        audit.record(actor, "CATALOG_FEED_APPLIED", "catalog-feed", feedName,
                Map.of("format", format.name(), "products", result.products(), "created", result.created(), "updated", result.updated()));
        return result;
    }

    /** The problem's reason in the given language. */
    public String describe(FeedProblem problem, Locale locale) {
        return messages.getMessage("catalog.error." + problem.code(), problem.args().toArray(), problem.code(), locale);
    }

    private FeedProblem problem(Integer line, Integer index, String field, String code, List<String> args) {
        String reason = messages.getMessage("catalog.error." + code, args.toArray(), code, Locale.ENGLISH);
        return new FeedProblem(line, index, field, code, args, reason);
    }

    // --- CSV -------------------------------------------------------------------------------------

    private List<Row> readCsv(byte[] content, List<FeedProblem> problems) {
        List<Row> rows = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int offset = content.length >= 3 && (content[0] & 0xff) == 0xEF && (content[1] & 0xff) == 0xBB && (content[2] & 0xff) == 0xBF ? 3 : 0;
        CSVFormat csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).setIgnoreEmptyLines(true).get();
        long line = 1;
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(content, offset, content.length - offset), decoder);
             CSVParser parser = CSVParser.parse(reader, csv)) {
            Map<String, Integer> header = parser.getHeaderMap();
            List<String> missing = REQUIRED_CSV_COLUMNS.stream().filter(c -> !header.containsKey(c)).sorted().toList();
            List<String> unknown = header.keySet().stream().filter(c -> !CSV_COLUMNS.contains(c)).toList();
            for (String c : missing) {
                problems.add(problem(1, null, c, "missingColumn", List.of(c)));
            }
            for (String c : unknown) {
                problems.add(problem(1, null, c, "unknownColumn", List.of(c)));
            }
            if (!problems.isEmpty()) {
                return rows;
            }
            line = parser.getCurrentLineNumber();
            for (CSVRecord r : parser) {
                int start = (int) line + 1;
                line = parser.getCurrentLineNumber();
                if (!r.isConsistent()) {
                    problems.add(problem(start, null, null, "columnCount", List.of(String.valueOf(r.size()), String.valueOf(header.size()))));
                    continue;
                }
                List<FeedProblem> needProblems = new ArrayList<>();
                List<ProductDraft.NeedDraft> needs = csvNeeds(get(r, "data_needs"), start, needProblems);
                problems.addAll(needProblems);
                rows.add(new Row(start, null, new ProductDraft(get(r, "supplier_organisation_number"), get(r, "article_number"), get(r, "title"),
                        get(r, "description"), get(r, "kind"), list(get(r, "school_forms")), list(get(r, "grades")), list(get(r, "subjects")),
                        get(r, "licence_model"), orDefault(get(r, "licence_period_months"), "12"), get(r, "price"), get(r, "currency"),
                        get(r, "trial_days"), get(r, "access_method"), needs)));
            }
        } catch (UncheckedIOException e) {
            problems.add(csvError(e.getCause(), (int) line + 1));
        } catch (IOException e) {
            problems.add(csvError(e, (int) line + 1));
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Commons CSV: duplicate or empty header names, an unclosed quote
            problems.add(problem((int) line + 1, null, null, "csvSyntax", List.of(String.valueOf(e.getMessage()))));
        }
        return rows;
    }

    private FeedProblem csvError(Throwable e, int line) {
        if (e instanceof CharacterCodingException) {
            return problem(line, null, null, "encoding", List.of());
        }
        return problem(line, null, null, "csvSyntax", List.of(String.valueOf(e.getMessage())));
    }

    private static String get(CSVRecord r, String column) {
        return r.isMapped(column) ? r.get(column) : null;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static List<String> list(String value) {
        return value == null || value.isBlank() ? List.of() : Arrays.stream(value.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code ATTRIBUTE:retention_days:COUNTRIES:purpose}, several joined by {@code |}; countries separated by spaces. */
    private List<ProductDraft.NeedDraft> csvNeeds(String value, int line, List<FeedProblem> problems) {
        List<ProductDraft.NeedDraft> needs = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return needs;
        }
        for (String part : value.split("\\|")) {
            if (part.isBlank()) {
                continue;
            }
            String[] f = part.strip().split(":", 4);
            if (f.length < 4) {
                problems.add(problem(line, null, "data_needs", "needFormat", List.of(part.strip())));
                continue;
            }
            needs.add(new ProductDraft.NeedDraft(f[0].strip(), f[3].strip(), f[1].strip(), countries(f[2])));
        }
        return needs;
    }

    private static List<String> countries(String value) {
        return Arrays.stream(value.strip().split("[\\s,+]+")).filter(s -> !s.isEmpty()).toList();
    }

    // --- JSON ------------------------------------------------------------------------------------

    private List<Row> readJson(byte[] content, List<FeedProblem> problems) {
        List<Row> rows = new ArrayList<>();
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JacksonException e) {
            Integer line = e.getLocation() == null ? null : e.getLocation().getLineNr();
            problems.add(problem(line, null, null, "jsonSyntax", List.of(e.getOriginalMessage())));
            return rows;
        }
        JsonNode products = root == null ? null : root.isArray() ? root : root.get("products");
        if (products == null || !products.isArray()) {
            problems.add(problem(null, null, "products", "jsonNoProducts", List.of()));
            return rows;
        }
        int i = 0;
        for (JsonNode p : products.values()) {
            int index = i++;
            if (!p.isObject()) {
                problems.add(problem(null, index, null, "jsonType", List.of("object")));
                continue;
            }
            List<FeedProblem> local = new ArrayList<>();
            for (String name : p.propertyNames()) {
                if (!JSON_FIELDS.contains(name)) {
                    local.add(problem(null, index, name, "unknownField", List.of(name)));
                }
            }
            List<ProductDraft.NeedDraft> needs = new ArrayList<>();
            JsonNode needNodes = p.get("dataNeeds");
            if (needNodes != null && !needNodes.isNull()) {
                if (!needNodes.isArray()) {
                    local.add(problem(null, index, "dataNeeds", "jsonType", List.of("array")));
                } else {
                    for (JsonNode n : needNodes.values()) {
                        if (!n.isObject()) {
                            local.add(problem(null, index, "dataNeeds", "jsonType", List.of("object")));
                            continue;
                        }
                        for (String name : n.propertyNames()) {
                            if (!JSON_NEED_FIELDS.contains(name)) {
                                local.add(problem(null, index, "dataNeeds." + name, "unknownField", List.of(name)));
                            }
                        }
                        needs.add(new ProductDraft.NeedDraft(text(n, "attribute", index, local), text(n, "purpose", index, local),
                                text(n, "retentionDays", index, local), strings(n, "processingCountries", index, local)));
                    }
                }
            }
            ProductDraft draft = new ProductDraft(text(p, "supplierOrganisationNumber", index, local), text(p, "articleNumber", index, local),
                    text(p, "title", index, local), text(p, "description", index, local), text(p, "kind", index, local),
                    strings(p, "schoolForms", index, local), strings(p, "grades", index, local), strings(p, "subjects", index, local),
                    text(p, "licenceModel", index, local), orDefault(text(p, "licencePeriodMonths", index, local), "12"),
                    text(p, "price", index, local), text(p, "currency", index, local), text(p, "trialDays", index, local),
                    text(p, "accessMethod", index, local), needs);
            problems.addAll(local);
            rows.add(new Row(null, index, draft));
        }
        return rows;
    }

    /** A string or a number as text; anything else is a problem. */
    private String text(JsonNode node, String field, int index, List<FeedProblem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isString() || v.isNumber()) {
            return v.asString();
        }
        problems.add(problem(null, index, field, "jsonType", List.of("string")));
        return null;
    }

    private List<String> strings(JsonNode node, String field, int index, List<FeedProblem> problems) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            problems.add(problem(null, index, field, "jsonType", List.of("array")));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v.values()) {
            if (e.isString() || e.isNumber()) {
                out.add(e.asString());
            } else {
                problems.add(problem(null, index, field, "jsonType", List.of("string")));
            }
        }
        return out;
    }

    /** The columns a CSV feed may have, in the documented order (for a template download). */
    public static List<String> csvColumns() {
        return CSV_COLUMNS;
    }

}
