package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * What an incoming AuthnRequest must not get past: an ACS URL not in the SP's metadata, a replay, a missing or
 * foreign signature where the SP's metadata says it signs, signature wrapping, and XML with a DTD (external
 * entities, billion laughs). Each refused request leaves no sign-in waiting.
 */
class SamlSecurityTest extends SamlTestSupport {

    private int pending() {
        return jdbc.sql("select count(*) from sso_saml_pending").query(Integer.class).single();
    }

    private void assertRefused(HttpResponse<String> response, int pendingBefore) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("could not be accepted");
        assertThat(pending()).isEqualTo(pendingBefore);
    }

    private HttpResponse<String> post(String samlRequestXml) throws Exception {
        String form = "SAMLRequest=" + URLEncoder.encode(Base64.getEncoder().encodeToString(samlRequestXml.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8) + "&RelayState=r";
        return browser.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/saml2/idp/sso")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAcsUrlNotInTheMetadataIsRefused() throws Exception {
        Sp sp = registeredSp(true);
        Sp elsewhere = sp(sp.entityId(), "https://angripare.example/acs", true, sp.key(), sp.certificate());
        int before = pending();
        assertRefused(get(redirectUrl(new AuthnRequest(elsewhere.settings()), "r", sp.key())), before);
        // the same SP with its own ACS goes through
        assertThat(get(redirectUrl(new AuthnRequest(sp.settings()), "r", sp.key())).statusCode()).isEqualTo(302);
    }

    @Test
    void aReplayedAuthnRequestIsRefused() throws Exception {
        Sp sp = registeredSp(true);
        URI once = redirectUrl(new AuthnRequest(sp.settings()), "r", sp.key());
        assertThat(get(once).statusCode()).isEqualTo(302);
        int before = pending();
        assertRefused(get(once), before);
    }

    @Test
    void anSpThatSignsMustSignAndWithItsOwnKey() throws Exception {
        Sp sp = registeredSp(true);
        int before = pending();
        assertRefused(get(redirectUrl(new AuthnRequest(sp.settings()), "r", null)), before);
        KeyPair stranger = rsa();
        assertRefused(get(redirectUrl(new AuthnRequest(sp.settings()), "r", stranger)), before);
        // a valid signature, but over another RelayState than the one sent
        URI signed = redirectUrl(new AuthnRequest(sp.settings()), "r", sp.key());
        assertRefused(get(URI.create(signed.toString().replace("RelayState=r", "RelayState=s"))), before);
    }

    @Test
    void httpPostAuthnRequestsAreCheckedAgainstTheEnvelopedSignature() throws Exception {
        Sp sp = registeredSp(true);
        String xml = new AuthnRequest(sp.settings()).getAuthnRequestXml();
        String signed = Util.addSign(Util.loadXML(xml), sp.key().getPrivate(), sp.certificate(), Constants.RSA_SHA256, Constants.SHA256);
        int before = pending();
        assertRefused(post(xml), before);
        // signature wrapping: the signed request kept (moved into an Extensions element), a different one outside it
        String wrapped = signed.replaceFirst("(<samlp:AuthnRequest[^>]*?)ID=\"([^\"]+)\"", "$1ID=\"_evil\"");
        assertRefused(post(wrapped), before);
        HttpResponse<String> accepted = post(signed);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(302);
        assertThat(pending()).isEqualTo(before + 1);
    }

    @Test
    void anExternalEntityIsNeverResolved() throws Exception {
        Sp sp = registeredSp(false);
        String xml = new AuthnRequest(sp.settings()).getAuthnRequestXml();
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + xml.replaceFirst("(<saml:Issuer>)([^<]+)(</saml:Issuer>)", "$1$2&xxe;$3");
        int before = pending();
        HttpResponse<String> response = post(xxe);
        assertRefused(response, before);
        assertThat(response.body()).doesNotContain("root:");
    }

    @Test
    void aBillionLaughsIsRefusedWithoutExpandingIt() throws Exception {
        Sp sp = registeredSp(false);
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE samlp:AuthnRequest [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        String xml = new AuthnRequest(sp.settings()).getAuthnRequestXml();
        int before = pending();
        long started = System.nanoTime();
        assertRefused(post(dtd + xml.replaceFirst("(<saml:Issuer>[^<]+)(</saml:Issuer>)", "$1&lol9;$2")), before);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
    }

    @Test
    void metadataWithADtdIsRefusedAtRegistration() {
        String metadata = "<?xml version=\"1.0\"?><!DOCTYPE md:EntityDescriptor [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"https://xxe.example/&xxe;\">"
                + "<md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                + "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://xxe.example/acs\" index=\"0\"/>"
                + "</md:SPSSODescriptor></md:EntityDescriptor>";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> samlProviders.register(fixture.productId, metadata, "test"))
                .isInstanceOf(SignInClientRefused.class);
        assertThat(jdbc.sql("select count(*) from sso_saml_sp where entity_id like 'https://xxe.example/%'").query(Integer.class).single()).isZero();
    }

    @Test
    void aDeflateBombInARedirectIsRefused() throws Exception {
        Sp sp = registeredSp(false);
        String xml = new AuthnRequest(sp.settings()).getAuthnRequestXml();
        // 4 MB of whitespace inside the request deflates to a few kilobytes (a URL short enough to be read)
        String bomb = xml.replaceFirst("<saml:Issuer>", " ".repeat(4 * 1024 * 1024) + "<saml:Issuer>");
        java.io.ByteArrayOutputStream deflated = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream out = new java.util.zip.DeflaterOutputStream(deflated,
                new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true))) {
            out.write(bomb.getBytes(StandardCharsets.UTF_8));
        }
        int before = pending();
        assertThat(deflated.size()).isLessThan(8 * 1024);
        assertRefused(get(URI.create(baseUrl() + "/saml2/idp/sso?SAMLRequest="
                + URLEncoder.encode(Base64.getEncoder().encodeToString(deflated.toByteArray()), StandardCharsets.UTF_8))), before);
    }
}
