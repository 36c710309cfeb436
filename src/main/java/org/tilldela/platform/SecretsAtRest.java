package org.tilldela.platform;

import java.nio.charset.StandardCharsets;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.crypto.encrypt.AesBytesEncryptor;
import org.springframework.security.crypto.encrypt.BytesEncryptor;
import org.springframework.security.crypto.keygen.KeyGenerators;

/**
 * Secrets Tilldela must read back — an upstream provider's client secret, a sign-in on its way through one, a
 * supplier's SCIM bearer token or client secret —
 * encrypted at rest as the signing keys are (AES-256-GCM, Spring Security Crypto), with the key that is not in
 * the database ({@code tilldela.sso.key-encryption-key}, or the data directory's generated one). A copy of the
 * database alone reveals none of them.
 */
public final class SecretsAtRest {

    private final BytesEncryptor encryptor;

    public SecretsAtRest(byte[] keyEncryptionKey) {
        this.encryptor = new AesBytesEncryptor(new SecretKeySpec(keyEncryptionKey, "AES"), KeyGenerators.secureRandom(12),
                AesBytesEncryptor.CipherAlgorithm.GCM);
    }

    public byte[] encrypt(String plain) {
        return encryptor.encrypt(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Fails (IllegalStateException) when the value was encrypted under another key or was tampered with. */
    public String decrypt(byte[] encrypted) {
        return new String(encryptor.decrypt(encrypted), StandardCharsets.UTF_8);
    }
}
