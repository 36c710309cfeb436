package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.authn.SamlResponse;
import com.onelogin.saml2.http.HttpRequest;
import com.onelogin.saml2.settings.IdPMetadataParser;
import com.onelogin.saml2.settings.Metadata;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.util.HtmlUtils;

/**
 * What the SAML tests share: a supplier's service provider played by OneLogin's java-saml (an implementation
 * independent of Keycloak's, which the IdP is built on) — it reads Tilldela's IdP metadata, makes the
 * AuthnRequests, publishes the metadata Tilldela registers, and validates the Responses.
 */
abstract class SamlTestSupport extends SignInTestSupport {

    @Autowired
    SamlServiceProviders samlProviders;

    /** One SP: its java-saml settings, its key, and the ACS it posts to. */
    record Sp(Saml2Settings settings, KeyPair key, X509Certificate certificate, String entityId, String acs) {
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static X509Certificate selfSigned(KeyPair pair, String cn) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    }

    /** java-saml's settings for an SP: the IdP side read from Tilldela's published metadata; strict validation, signed assertions wanted. */
    Sp sp(String entityId, String acs, boolean signsRequests, KeyPair key, X509Certificate certificate) throws Exception {
        return sp(entityId, acs, signsRequests, key, certificate, Map.of());
    }

    /** {@code more}: further java-saml settings (e.g. wanting encrypted assertions, a Single Logout service). */
    Sp sp(String entityId, String acs, boolean signsRequests, KeyPair key, X509Certificate certificate, Map<String, Object> more) throws Exception {
        Map<String, Object> values = new HashMap<>(IdPMetadataParser.parseRemoteXML(new URL(baseUrl() + "/saml2/idp/metadata")));
        values.put(SettingsBuilder.STRICT_PROPERTY_KEY, true);
        values.put(SettingsBuilder.SP_ENTITYID_PROPERTY_KEY, entityId);
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_URL_PROPERTY_KEY, acs);
        values.put(SettingsBuilder.SP_X509CERT_PROPERTY_KEY, certificate);
        values.put(SettingsBuilder.SP_PRIVATEKEY_PROPERTY_KEY, key.getPrivate());
        values.put(SettingsBuilder.SECURITY_AUTHREQUEST_SIGNED, signsRequests);
        values.put(SettingsBuilder.SECURITY_WANT_ASSERTIONS_SIGNED, true);
        values.put(SettingsBuilder.SECURITY_SIGNATURE_ALGORITHM, Constants.RSA_SHA256);
        values.put(SettingsBuilder.SECURITY_REJECT_DEPRECATED_ALGORITHM, true);
        values.putAll(more);
        return new Sp(new SettingsBuilder().fromValues(values).build(), key, certificate, entityId, acs);
    }

    /** A new SP (its own entityID and ACS), registered for the fixture's product from the metadata java-saml publishes. */
    Sp registeredSp(boolean signsRequests) throws Exception {
        return registeredSp(signsRequests, Map.of(), metadata -> metadata);
    }

    /** {@code edit}: what the SP's published metadata becomes before Tilldela registers it. */
    Sp registeredSp(boolean signsRequests, Map<String, Object> more, java.util.function.UnaryOperator<String> edit) throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        KeyPair key = rsa();
        Map<String, Object> settings = new HashMap<>();
        more.forEach((k, v) -> settings.put(k, v instanceof String text ? text.replace("{sp}", "https://sp-" + tag + ".example") : v));
        Sp sp = sp("https://sp-" + tag + ".example/metadata", "https://sp-" + tag + ".example/acs", signsRequests, key, selfSigned(key, "sp-" + tag),
                settings);
        samlProviders.register(fixture.productId, edit.apply(new Metadata(sp.settings()).getMetadataString()), "test");
        return sp;
    }

    /** The SP's AuthnRequest as an HTTP-Redirect URL at Tilldela's SSO endpoint; signed (RSA-SHA256, §3.4.4.1) with {@code signer} if given. */
    URI redirectUrl(AuthnRequest request, String relayState, KeyPair signer) throws Exception {
        String query = "SAMLRequest=" + Util.urlEncoder(request.getEncodedAuthnRequest()) + "&RelayState=" + Util.urlEncoder(relayState);
        if (signer != null) {
            query += "&SigAlg=" + Util.urlEncoder(Constants.RSA_SHA256);
            query += "&Signature=" + Util.urlEncoder(Util.base64encoder(Util.sign(query, signer.getPrivate(), Constants.RSA_SHA256)));
        }
        return URI.create(baseUrl() + "/saml2/idp/sso?" + query);
    }

    /** What the auto-submitting page posts to the SP. */
    /** {@code form}: the form that goes to the SP, from its start tag to its end tag. */
    record Posted(String action, String samlResponse, String relayState, String page, String form) {
    }

    /**
     * The browser walk from the SP's AuthnRequest: Tilldela's SSO endpoint, the person's sign-in, the first-use notice
     * (read and continued), and the page that posts the Response to the SP.
     */
    Posted walk(URI ssoRequest, UUID person) throws Exception {
        browser = newBrowser();
        String username = "saml-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(person, username, PASSWORD, "test");
        HttpResponse<String> received = get(ssoRequest);
        assertThat(received.statusCode()).as(received.body()).isEqualTo(302);
        URI continued = location(received, baseUrl());
        assertThat(continued.getPath()).isEqualTo("/saml2/idp/continue");
        URI signIn = location(get(continued), baseUrl());
        assertThat(signIn.getPath()).isEqualTo("/sign-in");
        URI back = location(postSignIn(browser, username, PASSWORD), baseUrl());
        assertThat(back).isEqualTo(continued);
        return pastSamlNotice(continued);
    }

    /** Follows a continuation; on a first sign-in reads the notice and sends its form. */
    Posted pastSamlNotice(URI continued) throws Exception {
        HttpResponse<String> page = get(continued);
        assertThat(page.statusCode()).isEqualTo(200);
        if (page.body().contains("action=\"/saml2/idp/continue/notice\"")) {
            lastNotice = page.body();
            String form = "key=" + URLEncoder.encode(hidden(page.body(), "key"), StandardCharsets.UTF_8) + "&_csrf="
                    + URLEncoder.encode(hidden(page.body(), "_csrf"), StandardCharsets.UTF_8);
            HttpResponse<String> onward = browser.send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/saml2/idp/continue/notice"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(onward.statusCode()).isEqualTo(302);
            assertThat(location(onward, baseUrl())).isEqualTo(continued);
            page = get(continued);
            assertThat(page.statusCode()).isEqualTo(200);
        }
        return posted(page.body());
    }

    static Posted posted(String page) {
        Matcher form = Pattern.compile("<form[^>]*action=\"([^\"]+)\"[^>]*>\\s*<input type=\"hidden\" name=\"SAMLResponse\".*?</form>", Pattern.DOTALL)
                .matcher(page);
        assertThat(form.find()).as(page).isTrue();
        return new Posted(HtmlUtils.htmlUnescape(form.group(1)), hidden(page, "SAMLResponse"), hiddenOrNull(page, "RelayState"), page, form.group());
    }

    static String hidden(String page, String name) {
        String value = hiddenOrNull(page, name);
        assertThat(value).as("hidden field " + name).isNotNull();
        return value;
    }

    static String hiddenOrNull(String page, String name) {
        Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"").matcher(page);
        return m.find() ? HtmlUtils.htmlUnescape(m.group(1)) : null;
    }

    /** java-saml reads the Response as the SP's ACS received it. */
    static SamlResponse received(Sp sp, Posted posted) throws Exception {
        return new SamlResponse(sp.settings(), new HttpRequest(sp.acs()).addParameter("SAMLResponse", posted.samlResponse()));
    }

    static String decoded(Posted posted) {
        return new String(Base64.getDecoder().decode(posted.samlResponse()), StandardCharsets.UTF_8);
    }
}
