package org.tilldela.sso;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Client secrets Tilldela generates itself: 256 random bits, so a slow password hash (bcrypt, Argon2) adds
 * nothing against guessing and costs ~100 ms of CPU on every token request. They are stored as SHA-256
 * ({@code {sha256}…}) and compared in constant time; secrets a person chose would need a slow hash, which
 * is why these are never chosen by a person. Older {@code {bcrypt}} hashes still verify.
 */
final class HighEntropySecrets implements PasswordEncoder {

    static final String ID = "sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private HighEntropySecrets() {
    }

    /** The encoder for client secrets: new ones as SHA-256, bcrypt ones still accepted. */
    static PasswordEncoder encoder() {
        DelegatingPasswordEncoder encoder = new DelegatingPasswordEncoder(ID, Map.of(ID, new HighEntropySecrets(), "bcrypt", new BCryptPasswordEncoder()));
        return encoder;
    }

    static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String encode(CharSequence raw) {
        return sha256Hex(raw);
    }

    /** SHA-256 of a generated secret, hex: what is stored of it (client secrets, sign-in card tokens). */
    static String sha256Hex(CharSequence raw) {
        return HexFormat.of().formatHex(digest(raw));
    }

    @Override
    public boolean matches(CharSequence raw, String encoded) {
        if (raw == null || encoded == null) {
            return false;
        }
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(encoded);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(digest(raw), expected);
    }

    private static byte[] digest(CharSequence raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
