package org.tilldela.sso;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * Sign-in cards of young pupils (table {@code sso_sign_in_card}): a card's token is 256 random bits kept only
 * as SHA-256 (like generated client secrets), the picture password only as Argon2id (like passwords). Both
 * are shown once, on the sheet printed when the card is made. A pupil has one card in use; a new one ends the
 * old, a teacher can end one, and {@link #maxFailures} wrong picture passwords in a row lock it for good.
 * Who may make or end a pupil's card is {@link MyClasses}' to decide; this only keeps the cards.
 */
@Service
public class SignInCards {

    /** What a pupil's card is like now, as the teacher sees it. */
    public enum Status { NONE, ACTIVE, LOCKED }

    /** A card just made: its token and pictures exist only in this value (and on the printed sheet). */
    public record Made(UUID cardId, UUID pupilId, String firstName, String token, List<Picture> pictures) {
    }

    /** A card as the sign-in sees it, found by its token. */
    record Card(UUID id, UUID personId, String firstName, String pictureHash, int failures, boolean ended, boolean protectedIdentity) {
    }

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final PasswordEncoder pictures;
    private final int maxFailures;
    private final org.tilldela.directory.Teaching teaching;
    private final PersonAccounts accounts;

    SignInCards(JdbcClient jdbc, AuditTrail audit, PersonAccounts accounts, org.tilldela.directory.Teaching teaching,
                @Value("${tilldela.sso.card-max-failures:10}") int maxFailures) {
        this.teaching = teaching;
        this.accounts = accounts;
        this.jdbc = jdbc;
        this.audit = audit;
        this.pictures = accounts.passwordEncoder();
        this.maxFailures = maxFailures;
    }

    int maxFailures() {
        return maxFailures;
    }

    /** Each pupil's card now (NONE for those without one in use). */
    public Map<UUID, Status> statusOf(Collection<UUID> persons) {
        Map<UUID, Status> status = new HashMap<>();
        persons.forEach(p -> status.put(p, Status.NONE));
        jdbc.sql("select person_id, failures from sso_sign_in_card where ended is null and person_id = any(:p)")
                .param("p", persons.toArray(UUID[]::new))
                .query((rs, n) -> status.put(rs.getObject(1, UUID.class), rs.getInt(2) >= maxFailures ? Status.LOCKED : Status.ACTIVE)).list();
        return status;
    }

    /** Were cards already made by this submission of the teacher's form (a reload)? */
    public boolean madeWith(UUID form) {
        return form != null && jdbc.sql("select exists (select 1 from sso_sign_in_card where made_with = :f)").param("f", form).query(Boolean.class).single();
    }

    /**
     * New cards for these pupils (id → first name), each with a new picture password, ending the card each
     * had; audited per pupil with the card's id, never its secrets.
     */
    @Transactional
    public List<Made> make(Map<UUID, String> pupils, String actor, UUID form, Map<String, ?> context) {
        List<Made> made = new java.util.ArrayList<>();
        for (Map.Entry<UUID, String> pupil : pupils.entrySet()) {
            // whoever found the old card may be signed in with it: their session and the products' tokens end with it
            int signedOut = end(pupil.getKey(), "REPLACED", actor).map(old -> accounts.signOutEverywhere(pupil.getKey())).orElse(0);
            UUID id = UUID.randomUUID();
            String token = HighEntropySecrets.newSecret();
            List<Picture> password = Picture.newPassword();
            jdbc.sql("""
                            insert into sso_sign_in_card (id, person_id, first_name, token_hash, picture_hash, made_by, made_with)
                            values (:id, :p, :name, :token, :pictures, :by, :form)""")
                    .param("id", id).param("p", pupil.getKey()).param("name", pupil.getValue()).param("token", hash(token))
                    .param("pictures", pictures.encode(Picture.encode(password))).param("by", actor).param("form", form).update();
            Map<String, Object> detail = new LinkedHashMap<>(context);
            detail.put("card", id.toString());
            if (signedOut > 0) {
                detail.put("signedOut", signedOut);
            }
            audit.record(actor, "SIGN_IN_CARD_MADE", "person", pupil.getKey().toString(), detail);
            made.add(new Made(id, pupil.getKey(), pupil.getValue(), token, password));
        }
        return made;
    }

    /**
     * Ends the pupil's card at once (the next scan of it fails) and signs the pupil out everywhere — a card is ended
     * because someone else may hold it, and their open session and the products' refresh tokens would outlive it
     * otherwise, as after a password reset; false when they had none. Audited.
     */
    @Transactional
    public boolean revoke(UUID pupil, String actor, Map<String, ?> context) {
        Optional<UUID> ended = end(pupil, "REVOKED", actor);
        ended.ifPresent(card -> {
            Map<String, Object> detail = new LinkedHashMap<>(context);
            detail.put("card", card.toString());
            detail.put("signedOut", accounts.signOutEverywhere(pupil));
            audit.record(actor, "SIGN_IN_CARD_REVOKED", "person", pupil.toString(), detail);
        });
        return ended.isPresent();
    }

    private Optional<UUID> end(UUID pupil, String how, String actor) {
        return jdbc.sql("update sso_sign_in_card set ended = :how, ended_by = :by, ended_at = now() where person_id = :p and ended is null returning id")
                .param("how", how).param("by", actor).param("p", pupil).query(UUID.class).optional();
    }

    /**
     * What the picture page shows for a scanned card: whose it is (no name for a pupil with protected identity:
     * whoever holds a lost card learns nothing of them), and whether it can still sign in.
     */
    public record Face(String firstName, Status status) {
    }

    /** The face of the card with this token: ACTIVE, LOCKED, or NONE (ended, no longer a pupil's, or no such card — the page says the same). */
    public Face face(String token) {
        return byToken(token).map(c -> c.ended() || !teaching.isPupil(c.personId()) ? new Face(null, Status.NONE)
                        : new Face(c.protectedIdentity() ? null : c.firstName(), c.failures() >= maxFailures ? Status.LOCKED : Status.ACTIVE))
                .orElse(new Face(null, Status.NONE));
    }

    /** The card a scanned token belongs to, in use or ended; empty for a token no card ever had. */
    Optional<Card> byToken(String token) {
        if (token == null || token.isBlank() || token.length() > 100) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        select c.id, c.person_id, c.first_name, c.picture_hash, c.failures, c.ended is not null ended, p.protection <> 'NONE' protected_identity
                        from sso_sign_in_card c join person p on p.id = c.person_id where c.token_hash = :h""")
                .param("h", hash(token)).query(Card.class).optional();
    }

    boolean picturesMatch(Card card, List<Picture> picked) {
        return picked.size() == Picture.LENGTH && pictures.matches(Picture.encode(picked), card.pictureHash());
    }

    /**
     * An attempt, counted against the card as a failure until {@link #used} says otherwise: its failures in a row
     * now, or empty when the card is locked (or ended meanwhile) and the pictures must not be checked.
     */
    java.util.OptionalInt reserve(UUID card) {
        return jdbc.sql("update sso_sign_in_card set failures = failures + 1 where id = :id and failures < :max and ended is null returning failures")
                .param("id", card).param("max", maxFailures).query(Integer.class).optional()
                .map(java.util.OptionalInt::of).orElse(java.util.OptionalInt.empty());
    }

    void used(UUID card) {
        jdbc.sql("update sso_sign_in_card set failures = 0, last_used_at = now() where id = :id").param("id", card).update();
    }

    /** What is stored and looked up for a token: its SHA-256, hex. */
    static String hash(String token) {
        return HighEntropySecrets.sha256Hex(token);
    }
}
