package org.tilldela.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.encrypt.AesBytesEncryptor;
import org.springframework.security.crypto.encrypt.BytesEncryptor;
import org.springframework.security.crypto.keygen.KeyGenerators;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The provider's signing keys, kept in PostgreSQL so that every node signs with the same key and publishes
 * the same key set. Private keys are stored encrypted (AES-256-GCM, Spring Security Crypto) with a key
 * that lives outside the database.
 *
 * <p>Rotation: {@link #rotate()} makes a new key, which signs from then on; the key it supersedes stays in
 * the published set until every token it signed has expired ({@code retire_after} = now + the longest token
 * lifetime), so relying parties can still verify them. Nodes read the keys at most every
 * {@link #CACHE} — a rotation reaches every node within that time.
 */
class SigningKeys {

    static final Duration CACHE = Duration.ofSeconds(30);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BytesEncryptor encryptor;
    private final Clock clock;
    private final Duration longestTokenLifetime;
    private volatile Snapshot snapshot;

    SigningKeys(JdbcClient jdbc, TransactionTemplate tx, byte[] keyEncryptionKey, Clock clock, Duration longestTokenLifetime) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.encryptor = new AesBytesEncryptor(new SecretKeySpec(keyEncryptionKey, "AES"), KeyGenerators.secureRandom(12),
                AesBytesEncryptor.CipherAlgorithm.GCM);
        this.clock = clock;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    /** What the keys were at one moment: the one that signs, and every one still published. */
    private record Snapshot(Instant readAt, RSAKey current, JWKSet published) {
    }

    /** Every key a relying party may meet in a token that has not expired (the JWKS endpoint shows their public halves). */
    JWKSource<SecurityContext> published() {
        return (JWKSelector selector, SecurityContext context) -> selector.select(snapshot().published());
    }

    /** Only the key that signs now, so the token encoder never has to choose between keys. */
    JWKSource<SecurityContext> current() {
        return (JWKSelector selector, SecurityContext context) -> selector.select(new JWKSet(snapshot().current()));
    }

    /** A new signing key; the one before it stays published until its tokens have expired. */
    String rotate() {
        String kid = tx.execute(status -> {
            lock();
            return insertNewKey();
        });
        snapshot = null;
        return kid;
    }

    /** Nodes starting together must not each make a first key: one does, under a lock, the others find it. */
    private void ensureCurrentKey() {
        tx.executeWithoutResult(status -> {
            lock();
            if (jdbc.sql("select count(*) from sso_signing_key where superseded_at is null").query(Integer.class).single() == 0) {
                insertNewKey();
            }
        });
    }

    private void lock() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('sso_signing_key'))").query().singleRow();
    }

    private String insertNewKey() {
        Instant now = clock.instant();
        String kid = UUID.randomUUID().toString();
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("could not generate a signing key", e);
        }
        jdbc.sql("update sso_signing_key set superseded_at = :now, retire_after = :retire where superseded_at is null")
                .param("now", java.sql.Timestamp.from(now)).param("retire", java.sql.Timestamp.from(now.plus(longestTokenLifetime))).update();
        jdbc.sql("insert into sso_signing_key (kid, algorithm, public_jwk, private_jwk, created_at) values (:kid, 'RS256', :pub, :priv, :now)")
                .param("kid", kid).param("pub", key.toPublicJWK().toJSONString())
                .param("priv", encryptor.encrypt(key.toJSONString().getBytes(StandardCharsets.UTF_8)))
                .param("now", java.sql.Timestamp.from(now)).update();
        return kid;
    }

    /** Keys whose tokens have all expired leave the table (and so the published set). */
    int removeRetired() {
        return jdbc.sql("delete from sso_signing_key where retire_after < :now").param("now", java.sql.Timestamp.from(clock.instant())).update();
    }

    private Snapshot snapshot() {
        Snapshot s = snapshot;
        Instant now = clock.instant();
        if (s == null || s.readAt().plus(CACHE).isBefore(now)) {
            s = read(now);
            snapshot = s;
        }
        return s;
    }

    private synchronized Snapshot read(Instant now) {
        record Row(String kid, byte[] privateJwk, boolean superseded) {
        }
        List<Row> rows = jdbc.sql("select kid, private_jwk, superseded_at is not null superseded from sso_signing_key "
                        + "where retire_after is null or retire_after > :now order by created_at desc")
                .param("now", java.sql.Timestamp.from(now))
                .query((rs, n) -> new Row(rs.getString(1), rs.getBytes(2), rs.getBoolean(3))).list();
        if (rows.stream().allMatch(Row::superseded)) {
            ensureCurrentKey();
            return read(now);
        }
        List<JWK> keys = new ArrayList<>();
        RSAKey current = null;
        for (Row row : rows) {
            try {
                RSAKey key = RSAKey.parse(new String(encryptor.decrypt(row.privateJwk()), StandardCharsets.UTF_8));
                keys.add(key);
                if (current == null && !row.superseded()) {
                    current = key;
                }
            } catch (ParseException | IllegalStateException e) {
                throw new IllegalStateException("The signing key " + row.kid() + " cannot be decrypted: is tilldela.sso.key-encryption-key "
                        + "(or the data directory's secrets/sso-key-encryption.key) the one it was made with?", e);
            }
        }
        return new Snapshot(now, current, new JWKSet(keys));
    }
}
