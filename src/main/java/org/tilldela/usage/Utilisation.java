package org.tilldela.usage;

import java.time.LocalDate;
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
import org.tilldela.directory.OrganisationBrowser;

/**
 * Is what we bought used? Per product and the organisation its pools were bought for (a school unit, or
 * the organiser as a whole), over a period: seats bought (the pools in force in the period), seats assigned
 * (persons holding one at some time in the period) and used (of those, the persons the product's supplier
 * reported usage of in the period). Counts of persons from 1 to 4 are not shown ({@link Count}): the
 * figures are about groups, and a count that small points at persons.
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
            if (assigned.suppressed() || used.suppressed() || assigned.value() == 0) {
                return null;
            }
            return (int) Math.round(100.0 * used.value() / assigned.value());
        }
    }

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;

    Utilisation(JdbcClient jdbc, Catalog catalog, OrganisationBrowser organisations) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.organisations = organisations;
    }

    private record Row(UUID product, UUID scope, Long seats, long assigned, long used) {
    }

    /**
     * The lines for pools in force between {@code from} and {@code to} (inclusive), of every organiser when
     * {@code within} is null, else of the pools bought for that organiser (all its pools) or school unit.
     * Bought and assigned come from the licensing tables as they stand; used from usage reported.
     */
    @Transactional(readOnly = true)
    public List<Line> lines(UUID within, LocalDate from, LocalDate to) {
        List<Row> rows = jdbc.sql("""
                        with pools as (
                            select id, product_id, scope_id, seats from licence_pool
                            where starts_on <= :to and ends_on >= :from and (:everywhere or organiser_id = :within or scope_id = :within)
                        ), bought as (
                            select product_id, scope_id, case when bool_or(seats is null) then null else sum(seats) end as seats
                            from pools group by product_id, scope_id
                        ), held as (
                            select distinct p.product_id, p.scope_id, a.person_id
                            from licence_assignment a join pools p on p.id = a.pool_id
                            where a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
                        ), counted as (
                            select h.product_id, h.scope_id, count(*) as assigned,
                                   count(*) filter (where exists (select 1 from usage_day u where u.product_id = h.product_id
                                                                     and u.person_id = h.person_id and u.day between :from and :to)) as used
                            from held h group by h.product_id, h.scope_id
                        )
                        select b.product_id, b.scope_id, b.seats, coalesce(c.assigned, 0), coalesce(c.used, 0)
                        from bought b left join counted c on c.product_id = b.product_id and c.scope_id = b.scope_id""")
                .param("from", from).param("to", to).param("everywhere", within == null)
                .param("within", within == null ? new UUID(0, 0) : within)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), (Long) rs.getObject(3, Long.class), rs.getLong(4),
                        rs.getLong(5))).list();
        Map<UUID, Product> products = new HashMap<>();
        catalog.products(rows.stream().map(Row::product).distinct().toList()).forEach(p -> products.put(p.id(), p));
        Map<UUID, String> scopes = new HashMap<>();
        rows.stream().map(Row::scope).distinct().forEach(s -> scopes.put(s, organisations.organisation(s).map(OrganisationBrowser.Organisation::name)
                .orElse(s.toString())));
        return rows.stream().map(r -> {
                    Product p = products.get(r.product());
                    return new Line(r.product(), p == null ? r.product().toString() : p.title(), p == null ? "" : p.articleNumber(), r.scope(),
                            scopes.get(r.scope()), r.seats(), Count.of(r.assigned()), Count.of(r.used()));
                })
                .sorted(Comparator.comparing(Line::productTitle, String.CASE_INSENSITIVE_ORDER).thenComparing(Line::articleNumber)
                        .thenComparing(Line::scopeName, String.CASE_INSENSITIVE_ORDER))
                .toList();
    }
}
