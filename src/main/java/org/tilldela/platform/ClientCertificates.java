package org.tilldela.platform;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Mutual TLS for an outbound HTTP client (a provisioning connector, an import source): the client certificate and
 * private key an administrator gave (PEM, read by Bouncy Castle's PEM parser), checked to belong together, and the
 * TLS context the client presents them with — trusting the JDK's CAs, or only the CA certificates given for the
 * other end's server (a federation's CA, as EGIL suppliers in Skolfederation use, or a school system's own CA).
 */
public final class ClientCertificates {

    /** Why given PEM was refused; each module says it in its own words (and languages) if it likes. */
    public enum Problem { CERTIFICATE_UNREADABLE, NO_CERTIFICATE, KEY_UNREADABLE, NO_KEY, NOT_VALID_TODAY, KEY_NOT_THE_CERTIFICATES, CA_UNREADABLE, NO_CA }

    /** Given PEM was refused: the message in English, never quoting the PEM. */
    public static final class RefusedException extends IllegalArgumentException {
        private final Problem problem;

        RefusedException(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }

        /** The message saying it in the reader's language (i18n/messages: certificate.problem.*), for every form that takes PEM. */
        public String messageKey() {
            return "certificate.problem." + problem;
        }
    }

    private ClientCertificates() {
    }

    /** A certificate chain (the client's first) and its private key, refused unless they belong together and are valid today. */
    public static void check(String certificatePem, String keyPem) {
        List<X509Certificate> chain = certificates(certificatePem, "clientCertificate");
        if (chain.isEmpty()) {
            throw new RefusedException(Problem.NO_CERTIFICATE, "clientCertificate holds no certificate (PEM: -----BEGIN CERTIFICATE-----).");
        }
        PrivateKey key = privateKey(keyPem);
        X509Certificate leaf = chain.getFirst();
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new RefusedException(Problem.NOT_VALID_TODAY, "The client certificate is not valid today (valid " + leaf.getNotBefore().toInstant() + " to "
                    + leaf.getNotAfter().toInstant() + ").");
        }
        if (!belongTogether(key, leaf)) {
            throw new RefusedException(Problem.KEY_NOT_THE_CERTIFICATES, "The private key (clientKey) is not the client certificate's.");
        }
    }

    /** CA certificates (PEM) as given, checked to be certificates; answers them stripped. */
    public static String checkedCaCertificates(String pem) {
        if (certificates(pem, "serverCa").isEmpty()) {
            throw new RefusedException(Problem.NO_CA, "serverCa holds no certificate (PEM: -----BEGIN CERTIFICATE-----).");
        }
        return pem.strip();
    }

    /**
     * The TLS context of a connector's HTTP client: its client certificate and key when given (else none), and the
     * given CA certificates as the only trusted ones for the supplier's server when given (else the JDK's).
     */
    public static SSLContext context(String certificatePem, String keyPem, String serverCaPem) {
        try {
            KeyManagerFactory keys = null;
            if (certificatePem != null && keyPem != null) {
                // an in-memory key store only: the key never touches a file
                char[] password = new char[0];
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", privateKey(keyPem), password,
                        certificates(certificatePem, "clientCertificate").toArray(X509Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, password);
            }
            TrustManagerFactory trust = null;
            if (serverCaPem != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(serverCaPem, "serverCa")) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the connector's TLS context could not be made: " + e.getClass().getSimpleName(), e);
        }
    }

    private static List<X509Certificate> certificates(String pem, String field) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new RefusedException(field.equals("serverCa") ? Problem.CA_UNREADABLE : Problem.CERTIFICATE_UNREADABLE, field + " is not a PEM certificate: " + e.getClass().getSimpleName() + ".");
        }
        return certificates;
    }

    private static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info); // PKCS#8
                }
                if (o instanceof PEMKeyPair pair) {
                    // PKCS#1 (RSA) or SEC1 (EC); the private part only, as SEC1 keys need not carry their public key
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            }
        } catch (IOException | RuntimeException e) {
            // never the parser's message: it may quote the key
            throw new RefusedException(Problem.KEY_UNREADABLE, "clientKey is not a PEM private key: " + e.getClass().getSimpleName() + ".");
        }
        throw new RefusedException(Problem.NO_KEY, "clientKey holds no unencrypted private key (PEM: -----BEGIN PRIVATE KEY-----, RSA or EC).");
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && certificate.getPublicKey().getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
