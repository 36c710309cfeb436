package org.tilldela.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.Month;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;

/**
 * Is what we bought used? Per product and the organisation its pools were bought for (a school unit, or
 * the organiser as a whole), over a period: seats bought (the pools in force in the period), seats assigned
 * (persons holding one at some time in the period) and used (of those, the persons the product's supplier
 * reported usage of in the period). Counts of persons from 1 to 4 are not shown ({@link Count}): the
 * figures are about groups, and a count that small points at persons.
 *
 * <p>Besides: the renewal list (pools ending soon, with the money at stake on their unused seats), the split of
 * one product over school units, and the trend over the last terms. Every query is one statement over the
 * whole set (no query per person or per pool), filtered by the {@link Viewer} in SQL. Organisation names are
 * read from the directory's table in the same statement, so a page of 2,000 school units is one round trip. A
 * purchasing centre's lines are per organiser ({@link Viewer#perOrganiser()}): the same counts, with the persons of
 * all of an organiser's pools of a product counted once, and nothing per school unit.
 */
@Service
public class Utilisation {

    /** Below this a count of persons is shown only as "fewer than 5". */
    public static final int SMALLEST_SHOWN = 5;

    /** A count of persons as it may be shown: {@code value} is null when it is suppressed (1 to 4). */
    public record Count(Long value) {

        static Count of(long n) {
            return new Count(n > 0 && n < SMALLEST_SHOWN ? null : n);
        }

        public boolean suppressed() {
            return value == null;
        }
    }

    /** One product at one organisation. {@code bought}: seats, null when a pool is unlimited. */
    public record Line(UUID productId, String productTitle, String articleNumber, UUID scopeId, String scopeName, Long bought, Count assigned,
                       Count used) {

        /** Used as a share of assigned, in whole per cent; null when either is suppressed or nothing is assigned. */
        public Integer usedPercent() {
            return percent(assigned, used);
        }
    }

    /**
     * A pool ending within the horizon. {@code unused}: seats bought and not used in the period; null for an
     * unlimited pool. When the used count is suppressed (1 to 4), unused and the money at stake would give it
     * away, so they are the least they can be ({@code atLeast}): as if 4 had used it. {@code unitPrice}: the
     * price per seat on the order line the pool was bought by; null when the pool has none (made by hand), and
     * then there is no money at stake to tell, rather than a made-up 0.
     */
    public record Renewal(UUID poolId, UUID productId, String productTitle, String articleNumber, UUID scopeId, String scopeName, LocalDate endsOn,
                          Long bought, Count assigned, Count used, Long unused, boolean atLeast, BigDecimal unitPrice, String currency) {

        public BigDecimal atStake() {
            return unused == null || unitPrice == null ? null : unitPrice.multiply(BigDecimal.valueOf(unused));
        }
    }

    /** One product at one school unit (or the organiser, for seats bought for it as a whole and holders placed nowhere). */
    public record UnitLine(UUID unitId, String unitName, Long bought, Count assigned, Count used) {

        public Integer usedPercent() {
            return percent(assigned, used);
        }
    }

    /** A school term: autumn is August to December, spring January to June. */
    public record Term(int year, boolean autumn, LocalDate starts, LocalDate ends) {

        static Term of(LocalDate day) {
            int y = day.getYear();
            if (day.getMonthValue() >= Month.AUGUST.getValue()) {
                return new Term(y, true, LocalDate.of(y, 8, 1), LocalDate.of(y, 12, 31));
            }
            // July is between terms: the spring just ended is the latest
            return new Term(y, false, LocalDate.of(y, 1, 1), LocalDate.of(y, 6, 30));
        }

        Term previous() {
            return autumn ? new Term(year, false, LocalDate.of(year, 1, 1), LocalDate.of(year, 6, 30))
                    : new Term(year - 1, true, LocalDate.of(year - 1, 8, 1), LocalDate.of(year - 1, 12, 31));
        }

        /** The last {@code n} terms up to the one {@code today} is in (or the spring just ended), oldest first. */
        static List<Term> last(int n, LocalDate today) {
            List<Term> terms = new ArrayList<>();
            Term t = of(today);
            for (int i = 0; i < n; i++) {
                terms.addFirst(t);
                t = t.previous();
            }
            return terms;
        }

        /** As in CSV and as the key of the term's message: "2026-autumn". */
        public String key() {
            return year + (autumn ? "-autumn" : "-spring");
        }
    }

    /**
     * One product in one term: persons holding a seat at some time in the term, and used: the most persons who used
     * it in one month of the term. A month, because months past retention are kept only as counts per month (who
     * used it in two months cannot be told apart once folded), and the same measure is taken of the kept days.
     */
    public record TermLine(UUID productId, String productTitle, String articleNumber, Term term, Count assigned, Count used) {

        public Integer usedPercent() {
            return percent(assigned, used);
        }
    }

    /** How many terms the trend shows. */
    public static final int TERMS = 4;

    /**
     * What the page shows for a period, section by section: seats per product and organisation (every product the viewer
     * sees), the renewal list, one product per school unit (none without a product), and the trend over terms.
     */
    public record Sections(List<Line> lines, List<Renewal> renewals, List<UnitLine> units, List<TermLine> terms) {
    }

    /**
     * The sections counted live. Their queries are independent of one another, so they run at the same time, each on its
     * own connection: this takes as long as the slowest rather than the sum (the product only narrows what they show).
     */
    public Sections sections(Viewer viewer, UUID product, LocalDate today, int horizonDays, LocalDate from, LocalDate to) {
        try (java.util.concurrent.ExecutorService parallel = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var lines = parallel.submit(() -> lines(viewer, null, from, to));
            var renewals = parallel.submit(() -> renewals(viewer, product, today, horizonDays, from, to));
            var units = parallel.submit(() -> product == null ? List.<UnitLine>of() : units(viewer, product, from, to));
            var terms = parallel.submit(() -> terms(viewer, product, today));
            return new Sections(lines.get(), renewals.get(), units.get(), terms.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static Integer percent(Count assigned, Count used) {
        if (assigned.suppressed() || used.suppressed() || assigned.value() == 0) {
            return null;
        }
        return (int) Math.round(100.0 * used.value() / assigned.value());
    }

    private final JdbcClient jdbc;
    private final Catalog catalog;

    Utilisation(JdbcClient jdbc, Catalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    private Map<UUID, Product> products(Collection<UUID> ids) {
        Map<UUID, Product> products = new HashMap<>();
        catalog.products(ids.stream().distinct().toList()).forEach(p -> products.put(p.id(), p));
        return products;
    }

    private static String title(Map<UUID, Product> products, UUID id) {
        Product p = products.get(id);
        return p == null ? id.toString() : p.title();
    }

    private static String article(Map<UUID, Product> products, UUID id) {
        Product p = products.get(id);
        return p == null ? "" : p.articleNumber();
    }

    private static final UUID NONE = new UUID(0, 0);

    private record Row(UUID product, UUID scope, UUID organiser, String scopeName, Long seats, long assigned, long used) {
    }

    /**
     * The lines for pools in force between {@code from} and {@code to} (inclusive) that the viewer sees, of one
     * product or (null) all. Bought and assigned come from the licensing tables as they stand; used from usage reported.
     */
    @Transactional(readOnly = true)
    public List<Line> lines(Viewer viewer, UUID product, LocalDate from, LocalDate to) {
        return named(lineRows(viewer.pool("p"), viewer.lineOrganisation("p"), viewer.params(), product, from, to));
    }

    /**
     * The lines as kept ({@link UtilisationCounts}) for the default period, of the viewer's scope. A purchasing centre's
     * line for an organiser in its scope is the organiser's kept line (each holder once); for an organiser only some of
     * whose school units are in its scope, the lines of those units added up (a person holding seats of one product
     * bought for two of them counts twice there).
     */
    @Transactional(readOnly = true)
    public List<Line> keptLines(Viewer viewer) {
        String sql = !viewer.perOrganiser() ? """
                select k.product_id, k.scope_id, k.organiser_id, o.name, k.seats, k.assigned, k.used
                from utilisation_kept k left join organisation o on o.id = k.scope_id
                where k.section = 'L' and %s""".formatted(viewer.pool("k")) : """
                select k.product_id, k.scope_id, k.organiser_id, o.name, k.seats, k.assigned, k.used
                from utilisation_kept k left join organisation o on o.id = k.scope_id
                where k.section = 'O' and %1$s
                union all
                select k.product_id, k.organiser_id, k.organiser_id, o.name, case when bool_or(k.seats is null) then null else sum(k.seats)::bigint end,
                       sum(k.assigned)::bigint, sum(k.used)::bigint
                from utilisation_kept k left join organisation o on o.id = k.organiser_id
                where k.section = 'L' and %2$s and not exists (
                    select 1 from utilisation_kept w where w.section = 'O' and w.product_id = k.product_id and w.scope_id = k.organiser_id and %3$s)
                group by k.product_id, k.organiser_id, o.name""".formatted(viewer.pool("k"), viewer.pool("k"), viewer.pool("w"));
        return named(jdbc.sql(sql).params(viewer.params()).query(Utilisation::row).list());
    }

    private static Row row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                (Long) rs.getObject(5, Long.class), rs.getLong(6), rs.getLong(7));
    }

    /** Per product and {@code lineOrganisation} (an expression over the pool {@code p}: its scope, or its organiser) of the pools {@code poolSeen}. */
    private List<Row> lineRows(String poolSeen, String lineOrganisation, Map<String, Object> params, UUID product, LocalDate from, LocalDate to) {
        return jdbc.sql("""
                        with pools as (
                            select p.id, p.product_id, %s as scope_id, p.organiser_id, p.seats from licence_pool p
                            where p.starts_on <= :to and p.ends_on >= :from and (:all_products or p.product_id = :product) and %s
                        ), bought as (
                            select product_id, scope_id, organiser_id, case when bool_or(seats is null) then null else sum(seats) end as seats
                            from pools group by product_id, scope_id, organiser_id
                        ), held as (
                            select distinct p.product_id, p.scope_id, p.organiser_id, a.person_id
                            from licence_assignment a join pools p on p.id = a.pool_id
                            where a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
                        ), active as (
                            -- once over the period's days of the pools' products (the primary key: product, day, person), not per person
                            select distinct u.product_id, u.person_id from usage_day u
                            where u.product_id in (select product_id from pools) and u.day between :from and :to
                        ), counted as (
                            select h.product_id, h.scope_id, h.organiser_id, count(*) as assigned, count(ac.person_id) as used
                            from held h left join active ac on ac.product_id = h.product_id and ac.person_id = h.person_id
                            group by h.product_id, h.scope_id, h.organiser_id
                        )
                        select b.product_id, b.scope_id, b.organiser_id, o.name, b.seats, coalesce(c.assigned, 0), coalesce(c.used, 0)
                        from bought b left join counted c on c.product_id = b.product_id and c.scope_id = b.scope_id and c.organiser_id = b.organiser_id
                        left join organisation o on o.id = b.scope_id""".formatted(lineOrganisation, poolSeen))
                .params(params).param("from", from).param("to", to)
                .param("all_products", product == null).param("product", product == null ? NONE : product)
                .query(Utilisation::row).list();
    }

    private List<Line> named(List<Row> rows) {
        Map<UUID, Product> products = products(rows.stream().map(Row::product).toList());
        return rows.stream().map(r -> new Line(r.product(), title(products, r.product()), article(products, r.product()), r.scope(),
                        r.scopeName() == null ? r.scope().toString() : r.scopeName(), r.seats(), Count.of(r.assigned()), Count.of(r.used())))
                .sorted(Comparator.comparing(Line::productTitle, String.CASE_INSENSITIVE_ORDER).thenComparing(Line::articleNumber)
                        .thenComparing(Line::scopeName, String.CASE_INSENSITIVE_ORDER).thenComparing(Line::scopeId))
                .toList();
    }

    /**
     * The products of the pools in force between {@code from} and {@code to} that the viewer sees, by title: what the page's
     * product picker offers (the ids once from the pools, the names from the catalogue).
     */
    @Transactional(readOnly = true)
    public List<Product> products(Viewer viewer, LocalDate from, LocalDate to) {
        List<UUID> ids = jdbc.sql("select distinct p.product_id from licence_pool p where p.starts_on <= :to and p.ends_on >= :from and %s"
                        .formatted(viewer.pool("p")))
                .params(viewer.params()).param("from", from).param("to", to).query(UUID.class).list();
        return products(ids).values().stream().sorted(Comparator.comparing(Product::title, String.CASE_INSENSITIVE_ORDER)
                .thenComparing(Product::articleNumber)).toList();
    }

    /**
     * Seats assigned and used between {@code :from} and {@code :to} per pool of the CTE {@code pools} (id, product_id): the
     * CTEs {@code held}, {@code active} and {@code counted (pool_id, assigned, used)}, to follow a {@code with pools as (…)}.
     */
    private static final String POOL_COUNTS = """
            held as (
                select distinct a.pool_id, p.product_id, a.person_id
                from licence_assignment a join pools p on p.id = a.pool_id
                where a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
            ), active as (
                select distinct u.product_id, u.person_id from usage_day u
                where u.product_id in (select product_id from pools) and u.day between :from and :to
            ), counted as (
                select h.pool_id, count(*) as assigned, count(ac.person_id) as used
                from held h left join active ac on ac.product_id = h.product_id and ac.person_id = h.person_id
                group by h.pool_id
            )""";

    /**
     * Pools the viewer sees that end between {@code today} and {@code today + horizonDays}, with their seats bought,
     * assigned and used between {@code from} and {@code to}, the money at stake first. Trials are left out: a trial
     * that ends is not renewed but bought, or not.
     */
    @Transactional(readOnly = true)
    public List<Renewal> renewals(Viewer viewer, UUID product, LocalDate today, int horizonDays, LocalDate from, LocalDate to) {
        return renewals(viewer, product, today, horizonDays, POOL_COUNTS, from, to);
    }

    /** The renewal list with the pools' counts as kept ({@link UtilisationCounts}) for the default period. */
    @Transactional(readOnly = true)
    public List<Renewal> keptRenewals(Viewer viewer, UUID product, LocalDate today, int horizonDays) {
        return renewals(viewer, product, today, horizonDays, "counted as (select pool_id, assigned, used from utilisation_kept where section = 'P')",
                today, today);
    }

    private List<Renewal> renewals(Viewer viewer, UUID product, LocalDate today, int horizonDays, String countedCte, LocalDate from, LocalDate to) {
        record R(UUID pool, UUID product, UUID scope, String scopeName, LocalDate endsOn, Long seats, BigDecimal price, String currency, long assigned,
                 long used) {
        }
        List<R> rows = jdbc.sql("""
                        with pools as (
                            select p.id, p.product_id, %s as scope_id, p.seats, p.ends_on, p.order_line_id from licence_pool p
                            where p.ends_on between :today and :until and not p.trial and (:all_products or p.product_id = :product) and %s
                        ), %s
                        -- the price per seat as bought: the purchase module's order line the pool was made for
                        select p.id, p.product_id, p.scope_id, o.name, p.ends_on, cast(p.seats as bigint), ol.unit_price, ol.currency,
                               coalesce(c.assigned, 0), coalesce(c.used, 0)
                        from pools p left join counted c on c.pool_id = p.id
                        left join order_line ol on ol.id = p.order_line_id
                        left join organisation o on o.id = p.scope_id""".formatted(viewer.lineOrganisation("p"), viewer.pool("p"), countedCte))
                .params(viewer.params()).param("today", today).param("until", today.plusDays(horizonDays)).param("from", from).param("to", to)
                .param("all_products", product == null).param("product", product == null ? NONE : product)
                .query((rs, n) -> new R(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                        rs.getObject(5, LocalDate.class), (Long) rs.getObject(6, Long.class), rs.getBigDecimal(7), rs.getString(8), rs.getLong(9),
                        rs.getLong(10))).list();
        Map<UUID, Product> products = products(rows.stream().map(R::product).toList());
        return rows.stream().map(r -> {
                    Count used = Count.of(r.used());
                    Long unused = null;
                    if (r.seats() != null) {
                        long counted = used.suppressed() ? SMALLEST_SHOWN - 1 : r.used();
                        unused = Math.max(0, r.seats() - counted);
                    }
                    return new Renewal(r.pool(), r.product(), title(products, r.product()), article(products, r.product()), r.scope(),
                            r.scopeName() == null ? r.scope().toString() : r.scopeName(), r.endsOn(), r.seats(), Count.of(r.assigned()), used, unused,
                            unused != null && used.suppressed(), r.price(), r.currency());
                })
                // a total order, so the list and its CSV read the same on every visit (pools can tie on all that is shown)
                .sorted(Comparator.comparing(Renewal::atStake, Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(Renewal::endsOn)
                        .thenComparing(Renewal::productTitle, String.CASE_INSENSITIVE_ORDER).thenComparing(Renewal::articleNumber)
                        .thenComparing(Renewal::scopeName, String.CASE_INSENSITIVE_ORDER).thenComparing(Renewal::poolId))
                .toList();
    }

    private record UnitRow(UUID unit, UUID organiser, String name, Long seats, long assigned, long used) {
    }

    /**
     * One product over the school units the viewer sees, between {@code from} and {@code to}: seats bought for each
     * unit, and its holders by the unit they are placed at (enrolled, or on duty: a person at two units counts at
     * both). A pool bought for one school unit keeps its holders there; a pool bought for the organiser as a whole
     * has its seats, and its holders placed nowhere, on the organiser's line.
     */
    @Transactional(readOnly = true)
    public List<UnitLine> units(Viewer viewer, UUID product, LocalDate from, LocalDate to) {
        if (viewer.perOrganiser()) {
            return List.of(); // a purchasing centre sees organisers' figures, not their school units'
        }
        return unitLines(unitRows(viewer.unit("j.unit_id", "j.organiser_id"), viewer.params(), product, from, to));
    }

    /** One product over the school units, as kept ({@link UtilisationCounts}) for the default period, of the viewer's scope. */
    @Transactional(readOnly = true)
    public List<UnitLine> keptUnits(Viewer viewer, UUID product) {
        if (viewer.perOrganiser()) {
            return List.of();
        }
        return unitLines(jdbc.sql("""
                        select k.scope_id, k.organiser_id, o.name, k.seats, k.assigned, k.used
                        from utilisation_kept k left join organisation o on o.id = k.scope_id
                        where k.section = 'U' and k.product_id = :product and %s""".formatted(viewer.unit("k.scope_id", "k.organiser_id")))
                .params(viewer.params()).param("product", product).query(Utilisation::unitRow).list());
    }

    private static UnitRow unitRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new UnitRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), (Long) rs.getObject(4, Long.class), rs.getLong(5),
                rs.getLong(6));
    }

    /** One product per school unit (and organiser) whose figures {@code unitSeen} (over {@code j.unit_id}, {@code j.organiser_id}) lets through. */
    private List<UnitRow> unitRows(String unitSeen, Map<String, Object> params, UUID product, LocalDate from, LocalDate to) {
        return jdbc.sql("""
                        with pools as (
                            select p.id, p.organiser_id, p.scope_id, p.seats from licence_pool p
                            where p.product_id = :product and p.starts_on <= :to and p.ends_on >= :from
                        ), bought as (
                            select scope_id as unit_id, organiser_id, case when bool_or(seats is null) then null else sum(seats) end as seats
                            from pools group by scope_id, organiser_id
                        ), held as (
                            select distinct a.pool_id, a.person_id
                            from licence_assignment a join pools p on p.id = a.pool_id
                            where a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
                        ), placements as (
                            -- the directory's placements of the holders of the organiser-wide pools
                            select e.person_id, e.school_unit_id as unit_id from enrolment e
                            where e.person_id in (select h.person_id from held h join pools p on p.id = h.pool_id where p.scope_id = p.organiser_id)
                            union
                            select d.person_id, d.organisation_id from duty d
                            where d.person_id in (select h.person_id from held h join pools p on p.id = h.pool_id where p.scope_id = p.organiser_id)
                        ), placed as (
                            select distinct case when p.scope_id <> p.organiser_id then p.scope_id else coalesce(pl.unit_id, p.scope_id) end as unit_id,
                                   p.organiser_id, h.person_id
                            from held h join pools p on p.id = h.pool_id
                            left join placements pl on pl.person_id = h.person_id and p.scope_id = p.organiser_id
                        ), active as (
                            select distinct u.person_id from usage_day u where u.product_id = :product and u.day between :from and :to
                        ), counted as (
                            select x.unit_id, x.organiser_id, count(*) as assigned, count(ac.person_id) as used
                            from placed x left join active ac on ac.person_id = x.person_id
                            group by x.unit_id, x.organiser_id
                        ), joined as (
                            select coalesce(b.unit_id, c.unit_id) as unit_id, coalesce(b.organiser_id, c.organiser_id) as organiser_id,
                                   b.seats, coalesce(c.assigned, 0) as assigned, coalesce(c.used, 0) as used
                            from bought b full join counted c on c.unit_id = b.unit_id and c.organiser_id = b.organiser_id
                        )
                        select j.unit_id, j.organiser_id, o.name, j.seats, j.assigned, j.used
                        from joined j left join organisation o on o.id = j.unit_id
                        where %s""".formatted(unitSeen))
                .params(params).param("product", product).param("from", from).param("to", to)
                .query(Utilisation::unitRow).list();
    }

    private static List<UnitLine> unitLines(List<UnitRow> rows) {
        return rows.stream().map(r -> new UnitLine(r.unit(), r.name() == null ? r.unit().toString() : r.name(), r.seats(), Count.of(r.assigned()),
                        Count.of(r.used())))
                .sorted(Comparator.comparing(UnitLine::unitName, String.CASE_INSENSITIVE_ORDER).thenComparing(UnitLine::unitId))
                .toList();
    }

    /**
     * The trend's months: the CTEs {@code terms (starts_on, ends_on, n)}, {@code pools}, {@code held} (persons holding a seat
     * in a term), {@code daily} and {@code folded} (users per month among the holders, from the kept days and from the months
     * folded past retention), per product and, for the kept counts, per organisation bought for ({@code %1$s}: the extra
     * grouping columns, with the alias prefix written in as {@code <a>}); {@code %2$s}: which pools.
     */
    private static final String TERM_MONTHS = """
            with terms as (
                select t.starts_on, t.ends_on, t.n from unnest(cast(cast(:starts as text[]) as date[]), cast(cast(:ends as text[]) as date[])) with ordinality as t(starts_on, ends_on, n)
            ), pools as (
                select p.id, p.product_id, p.scope_id, p.organiser_id, p.starts_on, p.ends_on from licence_pool p
                where p.starts_on <= :last and p.ends_on >= :first and (:all_products or p.product_id = :product) and %2$s
            ), held as (
                select distinct t.n, t.starts_on, t.ends_on, p.product_id%1$s, a.person_id
                from terms t join pools p on p.starts_on <= t.ends_on and p.ends_on >= t.starts_on
                join licence_assignment a on a.pool_id = p.id
                where a.assigned_at < t.ends_on + 1 and (a.ended_on is null or a.ended_on > t.starts_on)
            ), holders as (
                select distinct product_id%1$s, person_id from held p
            ), person_months as (
                -- one pass over the four terms' kept days (the primary key: product, day, person), each person once a month
                select u.product_id, u.person_id, date_trunc('month', u.day)::date as month
                from usage_day u
                where u.product_id in (select product_id from pools) and u.day between :first and :last
                group by u.product_id, u.person_id, date_trunc('month', u.day)
            ), daily as (
                -- the users among the persons holding a seat the viewer sees (at some time in the four terms)
                select t.n, m.product_id%1$s, m.month, count(*) as persons
                from person_months m join terms t on m.month between t.starts_on and t.ends_on
                join holders p on p.product_id = m.product_id and p.person_id = m.person_id
                group by t.n, m.product_id%1$s, m.month
            ), folded as (
                select t.n, m.product_id%1$s, m.month, sum(m.persons) as persons
                from usage_month m join terms t on m.month between t.starts_on and t.ends_on
                join (select distinct scope_id, organiser_id from pools) p on p.scope_id = m.scope_id
                where m.product_id in (select product_id from pools)
                group by t.n, m.product_id%1$s, m.month
            )""";

    /** The extra grouping of {@link #TERM_MONTHS} for the kept counts: per organisation bought for. */
    private static final String PER_SCOPE = ", p.scope_id, p.organiser_id";

    private record T(int n, UUID product, long assigned, long used) {
    }

    /**
     * Assigned and used per product over the last {@link #TERMS} terms up to {@code today}'s, oldest first, of the pools
     * the viewer sees: from the kept days (users among the persons who held a seat of those pools at some time in the four
     * terms), and from the months folded past retention (counted per the scope of the pool their users held a seat from).
     */
    @Transactional(readOnly = true)
    public List<TermLine> terms(Viewer viewer, UUID product, LocalDate today) {
        List<Term> terms = Term.last(TERMS, today);
        String sql = TERM_MONTHS.formatted("", viewer.pool("p")) + """
                , used as (
                    select n, product_id, max(persons) as used from (
                        select n, product_id, month, sum(persons) as persons
                        from (select * from daily union all select * from folded) months group by n, product_id, month
                    ) per_month group by n, product_id
                ), assigned as (
                    select n, product_id, count(*) as assigned from held group by n, product_id
                )
                select coalesce(a.n, u.n), coalesce(a.product_id, u.product_id), coalesce(a.assigned, 0), coalesce(u.used, 0)
                from assigned a full join used u on u.n = a.n and u.product_id = a.product_id""";
        List<T> rows = termParams(jdbc.sql(sql).params(viewer.params()), terms, product)
                .query((rs, n) -> new T(rs.getInt(1), rs.getObject(2, UUID.class), rs.getLong(3), rs.getLong(4))).list();
        return termLines(terms, rows);
    }

    /**
     * The trend as kept ({@link UtilisationCounts}), of the viewer's scope: holders added up over the organisations bought for
     * (a person holding seats of one product bought for two of them counts twice), and per month the users added up before the
     * busiest month of a term is taken, as counted live.
     */
    @Transactional(readOnly = true)
    public List<TermLine> keptTerms(Viewer viewer, UUID product, LocalDate today) {
        List<Term> terms = Term.last(TERMS, today);
        List<T> rows = jdbc.sql("""
                        with k as (
                            select k.* from utilisation_kept k
                            where k.section in ('T', 'M') and (:all_products or k.product_id = :product) and %s
                        ), used as (
                            select term_start, product_id, max(persons) as used from (
                                select term_start, product_id, month, sum(used) as persons from k where section = 'M' group by term_start, product_id, month
                            ) per_month group by term_start, product_id
                        ), assigned as (
                            select term_start, product_id, sum(assigned) as assigned from k where section = 'T' group by term_start, product_id
                        )
                        select t.n, coalesce(a.product_id, u.product_id), coalesce(a.assigned, 0), coalesce(u.used, 0)
                        from assigned a full join used u on u.term_start = a.term_start and u.product_id = a.product_id
                        join unnest(cast(cast(:starts as text[]) as date[])) with ordinality as t(starts_on, n) on t.starts_on = coalesce(a.term_start, u.term_start)"""
                        .formatted(viewer.pool("k")))
                .params(viewer.params()).param("starts", terms.stream().map(t -> t.starts().toString()).toArray(String[]::new))
                .param("all_products", product == null).param("product", product == null ? NONE : product)
                .query((rs, n) -> new T(rs.getInt(1), rs.getObject(2, UUID.class), rs.getLong(3), rs.getLong(4))).list();
        return termLines(terms, rows);
    }

    private static JdbcClient.StatementSpec termParams(JdbcClient.StatementSpec spec, List<Term> terms, UUID product) {
        return spec.param("starts", terms.stream().map(t -> t.starts().toString()).toArray(String[]::new))
                .param("ends", terms.stream().map(t -> t.ends().toString()).toArray(String[]::new))
                .param("first", terms.getFirst().starts()).param("last", terms.getLast().ends())
                .param("all_products", product == null).param("product", product == null ? NONE : product);
    }

    private List<TermLine> termLines(List<Term> terms, List<T> rows) {
        Map<UUID, Product> products = products(rows.stream().map(T::product).toList());
        // every term of every product shown, a term without figures as 0, so the trend has no gaps
        Map<UUID, Map<Integer, T>> byProduct = new HashMap<>();
        rows.forEach(r -> byProduct.computeIfAbsent(r.product(), k -> new HashMap<>()).put(r.n(), r));
        List<TermLine> lines = new ArrayList<>();
        byProduct.forEach((p, byTerm) -> {
            for (int i = 0; i < terms.size(); i++) {
                T t = byTerm.get(i + 1);
                lines.add(new TermLine(p, title(products, p), article(products, p), terms.get(i), Count.of(t == null ? 0 : t.assigned()),
                        Count.of(t == null ? 0 : t.used())));
            }
        });
        lines.sort(Comparator.comparing(TermLine::productTitle, String.CASE_INSENSITIVE_ORDER).thenComparing(TermLine::articleNumber)
                .thenComparing(l -> l.term().starts()));
        return lines;
    }

    /**
     * Counts the default period's figures ({@code from} to {@code to}) of every pool again, at the finest grain any viewer
     * sees, into {@code utilisation_kept} (replacing what was there): what {@link UtilisationCounts} keeps.
     */
    @Transactional
    void recount(LocalDate today, LocalDate from, LocalDate to) {
        // nobody waits for this count, but everyone's pages wait while it takes every core: PostgreSQL's parallel workers
        // would give its scans of millions of rows both cores of a small machine (at 5,000,000 usage rows the whole
        // installation's page had p95 838 ms during a recount with them, 339 ms without; BENCHMARKS.md)
        jdbc.sql("set local max_parallel_workers_per_gather = 0").update();
        jdbc.sql("delete from utilisation_kept").update();
        Map<String, Object> none = Map.of();
        List<Object[]> rows = new ArrayList<>();
        for (Row r : lineRows("true", "p.scope_id", none, null, from, to)) {
            rows.add(new Object[] {"L", r.product(), r.scope(), r.organiser(), r.seats(), r.assigned(), r.used()});
        }
        for (Row r : lineRows("true", "p.organiser_id", none, null, from, to)) {
            rows.add(new Object[] {"O", r.product(), r.scope(), r.organiser(), r.seats(), r.assigned(), r.used()});
        }
        for (UUID product : rows.stream().map(r -> (UUID) r[1]).distinct().toList()) {
            for (UnitRow u : unitRows("true", none, product, from, to)) {
                rows.add(new Object[] {"U", product, u.unit(), u.organiser(), u.seats(), u.assigned(), u.used()});
            }
        }
        // in one statement: thousands of school units times the products
        jdbc.sql("""
                        insert into utilisation_kept (section, product_id, scope_id, organiser_id, seats, assigned, used)
                        select * from unnest(cast(:sections as text[]), cast(:products as uuid[]), cast(:scopes as uuid[]), cast(:organisers as uuid[]),
                                             cast(:seats as bigint[]), cast(:assigned as bigint[]), cast(:used as bigint[]))""")
                .param("sections", column(rows, 0, String[]::new)).param("products", column(rows, 1, UUID[]::new))
                .param("scopes", column(rows, 2, UUID[]::new)).param("organisers", column(rows, 3, UUID[]::new))
                .param("seats", column(rows, 4, Long[]::new)).param("assigned", column(rows, 5, Long[]::new))
                .param("used", column(rows, 6, Long[]::new)).update();
        // every pool that can be on a renewal list (the longest horizon asked for), with the default period's counts
        jdbc.sql("""
                        with pools as (
                            select p.id, p.product_id from licence_pool p where p.ends_on between :today and :until and not p.trial
                        ), %s
                        insert into utilisation_kept (section, product_id, pool_id, assigned, used)
                        select 'P', p.product_id, p.id, coalesce(c.assigned, 0), coalesce(c.used, 0) from pools p left join counted c on c.pool_id = p.id"""
                        .formatted(POOL_COUNTS))
                .param("today", today).param("until", today.plusDays(LONGEST_HORIZON)).param("from", from).param("to", to).update();
        List<Term> terms = Term.last(TERMS, today);
        termParams(jdbc.sql(TERM_MONTHS.formatted(PER_SCOPE, "true") + """
                
                insert into utilisation_kept (section, product_id, scope_id, organiser_id, term_start, month, used)
                select 'M', m.product_id, m.scope_id, m.organiser_id, t.starts_on, m.month, sum(m.persons)
                from (select * from daily union all select * from folded) m join terms t on t.n = m.n
                group by m.product_id, m.scope_id, m.organiser_id, t.starts_on, m.month"""), terms, null).update();
        termParams(jdbc.sql(TERM_MONTHS.formatted(PER_SCOPE, "true") + """
                
                insert into utilisation_kept (section, product_id, scope_id, organiser_id, term_start, assigned)
                select 'T', product_id, scope_id, organiser_id, starts_on, count(*) from held group by product_id, scope_id, organiser_id, starts_on"""),
                terms, null).update();
    }

    @SuppressWarnings("unchecked")
    private static <V> V[] column(List<Object[]> rows, int i, java.util.function.IntFunction<V[]> array) {
        V[] values = array.apply(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            values[r] = (V) rows.get(r)[i];
        }
        return values;
    }

    /** The longest renewal horizon asked for that is taken as it is (and that the kept counts cover). */
    public static final int LONGEST_HORIZON = 730;
}
