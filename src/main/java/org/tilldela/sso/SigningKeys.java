package org.tilldela.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Two keys sign at any time: an RSA key (RS256) for ID tokens — the algorithm every OpenID Connect client
 * must be able to verify, and the one discovery names — and an EC P-256 key (ES256) for access tokens, whose
 * signature costs the provider a fraction of an RSA-2048 one on every token request (see README, "Tokens").
 *
 * <p>Rotation: {@link #rotate()} makes a new key of each algorithm, which signs from then on; a key it supersedes stays in
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

    /** The algorithms the provider signs with, and what it signs with each. */
    static final JWSAlgorithm ID_TOKENS = JWSAlgorithm.RS256;
    static final JWSAlgorithm ACCESS_TOKENS = JWSAlgorithm.ES256;
    private static final List<JWSAlgorithm> ALGORITHMS = List.of(ID_TOKENS, ACCESS_TOKENS);

    /** What the keys were at one moment: the ones that sign (one per algorithm), and every one still published. */
    private record Snapshot(Instant readAt, JWKSet current, JWKSet published) {
    }

    /** Every key a relying party may meet in a token that has not expired (the JWKS endpoint shows their public halves). */
    JWKSource<SecurityContext> published() {
        return (JWKSelector selector, SecurityContext context) -> selector.select(snapshot().published());
    }

    /** Only the keys that sign now, one per algorithm, so the token encoder never has to choose between keys of one type. */
    JWKSource<SecurityContext> current() {
        return (JWKSelector selector, SecurityContext context) -> selector.select(snapshot().current());
    }

    /** The key ids a rotation made: the new ID-token key and the new access-token key. */
    record Rotation(String idTokenKid, String accessTokenKid) {
    }

    /** New signing keys; the ones before them stay published until their tokens have expired. */
    Rotation rotate() {
        Rotation rotation = tx.execute(status -> {
            lock();
            return new Rotation(insertNewKey(ID_TOKENS), insertNewKey(ACCESS_TOKENS));
        });
        snapshot = null;
        return rotation;
    }

    /** Nodes starting together must not each make a first key: one does, under a lock, the others find it. */
    private void ensureCurrentKey() {
        tx.executeWithoutResult(status -> {
            lock();
            for (JWSAlgorithm algorithm : ALGORITHMS) {
                if (jdbc.sql("select count(*) from sso_signing_key where superseded_at is null and algorithm = :a").param("a", algorithm.getName())
                        .query(Integer.class).single() == 0) {
                    insertNewKey(algorithm);
                }
            }
        });
    }

    private void lock() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('sso_signing_key'))").query().singleRow();
    }

    private String insertNewKey(JWSAlgorithm algorithm) {
        Instant now = clock.instant();
        String kid = UUID.randomUUID().toString();
        JWK key;
        try {
            key = ID_TOKENS.equals(algorithm)
                    ? new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm).generate()
                    : new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("could not generate a signing key", e);
        }
        jdbc.sql("update sso_signing_key set superseded_at = :now, retire_after = :retire where superseded_at is null and algorithm = :a")
                .param("now", java.sql.Timestamp.from(now)).param("retire", java.sql.Timestamp.from(now.plus(longestTokenLifetime)))
                .param("a", algorithm.getName()).update();
        jdbc.sql("insert into sso_signing_key (kid, algorithm, public_jwk, private_jwk, created_at) values (:kid, :a, :pub, :priv, :now)")
                .param("kid", kid).param("a", algorithm.getName()).param("pub", key.toPublicJWK().toJSONString())
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
        record Row(String kid, String algorithm, byte[] privateJwk, boolean superseded) {
        }
        List<Row> rows = jdbc.sql("select kid, algorithm, private_jwk, superseded_at is not null superseded from sso_signing_key "
                        + "where retire_after is null or retire_after > :now order by created_at desc")
                .param("now", java.sql.Timestamp.from(now))
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBoolean(4))).list();
        // a database from before access tokens had their own key has an RSA key only: the EC key is made here, once
        if (!ALGORITHMS.stream().allMatch(a -> rows.stream().anyMatch(r -> !r.superseded() && r.algorithm().equals(a.getName())))) {
            ensureCurrentKey();
            return read(now);
        }
        List<JWK> keys = new ArrayList<>();
        Map<String, JWK> current = new LinkedHashMap<>();
        for (Row row : rows) {
            try {
                JWK key = JWK.parse(new String(encryptor.decrypt(row.privateJwk()), StandardCharsets.UTF_8));
                keys.add(key);
                if (!row.superseded()) {
                    current.putIfAbsent(row.algorithm(), key);
                }
            } catch (ParseException | IllegalStateException e) {
                throw new IllegalStateException("The signing key " + row.kid() + " cannot be decrypted: is tilldela.sso.key-encryption-key "
                        + "(or the data directory's secrets/sso-key-encryption.key) the one it was made with?", e);
            }
        }
        return new Snapshot(now, new JWKSet(List.copyOf(current.values())), new JWKSet(keys));
    }
}
