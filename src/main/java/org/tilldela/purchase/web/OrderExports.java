package org.tilldela.purchase.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.CsvExport;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.Orders;

/** The buyer's own orders as CSV, one row per order line — no more than the orders page shows them. Audited as an export. */
@Controller
@PreAuthorize("hasAuthority('RIGHT_BUYER')")
class OrderExports {

    /** At most this many of the buyer's orders, newest first. */
    static final int ORDERS_IN_EXPORT = 5_000;

    private final Orders orders;
    private final AuditTrail audit;
    private final MessageSource messages;

    OrderExports(Orders orders, AuditTrail audit, MessageSource messages) {
        this.orders = orders;
        this.audit = audit;
        this.messages = messages;
    }

    @GetMapping(value = "/purchase/orders.csv", produces = "text/csv")
    @ResponseBody
    ResponseEntity<byte[]> ordersCsv(Authentication auth, Locale locale) {
        List<Order> mine = orders.ofBuyer(auth.getName(), ORDERS_IN_EXPORT);
        List<List<Object>> rows = new ArrayList<>();
        for (Order o : mine) {
            for (Order.Line l : o.lines()) {
                rows.add(java.util.Arrays.asList(o.number(), text("purchase.status." + o.status(), locale), o.placedAt().toString(), l.title(),
                        l.articleNumber(), l.seats() == null ? text("purchase.cart.unlimited", locale) : l.seats(), l.unitPrice().toPlainString(),
                        l.currency(), l.startsOn(), l.endsOn()));
            }
        }
        audit.record(auth.getName(), "EXPORT_ORDERS", "purchase", "orders", Map.of("orders", mine.size(), "lines", rows.size(), "format", "csv"));
        return CsvExport.download("orders-" + LocalDate.now() + ".csv", CsvExport.of(List.of(text("purchase.orders.col.order", locale),
                text("purchase.order.status", locale), text("purchase.order.placedAt", locale), text("purchase.export.product", locale),
                text("catalog.field.articleNumber", locale), text("purchase.product.seats", locale), text("purchase.order.unitPrice", locale),
                text("purchase.export.currency", locale), text("purchase.export.starts", locale), text("purchase.export.ends", locale)), rows));
    }

    private String text(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }
}
