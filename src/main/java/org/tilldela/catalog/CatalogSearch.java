package org.tilldela.catalog;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.tilldela.platform.LeastRecentlyUsed;
import org.springframework.transaction.annotation.Transactional;

/**
 * Catalogue search: PostgreSQL full-text search with Swedish and Danish stemming at once (see the
 * catalogue migration: every text is indexed by both stemmers), ranked, with facet counts and pages.
 *
 * <p>Each word of the query must match in at least one of the two languages, so "matematiken" (sv) and
 * "bøgerne" (da) both find their base forms, and a mixed query still works. The last word is a prefix
 * for type-ahead unless the text ends with a space. An exact article number always comes first.
 */
@Service
@Transactional(readOnly = true)
public class CatalogSearch {

    private static final Pattern NOT_A_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final int MAX_WORDS = 8;
    /** Subjects are free text and can be many; the facet shows the most frequent (and any chosen). */
    private static final int MAX_SUBJECT_VALUES = 25;

    /** Totals and facet counts by catalogue version and filter: a broad search counts tens of thousands of matches. */
    private static final int CACHED_COUNTS = 2_000;

    /** The version is null where the counts were not cached (a transaction that has written): nothing kept then. */
    private record Counts(Long version, long total, Map<String, Long> byFacet) {
    }

    private static final Logger log = LoggerFactory.getLogger(CatalogSearch.class);

    private final JdbcClient jdbc;
    /** From this many matches on, a search's ranking is kept per catalogue version (see {@link RankedMatches}). */
    private final long rankedFrom;
    private final RankedMatches ranked = new RankedMatches();
    /** Searches asked again after a change to the catalogue, the most recent first: a few seconds of one core. */
    static final int ASKED_AGAIN = 50;

    /** The searches made lately (their first pages), to be asked again after a change (see {@link #askAgainAfterAChange}). */
    private final Map<CatalogQuery, Boolean> recent = LeastRecentlyUsed.map(ASKED_AGAIN);
    /** The catalogue version last seen by {@link #askAgainAfterAChange} and the one whose searches were last asked again. */
    private Long lastSeen;
    private Long askedAgainIn;

    private final Map<String, Counts> counted = LeastRecentlyUsed.map(CACHED_COUNTS);

    CatalogSearch(JdbcClient jdbc, @Value("${tilldela.catalog.search.ranked-from:" + RankedMatches.FROM + "}") long rankedFrom) {
        this.jdbc = jdbc;
        this.rankedFrom = rankedFrom;
    }

    public CatalogPage search(CatalogQuery query) {
        return search(query, true);
    }

    /** How many pages were answered from a kept ranking (for tests and the benchmark). */
    long answeredFromKeptRankings() {
        return ranked.answered();
    }

    /** How many rankings were made (for tests). */
    long rankingsMade() {
        return ranked.made();
    }

    /**
     * After a change to the catalogue (a supplier's feed, an edited product) nothing counted or ranked before is
     * used: the first search of a common word counts and ranks its tens of thousands of matches again (a few
     * hundred milliseconds at 100,000 products). So once the catalogue has stood still for one check, the searches
     * made lately are asked again here, and their visitors find them counted and ranked. Called every few seconds
     * by {@link AskingAgain}; each node keeps its own.
     *
     * @return how many searches were asked again
     */
    public int askAgainAfterAChange() {
        Long version = jdbc.sql("select version from catalog_version where id = 1").query(Long.class).single();
        List<CatalogQuery> again;
        synchronized (recent) {
            if (version.equals(askedAgainIn) || !version.equals(lastSeen)) {
                // unchanged since, or changed since the last check: a feed is applied in many statements, wait for it
                lastSeen = version;
                return 0;
            }
            askedAgainIn = version;
            again = new ArrayList<>(recent.keySet());
        }
        Collections.reverse(again);
        int asked = 0;
        for (CatalogQuery query : again) {
            try {
                search(query);
                asked++;
            } catch (RuntimeException e) {
                // one search that fails now (the database away a moment) does not keep the others from being asked;
                // the search's text stays out of the log, which is for no one's words
                log.warn("A recent catalogue search could not be asked again after a change ({})", e.getClass().getSimpleName());
            }
        }
        return asked;
    }

    /** Every {@code tilldela.catalog.search.ask-again-every} (5 s): {@link #askAgainAfterAChange}. */
    @Configuration
    @EnableScheduling
    static class AskingAgain {

        private final CatalogSearch search;

        AskingAgain(CatalogSearch search) {
            this.search = search;
        }

        @Scheduled(fixedDelayString = "${tilldela.catalog.search.ask-again-every:5s}",
                initialDelayString = "${tilldela.catalog.search.ask-again-every:5s}")
        void run() {
            long t = System.nanoTime();
            int asked = search.askAgainAfterAChange();
            if (asked > 0) {
                log.info("Catalogue changed: {} recent searches counted and ranked again in {} ms", asked, (System.nanoTime() - t) / 1_000_000);
            }
        }
    }

    /** The search; without {@code mayUseKeptRankings} every match is ranked, as a check of the kept rankings. */
    CatalogPage search(CatalogQuery query, boolean mayUseKeptRankings) {
        String tsquery = tsquery(query.text());
        String raw = query.text().strip();
        Map<String, Object> params = new HashMap<>();
        StringBuilder where = new StringBuilder("true");
        if (tsquery != null) {
            where.append(" and (search @@ cast(:tsq as tsquery) or article_number = :raw)");
            params.put("tsq", tsquery);
            params.put("raw", raw);
        } else if (!raw.isEmpty() && NOT_A_WORD.matcher(raw).replaceAll("").isEmpty()) {
            // nothing searchable in the text (only punctuation): only an article number can match
            where.append(" and article_number = :raw");
            params.put("raw", raw);
        }
        facet(where, params, "kinds", query.kinds(), k -> "k:" + k.name());
        facet(where, params, "forms", query.schoolForms(), f -> "f:" + f);
        facet(where, params, "subjects", query.subjects(), s -> "s:" + s);
        facet(where, params, "suppliers", query.suppliers(), s -> "p:" + s);
        facet(where, params, "needs", query.dataNeeds(), a -> "n:" + a.name());

        Counts counts = counts(where.toString(), params);
        String order = tsquery != null
                ? "(article_number = :raw) desc, ts_rank(search, cast(:tsq as tsquery)) desc, title, id"
                : "title, id";
        String rank = tsquery != null ? "ts_rank(search, cast(:tsq as tsquery))" : "0";
        String select = """
                select id, article_number, title, supplier_id, supplier_name, kind, school_forms, grades, subjects, price, currency,
                       access_method, facets, %s rank
                from product where %s order by %s limit :limit offset :offset
                """;
        List<CatalogPage.Hit> hits = null;
        if (mayUseKeptRankings && tsquery != null && counts.version() != null && counts.total() >= rankedFrom
                && query.offset() + query.pageSize() <= RankedMatches.LENGTH) {
            RankedMatches.Ranking best = ranked.of(counts.version(), tsquery, () -> jdbc.sql("""
                            select id from product where search @@ cast(:tsq as tsquery)
                            order by ts_rank(search, cast(:tsq as tsquery)) desc, title, id limit :n
                            """).param("tsq", tsquery).param("n", RankedMatches.LENGTH + 1).query(UUID.class).list());
            // the same query, over the best-ranked matches (and an exact article number) only
            List<CatalogPage.Hit> candidates = jdbc.sql(select.formatted(rank, "(id = any(:best) or article_number = :raw) and " + where, order))
                    .params(params).param("best", best.ids()).param("limit", query.offset() + query.pageSize()).param("offset", 0)
                    .query(this::hit).list();
            if (best.answers(candidates.size(), query.offset() + query.pageSize())) {
                hits = candidates.subList(Math.min(query.offset(), candidates.size()), candidates.size());
                ranked.countAnswer();
            }
        }
        if (hits == null) {
            hits = jdbc.sql(select.formatted(rank, where, order))
                    .params(params).param("limit", query.pageSize()).param("offset", query.offset())
                    .query(this::hit).list();
        }
        CatalogPage page = new CatalogPage(hits, counts.total(), query.page(), query.pageSize(), facets(counts.byFacet(), query));
        if (mayUseKeptRankings) {
            // only a search that worked is asked again: one the database refused (a NUL in the text) would fail every time
            synchronized (recent) {
                recent.put(query.withPage(1), Boolean.TRUE);
            }
        }
        return page;
    }

    private CatalogPage.Hit hit(ResultSet rs, int row) throws SQLException {
        Set<Attribute> needs = EnumSet.noneOf(Attribute.class);
        for (String f : strings(rs.getArray("facets"))) {
            if (f.startsWith("n:")) {
                needs.add(Attribute.valueOf(f.substring(2)));
            }
        }
        return new CatalogPage.Hit(rs.getObject("id", UUID.class), rs.getString("article_number"), rs.getString("title"),
                rs.getObject("supplier_id", UUID.class), rs.getString("supplier_name"), Product.Kind.valueOf(rs.getString("kind")),
                List.of(strings(rs.getArray("school_forms"))), List.of(strings(rs.getArray("grades"))),
                List.of(strings(rs.getArray("subjects"))), rs.getBigDecimal("price"), rs.getString("currency"),
                Product.AccessMethod.valueOf(rs.getString("access_method")), needs,
                // ts_rank is a float4: read as one, it is the same whether the driver got it as text or binary
                (double) rs.getFloat("rank"));
    }

    /**
     * The total and every facet's counts in one pass over the matches (each product's facet keys unnested
     * once), remembered until the catalogue changes: the version is read from the database, so a change
     * made through any node is seen by all.
     */
    private Counts counts(String where, Map<String, Object> params) {
        // a transaction that has written may have bumped the version without committing: it neither reads nor fills the cache
        Long version = jdbc.sql(Catalog.VERSION.sql())
                .query(Long.class).optional().orElse(null);
        String key = version + "|" + where + "|" + new java.util.TreeMap<>(params).entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() instanceof Object[] a ? java.util.Arrays.toString(a) : e.getValue()))
                .collect(Collectors.joining("&"));
        if (version != null) {
            synchronized (counted) {
                Counts cached = counted.get(key);
                if (cached != null) {
                    return cached;
                }
            }
        }
        Map<String, Long> byFacet = new LinkedHashMap<>();
        long[] total = {0};
        jdbc.sql("""
                        with m as materialized (select facets from product where %s)
                        select null f, count(*) n from m
                        union all
                        select f, count(*) n from m, unnest(m.facets) f group by f
                        """.formatted(where))
                .params(params).query(rs -> {
                    String f = rs.getString(1);
                    if (f == null) {
                        total[0] = rs.getLong(2);
                    } else {
                        byFacet.put(f, rs.getLong(2));
                    }
                });
        Counts counts = new Counts(version, total[0], Map.copyOf(byFacet));
        if (version != null) {
            synchronized (counted) {
                counted.put(key, counts);
            }
        }
        return counts;
    }

    private CatalogPage.Facets facets(Map<String, Long> counts, CatalogQuery query) {
        Map<String, List<Map.Entry<String, Long>>> byPrefix = counts.entrySet().stream()
                .collect(Collectors.groupingBy(e -> e.getKey().substring(0, 2)));
        Function<String, List<Map.Entry<String, Long>>> of = prefix -> byPrefix.getOrDefault(prefix, List.of()).stream()
                .map(e -> Map.entry(e.getKey().substring(2), e.getValue()))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList();
        Set<String> chosenKinds = query.kinds().stream().map(Enum::name).collect(Collectors.toSet());
        Set<String> chosenSuppliers = query.suppliers().stream().map(UUID::toString).collect(Collectors.toSet());
        Set<String> chosenNeeds = query.dataNeeds().stream().map(Enum::name).collect(Collectors.toSet());

        List<Map.Entry<String, Long>> supplierCounts = of.apply("p:");
        Map<String, String> supplierNames = new HashMap<>();
        if (!supplierCounts.isEmpty()) {
            jdbc.sql("select id::text, name from supplier where id = any(cast(:ids as uuid[]))")
                    .param("ids", supplierCounts.stream().map(Map.Entry::getKey).toArray(String[]::new))
                    .query(rs -> {
                        supplierNames.put(rs.getString(1), rs.getString(2));
                    });
        }
        List<CatalogPage.Count> subjects = new ArrayList<>();
        for (Map.Entry<String, Long> e : of.apply("s:")) {
            boolean selected = query.subjects().contains(e.getKey());
            if (subjects.size() < MAX_SUBJECT_VALUES || selected) {
                subjects.add(new CatalogPage.Count(e.getKey(), e.getKey(), e.getValue(), selected));
            }
        }
        return new CatalogPage.Facets(
                counts(of.apply("k:"), chosenKinds, k -> k),
                counts(of.apply("f:"), query.schoolForms(), f -> f),
                subjects,
                counts(supplierCounts, chosenSuppliers, id -> supplierNames.getOrDefault(id, id)).stream()
                        .sorted(Comparator.comparingLong(CatalogPage.Count::count).reversed().thenComparing(CatalogPage.Count::label))
                        .toList(),
                counts(of.apply("n:"), chosenNeeds, a -> a));
    }

    private static List<CatalogPage.Count> counts(List<Map.Entry<String, Long>> entries, Set<String> chosen, Function<String, String> label) {
        return entries.stream().map(e -> new CatalogPage.Count(e.getKey(), label.apply(e.getKey()), e.getValue(), chosen.contains(e.getKey())))
                .toList();
    }

    private static <T> void facet(StringBuilder where, Map<String, Object> params, String name, Set<T> values, Function<T, String> key) {
        if (!values.isEmpty()) {
            // && is "shares any": any value within a facet; the GIN index on facets serves it
            where.append(" and facets && cast(:").append(name).append(" as text[])");
            params.put(name, values.stream().map(key).sorted().toArray(String[]::new));
        }
    }

    /**
     * The text as a tsquery (in its text form), or null when it holds nothing to search for. Built in the
     * database, where the stemmers are: for each word, its Swedish or its Danish stem; all words must match.
     */
    String tsquery(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        boolean prefixLast = !Character.isWhitespace(text.charAt(text.length() - 1));
        List<String> words = new ArrayList<>();
        for (String w : NOT_A_WORD.split(text.strip().toLowerCase(Locale.ROOT))) {
            if (!w.isEmpty() && words.size() < MAX_WORDS) {
                words.add(w);
            }
        }
        if (words.isEmpty()) {
            return null;
        }
        StringBuilder sql = new StringBuilder("select cast(");
        Map<String, Object> params = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i) + (prefixLast && i == words.size() - 1 ? ":*" : "");
            params.put("w" + i, word);
            sql.append(i == 0 ? "" : " && ").append("(to_tsquery('swedish', :w").append(i).append(") || to_tsquery('danish', :w").append(i).append("))");
        }
        sql.append(" as text)");
        String q = jdbc.sql(sql.toString()).params(params).query(String.class).single();
        // only stop words ("och", "og"): nothing to narrow by
        return q == null || q.isBlank() ? null : q;
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? new String[0] : (String[]) array.getArray();
    }
}
