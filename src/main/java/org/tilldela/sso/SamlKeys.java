package org.tilldela.sso;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.encrypt.AesBytesEncryptor;
import org.springframework.security.crypto.encrypt.BytesEncryptor;
import org.springframework.security.crypto.keygen.KeyGenerators;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SAML identity provider's signing key: RSA-2048 with a self-signed certificate (SAML metadata carries
 * certificates; SPs trust the one in Tilldela's metadata, not a CA). Kept in PostgreSQL as {@link SigningKeys}
 * keeps the OpenID provider's keys, so every node signs with the same key: the private key encrypted with
 * AES-256-GCM under the key that is not in the database.
 */
class SamlKeys {

    /** What signs assertions and metadata now. */
    record Current(KeyPair keyPair, X509Certificate certificate, String keyName) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BytesEncryptor encryptor;
    private final Clock clock;
    private volatile Current current;

    SamlKeys(JdbcClient jdbc, TransactionTemplate tx, byte[] keyEncryptionKey, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.encryptor = new AesBytesEncryptor(new SecretKeySpec(keyEncryptionKey, "AES"), KeyGenerators.secureRandom(12),
                AesBytesEncryptor.CipherAlgorithm.GCM);
        this.clock = clock;
    }

    Current current() {
        Current c = current;
        if (c == null) {
            c = load();
            current = c;
        }
        return c;
    }

    private synchronized Current load() {
        return tx.execute(status -> {
            // nodes starting together must not each make a key: one does, under a lock, the others find it
            jdbc.sql("select pg_advisory_xact_lock(hashtext('sso_saml_signing_key'))").query().singleRow();
            record Row(UUID id, byte[] certificate, byte[] privateKey) {
            }
            Row row = jdbc.sql("select id, certificate, private_key from sso_saml_signing_key order by created_at desc limit 1")
                    .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getBytes(2), rs.getBytes(3))).optional().orElse(null);
            try {
                if (row == null) {
                    return generate();
                }
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(row.certificate()));
                PrivateKey key;
                try {
                    key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encryptor.decrypt(row.privateKey())));
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("The SAML signing key cannot be decrypted: is tilldela.sso.key-encryption-key "
                            + "(or the data directory's secrets/sso-key-encryption.key) the one it was made with?", e);
                }
                return new Current(new KeyPair(certificate.getPublicKey(), key), certificate, row.id().toString());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("The SAML signing key cannot be read.", e);
            }
        });
    }

    private Current generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Instant now = clock.instant();
        X500Name name = new X500Name("CN=Tilldela SAML IdP");
        X509Certificate certificate;
        try {
            certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new java.security.SecureRandom()).abs().add(BigInteger.ONE), Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(3650, ChronoUnit.DAYS)), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(e);
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into sso_saml_signing_key (id, certificate, private_key, created_at) values (:id, :cert, :key, :now)")
                .param("id", id).param("cert", certificate.getEncoded()).param("key", encryptor.encrypt(pair.getPrivate().getEncoded()))
                .param("now", java.sql.Timestamp.from(now)).update();
        return new Current(pair, certificate, id.toString());
    }
}
