package org.tilldela.purchase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;

/** A buyer's cart, kept in the database (nodes keep no state): lines, their recipients, and checkout. */
@Service
@Transactional
public class Cart {

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final BuyerScopes scopes;
    private final Recipients recipients;
    private final Orders orders;

    Cart(JdbcClient jdbc, Catalog catalog, BuyerScopes scopes, Recipients recipients, Orders orders) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.scopes = scopes;
        this.recipients = recipients;
        this.orders = orders;
    }

    @Transactional(readOnly = true)
    public List<CartLine> lines(String buyer) {
        Map<UUID, List<Recipient>> byLine = new HashMap<>();
        jdbc.sql("""
                        select r.line_id, r.kind, r.organisation_id, r.group_id, r.person_id, r.grade, r.role from cart_recipient r
                        join cart_line l on l.id = r.line_id where l.buyer = :b order by r.line_id, r.position
                        """).param("b", buyer)
                .query(rs -> {
                    byLine.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(Orders.recipient(rs));
                });
        return jdbc.sql("select id, product_id, seats, trial, added_at from cart_line where buyer = :b order by added_at, id").param("b", buyer)
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    Integer seats = rs.getObject(3, Integer.class);
                    return new CartLine(id, buyer, rs.getObject(2, UUID.class), seats, rs.getBoolean(4),
                            rs.getTimestamp(5).toInstant(), byLine.getOrDefault(id, List.of()));
                }).list();
    }

    @Transactional(readOnly = true)
    public Optional<CartLine> line(String buyer, UUID lineId) {
        return lines(buyer).stream().filter(l -> l.id().equals(lineId)).findFirst();
    }

    /** Puts a product in the cart; a buyer without a scope cannot. */
    public UUID add(String buyer, UUID productId, Integer seats, boolean trial) {
        scopes.require(buyer);
        Product product = catalog.product(productId).orElseThrow(() -> new IllegalArgumentException("There is no product " + productId + "."));
        if (trial && !product.hasTrial()) {
            throw new IllegalArgumentException(product.title() + " has no trial.");
        }
        if (seats != null && seats <= 0) {
            throw new IllegalArgumentException("The number of seats must be at least 1.");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into cart_line (id, buyer, product_id, seats, trial) values (:id, :b, :p, :s, :t)")
                .param("id", id).param("b", buyer).param("p", productId).param("s", seats).param("t", trial).update();
        return id;
    }

    public void setSeats(String buyer, UUID lineId, Integer seats) {
        if (seats != null && seats <= 0) {
            throw new IllegalArgumentException("The number of seats must be at least 1.");
        }
        jdbc.sql("update cart_line set seats = :s where id = :id and buyer = :b").param("s", seats).param("id", lineId).param("b", buyer).update();
    }

    /** Adds selections to a line, each once; refuses (adding none) when any is outside the buyer's scope. */
    public void addRecipients(String buyer, UUID lineId, List<Recipient> added) {
        CartLine line = line(buyer, lineId).orElseThrow(() -> new IllegalArgumentException("No such line in your cart."));
        recipients.check(scopes.require(buyer), added);
        LinkedHashSet<Recipient> all = new LinkedHashSet<>(line.recipients());
        all.addAll(added);
        writeRecipients(lineId, new ArrayList<>(all));
    }

    public void removeRecipient(String buyer, UUID lineId, int index) {
        CartLine line = line(buyer, lineId).orElseThrow(() -> new IllegalArgumentException("No such line in your cart."));
        if (index >= 0 && index < line.recipients().size()) {
            List<Recipient> rest = new ArrayList<>(line.recipients());
            rest.remove(index);
            writeRecipients(lineId, rest);
        }
    }

    private void writeRecipients(UUID lineId, List<Recipient> list) {
        jdbc.sql("delete from cart_recipient where line_id = :l").param("l", lineId).update();
        int pos = 1;
        for (Recipient r : list) {
            jdbc.sql("""
                            insert into cart_recipient (line_id, position, kind, organisation_id, group_id, person_id, grade, role)
                            values (:line, :pos, :kind, :org, :group, :person, :grade, :role)
                            """)
                    .param("line", lineId).param("pos", pos++).param("kind", r.kind().name()).param("org", r.organisationId())
                    .param("group", r.groupId()).param("person", r.personId()).param("grade", r.grade()).param("role", r.role()).update();
        }
    }

    public void removeLine(String buyer, UUID lineId) {
        jdbc.sql("delete from cart_line where id = :id and buyer = :b").param("id", lineId).param("b", buyer).update();
    }

    /** The cart as it would be ordered now: preview and verdict per line. */
    public Quote quote(String buyer) {
        return orders.quote(buyer, lines(buyer).stream().map(CartLine::toRequest).toList());
    }

    /** Orders the whole cart; the cart is emptied only when the order was stored (placed or held). */
    public Orders.Placement checkout(String buyer) {
        // the cart's lines locked first: of two checkouts at once (two tabs, a retried request) the second waits, then
        // finds the cart emptied by the first and orders nothing ("An order needs at least one line") — not the same
        // lines a second time
        List<UUID> locked = jdbc.sql("select id from cart_line where buyer = :b order by id for update").param("b", buyer).query(UUID.class).list();
        List<CartLine> lines = lines(buyer).stream().filter(l -> locked.contains(l.id())).toList();
        Orders.Placement placement = orders.place(buyer, lines.stream().map(CartLine::toRequest).toList());
        if (!placement.blocked()) {
            // the lines ordered, not the cart: a line another tab added meanwhile stays for the next order
            jdbc.sql("delete from cart_line where id = any(:ids)").param("ids", locked.toArray(UUID[]::new)).update();
        }
        return placement;
    }
}
