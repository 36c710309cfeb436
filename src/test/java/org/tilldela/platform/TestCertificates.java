package org.tilldela.platform;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and certificates made in the test with Bouncy Castle's certificate builder (EC P-256
 * keys from the JDK), for a TLS server that requires client certificates and for clients that have (or lack) one.
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A key pair with its certificate (chain: this certificate, then the CA's). */
    public record Issued(KeyPair keys, X509Certificate certificate, X509Certificate ca) {

        public String certificatePem() {
            return pem(certificate);
        }

        /** The private key as PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} writes). */
        public String keyPem() {
            try {
                return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null));
            } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate authority that signs server and client certificates. */
    public static final class Authority {
        final KeyPair keys;
        final X509Certificate certificate;

        public Authority(String name) throws Exception {
            keys = ecKeys();
            X500Name subject = new X500Name("CN=" + name + ", O=Tilldela test");
            var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(2))), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        }

        public String pem() {
            return TestCertificates.pem(certificate);
        }

        /** A TLS server certificate for the loopback address. */
        public Issued server() throws Exception {
            return issue("CN=127.0.0.1", KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        }

        /** A TLS client certificate. */
        public Issued client(String name) throws Exception {
            return issue("CN=" + name + ", O=Tilldela test", KeyPurposeId.id_kp_clientAuth, null);
        }

        private Issued issue(String subject, KeyPurposeId purpose, GeneralNames names) throws Exception {
            KeyPair subjectKeys = ecKeys();
            var builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(1))), new X500Name(subject), subjectKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            X509Certificate issued = new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(keys.getPrivate())));
            return new Issued(subjectKeys, issued, certificate);
        }
    }

    /** A server's TLS context: its certificate, and the CAs whose client certificates it accepts. */
    public static SSLContext serverContext(Issued server, Authority... trustedClientCas) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", server.keys().getPrivate(), password, new X509Certificate[] {server.certificate(), server.ca()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < trustedClientCas.length; i++) {
            trusted.setCertificateEntry("ca-" + i, trustedClientCas[i].certificate);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return context;
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
    }

    public static String pem(Object value) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
