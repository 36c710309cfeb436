package org.tilldela.catalog.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.catalog.generator.CatalogBulkLoad;
import org.tilldela.catalog.generator.CatalogGenerator;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code benchmark catalog-search}: generates a catalogue into an empty database and times a realistic mix of searches. */
@Command(name = "catalog-search", mixinStandardHelpOptions = true, description = {
        "Generates N articles (Swedish and Danish, 50 suppliers) into an empty database (embedded, under --work-dir),",
        "then runs a mix of searches (words in sv and da, inflected forms, type-ahead prefixes, facets, paging)",
        "one at a time and prints median and p95 latency, overall and per kind of query; then a fifth as many",
        "searches each right after a change to the catalogue, when nothing counted or ranked before is kept."})
public class CatalogSearchBenchmark implements Callable<Integer> {

    @Option(names = "--articles", defaultValue = "100000", description = "Articles to generate (default ${DEFAULT-VALUE}).")
    int articles;

    @Option(names = "--queries", defaultValue = "2000", description = "Timed searches (default ${DEFAULT-VALUE}), after 300 to warm up.")
    int queries;

    @Option(names = "--work-dir", defaultValue = "target/benchmark-catalog", description = "Where the database goes (emptied first).")
    Path workDir;

    private static final String[] SV_WORDS = {"matematik", "matematiken", "svenska", "engelska", "biologi", "historia", "historien", "geografi",
            "bråk", "bråken", "ekvationer", "geometri", "läsförståelse", "grammatiken", "klimatet", "programmering", "övningsbok", "grundböckerna",
            "lärarhandledning", "uppgifter", "berättelserna", "medeltiden", "samhällskunskap", "kemi", "fysiken", "religionskunskap"};
    private static final String[] DA_WORDS = {"matematik", "dansk", "engelsk", "historie", "historien", "brøker", "brøkerne", "ligninger",
            "geometri", "læseforståelse", "grammatikken", "klimaet", "opgaver", "opgaverne", "øvebog", "grundbog", "fortællinger",
            "lærervejledning", "middelalderen", "samfundsfag", "idræt", "kristendomskundskab", "digte", "ordforråd"};
    private static final String[] PREFIXES = {"mat", "mate", "hist", "geo", "eng", "bio", "gram", "prog", "læs", "öv", "dan", "sven", "kli"};
    private static final String[] SURNAMES = {"andersson", "johansson", "karlsson", "nilsson", "eriksson", "jensen", "nielsen", "hansen",
            "pedersen", "andersen", "larsen", "lindqvist"};
    private static final String[] TWO_WORDS = {"matematik 7", "svenska 4", "dansk 3", "engelska övningsbok", "historie grundbog",
            "matematik digitalt", "prima matematik", "kontext dansk", "geometri uppgifter", "brøker opgaver", "fysik 8", "alfa biologi"};

    @Override
    public Integer call() throws Exception {
        CommandContext.useEmptyWorkDirectory(workDir);
        CatalogBulkLoad load = CommandContext.bean(CatalogBulkLoad.class);
        CatalogSearch search = CommandContext.bean(CatalogSearch.class);
        JdbcClient jdbc = CommandContext.bean(JdbcClient.class);

        CatalogGenerator generator = new CatalogGenerator(7);
        List<Supplier> suppliers = generator.suppliers(CatalogGenerator.manySuppliers(50), Set.of(), LocalDate.now());
        long t = System.nanoTime();
        load.load(suppliers, articles, i -> generator.product(i, suppliers));
        double loadSeconds = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        jdbc.sql("vacuum analyze product").update();
        jdbc.sql("vacuum analyze product_data_need").update();
        double analyzeSeconds = (System.nanoTime() - t) / 1e9;
        long count = jdbc.sql("select count(*) from product").query(Long.class).single();
        String size = jdbc.sql("select pg_size_pretty(pg_total_relation_size('product'))").query(String.class).single();
        System.out.printf("loaded %,d articles (%d suppliers) in %.1f s, vacuum analyze %.1f s; product table with indexes %s%n", count,
                suppliers.size(), loadSeconds, analyzeSeconds, size);
        System.out.printf("cores: %d, max heap: %,d MB, java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"),
                jdbc.sql("select version()").query(String.class).single().replaceAll(" on .*", ""));

        Random random = new Random(42);
        List<Map.Entry<String, Function<Random, CatalogQuery>>> mix = mix(suppliers);
        for (int i = 0; i < 300; i++) {
            search.search(pick(mix, random).getValue().apply(random));
        }
        Map<String, List<Long>> byKind = new LinkedHashMap<>();
        mix.forEach(e -> byKind.putIfAbsent(e.getKey(), new ArrayList<>()));
        List<Long> all = new ArrayList<>();
        long hitsTotal = 0;
        for (int i = 0; i < queries; i++) {
            var kind = pick(mix, random);
            CatalogQuery q = kind.getValue().apply(random);
            long start = System.nanoTime();
            CatalogPage page = search.search(q);
            long micros = (System.nanoTime() - start) / 1000;
            hitsTotal += page.total();
            all.add(micros);
            byKind.get(kind.getKey()).add(micros);
        }
        System.out.println();
        System.out.printf("%,d searches, %,.0f matches per search on average%n%n", queries, hitsTotal / (double) queries);
        printTable(byKind, all, queries);

        // a change to the catalogue as its triggers record one: nothing counted or ranked before is used after it
        Runnable change = () -> jdbc.sql("update catalog_version set version = version + 1 where id = 1").update();
        // the worst case of what is kept per catalogue version (facet counts, rankings of common words): every
        // search the first of its kind since a change, as right after a supplier's feed was applied
        Map<String, List<Long>> afterChange = new LinkedHashMap<>();
        mix.forEach(e -> afterChange.putIfAbsent(e.getKey(), new ArrayList<>()));
        List<Long> allAfterChange = new ArrayList<>();
        int changed = Math.max(1, queries / 5);
        for (int i = 0; i < changed; i++) {
            var kind = pick(mix, random);
            CatalogQuery q = kind.getValue().apply(random);
            change.run();
            long start = System.nanoTime();
            search.search(q);
            long micros = (System.nanoTime() - start) / 1000;
            allAfterChange.add(micros);
            afterChange.get(kind.getKey()).add(micros);
        }
        System.out.println();
        System.out.printf("%,d searches, each right after a change to the catalogue (nothing counted or ranked is kept)%n%n", changed);
        printTable(afterChange, allAfterChange, changed);

        // what the server does instead of leaving that to its visitors: once the catalogue stands still, it asks the
        // searches made lately again (every few seconds in the server; called here directly, a command has no scheduler)
        change.run();
        search.askAgainAfterAChange();
        long t0 = System.nanoTime();
        int asked = search.askAgainAfterAChange();
        System.out.printf("%nafter a change, the %d most recent searches counted and ranked again in %,d ms%n", asked,
                (System.nanoTime() - t0) / 1_000_000);
        return 0;
    }

    private static Map.Entry<String, Function<Random, CatalogQuery>> pick(List<Map.Entry<String, Function<Random, CatalogQuery>>> mix, Random r) {
        return mix.get(r.nextInt(mix.size()));
    }

    /** Query kinds, each entry equally likely; kinds listed more than once are that much more common. */
    private static List<Map.Entry<String, Function<Random, CatalogQuery>>> mix(List<Supplier> suppliers) {
        List<Map.Entry<String, Function<Random, CatalogQuery>>> mix = new ArrayList<>();
        Function<Random, CatalogQuery> sv = r -> CatalogQuery.of(any(SV_WORDS, r) + " ");
        Function<Random, CatalogQuery> da = r -> CatalogQuery.of(any(DA_WORDS, r) + " ");
        for (int i = 0; i < 4; i++) {
            mix.add(Map.entry("one word, Swedish", sv));
            mix.add(Map.entry("one word, Danish", da));
        }
        for (int i = 0; i < 3; i++) {
            mix.add(Map.entry("type-ahead prefix", r -> CatalogQuery.of(any(PREFIXES, r))));
            mix.add(Map.entry("two words", r -> CatalogQuery.of(any(TWO_WORDS, r))));
            mix.add(Map.entry("word + facets", r -> {
                CatalogQuery q = CatalogQuery.of(any(r.nextBoolean() ? SV_WORDS : DA_WORDS, r) + " ");
                return switch (r.nextInt(4)) {
                    case 0 -> q.withKinds(Set.of(Product.Kind.DIGITAL));
                    case 1 -> q.withSchoolForms(Set.of(r.nextBoolean() ? "GR" : "DK-FS")).withKinds(Set.of(Product.Kind.PRINTED_PAPERBACK));
                    case 2 -> q.withDataNeeds(Set.of(Attribute.EMAIL));
                    default -> q.withSuppliers(Set.of(suppliers.get(r.nextInt(suppliers.size())).id()));
                };
            }));
            mix.add(Map.entry("word, pages 2-5", r -> CatalogQuery.of(any(r.nextBoolean() ? SV_WORDS : DA_WORDS, r) + " ").withPage(2 + r.nextInt(4))));
        }
        mix.add(Map.entry("author surname", r -> CatalogQuery.of(any(SURNAMES, r) + " ")));
        mix.add(Map.entry("facets only", r -> new CatalogQuery("", Set.of(Product.Kind.values()[r.nextInt(4)]),
                Set.of(r.nextBoolean() ? "GY" : "DK-GYM"), null, null, null, 1 + r.nextInt(3), 20)));
        mix.add(Map.entry("everything (no words)", r -> CatalogQuery.of("").withPage(1 + r.nextInt(3))));
        return mix;
    }

    private static String any(String[] values, Random r) {
        return values[r.nextInt(values.length)];
    }

    /** Median, p95 and max per kind of query and for all, as a Markdown table. */
    private static void printTable(Map<String, List<Long>> byKind, List<Long> all, int total) {
        System.out.println("| queries | share | n | median | p95 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (var e : byKind.entrySet()) {
            if (!e.getValue().isEmpty()) {
                System.out.println(row(e.getKey(), e.getValue(), total));
            }
        }
        System.out.println(row("**all**", all, total));
    }

    private static String row(String label, List<Long> micros, int total) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("| %s | %.0f%% | %,d | %.1f ms | %.1f ms | %.1f ms |", label, 100.0 * sorted.length / total, sorted.length,
                percentile(sorted, 50) / 1000.0, percentile(sorted, 95) / 1000.0, sorted[sorted.length - 1] / 1000.0);
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[org.tilldela.platform.Percentiles.nearestRank(sorted.length, p)];
    }

}
