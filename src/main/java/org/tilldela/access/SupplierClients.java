package org.tilldela.access;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/** API credentials of suppliers' systems: a client id and a secret shown once, kept only as a hash. */
@Service
public class SupplierClients {

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    /**
     * How a secret is kept: as its SHA-256 digest. The secret is 192 random bits Tilldela made, not a person's password, so
     * nothing can be guessed from a fast digest, and a slow one (bcrypt, about 60 ms of a core) would be paid on every API
     * call — a supplier reporting usage sends several reports a second. Secrets kept as bcrypt hashes before still sign in,
     * and are kept as digests from their next sign-in on ({@link SupplierApiSecurity}).
     */
    private final PasswordEncoder passwords = new DelegatingPasswordEncoder(RandomSecretDigest.ID,
            Map.of(RandomSecretDigest.ID, new RandomSecretDigest(), "bcrypt", new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder()));

    SupplierClients(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    public record Credentials(String clientId, String secret) {
    }

    public record Client(String clientId, UUID supplierId, boolean enabled) {
    }

    /** Creates credentials for a supplier's system; the secret is in the answer and nowhere else. */
    @Transactional
    public Credentials create(UUID supplierId, String actor) {
        byte[] random = new byte[24];
        SecureRandom rng = new SecureRandom();
        rng.nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String clientId = "supplier-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("insert into supplier_api_client (client_id, supplier_id, secret_hash, created_by) values (:c, :s, :h, :a)")
                .param("c", clientId).param("s", supplierId).param("h", passwords.encode(secret)).param("a", actor).update();
        audit.record(actor, "SUPPLIER_API_CLIENT_CREATED", "supplier", supplierId.toString(), Map.of("client", clientId));
        return new Credentials(clientId, secret);
    }

    @Transactional
    public void disable(String clientId, String actor) {
        UUID supplier = jdbc.sql("update supplier_api_client set enabled = false where client_id = :c returning supplier_id").param("c", clientId)
                .query(UUID.class).optional().orElseThrow(() -> new DataAccessRefused("No API client " + clientId + "."));
        audit.record(actor, "SUPPLIER_API_CLIENT_DISABLED", "supplier", supplier.toString(), Map.of("client", clientId));
    }

    public List<Client> ofSupplier(UUID supplierId) {
        return jdbc.sql("select client_id, supplier_id, enabled from supplier_api_client where supplier_id = :s order by created_at")
                .param("s", supplierId).query((rs, n) -> new Client(rs.getString(1), rs.getObject(2, UUID.class), rs.getBoolean(3))).list();
    }

    public Optional<Client> client(String clientId) {
        return jdbc.sql("select client_id, supplier_id, enabled from supplier_api_client where client_id = :c").param("c", clientId)
                .query((rs, n) -> new Client(rs.getString(1), rs.getObject(2, UUID.class), rs.getBoolean(3))).optional();
    }

    /**
     * The supplier a signed-in API client acts for (the supplier door's principal name is the client id);
     * empty when the client is unknown or disabled.
     */
    public Optional<UUID> supplierOf(String clientId) {
        return client(clientId).filter(Client::enabled).map(Client::supplierId);
    }

    /** The stored hash, for the supplier API's sign-in only. */
    Optional<String> secretHash(String clientId) {
        return jdbc.sql("select secret_hash from supplier_api_client where client_id = :c and enabled").param("c", clientId).query(String.class).optional();
    }

    /** A secret kept in an older way is kept as {@code encoded} from now on (after it signed in). */
    @Transactional
    void rehash(String clientId, String encoded) {
        jdbc.sql("update supplier_api_client set secret_hash = :h where client_id = :c").param("h", encoded).param("c", clientId).update();
    }

    /** A random secret's SHA-256 digest, compared in constant time: enough for 192 random bits (see {@link #passwords}). */
    static final class RandomSecretDigest implements PasswordEncoder {

        static final String ID = "sha256";

        @Override
        public String encode(CharSequence raw) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(raw.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            return raw != null && encoded != null && java.security.MessageDigest.isEqual(encode(raw).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    encoded.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    PasswordEncoder passwordEncoder() {
        return passwords;
    }
}
