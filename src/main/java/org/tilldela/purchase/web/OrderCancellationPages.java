package org.tilldela.purchase.web;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.licensing.LicencePools;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.Orders;

/**
 * Cancelling an order, or one line of it, before its licences are used: a confirmation page that says what will happen
 * (or why it cannot), then the cancellation. Only the buyer's own orders; another's is not found.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_BUYER')")
class OrderCancellationPages {

    /** A line to be cancelled: how many seats it gives back, or why it cannot be cancelled (null: it can). */
    record LineToCancel(Order.Line line, long seatsHeld, String notCancellable) {
    }

    private final Orders orders;
    private final LicencePools pools;

    OrderCancellationPages(Orders orders, LicencePools pools) {
        this.orders = orders;
        this.pools = pools;
    }

    private Order own(UUID id, Authentication auth) {
        return orders.order(id).filter(o -> o.buyer().equals(auth.getName())).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    /** The confirmation: the line ({@code line}) or, without one, every line not yet cancelled. */
    @GetMapping("/purchase/orders/{id}/cancel")
    String confirm(@PathVariable UUID id, @RequestParam(required = false) UUID line, Authentication auth, Model model) {
        Order order = own(id, auth);
        return page(order, line, null, model);
    }

    @PostMapping("/purchase/orders/{id}/cancel")
    String cancel(@PathVariable UUID id, @RequestParam(required = false) UUID line, Authentication auth, Model model,
                  jakarta.servlet.http.HttpServletResponse response) {
        Order order = own(id, auth);
        try {
            orders.cancel(id, line, auth.getName());
        } catch (Orders.NotCancellable e) {
            // the page again, saying why in the user's language; nothing was changed
            response.setStatus(HttpStatus.CONFLICT.value());
            return page(order, line, e.code(), model);
        } catch (NoSuchElementException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return "redirect:/purchase/orders/" + id + "?cancelled=" + (line == null ? "order" : "line");
    }

    private String page(Order order, UUID lineId, String refused, Model model) {
        List<Order.Line> chosen = order.lines().stream().filter(l -> lineId == null ? !l.cancelled() : l.id().equals(lineId)).toList();
        if (lineId != null && chosen.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        List<LineToCancel> lines = chosen.stream().map(l -> new LineToCancel(l,
                l.poolId() == null ? 0 : pools.pool(l.poolId()).map(LicencePools.Pool::seatsUsed).orElse(0L),
                orders.whyNotCancellable(order, l, lineId == null).orElse(null))).toList();
        model.addAttribute("order", order);
        model.addAttribute("lineId", lineId);
        model.addAttribute("lines", lines);
        model.addAttribute("held", order.status() == Order.Status.AWAITING_APPROVAL);
        model.addAttribute("refused", refused != null ? refused
                : lines.isEmpty() ? "cancelled" : lines.stream().map(LineToCancel::notCancellable).filter(java.util.Objects::nonNull).findFirst().orElse(null));
        return "purchase/cancel";
    }
}
