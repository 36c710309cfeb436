package org.tilldela.provisioning;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A BOL order's responseUrl: where the publisher posts its later answer (an OrderResponse with the lines that changed —
 * delivered, backordered, failed). {@code POST /bol/responses/{queued order}/{secret}}: no session, no CSRF token, no
 * credentials but the secret in the URL the order was sent with (BOL gives the publisher nothing else). A wrong secret or
 * an unknown order is a plain 404; an answer that does not fit the order is refused with an RFC 7807 problem and changes
 * nothing; a taken one is 204.
 */
@RestController
@PreAuthorize("permitAll()")
class BolResponses {

    /** The largest answer read: an order's lines with their licence keys are well under this. */
    static final int LARGEST_BODY = 4 * 1024 * 1024;

    private final BolOrders orders;

    BolResponses(BolOrders orders) {
        this.orders = orders;
    }

    @PostMapping(BolOrders.RESPONSE_PATH + "{order}/{secret}")
    ResponseEntity<?> answered(@PathVariable String order, @PathVariable String secret, HttpServletRequest request) throws IOException {
        long id;
        try {
            id = Long.parseLong(order);
        } catch (NumberFormatException e) {
            return ResponseEntity.notFound().build();
        }
        if (request.getContentLengthLong() > LARGEST_BODY) {
            return problem(HttpStatus.CONTENT_TOO_LARGE, "The answer is larger than " + LARGEST_BODY + " bytes.");
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(LARGEST_BODY + 1);
        }
        if (body.length > LARGEST_BODY) {
            return problem(HttpStatus.CONTENT_TOO_LARGE, "The answer is larger than " + LARGEST_BODY + " bytes.");
        }
        BolOrders.ReplyOutcome outcome = orders.reply(id, secret, body);
        return switch (outcome.outcome()) {
            case TAKEN -> ResponseEntity.noContent().build();
            case UNKNOWN -> ResponseEntity.notFound().build();
            case REFUSED -> problem(HttpStatus.BAD_REQUEST, outcome.why());
        };
    }

    private static ResponseEntity<Map<String, Object>> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Map.of("type", "about:blank", "title", status.getReasonPhrase(), "status", status.value(), "detail", detail));
    }

    /** The responseUrl's own door: stateless, no CSRF (the publisher is no browser), open to anyone — the secret decides. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    static class Door {
        @Bean
        @Order(0)
        SecurityFilterChain bolResponsesChain(HttpSecurity http) throws Exception {
            return org.tilldela.platform.SecretPathDoor.chain(http, BolOrders.RESPONSE_PATH + "**");
        }
    }
}
