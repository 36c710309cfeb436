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

    private record Row(UUID product, UUID scope, String scopeName, Long seats, long assigned, long used) {
    }

    /**
     * The lines for pools in force between {@code from} and {@code to} (inclusive) that the viewer sees, of one
     * product or (null) all. Bought and assigned come from the licensing tables as they stand; used from usage reported.
     */
    @Transactional(readOnly = true)
    public List<Line> lines(Viewer viewer, UUID product, LocalDate from, LocalDate to) {
        List<Row> rows = jdbc.sql("""
                        with pools as (
                            select p.id, p.product_id, %s as scope_id, p.seats from licence_pool p
                            where p.starts_on <= :to and p.ends_on >= :from and (:all_products or p.product_id = :product) and %s
                        ), bought as (
                            select product_id, scope_id, case when bool_or(seats is null) then null else sum(seats) end as seats
                            from pools group by product_id, scope_id
                        ), held as (
                            select distinct p.product_id, p.scope_id, a.person_id
                            from licence_assignment a join pools p on p.id = a.pool_id
                            where a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
                        ), active as (
                            -- once over the period's days of the pools' products (index usage_day_by_product_day), not per person
                            select distinct u.product_id, u.person_id from usage_day u
                            where u.product_id in (select product_id from pools) and u.day between :from and :to
                        ), counted as (
                            select h.product_id, h.scope_id, count(*) as assigned, count(ac.person_id) as used
                            from held h left join active ac on ac.product_id = h.product_id and ac.person_id = h.person_id
                            group by h.product_id, h.scope_id
                        )
                        select b.product_id, b.scope_id, o.name, b.seats, coalesce(c.assigned, 0), coalesce(c.used, 0)
                        from bought b left join counted c on c.product_id = b.product_id and c.scope_id = b.scope_id
                        left join organisation o on o.id = b.scope_id""".formatted(viewer.lineOrganisation("p"), viewer.pool("p")))
                .params(viewer.params()).param("from", from).param("to", to)
                .param("all_products", product == null).param("product", product == null ? NONE : product)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), (Long) rs.getObject(4, Long.class),
                        rs.getLong(5), rs.getLong(6))).list();
        Map<UUID, Product> products = products(rows.stream().map(Row::product).toList());
        return rows.stream().map(r -> new Line(r.product(), title(products, r.product()), article(products, r.product()), r.scope(),
                        r.scopeName() == null ? r.scope().toString() : r.scopeName(), r.seats(), Count.of(r.assigned()), Count.of(r.used())))
                .sorted(Comparator.comparing(Line::productTitle, String.CASE_INSENSITIVE_ORDER).thenComparing(Line::articleNumber)
                        .thenComparing(Line::scopeName, String.CASE_INSENSITIVE_ORDER))
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
     * Pools the viewer sees that end between {@code today} and {@code today + horizonDays}, with their seats bought,
     * assigned and used between {@code from} and {@code to}, the money at stake first. Trials are left out: a trial
     * that ends is not renewed but bought, or not.
     */
    @Transactional(readOnly = true)
    public List<Renewal> renewals(Viewer viewer, UUID product, LocalDate today, int horizonDays, LocalDate from, LocalDate to) {
        record R(UUID pool, UUID product, UUID scope, String scopeName, LocalDate endsOn, Long seats, BigDecimal price, String currency, long assigned,
                 long used) {
        }
        List<R> rows = jdbc.sql("""
                        with pools as (
                            select p.id, p.product_id, %s as scope_id, p.seats, p.ends_on, p.order_line_id from licence_pool p
                            where p.ends_on between :today and :until and not p.trial and (:all_products or p.product_id = :product) and %s
                        ), held as (
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
                        )
                        -- the price per seat as bought: the purchase module's order line the pool was made for
                        select p.id, p.product_id, p.scope_id, o.name, p.ends_on, cast(p.seats as bigint), ol.unit_price, ol.currency,
                               coalesce(c.assigned, 0), coalesce(c.used, 0)
                        from pools p left join counted c on c.pool_id = p.id
                        left join order_line ol on ol.id = p.order_line_id
                        left join organisation o on o.id = p.scope_id""".formatted(viewer.lineOrganisation("p"), viewer.pool("p")))
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
                .sorted(Comparator.comparing(Renewal::atStake, Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(Renewal::endsOn)
                        .thenComparing(Renewal::productTitle, String.CASE_INSENSITIVE_ORDER))
                .toList();
    }

    private record UnitRow(UUID unit, String name, Long seats, long assigned, long used) {
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
        List<UnitRow> rows = jdbc.sql("""
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
                        select j.unit_id, o.name, j.seats, j.assigned, j.used
                        from joined j left join organisation o on o.id = j.unit_id
                        where %s""".formatted(viewer.unit("j.unit_id", "j.organiser_id")))
                .params(viewer.params()).param("product", product).param("from", from).param("to", to)
                .query((rs, n) -> new UnitRow(rs.getObject(1, UUID.class), rs.getString(2), (Long) rs.getObject(3, Long.class), rs.getLong(4),
                        rs.getLong(5))).list();
        return rows.stream().map(r -> new UnitLine(r.unit(), r.name() == null ? r.unit().toString() : r.name(), r.seats(), Count.of(r.assigned()),
                        Count.of(r.used())))
                .sorted(Comparator.comparing(UnitLine::unitName, String.CASE_INSENSITIVE_ORDER))
                .toList();
    }

    /**
     * Assigned and used per product over the last {@link #TERMS} terms up to {@code today}'s, oldest first, of the pools
     * the viewer sees: from the kept days (users among the persons who held a seat of those pools at some time in the four
     * terms), and from the months folded past retention (counted per the scope of the pool their users held a seat from).
     */
    @Transactional(readOnly = true)
    public List<TermLine> terms(Viewer viewer, UUID product, LocalDate today) {
        List<Term> terms = Term.last(TERMS, today);
        record T(int n, UUID product, long assigned, long used) {
        }
        List<T> rows = jdbc.sql("""
                        with terms as (
                            select t.starts_on, t.ends_on, t.n from unnest(cast(cast(:starts as text[]) as date[]), cast(cast(:ends as text[]) as date[])) with ordinality as t(starts_on, ends_on, n)
                        ), pools as (
                            select p.id, p.product_id, p.scope_id, p.starts_on, p.ends_on from licence_pool p
                            where p.starts_on <= :last and p.ends_on >= :first and (:all_products or p.product_id = :product) and %s
                        ), held as (
                            select distinct t.n, t.starts_on, t.ends_on, p.product_id, a.person_id
                            from terms t join pools p on p.starts_on <= t.ends_on and p.ends_on >= t.starts_on
                            join licence_assignment a on a.pool_id = p.id
                            where a.assigned_at < t.ends_on + 1 and (a.ended_on is null or a.ended_on > t.starts_on)
                        ), holders as (
                            select distinct product_id, person_id from held
                        ), person_months as (
                            -- one pass over the four terms' kept days (index usage_day_by_product_day), each person once a month
                            select u.product_id, u.person_id, date_trunc('month', u.day)::date as month
                            from usage_day u
                            where u.product_id in (select product_id from pools) and u.day between :first and :last
                            group by u.product_id, u.person_id, date_trunc('month', u.day)
                        ), daily as (
                            -- the users among the persons holding a seat the viewer sees (at some time in the four terms)
                            select t.n, m.product_id, m.month, count(*) as persons
                            from person_months m join terms t on m.month between t.starts_on and t.ends_on
                            where (m.product_id, m.person_id) in (select product_id, person_id from holders)
                            group by t.n, m.product_id, m.month
                        ), folded as (
                            select t.n, m.product_id, m.month, sum(m.persons) as persons
                            from usage_month m join terms t on m.month between t.starts_on and t.ends_on
                            where m.scope_id in (select scope_id from pools) and m.product_id in (select product_id from pools)
                            group by t.n, m.product_id, m.month
                        ), used as (
                            select n, product_id, max(persons) as used from (
                                select n, product_id, month, sum(persons) as persons
                                from (select * from daily union all select * from folded) months group by n, product_id, month
                            ) per_month group by n, product_id
                        ), assigned as (
                            select n, product_id, count(*) as assigned from held group by n, product_id
                        )
                        select coalesce(a.n, u.n), coalesce(a.product_id, u.product_id), coalesce(a.assigned, 0), coalesce(u.used, 0)
                        from assigned a full join used u on u.n = a.n and u.product_id = a.product_id""".formatted(viewer.pool("p")))
                .params(viewer.params())
                .param("starts", terms.stream().map(t -> t.starts().toString()).toArray(String[]::new))
                .param("ends", terms.stream().map(t -> t.ends().toString()).toArray(String[]::new))
                .param("first", terms.getFirst().starts()).param("last", terms.getLast().ends())
                .param("all_products", product == null).param("product", product == null ? NONE : product)
                .query((rs, n) -> new T(rs.getInt(1), rs.getObject(2, UUID.class), rs.getLong(3), rs.getLong(4))).list();
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
}
