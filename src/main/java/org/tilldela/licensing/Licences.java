package org.tilldela.licensing;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.tilldela.platform.OneRoundTrip;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;

/** Who holds which licence, on which day: what the access module asks before releasing data to a supplier. */
@Service
@Transactional(readOnly = true)
public class Licences {

    private final JdbcClient jdbc;
    private final Catalog catalog;

    Licences(JdbcClient jdbc, Catalog catalog) {
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    /**
     * Whether the person holds a licence for the product on the day: a seat in a pool of the product whose
     * period covers the day, assigned by then, not ended by then (a leaver's seat counts through the grace period).
     */
    public boolean holds(UUID personId, UUID productId, LocalDate day) {
        return jdbc.sql(HOLDS + " select exists (select 1 from held)").param("person", personId).param("product", productId).param("day", day)
                .query(Boolean.class).single();
    }

    /** Those of these persons ever given a licence for the product (a seat in one of its pools, ended ones too; one query). */
    public java.util.Set<UUID> everHeld(java.util.Collection<UUID> personIds, UUID productId) {
        if (personIds.isEmpty()) {
            return java.util.Set.of();
        }
        return java.util.Set.copyOf(jdbc.sql("""
                        select distinct a.person_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                        where p.product_id = :product and a.person_id = any(:persons)""")
                .param("product", productId).param("persons", personIds.toArray(UUID[]::new)).query(UUID.class).list());
    }

    /** Those of these persons who hold a licence for the product on the day (one query for a batch). */
    public java.util.Set<UUID> holding(java.util.Collection<UUID> personIds, UUID productId, LocalDate day) {
        if (personIds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.sql("""
                        select distinct a.person_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                        where a.person_id = any(:persons) and p.product_id = :product and %s
                        """.formatted(countsOn(":day"))).param("persons", personIds.toArray(UUID[]::new)).param("product", productId).param("day", day).query(UUID.class).list());
    }

    /**
     * A seat that counts on a day: whose it is, of which pool and product, the order line the pool was bought on (null for a
     * pool made by hand), whether it is a trial, and the organisation the pool was bought for.
     */
    public record HeldSeat(UUID personId, UUID poolId, UUID productId, UUID orderLineId, boolean trial, UUID scopeId) {
    }

    /** The seats these persons hold on the day in pools of these products (one query for a batch). */
    public List<HeldSeat> seatsHeld(java.util.Collection<UUID> personIds, java.util.Collection<UUID> productIds, LocalDate day) {
        if (personIds.isEmpty() || productIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        select a.person_id, p.id, p.product_id, p.order_line_id, p.trial, p.scope_id from licence_assignment a
                        join licence_pool p on p.id = a.pool_id
                        where a.person_id = any(:persons) and p.product_id = any(:products) and %s
                        order by a.person_id, p.id
                        """.formatted(countsOn(":day")))
                .param("persons", personIds.toArray(UUID[]::new)).param("products", productIds.toArray(UUID[]::new)).param("day", day)
                .query((rs, n) -> new HeldSeat(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        rs.getObject(4, UUID.class), rs.getBoolean(5), rs.getObject(6, UUID.class))).list();
    }

    /** The persons holding a licence for the product on the day. */
    public List<UUID> holders(UUID productId, LocalDate day) {
        return jdbc.sql("select distinct person_id from (" + HOLDERS + ") h order by person_id")
                .param(HOLDER_PRODUCT, productId).param(HOLDER_DAY, day).query(UUID.class).list();
    }

    /**
     * The licence holders of a product on a day as SQL, for a module that must count, page or join them set-based
     * (the roster API pages 100,000 persons: their ids as an array parameter cost more than the page): a relation of
     * {@code person_id} (a person holding two licences of the product is in it twice), with the parameters named
     * {@link #HOLDER_PRODUCT} and {@link #HOLDER_DAY}. What holding means stays here: {@link #holders}, {@link #holding}
     * and this agree.
     */
    public static final String HOLDERS = """
            select a.person_id from licence_assignment a join licence_pool p on p.id = a.pool_id
            where p.product_id = :holderProduct and\s""" + countsOn("cast(:holderDay as date)");

    /**
     * What holding means, once: a seat {@code a} of pool {@code p} counts on {@code day} (an SQL date expression) when the
     * day is within the pool's period, the seat was given by then, and it was neither given back nor past its grace.
     * Every read of holders here — and so every module's — is this predicate.
     */
    private static String countsOn(String day) {
        return day + " between p.starts_on and p.ends_on and a.assigned_at::date <= " + day
                + " and (a.ended_on is null or " + day + " < a.ended_on) and (a.grace_until is null or " + day + " <= a.grace_until)";
    }

    /**
     * Since when the person in {@code personColumn} holds their live seat of the product (the latest live assignment's
     * start), as a scalar SQL expression with {@link #HOLDERS}' parameters: null without one (the same seats {@link #HOLDERS} counts). A seat given again is a new
     * assignment, so a module that dates what changed for a supplier (a roster delta) sees a person given a licence again
     * as changed then, not as of their last edit in the directory.
     */
    public static String heldSince(String personColumn) {
        return "(select max(a.assigned_at) from licence_assignment a join licence_pool p on p.id = a.pool_id"
                + " where p.product_id = :holderProduct and a.person_id = " + personColumn + " and " + countsOn("cast(:holderDay as date)") + ")";
    }

    /**
     * {@link #HOLDERS} with {@link #heldSince} in one pass ({@code person_id}, {@code since}: the latest start of a seat
     * that counts that day): to join where every holder is dated, instead of looking each one up.
     */
    public static final String HOLDERS_SINCE = """
            select a.person_id, max(a.assigned_at) as since from licence_assignment a join licence_pool p on p.id = a.pool_id
            where p.product_id = :holderProduct and\s""" + countsOn("cast(:holderDay as date)") + " group by a.person_id";

    /**
     * Every seat of a product, held now or given back, as SQL with the same parameters as {@link #HOLDERS}: {@code person_id},
     * and {@code until} — the first day it no longer counts (given back, grace over, or the pool's period over),
     * whichever comes first. For a module that must say who stopped being a holder, and since when.
     */
    public static final String SEATS = """
            select a.person_id, least(a.ended_on, a.grace_until + 1, p.ends_on + 1) as until
            from licence_assignment a join licence_pool p on p.id = a.pool_id
            where p.product_id = :holderProduct""";

    /** The parameter names {@link #HOLDERS} binds. */
    public static final String HOLDER_PRODUCT = "holderProduct", HOLDER_DAY = "holderDay";

    private static final String HOLDS = """
            with held as (
                select 1 from licence_assignment a join licence_pool p on p.id = a.pool_id
                where a.person_id = :person and p.product_id = :product and\s""" + countsOn(":day") + """
            )
            """;

    /**
     * {@link #holds} as a read to compose into one round trip ({@link OneRoundTrip}), with the parameters {@code :person},
     * {@code :product} and {@code :day}: what holding means stays here.
     */
    public static final OneRoundTrip.Read<Boolean> HOLDS_ONE = OneRoundTrip.Read.of(HOLDS + " select exists (select 1 from held)",
            rs -> rs.next() && rs.getBoolean(1));

    /** Every licence of the person, live ones first, with the product's title. */
    public List<PersonLicence> ofPerson(UUID personId) {
        record Row(UUID pool, UUID product, String state, String source, UUID rule, java.time.Instant at, LocalDate from, LocalDate until, boolean trial,
                   LocalDate grace, LocalDate ended) {
        }
        List<Row> rows = jdbc.sql("""
                        select a.pool_id, p.product_id, a.state, a.source, a.rule_id, a.assigned_at, p.starts_on, p.ends_on, p.trial, a.grace_until, a.ended_on
                        from licence_assignment a join licence_pool p on p.id = a.pool_id where a.person_id = :person
                        order by case a.state when 'ACTIVE' then 0 when 'GRACE' then 1 else 2 end, a.assigned_at desc
                        """).param("person", personId)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        rs.getObject(5, UUID.class), rs.getTimestamp(6).toInstant(), rs.getObject(7, LocalDate.class), rs.getObject(8, LocalDate.class),
                        rs.getBoolean(9), rs.getObject(10, LocalDate.class), rs.getObject(11, LocalDate.class))).list();
        Map<UUID, Product> products = catalog.products(rows.stream().map(Row::product).distinct().toList()).stream()
                .collect(Collectors.toMap(Product::id, Function.identity()));
        return rows.stream().map(r -> new PersonLicence(r.pool(), r.product(), products.containsKey(r.product()) ? products.get(r.product()).title() : null,
                r.state(), r.source(), r.rule(), r.at(), r.from(), r.until(), r.trial(), r.grace(), r.ended())).toList();
    }
}
