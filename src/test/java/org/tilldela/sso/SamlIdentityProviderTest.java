package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.authn.SamlResponse;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.keycloak.saml.common.util.DocumentUtil;
import org.w3c.dom.Document;

/**
 * Tilldela as SAML identity provider, against OneLogin's java-saml as the supplier's service provider: the SP
 * makes a signed AuthnRequest (HTTP-Redirect), the pupil signs in and reads the first-use notice, and the SP
 * validates Tilldela's Response (signature, audience, recipient, InResponseTo, times) and reads its attributes;
 * the ledger has the release over the SAML channel.
 */
class SamlIdentityProviderTest extends SamlTestSupport {

    @Test
    void theIdpMetadataIsSignedWithTheCertificateItPublishes() throws Exception {
        HttpResponse<String> metadata = get(URI.create(baseUrl() + "/saml2/idp/metadata"));
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/samlmetadata+xml");
        Document document = DocumentUtil.getDocument(metadata.body());
        String published = document.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "X509Certificate").item(0).getTextContent()
                .replaceAll("\\s+", "");
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(published)));
        document.getDocumentElement().setIdAttribute("ID", true);
        // java-saml checks the enveloped signature over the EntityDescriptor against that certificate
        assertThat(com.onelogin.saml2.util.Util.validateSign(document, certificate, null, null, "/md:EntityDescriptor/ds:Signature")).isTrue();
        assertThat(metadata.body()).contains("entityID=\"" + baseUrl() + "/saml2/idp/metadata\"")
                .contains("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
        // stable: the same key next time
        assertThat(get(URI.create(baseUrl() + "/saml2/idp/metadata")).body()).contains(published);
    }

    @Test
    void javaSamlSignsInAPupilAndValidatesTheSignedAssertion() throws Exception {
        Sp sp = registeredSp(true);
        UUID pupil = fixture.persons.get(11);
        AuthnRequest request = new AuthnRequest(sp.settings());
        Posted posted = walk(redirectUrl(request, "/lektion/7", sp.key()), pupil);

        assertThat(lastNotice).as("the first-use notice, as for OpenID Connect").contains("Digital matematik");
        assertThat(posted.action()).isEqualTo(sp.acs());
        assertThat(posted.relayState()).isEqualTo("/lektion/7");
        assertThat(posted.form()).as("no CSRF token of ours goes to the supplier").doesNotContain("_csrf");
        SamlResponse response = received(sp, posted);
        assertThat(response.isValid(request.getId())).as(String.valueOf(response.getError())).isTrue();
        assertThat(response.getAudiences()).containsExactly(sp.entityId());
        assertThat(response.getNameIdFormat()).isEqualTo("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
        String pseudonym = response.getNameId();
        assertThat(pseudonym).isNotBlank().isNotEqualTo(pupil.toString());
        Map<String, List<String>> attributes = response.getAttributes();
        assertThat(attributes.get("urn:oid:1.3.6.1.4.1.5923.1.1.1.6")).singleElement().asString().startsWith(pseudonym + "@");
        assertThat(attributes.get("urn:oid:1.3.6.1.4.1.5923.1.1.1.9")).contains("student@" + attributes.get("urn:oid:1.3.6.1.4.1.5923.1.1.1.6")
                .getFirst().substring(pseudonym.length() + 1));
        // no agreement: MINIMAL only, so no names and no mail
        assertThat(attributes).doesNotContainKeys("urn:oid:2.5.4.42", "urn:oid:2.5.4.4", "urn:oid:2.16.840.1.113730.3.1.241", "urn:oid:0.9.2342.19200300.100.1.3");
        String xml = decoded(posted);
        assertThat(xml).as("an SP without an encryption key gets the signed assertion as it is").contains(":Assertion ")
                .doesNotContain("EncryptedAssertion");
        assertThat(xml).contains("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256").contains("InResponseTo=\"" + request.getId() + "\"")
                .contains("Recipient=\"" + sp.acs() + "\"").contains("NotBefore=").contains("NotOnOrAfter=");
        assertThat(jdbc.sql("select count(*) from disclosure where person_id = :p and product_id = :product and channel = 'SSO_SAML'")
                .param("p", pupil).param("product", fixture.productId).query(Integer.class).single()).isEqualTo(1);

        // a second sign-in: no notice any more, the same pseudonym
        AuthnRequest again = new AuthnRequest(sp.settings());
        lastNotice = null;
        Posted second = walk(redirectUrl(again, "x", sp.key()), pupil);
        assertThat(lastNotice).isNull();
        SamlResponse secondResponse = received(sp, second);
        assertThat(secondResponse.isValid(again.getId())).as(String.valueOf(secondResponse.getError())).isTrue();
        assertThat(secondResponse.getNameId()).isEqualTo(pseudonym);
    }

    @Test
    void anSpPublishingAnEncryptionKeyGetsTheSignedAssertionEncryptedToIt() throws Exception {
        // java-saml's metadata then carries a KeyDescriptor use="encryption"; the SP holds the private key and wants assertions encrypted
        Sp sp = registeredSp(true, Map.of(com.onelogin.saml2.settings.SettingsBuilder.SECURITY_WANT_ASSERTIONS_ENCRYPTED, true), m -> m);
        assertThat(samlProviders.find(sp.entityId()).orElseThrow().encryptionCertificates()).hasSize(1);
        AuthnRequest request = new AuthnRequest(sp.settings());
        Posted posted = walk(redirectUrl(request, "r", sp.key()), fixture.persons.get(14));
        String xml = decoded(posted);
        assertThat(xml).contains("EncryptedAssertion").doesNotContain(":Assertion ").doesNotContain("AttributeStatement")
                .contains("http://www.w3.org/2009/xmlenc11#aes256-gcm").contains("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
        SamlResponse response = received(sp, posted);
        // java-saml decrypts with the SP's key, then checks the assertion's signature (wantAssertionsSigned), audience, times
        assertThat(response.isValid(request.getId())).as(String.valueOf(response.getError())).isTrue();
        assertThat(response.getNameIdFormat()).isEqualTo("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
        assertThat(response.getAttributes().get("urn:oid:1.3.6.1.4.1.5923.1.1.1.6")).singleElement().asString().startsWith(response.getNameId() + "@");

        // an SP whose metadata lists only AES-128-CBC as what it decrypts gets that
        Sp cbc = registeredSp(false, Map.of(com.onelogin.saml2.settings.SettingsBuilder.SECURITY_WANT_ASSERTIONS_ENCRYPTED, true),
                m -> m.replaceFirst("(?s)(<md:KeyDescriptor use=\"encryption\">.*?</ds:KeyInfo>)",
                        "$1<md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/>"));
        assertThat(samlProviders.find(cbc.entityId()).orElseThrow().contentEncryption()).isEqualTo("http://www.w3.org/2001/04/xmlenc#aes128-cbc");
        AuthnRequest second = new AuthnRequest(cbc.settings());
        Posted inCbc = walk(redirectUrl(second, "r", null), fixture.persons.get(14));
        assertThat(decoded(inCbc)).contains("http://www.w3.org/2001/04/xmlenc#aes128-cbc").doesNotContain("aes256-gcm");
        SamlResponse cbcResponse = received(cbc, inCbc);
        assertThat(cbcResponse.isValid(second.getId())).as(String.valueOf(cbcResponse.getError())).isTrue();

        // a key the SP does not hold cannot read it: java-saml with another private key fails
        java.security.KeyPair other = rsa();
        Sp impostor = sp(sp.entityId(), sp.acs(), true, other, selfSigned(other, "other"),
                Map.of(com.onelogin.saml2.settings.SettingsBuilder.SECURITY_WANT_ASSERTIONS_ENCRYPTED, true));
        boolean readable;
        try {
            readable = received(impostor, posted).isValid(request.getId());
        } catch (Exception e) {
            readable = false;
        }
        assertThat(readable).isFalse();
    }

    @Test
    void underAnAgreementNamesAreReleasedButNeverAProtectedPersonsToAPrivateSupplier() throws Exception {
        UUID approved = agreements.file(fixture.supplierId, fixture.request(org.tilldela.access.AttributePackage.SMALL), "test").id();
        agreements.approve(approved, Set.of(), null, "test");
        try {
            Sp sp = registeredSp(false);
            AuthnRequest request = new AuthnRequest(sp.settings());
            SamlResponse named = received(sp, walk(redirectUrl(request, "r", null), fixture.persons.get(12)));
            assertThat(named.isValid(request.getId())).as(String.valueOf(named.getError())).isTrue();
            assertThat(named.getAttributes()).containsKeys("urn:oid:2.5.4.42", "urn:oid:2.5.4.4", "urn:oid:2.16.840.1.113730.3.1.241");

            assertThat(fixture.protectedPersons).isNotEmpty();
            AuthnRequest forProtected = new AuthnRequest(sp.settings());
            Posted posted = walk(redirectUrl(forProtected, "r", null), fixture.protectedPersons.getFirst());
            SamlResponse masked = received(sp, posted);
            assertThat(masked.isValid(forProtected.getId())).as(String.valueOf(masked.getError())).isTrue();
            assertThat(masked.getAttributes()).containsKey("urn:oid:1.3.6.1.4.1.5923.1.1.1.6")
                    .doesNotContainKeys("urn:oid:2.5.4.42", "urn:oid:2.5.4.4", "urn:oid:2.16.840.1.113730.3.1.241", "urn:oid:0.9.2342.19200300.100.1.3");
            String given = jdbc.sql("select given_name from person where id = :p").param("p", fixture.protectedPersons.getFirst()).query(String.class).single();
            assertThat(decoded(posted)).doesNotContain(given);
        } finally {
            agreements.revoke(approved, "test ends", "test");
        }
    }

    @Test
    void withoutALicenceThePersonSeesTheRefusalAndTheSpGetsRequestDenied() throws Exception {
        Sp sp = registeredSp(false);
        UUID unlicensed = jdbc.sql("""
                        select p.id from person p join enrolment e on e.person_id = p.id
                         where p.source = :s and p.protection = 'NONE' and p.id not in (:licensed) order by p.id limit 1""")
                .param("s", fixture.source).param("licensed", fixture.persons).query(UUID.class).single();
        AuthnRequest request = new AuthnRequest(sp.settings());
        Posted posted = walk(redirectUrl(request, "r", null), unlicensed);
        assertThat(posted.page()).contains("Digital matematik");
        assertThat(posted.form()).doesNotContain("_csrf");
        SamlResponse response = received(sp, posted);
        assertThat(response.isValid(request.getId())).isFalse();
        assertThat(response.getResponseStatus().getStatusCode()).isEqualTo("urn:oasis:names:tc:SAML:2.0:status:Responder");
        assertThat(response.getResponseStatus().getSubStatusCode()).isEqualTo("urn:oasis:names:tc:SAML:2.0:status:RequestDenied");
        assertThat(jdbc.sql("select count(*) from disclosure where person_id = :p and channel = 'SSO_SAML'").param("p", unlicensed)
                .query(Integer.class).single()).isZero();
    }

    @Test
    void theStartPageTileOpensTheProductByAnIdpInitiatedSignIn() throws Exception {
        UUID product = fixture.product(fixture.supplierId, Set.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID, org.tilldela.catalog.Attribute.ROLES,
                org.tilldela.catalog.Attribute.SCHOOL_UNIT, org.tilldela.catalog.Attribute.ORGANISATION));
        UUID pupil = fixture.persons.get(13);
        fixture.license(product, List.of(pupil));
        samlProviders.setOrganiserScope(fixture.organiserId, "exempel-kommun.se", "test");
        String tag = UUID.randomUUID().toString().substring(0, 8);
        java.security.KeyPair key = rsa();
        Sp sp = sp("https://sp-" + tag + ".example/metadata", "https://sp-" + tag + ".example/acs", false, key, selfSigned(key, tag));
        samlProviders.register(product, new com.onelogin.saml2.settings.Metadata(sp.settings()).getMetadataString(), "test");

        browser = newBrowser();
        String username = "saml-" + tag;
        accounts.setPassword(pupil, username, PASSWORD, "test");
        assertThat(location(postSignIn(browser, username, PASSWORD), baseUrl()).getPath()).isEqualTo("/start");
        String start = get(URI.create(baseUrl() + "/start")).body();
        java.util.regex.Matcher tile = java.util.regex.Pattern.compile("href=\"(/saml2/idp/initiate\\?sp=[^\"]+)\"").matcher(start);
        assertThat(tile.find()).as(start).isTrue();
        URI initiate = URI.create(baseUrl() + org.springframework.web.util.HtmlUtils.htmlUnescape(tile.group(1)));
        HttpResponse<String> started = get(initiate);
        assertThat(started.statusCode()).isEqualTo(302);
        Posted posted = pastSamlNotice(location(started, baseUrl()));
        assertThat(posted.action()).isEqualTo(sp.acs());
        SamlResponse response = received(sp, posted);
        // unsolicited: no InResponseTo, and java-saml accepts it as such
        assertThat(response.isValid()).as(String.valueOf(response.getError())).isTrue();
        assertThat(decoded(posted)).doesNotContain("InResponseTo");
        // the product's release names the organiser, so both scoped attributes carry its scope
        assertThat(response.getAttributes().get("urn:oid:1.3.6.1.4.1.5923.1.1.1.6")).containsExactly(response.getNameId() + "@exempel-kommun.se");
        assertThat(response.getAttributes().get("urn:oid:1.3.6.1.4.1.5923.1.1.1.9")).contains("student@exempel-kommun.se");
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.tilldela.governance.AdminAccounts admins;

    /** An SP that requires a signed message (java-saml wantMessagesSigned) gets it once an administrator says so for it. */
    @Test
    void anSpRequiringASignedMessageGetsTheWholeResponseSignedOnceAnAdministratorSaysSo() throws Exception {
        Sp sp = registeredSp(true, Map.of(com.onelogin.saml2.settings.SettingsBuilder.SECURITY_WANT_MESSAGES_SIGNED, true), m -> m);
        UUID pupil = fixture.persons.get(13);
        AuthnRequest first = new AuthnRequest(sp.settings());
        SamlResponse unsignedMessage = received(sp, walk(redirectUrl(first, "a", sp.key()), pupil));
        assertThat(unsignedMessage.isValid(first.getId())).as("by default only the assertion is signed").isFalse();
        assertThat(unsignedMessage.getError()).contains("Message of the Response is not signed");

        String accessAdmin = "saml-admin-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(accessAdmin, "Access admin", PASSWORD, java.util.EnumSet.of(org.tilldela.governance.AdminRight.ACCESS_ADMIN), "test");
        var api = org.springframework.web.client.RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(accessAdmin, PASSWORD))
                .defaultStatusHandler(org.springframework.http.HttpStatusCode::isError, (request, response) -> {
                }).build();
        assertThat(api.put().uri(u -> u.path("/api/v1/sso/saml/service-providers/sign-response").queryParam("entityId", sp.entityId()).build())
                .body(Map.of("signResponse", true)).retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(204);
        assertThat(api.put().uri(u -> u.path("/api/v1/sso/saml/service-providers/sign-response").queryParam("entityId", "https://unknown.example").build())
                .body(Map.of("signResponse", true)).retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(404);
        assertThat(jdbc.sql("select detail::text from audit_event where action = 'SSO_SAML_SP_SIGN_RESPONSE_SET' order by id desc limit 1")
                .query(String.class).single()).contains(sp.entityId()).contains("\"signResponse\": true");

        AuthnRequest second = new AuthnRequest(sp.settings());
        Posted posted = walk(redirectUrl(second, "b", sp.key()), pupil);
        SamlResponse signedMessage = received(sp, posted);
        assertThat(signedMessage.isValid(second.getId())).as(String.valueOf(signedMessage.getError())).isTrue();
        Document document = DocumentUtil.getDocument(decoded(posted));
        assertThat(document.getDocumentElement().getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature").getLength())
                .as("the Response's and the assertion's").isEqualTo(2);
    }
}
