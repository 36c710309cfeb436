package org.tilldela.sso;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.SignInLockedOut;
import org.tilldela.governance.SignInThrottle;

/**
 * Sign-in with a card and its picture password. Throttled like every other sign-in (SignInThrottle: failures
 * per card, lockout, slowed answers; an unknown or ended card's token also per address, a count shared with the
 * password doors — a card in use is not, so a class's wrong pictures do not lock its school's address),
 * and the card itself locks after {@link SignInCards#maxFailures()} wrong picture passwords in a row, until a
 * teacher makes a new one. Every attempt is in the audit trail — success with the pupil as actor, failure
 * with the reason and address — and never the pictures picked or the token.
 *
 * <p>The result is the principal a password sign-in makes: a {@link User} named by the person's id with the
 * single authority {@link PersonAccounts#PERSON}, so the provider, the start page and the release policy
 * cannot tell the two apart (and the authorization server stores it like any other).
 */
@Component
class CardSignIn implements AuthenticationProvider {

    /** What the card sign-in form sends: the token from the card and the pictures picked. */
    static final class Request extends AbstractAuthenticationToken {
        private final String token;
        private final List<Picture> pictures;

        Request(String token, List<Picture> pictures, Object details) {
            super(List.of());
            this.token = token;
            this.pictures = pictures;
            setDetails(details);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        /** Never the token: what a log or an error might show of this request is harmless. */
        @Override
        public Object getPrincipal() {
            return "card";
        }
    }

    /** The card was locked by too many wrong picture passwords: only a new card from a teacher helps. */
    static final class CardLocked extends LockedException {
        CardLocked() {
            super("sign-in card locked");
        }
    }

    private final SignInCards cards;
    private final SignInThrottle throttle;
    private final AuditTrail audit;
    private final TransactionTemplate tx;
    private final org.tilldela.directory.Teaching teaching;

    CardSignIn(SignInCards cards, SignInThrottle throttle, AuditTrail audit, TransactionTemplate tx, org.tilldela.directory.Teaching teaching) {
        this.teaching = teaching;
        this.cards = cards;
        this.throttle = throttle;
        this.audit = audit;
        this.tx = tx;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return Request.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        Request request = (Request) authentication;
        String address = request.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
        Optional<SignInCards.Card> card = cards.byToken(request.token);
        // counted per card (by id; an unknown token by its hash, which is all that is ever stored of a token)
        String name = "card:" + card.map(c -> c.id().toString()).orElseGet(() -> SignInCards.hash(String.valueOf(request.token)));
        // The address's count is shared with the password doors, and a whole class picks pictures from one school
        // address: its wrong pictures must not lock the school out. A card in use is bounded on its own (this
        // throttle per card, its failures in a row, and its 256-bit token first), so its failures count only
        // against the card (the address bucket named after the card, never after an address). An unknown or
        // ended token counts against the address as before: that is where guessing tokens is stopped.
        boolean inUse = card.isPresent() && !card.get().ended();
        SignInThrottle.Admission admission = throttle.admit(name, inUse ? "card-" + card.get().id() : address);
        if (admission instanceof SignInThrottle.Refused refused) {
            failure(card, address, "LOCKED_OUT", Map.of("lockedOutUntil", refused.until().toString()));
            throw new SignInLockedOut(refused.until());
        }
        SignInThrottle.Admitted attempt = (SignInThrottle.Admitted) admission;
        if (card.isEmpty() || card.get().ended()) {
            failure(card, address, card.isEmpty() ? "UNKNOWN_CARD" : "CARD_ENDED", Map.of());
            throw refuse(throttle.failed(attempt));
        }
        SignInCards.Card c = card.get();
        // a card works only while its pupil is one (the directory, today): cards of pupils who left end with them
        if (!teaching.isPupil(c.personId())) {
            failure(card, address, "NOT_A_PUPIL", Map.of());
            throw refuse(throttle.failed(attempt));
        }
        // the attempt is counted against the card before the (slow) pictures check, in one statement: attempts at
        // the same time cannot all read a count under the limit and all be checked
        java.util.OptionalInt reserved = tx.execute(status -> cards.reserve(c.id()));
        if (reserved.isEmpty()) {
            throttle.failed(attempt);
            failure(card, address, "CARD_LOCKED", Map.of());
            throw new CardLocked();
        }
        if (!cards.picturesMatch(c, request.pictures)) {
            int inARow = reserved.getAsInt();
            SignInThrottle.Failure failure = throttle.failed(attempt);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("failuresInARow", inARow);
            failure.lockedUntil().ifPresent(until -> detail.put("lockedOutUntil", until.toString()));
            if (inARow >= cards.maxFailures()) {
                detail.put("cardLocked", true);
            }
            failure(card, address, "WRONG_PICTURES", detail);
            if (inARow >= cards.maxFailures()) {
                throw new CardLocked();
            }
            throw refuse(failure);
        }
        throttle.succeeded(attempt);
        tx.executeWithoutResult(status -> {
            cards.used(c.id());
            audit.record(c.personId().toString(), "CARD_SIGN_IN", "person", c.personId().toString(),
                    Map.of("card", c.id().toString(), "address", address == null ? "unknown" : address));
        });
        // a picture password is a password: the same factor a password sign-in records (the ID token's auth_time is its time)
        UsernamePasswordAuthenticationToken result = PersonAccounts.signedIn(c.personId(),
                org.springframework.security.core.authority.FactorGrantedAuthority.PASSWORD_AUTHORITY);
        result.setDetails(request.getDetails());
        return result;
    }

    private void failure(Optional<SignInCards.Card> card, String address, String reason, Map<String, ?> more) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("address", address == null ? "unknown" : address);
        detail.put("reason", reason);
        card.ifPresent(c -> detail.put("person", c.personId().toString()));
        detail.putAll(more);
        audit.record("sign-in", "CARD_SIGN_IN_FAILED", "sign_in_card", card.map(c -> c.id().toString()).orElse("unknown"), detail);
    }

    /** A refusal, held back as the throttle says (or a lockout, which needs no holding back). */
    private static AuthenticationException refuse(SignInThrottle.Failure failure) {
        failure.lockOutOrHoldBack();
        return new BadCredentialsException("Bad credentials");
    }
}
