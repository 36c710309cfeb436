package org.tilldela.governance;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.platform.SecretsAtRest;

/**
 * The second factor of local administrator accounts: TOTP (RFC 6238; 30-second steps, six digits, HMAC-SHA1, as
 * every authenticator app reads an otpauth URI), computed by java-otp. The secret is 160 random bits, kept
 * encrypted ({@link SecretsAtRest}). A code is accepted for the current step and one step either side (clocks
 * drift), and once only. Wrong codes count in the sign-in throttle under their own name ("totp:" + account), so
 * six digits cannot be guessed by trying; each is audited.
 *
 * <p>{@code tilldela.governance.second-factor.required=true} makes enrolment part of signing in to the web UI
 * for accounts not yet enrolled; an account administrator can require it of one account ({@link #require}). An account
 * that must have a second factor, or has one, cannot use the API's HTTP Basic door with its password alone: it uses
 * personal API tokens ({@link ApiTokens}).
 */
@Service
@Transactional
public class SecondFactor {

    static final String ISSUER = "Tilldela";
    private static final int SECRET_BYTES = 20;

    private final JdbcClient jdbc;
    private final SecretsAtRest secrets;
    private final SignInThrottle throttle;
    private final AuditTrail audit;
    private final boolean required;
    private final TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();
    private final SecureRandom random = new SecureRandom();

    SecondFactor(JdbcClient jdbc, SecretsAtRest secrets, SignInThrottle throttle, AuditTrail audit,
                 @Value("${tilldela.governance.second-factor.required:false}") boolean required) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.throttle = throttle;
        this.audit = audit;
        this.required = required;
    }

    /** Does the installation require every administrator to enrol? */
    public boolean required() {
        return required;
    }

    /** Must this account have a second factor: required of every account, or of this one by an account administrator? */
    @Transactional(readOnly = true)
    public boolean requiredFor(String username) {
        return required || jdbc.sql("select coalesce((select second_factor_required from admin_account where username = :u), false)")
                .param("u", username).query(Boolean.class).single();
    }

    /** An account administrator requires a second factor of the account (or no longer does); audited. */
    public void require(String actor, String username, boolean require) {
        int changed = jdbc.sql("update admin_account set second_factor_required = :r where username = :u and second_factor_required <> :r")
                .param("r", require).param("u", username).update();
        if (changed > 0) {
            audit.record(actor, require ? "ADMIN_SECOND_FACTOR_REQUIRED" : "ADMIN_SECOND_FACTOR_NO_LONGER_REQUIRED", "admin_account", username, Map.of());
        }
    }

    /** Has the account a confirmed second factor: does signing in ask for a code? */
    @Transactional(readOnly = true)
    public boolean enrolled(String username) {
        return jdbc.sql("select exists (select 1 from admin_second_factor where username = :u and confirmed_at is not null)").param("u", username)
                .query(Boolean.class).single();
    }

    /** What an authenticator app is given: the otpauth URI (for the QR code) and the secret in Base32 (to type in). */
    public record Offer(String uri, String secret) {
    }

    /**
     * Offers a new secret to an account not enrolled yet (replacing an earlier offer not confirmed). An enrolled
     * account keeps its secret: it is replaced only after removing it ({@link #remove}).
     */
    public Offer offer(String username) {
        if (enrolled(username)) {
            throw new IllegalStateException("The account already has a second factor.");
        }
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        String base32 = new Base32().encodeAsString(secret).replace("=", "");
        jdbc.sql("""
                        insert into admin_second_factor (username, secret) values (:u, :s)
                        on conflict (username) do update set secret = excluded.secret, created_at = now(), confirmed_at = null, last_step = 0
                        """).param("u", username).param("s", secrets.encrypt(base32)).update();
        return new Offer(uri(username, base32), base32);
    }

    /** The current offer's URI and secret again (the enrolment page shown a second time), if one is pending. */
    @Transactional(readOnly = true)
    public Optional<Offer> pendingOffer(String username) {
        return jdbc.sql("select secret from admin_second_factor where username = :u and confirmed_at is null").param("u", username)
                .query((rs, n) -> secrets.decrypt(rs.getBytes(1))).optional().map(s -> new Offer(uri(username, s), s));
    }

    private static String uri(String username, String base32) {
        String label = URLEncoder.encode(ISSUER + ":" + username, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + base32 + "&issuer=" + ISSUER + "&algorithm=SHA1&digits=6&period=30";
    }

    /** What became of a code typed. */
    public enum Outcome { ACCEPTED, WRONG, LOCKED_OUT }

    /** Confirms the offer with a first code from the app: from then on signing in asks for a code. */
    public Outcome confirm(String username, String code, String address, Instant now) {
        Outcome outcome = check(username, code, address, now, false);
        if (outcome == Outcome.ACCEPTED) {
            jdbc.sql("update admin_second_factor set confirmed_at = :now where username = :u").param("now", Timestamp.from(now)).param("u", username).update();
            audit.record(username, "ADMIN_SECOND_FACTOR_ENROLLED", "admin_account", username, Map.of());
        }
        return outcome;
    }

    /** Checks the code typed at sign-in, after the password. */
    public Outcome verify(String username, String code, String address, Instant now) {
        return check(username, code, address, now, true);
    }

    /** Removes the account's second factor (audited); the administrator may enrol again. */
    public boolean remove(String actor, String username) {
        int removed = jdbc.sql("delete from admin_second_factor where username = :u").param("u", username).update();
        if (removed > 0) {
            // the account's API tokens go with it: they were made behind this factor (a lost phone, a laptop taken with
            // the token on it), and a new factor makes new ones
            int tokens = jdbc.sql("update admin_api_token set revoked_at = now() where username = :u and revoked_at is null").param("u", username).update();
            audit.record(actor, "ADMIN_SECOND_FACTOR_REMOVED", "admin_account", username, Map.of("apiTokensRevoked", tokens));
        }
        return removed > 0;
    }

    private Outcome check(String username, String code, String address, Instant now, boolean confirmed) {
        SignInThrottle.Admission admission = throttle.admit(SignInThrottle.ADMIN_SECOND_FACTOR + username, address);
        if (!(admission instanceof SignInThrottle.Admitted attempt)) {
            audit.record("sign-in", "SECOND_FACTOR_FAILED", "admin_account", username, Map.of("reason", "LOCKED_OUT", "address", address(address)));
            return Outcome.LOCKED_OUT;
        }
        record Held(String secret, long lastStep) {
        }
        Optional<Held> held = jdbc.sql("select secret, last_step from admin_second_factor where username = :u and (confirmed_at is not null) = :confirmed for update")
                .param("u", username).param("confirmed", confirmed)
                .query((rs, n) -> new Held(secrets.decrypt(rs.getBytes(1)), rs.getLong(2))).optional();
        long step = now.getEpochSecond() / totp.getTimeStep().getSeconds();
        String typed = code == null ? "" : code.replaceAll("\\s", "");
        Optional<Long> matched = held.flatMap(h -> {
            SecretKeySpec key = new SecretKeySpec(new Base32().decode(h.secret()), totp.getAlgorithm());
            for (long s = step - 1; s <= step + 1; s++) {
                if (s > h.lastStep() && java.security.MessageDigest.isEqual(codeAt(key, s).getBytes(StandardCharsets.US_ASCII),
                        typed.getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        });
        if (matched.isEmpty()) {
            SignInThrottle.Failure failure = throttle.failed(attempt);
            audit.record("sign-in", "SECOND_FACTOR_FAILED", "admin_account", username, Map.of("reason", "WRONG_CODE", "address", address(address)));
            return failure.lockedUntil().isPresent() ? Outcome.LOCKED_OUT : Outcome.WRONG;
        }
        throttle.succeeded(attempt);
        jdbc.sql("update admin_second_factor set last_step = :s where username = :u").param("s", matched.get()).param("u", username).update();
        return Outcome.ACCEPTED;
    }

    private String codeAt(SecretKeySpec key, long step) {
        try {
            return totp.generateOneTimePasswordString(key, Instant.ofEpochSecond(step * totp.getTimeStep().getSeconds()), java.util.Locale.ROOT);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address(String address) {
        return address == null ? "unknown" : address;
    }
}
