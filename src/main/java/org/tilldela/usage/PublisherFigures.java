package org.tilldela.usage;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Licence figures as a publisher reports them (BOL statistics), next to Tilldela's own: per product and school unit,
 * the licences it counts, assigned, unassigned and used. A source (a BOL connector) replaces its figures whole on each
 * fetch. Shown on the utilisation page to whoever sees the school unit, saying whether the publisher counted per user
 * or reported only totals per school unit.
 */
@Service
public class PublisherFigures {

    /** How the publisher counted. */
    public enum Method {
        /** From each user's licences and whether they used it (BOL's school-unit users licences). */
        PER_USER,
        /** Totals per school unit only (BOL's school-unit licences). */
        PER_SCHOOL_UNIT
    }

    /**
     * One product at one school unit as the publisher reports it. {@code organisationId}: the unit in Tilldela (null when
     * the publisher named a school Tilldela could not place); {@code used} and {@code total} null where it does not know.
     */
    public record Figure(UUID productId, UUID organisationId, UUID organiserId, String school, Method method, Integer total, int assigned,
                         Integer unassigned, Integer used) {
    }

    /**
     * A figure as a viewer sees it: with the product's title and when it was fetched. The counts of persons (assigned, used)
     * are shown like Tilldela's own ({@link Utilisation.Count}: 1 to 4 suppressed), and the licences not assigned are left
     * out when the assigned are suppressed (the total less them would give the count away); {@code used} null: not reported.
     */
    public record Shown(UUID productId, String productTitle, String school, Method method, Integer total, Utilisation.Count assigned,
                        Integer unassigned, Utilisation.Count used, Instant fetchedAt) {
    }

    private final JdbcClient jdbc;

    PublisherFigures(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The source's figures, replacing what it reported before. */
    @Transactional
    public void replace(UUID sourceId, UUID supplierId, List<Figure> figures) {
        jdbc.sql("delete from publisher_figures where source_id = :s").param("s", sourceId).update();
        for (Figure f : figures) {
            jdbc.sql("""
                            insert into publisher_figures (source_id, supplier_id, product_id, organisation_id, organiser_id, school, method, total, assigned,
                                                           unassigned, used, fetched_at)
                            values (:s, :supplier, :p, :o, :organiser, :school, :m, :total, :assigned, :unassigned, :used, now())
                            """)
                    .param("s", sourceId).param("supplier", supplierId).param("p", f.productId()).param("o", f.organisationId())
                    .param("organiser", f.organiserId()).param("school", f.school()).param("m", f.method().name()).param("total", f.total())
                    .param("assigned", f.assigned()).param("unassigned", f.unassigned()).param("used", f.used()).update();
        }
    }

    /**
     * The figures the viewer sees (of one product, or all when null): those of school units the viewer sees; a purchasing
     * centre sees none (they are per school unit, and it sees figures per organiser only), nor does anyone see a school
     * Tilldela could not place unless they see everything.
     */
    @Transactional(readOnly = true)
    public List<Shown> seen(Viewer viewer, UUID product) {
        if (viewer.perOrganiser()) {
            return List.of();
        }
        return jdbc.sql("""
                        select f.product_id, p.title, f.school, f.method, f.total, f.assigned, f.unassigned, f.used, f.fetched_at
                        from publisher_figures f join product p on p.id = f.product_id
                        where (cast(:product as uuid) is null or f.product_id = :product) and %s
                        order by p.title, f.school, f.product_id
                        """.formatted(viewer.everythingSeen() ? "true" : "f.organisation_id is not null and " + viewer.unit("f.organisation_id", "f.organiser_id")))
                .params(viewer.params()).param("product", product)
                .query((rs, n) -> {
                    Utilisation.Count assigned = Utilisation.Count.of(rs.getInt(6));
                    Integer used = rs.getObject(8, Integer.class);
                    return new Shown(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), Method.valueOf(rs.getString(4)),
                            rs.getObject(5, Integer.class), assigned, assigned.suppressed() ? null : rs.getObject(7, Integer.class),
                            used == null ? null : Utilisation.Count.of(used), rs.getTimestamp(9).toInstant());
                })
                .list();
    }
}
