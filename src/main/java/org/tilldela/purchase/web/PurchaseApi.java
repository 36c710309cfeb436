package org.tilldela.purchase.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.purchase.NoBuyerScope;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.OrderLineRequest;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.PrivacyPreview;
import org.tilldela.purchase.Quote;
import org.tilldela.purchase.Recipient;
import org.tilldela.purchase.RecipientsRefused;
import org.tilldela.purchase.Verdict;

/** Ordering over the API, for buyers: the same gate, preview and fulfilment as the web UI. */
@RestController
@PreAuthorize("hasAuthority('RIGHT_BUYER')")
@RequestMapping("/api/v1/purchase")
@Tag(name = "Purchase", description = "Orders with a privacy preview and the compliance gate; a placed order becomes licence pools.")
class PurchaseApi {

    private final Orders orders;
    private final Wording words;

    PurchaseApi(Orders orders, Wording words) {
        this.orders = orders;
        this.words = words;
    }

    /** Recipients: {@code kind} UNIT, GROUP, PERSON, GRADE_AT_UNIT, ROLE_AT_UNIT or ALL_PUPILS_AT_UNIT with its ids. */
    record LineRequest(UUID productId, List<Recipient> recipients, Integer seats, Boolean trial) {
        OrderLineRequest toRequest() {
            if (productId == null) {
                throw new IllegalArgumentException("Every line needs a productId.");
            }
            return new OrderLineRequest(productId, recipients, seats, Boolean.TRUE.equals(trial));
        }
    }

    record OrderRequest(List<LineRequest> lines) {
    }

    record PreviewRequest(UUID productId, List<Recipient> recipients, Integer seats, Boolean trial) {
    }

    record ReasonJson(String outcome, String code, String message) {
    }

    record LineQuoteJson(int position, UUID productId, String title, String supplier, String verdict, List<ReasonJson> reasons, int recipients,
                         Integer seats, PrivacyPreview preview) {
    }

    record PoolJson(UUID lineId, UUID poolId, Integer seats, long seatsUsed, LocalDate startsOn, LocalDate endsOn, boolean trial, List<UUID> withoutSeat) {
    }

    record OrderJson(UUID id, long number, String status, String buyer, UUID organiserId, UUID scopeId, Instant placedAt, List<Order.Line> lines,
                     Order.Approval approval, List<PoolJson> pools) {
    }

    /** {@code verdict}: OK (placed), NEEDS_DPO_APPROVAL (held), BLOCKED (nothing stored; 422). */
    record PlaceResponse(String verdict, OrderJson order, List<LineQuoteJson> lines) {
    }

    @PostMapping("/orders")
    @Operation(summary = "Places an order: 201 with the pools created (or the order held for the data protection officer), 422 with the reasons when the gate blocks it. "
            + "With an Idempotency-Key header (1–255 characters) the same request again answers the order placed then (201, Idempotent-Replayed: true) "
            + "instead of placing another; the key again with other lines is 422")
    ResponseEntity<PlaceResponse> place(@RequestBody OrderRequest request, @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                                        Authentication auth, Locale locale) {
        if (request == null || request.lines() == null || request.lines().isEmpty()) {
            throw new IllegalArgumentException("An order needs at least one line.");
        }
        Orders.Placement placement = orders.place(auth.getName(), request.lines().stream().map(LineRequest::toRequest).toList(), idempotencyKey);
        // a replay tells what was decided when the order was placed — held for the data protection officer (it has an
        // approval, whatever became of it) or not — and carries the order, not a quote of today
        String verdict = !placement.replayed() ? placement.quote().outcome().name()
                : placement.order().approval() != null ? Verdict.Outcome.NEEDS_DPO_APPROVAL.name() : Verdict.Outcome.OK.name();
        PlaceResponse body = new PlaceResponse(verdict, placement.blocked() ? null : json(placement.order()),
                placement.replayed() ? List.of() : placement.quote().lines().stream().map(l -> json(l, locale)).toList());
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(placement.blocked() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.CREATED);
        if (placement.replayed()) {
            answer.header("Idempotent-Replayed", "true");
        }
        return answer.body(body);
    }

    @GetMapping("/orders/{id}")
    @Operation(summary = "One of the caller's orders, with its lines, approval and pools")
    OrderJson order(@PathVariable UUID id, Authentication auth) {
        return orders.order(id).filter(o -> o.buyer().equals(auth.getName())).map(this::json)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    /**
     * Cancels the caller's order — every line not yet cancelled — by the web form's rules ({@link Orders#cancel}): each line's
     * licences must be unused; an order held for the data protection officer is withdrawn. Audited per line (or as withdrawn).
     */
    @PostMapping("/orders/{id}/cancel")
    @Operation(summary = "Cancels one of the caller's orders before its licences are used (seats given back, pools ended; a held order is withdrawn): "
            + "200 with the order, 404 when it is not the caller's, 409 with the reason (code: used, ended, noLicence, atPublisher, notPlaced, cancelled)")
    OrderJson cancelOrder(@PathVariable UUID id, Authentication auth) {
        return cancel(id, null, auth);
    }

    @PostMapping("/orders/{id}/lines/{lineId}/cancel")
    @Operation(summary = "Cancels one line of the caller's order before its licences are used (its seats given back, its pool ended): "
            + "200 with the order, 404 when the order or line is not the caller's, 409 with the reason (code: used, ended, noLicence, atPublisher, notPlaced, "
            + "cancelled, heldWhole)")
    OrderJson cancelLine(@PathVariable UUID id, @PathVariable UUID lineId, Authentication auth) {
        return cancel(id, lineId, auth);
    }

    private OrderJson cancel(UUID id, UUID lineId, Authentication auth) {
        // another buyer's order is not found, as on the web
        orders.order(id).filter(o -> o.buyer().equals(auth.getName())).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        try {
            return json(orders.cancel(id, lineId, auth.getName()));
        } catch (java.util.NoSuchElementException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }

    @ExceptionHandler(Orders.NotCancellable.class)
    ProblemDetail notCancellable(Orders.NotCancellable e, Locale locale) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, words.text("purchase.cancel.refused." + e.code(), locale));
        problem.setProperty("code", e.code());
        return problem;
    }

    @PostMapping("/preview")
    @Operation(summary = "The privacy preview and the gate's verdict for one line, without ordering")
    LineQuoteJson preview(@RequestBody PreviewRequest request, Authentication auth, Locale locale) {
        if (request == null || request.productId() == null) {
            throw new IllegalArgumentException("A preview needs a productId.");
        }
        Quote quote = orders.quote(auth.getName(), List.of(new OrderLineRequest(request.productId(), request.recipients(), request.seats(),
                Boolean.TRUE.equals(request.trial()))));
        return json(quote.lines().getFirst(), locale);
    }

    private LineQuoteJson json(Quote.Line l, Locale locale) {
        return new LineQuoteJson(l.position(), l.product().id(), l.product().title(), l.supplier().name(), l.verdict().outcome().name(),
                l.verdict().reasons().stream().map(r -> new ReasonJson(r.outcome().name(), r.code(), words.reason(r, locale))).toList(),
                l.persons().size(), l.seats(), l.preview());
    }

    private OrderJson json(Order o) {
        List<PoolJson> pools = orders.fulfilment(o).stream().map(f -> new PoolJson(f.line().id(), f.pool().id(), f.pool().seats(), f.pool().seatsUsed(),
                f.pool().startsOn(), f.pool().endsOn(), f.pool().trial(), f.withoutSeat())).toList();
        return new OrderJson(o.id(), o.number(), o.status().name(), o.buyer(), o.organiserId(), o.scopeId(), o.placedAt(), o.lines(), o.approval(), pools);
    }

    @ExceptionHandler(Orders.KeyReused.class)
    ProblemDetail keyReused(Orders.KeyReused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    @ExceptionHandler(NoBuyerScope.class)
    ProblemDetail noScope(NoBuyerScope e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler({RecipientsRefused.class, IllegalArgumentException.class})
    ProblemDetail refused(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(IllegalStateException.class)
    ProblemDetail conflict(IllegalStateException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }
}
