package org.tilldela.purchase;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The publisher's side of an order's lines, as the connector that sent them learns it: recorded here so the order
 * shows it. A delivered line is final: a late or repeated reply does not undo it.
 */
@Service
public class Deliveries {

    private final JdbcClient jdbc;

    Deliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records the line's state; false (and nothing changed) when the line is delivered already or is no order line. The
     * statement itself keeps a delivered line as it is ({@link LineDelivery.Status#DELIVERED} is final), so no read goes first.
     */
    @Transactional
    public boolean record(UUID lineId, LineDelivery delivery) {
        return jdbc.sql("""
                        insert into order_line_delivery (line_id, status, delivery_date, valid_from, valid_to, licence_keys, message, updated_at)
                        select l.id, :status, :deliveryDate, :validFrom, :validTo, :keys, :message, now() from order_line l where l.id = :line
                        on conflict (line_id) do update set status = excluded.status, delivery_date = excluded.delivery_date,
                            valid_from = excluded.valid_from, valid_to = excluded.valid_to, licence_keys = excluded.licence_keys,
                            message = excluded.message, updated_at = now()
                        where order_line_delivery.status <> 'DELIVERED'
                        """)
                .param("line", lineId).param("status", delivery.status().name()).param("deliveryDate", delivery.deliveryDate())
                .param("validFrom", delivery.validFrom()).param("validTo", delivery.validTo()).param("keys", delivery.licenceKeys())
                .param("message", delivery.message()).update() > 0;
    }

    /** The order's lines that went to a publisher, by line id (a line sent nowhere has none). */
    @Transactional(readOnly = true)
    public Map<UUID, LineDelivery> ofOrder(UUID orderId) {
        Map<UUID, LineDelivery> out = new HashMap<>();
        jdbc.sql(SELECT + " join order_line l on l.id = d.line_id where l.order_id = :o").param("o", orderId)
                .query(rs -> {
                    out.put(rs.getObject("line_id", UUID.class), delivery(rs));
                });
        return out;
    }

    /** The line's state at the publisher (null: it went to none). */
    @Transactional(readOnly = true)
    public LineDelivery ofLine(UUID lineId) {
        return jdbc.sql(SELECT + " where d.line_id = :l").param("l", lineId).query((rs, n) -> delivery(rs)).optional().orElse(null);
    }

    private static final String SELECT = """
            select d.line_id, d.status, d.delivery_date, d.valid_from, d.valid_to, d.licence_keys, d.message, d.updated_at from order_line_delivery d""";

    private static LineDelivery delivery(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new LineDelivery(LineDelivery.Status.valueOf(rs.getString("status")), rs.getObject("delivery_date", java.time.LocalDate.class),
                rs.getObject("valid_from", java.time.LocalDate.class), rs.getObject("valid_to", java.time.LocalDate.class), rs.getInt("licence_keys"),
                rs.getString("message"), rs.getTimestamp("updated_at").toInstant());
    }
}
