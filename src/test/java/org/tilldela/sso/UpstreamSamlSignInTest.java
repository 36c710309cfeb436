package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.util.Util;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.HtmlUtils;
import org.tilldela.access.AccessFixture;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * Upstream SAML: a municipality whose IdP speaks SAML signs its pupils in through it, Tilldela being the SP
 * (java-saml). The IdP is built on another library, Keycloak's SAML core ({@link UpstreamSamlIdentityProvider}),
 * and driven over HTTP end to end: registered from its metadata by a directory administrator; Tilldela's signed
 * AuthnRequest; the Response posted to the ACS; the pupil on the start page. Then what must not sign anyone
 * in: unsigned, signed by another key, a wrapped second assertion, wrong audience or destination, expired,
 * replayed, answering a request this browser never started, an XXE; and persons unmatched or ambiguous, refused
 * and audited without the value.
 */
class UpstreamSamlSignInTest extends SignInTestSupport {

    static final String ADMIN_PASSWORD = "a long administrator password";
    static final String MAIL = "urn:oid:0.9.2342.19200300.100.1.3";

    static AccessFixture municipality;
    static UpstreamSamlIdentityProvider idp;
    static UUID idpId;
    static RestClient adminApi;

    @Autowired
    AdminAccounts admins;

    @BeforeEach
    void samlIdp() throws Exception {
        if (municipality != null) {
            return;
        }
        municipality = new AccessFixture(imports, jdbc, catalog, pools);
        idp = UpstreamSamlIdentityProvider.start();
        String admin = "katalog-" + UUID.randomUUID().toString().substring(0, 8);
        // ACCOUNT_ADMIN too: the test also tries an OpenID provider beside the IdP, which signs administrators in (UpstreamProviderApi)
        admins.create(admin, "Skoladministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.ACCOUNT_ADMIN), "test");
        adminApi = api(baseUrl(), admin);
        var answer = adminApi.post().uri("/api/v1/sso/upstream-saml-providers").body(Map.of("organiserId", municipality.organiserId,
                "metadataUrl", idp.base + "/metadata", "matchAttribute", MAIL, "matchField", "EMAIL")).retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).as(String.valueOf(answer.getBody())).isEqualTo(201);
        idpId = UUID.fromString((String) answer.getBody().get("id"));
        // everything about the IdP from its metadata
        assertThat(answer.getBody().get("entityId")).isEqualTo(idp.entityId());
        assertThat(answer.getBody().get("ssoUrl")).isEqualTo(idp.base + "/sso");
        assertThat((List<Object>) answer.getBody().get("signingCertificates")).containsExactly((Object) Base64.getEncoder().encodeToString(idp.certificate.getEncoded()));
        String spMetadataUrl = (String) answer.getBody().get("spMetadataUrl");
        assertThat(spMetadataUrl).isEqualTo(baseUrl() + "/sign-in/upstream/saml/" + idpId + "/metadata");
        assertThat(answer.getBody().get("acsUrl")).isEqualTo(baseUrl() + "/sign-in/upstream/saml/" + idpId + "/acs");
        // what the municipality does with Tilldela's SP metadata: trusts its certificate, knows its entityID
        String spMetadata = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(spMetadataUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
        var entity = (org.keycloak.dom.saml.v2.metadata.EntityDescriptorType) org.keycloak.saml.processing.core.parsers.saml.SAMLParser.getInstance()
                .parse(new java.io.ByteArrayInputStream(spMetadata.getBytes(StandardCharsets.UTF_8)));
        var descriptor = entity.getChoiceType().getFirst().getDescriptors().getFirst().getSpDescriptor();
        assertThat(descriptor.isAuthnRequestsSigned()).isTrue();
        assertThat(descriptor.getAssertionConsumerService().getFirst().getLocation().toString()).isEqualTo(answer.getBody().get("acsUrl"));
        assertThat(spMetadata).contains("<ds:Signature").as("the metadata is signed");
        String certificate = descriptor.getKeyDescriptor().getFirst().getKeyInfo()
                .getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "X509Certificate").item(0).getTextContent().replaceAll("\\s+", "");
        idp.spCertificate = UpstreamSamlProviders.certificate(certificate);
        idp.spEntityId = entity.getEntityID();
    }

    @AfterAll
    static void stopIdp() {
        if (adminApi != null) {
            assertThat(adminApi.delete().uri("/api/v1/sso/upstream-saml-providers/" + idpId).retrieve().toBodilessEntity().getStatusCode().value())
                    .isEqualTo(204);
        }
        if (idp != null) {
            idp.close();
        }
    }

    static RestClient api(String baseUrl, String user) {
        return RestClient.builder().baseUrl(baseUrl).defaultHeaders(h -> h.setBasicAuth(user, ADMIN_PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
    }

    String organiserName() {
        return jdbc.sql("select name from organisation where id = :o").param("o", municipality.organiserId).query(String.class).single();
    }

    /** Gives the person an e-mail of the test's own (synthetic); answers the user at the IdP whose mail attribute is it. */
    String idpUserFor(UUID person) {
        String email = "elev." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", email).param("p", person).update();
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        idp.users.put(username, Map.of(MAIL, List.of(email.toUpperCase(java.util.Locale.ROOT))));
        return username;
    }

    /** The sign-in page's button, on to the IdP with a signed AuthnRequest; answers the request as the IdP received it. */
    UpstreamSamlIdentityProvider.Received startSignIn() throws Exception {
        HttpResponse<String> page = get(URI.create(baseUrl() + "/sign-in"));
        assertThat(page.body()).contains("Sign in with " + HtmlUtils.htmlEscape(organiserName(), "UTF-8"))
                .contains("href=\"/sign-in/upstream/saml/" + idpId + "\"");
        HttpResponse<String> away = get(URI.create(baseUrl() + "/sign-in/upstream/saml/" + idpId));
        assertThat(away.statusCode()).isEqualTo(302);
        URI sso = location(away, baseUrl());
        assertThat(sso.toString()).startsWith(idp.base + "/sso?SAMLRequest=").contains("&SigAlg=").contains("&Signature=");
        int before = idp.received.size();
        assertThat(get(sso).statusCode()).isEqualTo(200);
        assertThat(idp.received).hasSize(before + 1);
        UpstreamSamlIdentityProvider.Received received = idp.received.getLast();
        assertThat(received.signatureValid()).as("signed with the certificate of Tilldela's SP metadata").isTrue();
        assertThat(received.issuer()).isEqualTo(idp.spEntityId);
        assertThat(received.acsUrl()).isEqualTo(baseUrl() + "/sign-in/upstream/saml/" + idpId + "/acs");
        return received;
    }

    /** Posts a Response to the ACS as the browser would; answers where Tilldela sends it. */
    HttpResponse<String> post(String acsUrl, String samlResponse) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(acsUrl)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("SAMLResponse=" + URLEncoder.encode(samlResponse, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The user signs in at the IdP; its page's form (SAMLResponse) is posted to the ACS. */
    HttpResponse<String> signInAtIdp(UpstreamSamlIdentityProvider.Received request, String username) throws Exception {
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(idp.base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "request=" + URLEncoder.encode(request.id(), StandardCharsets.UTF_8) + "&username=" + username)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        Matcher form = Pattern.compile("action=\"([^\"]+)\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"([^\"]+)\"").matcher(posted.body());
        assertThat(form.find()).isTrue();
        return post(HtmlUtils.htmlUnescape(form.group(1)), HtmlUtils.htmlUnescape(form.group(2)));
    }

    /** A Response to {@code request} from the IdP as {@code change} makes it, posted to the ACS; answers where Tilldela sends the browser. */
    URI answered(UpstreamSamlIdentityProvider.Received request, Map<String, List<String>> attributes,
                 UnaryOperator<UpstreamSamlIdentityProvider.Answer> change) throws Exception {
        HttpResponse<String> response = post(request.acsUrl(), idp.response(idp.answer(request, attributes).with(change)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        return location(response, baseUrl());
    }

    List<String> audit(String action) {
        return jdbc.sql("select detail::text from audit_event where action = :a and target_id = :t order by id")
                .param("a", action).param("t", idpId.toString()).query(String.class).list();
    }

    int signIns(UUID person) {
        return jdbc.sql("select count(*) from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p").param("p", person.toString())
                .query(Integer.class).single();
    }

    /** Not signed in: the start page still sends the browser to sign in. */
    void notSignedIn() throws Exception {
        assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");
    }

    /** The refusal a failed Response gets, its reason audited by java-saml's error code. */
    void refusedAsFailed(URI where, String code) {
        assertThat(where.toString()).endsWith("/sign-in/upstream/" + idpId + "/refused?reason=failed");
        assertThat(audit("UPSTREAM_SIGN_IN_FAILED").getLast()).contains(code);
    }

    @Test
    void aMatchedPupilSignsInThroughTheMunicipalitysSamlIdpToTheStartPage() throws Exception {
        UUID pupil = municipality.persons.get(0);
        String username = idpUserFor(pupil);
        UpstreamSamlIdentityProvider.Received request = startSignIn();

        HttpResponse<String> signedIn = signInAtIdp(request, username);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
        assertThat(location(signedIn, baseUrl()).getPath()).isEqualTo("/start");
        HttpResponse<String> start = get(URI.create(baseUrl() + "/start"));
        assertThat(start.statusCode()).isEqualTo(200);
        assertThat(start.body()).contains("Digital matematik");
        // the same sign-in as after OpenID Connect: audited as an upstream sign-in, the SAML Response its factor
        assertThat(audit("UPSTREAM_SIGN_IN_REFUSED")).noneMatch(d -> d.contains(pupil.toString()));
        String detail = jdbc.sql("select detail::text from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p").param("p", pupil.toString())
                .query(String.class).single();
        assertThat(detail).contains(idpId.toString()).contains(municipality.organiserId.toString()).contains("\"protocol\": \"saml\"");
        String session = jdbc.sql("select count(*) from spring_session where principal_name = :p").param("p", pupil.toString()).query(String.class).single();
        assertThat(session).isEqualTo("1");
        assertThat(jdbc.sql("select count(*) from sso_upstream_saml_assertion where idp_id = :i").param("i", idpId).query(Integer.class).single())
                .as("the assertion's id kept against replay").isPositive();
    }

    @Test
    void aResponseThatIsNotSignedOrSignedByAnotherKeyOrWrapsASecondAssertionSignsNobodyIn() throws Exception {
        UUID pupil = municipality.persons.get(1);
        String username = idpUserFor(pupil);
        Map<String, List<String>> attributes = idp.users.get(username);
        var other = SamlTestSupport.rsa();
        var otherCertificate = SamlTestSupport.selfSigned(other, "idp.exempel-kommun.se");

        browser = newBrowser();
        refusedAsFailed(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), false, false, null, null, null, false, null)), "NO_SIGNATURE");
        notSignedIn();

        browser = newBrowser();
        refusedAsFailed(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), true, true, other, otherCertificate, null, false, null)), "INVALID_SIGNATURE");
        notSignedIn();

        // signature wrapping: the signed assertion names the pupil, an unsigned one beside it somebody else (the victim)
        UUID victim = municipality.persons.get(2);
        browser = newBrowser();
        String victimMail = "annan." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", victimMail).param("p", victim).update();
        refusedAsFailed(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(),
                a.destination(), a.audience(), a.attributes(), true, false, a.signer(), a.signerCertificate(), null, false, victimMail)), "WRONG_NUMBER_OF_ASSERTIONS");
        notSignedIn();
        assertThat(signIns(pupil)).isZero();
        assertThat(signIns(victim)).isZero();

        // and a signed Response (no signed assertion) is enough: the whole message is covered
        browser = newBrowser();
        assertThat(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), false, true, a.signer(), a.signerCertificate(), null, false, null)).getPath()).isEqualTo("/start");
        assertThat(signIns(pupil)).isEqualTo(1);
    }

    @Test
    void aResponseForAnotherAudienceOrDestinationOrExpiredSignsNobodyIn() throws Exception {
        UUID pupil = municipality.persons.get(3);
        Map<String, List<String>> attributes = idp.users.get(idpUserFor(pupil));

        browser = newBrowser();
        refusedAsFailed(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(),
                "https://other-sp.example/metadata", a.attributes(), true, false, a.signer(), a.signerCertificate(), null, false, null)), "WRONG_AUDIENCE");
        notSignedIn();

        browser = newBrowser();
        UpstreamSamlIdentityProvider.Received request = startSignIn();
        // a Response addressed to another SP's ACS, posted here
        refusedAsFailed(answered(request, attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), "https://other-sp.example/acs",
                a.audience(), a.attributes(), true, true, a.signer(), a.signerCertificate(), null, false, null)), "WRONG_DESTINATION");
        notSignedIn();

        browser = newBrowser();
        URI expired = answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), true, false, a.signer(), a.signerCertificate(), null, true, null));
        assertThat(expired.toString()).endsWith("/sign-in/upstream/" + idpId + "/refused?reason=failed");
        assertThat(audit("UPSTREAM_SIGN_IN_FAILED").getLast()).containsAnyOf("ASSERTION_EXPIRED", "ASSERTION_TOO_EARLY", "WRONG_SUBJECTCONFIRMATION");
        notSignedIn();
        assertThat(signIns(pupil)).isZero();
    }

    @Test
    void anAssertionIsUsedOnceAndOnlyForTheRequestThisBrowserStarted() throws Exception {
        UUID pupil = municipality.persons.get(4);
        Map<String, List<String>> attributes = idp.users.get(idpUserFor(pupil));

        // another browser's request: this browser never started it
        HttpClient mine = newBrowser();
        browser = mine;
        startSignIn();
        HttpClient theirs = newBrowser();
        browser = theirs;
        UpstreamSamlIdentityProvider.Received theirRequest = startSignIn();
        browser = mine;
        refusedAsFailed(answered(theirRequest, attributes, a -> a), "WRONG_INRESPONSETO");
        notSignedIn();
        // and a browser that started none at all (no session): once more from Tilldela's page, then refused
        browser = newBrowser();
        String response = idp.response(idp.answer(theirRequest, attributes));
        HttpResponse<String> bounced = post(theirRequest.acsUrl(), response);
        assertThat(bounced.statusCode()).isEqualTo(200);
        assertThat(bounced.body()).contains("name=\"resent\"").contains("/js/saml-post.js");
        HttpResponse<String> resent = browser.send(HttpRequest.newBuilder(URI.create(theirRequest.acsUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "SAMLResponse=" + URLEncoder.encode(response, StandardCharsets.UTF_8) + "&resent=1")).build(), HttpResponse.BodyHandlers.ofString());
        refusedAsFailed(location(resent, baseUrl()), "NO_REQUEST_STARTED");

        // replay: an assertion already used, in a Response to a new request of a new browser
        browser = newBrowser();
        String assertionId = "_once-" + UUID.randomUUID();
        assertThat(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), true, false, a.signer(), a.signerCertificate(), assertionId, false, null)).getPath()).isEqualTo("/start");
        browser = newBrowser();
        refusedAsFailed(answered(startSignIn(), attributes, a -> new UpstreamSamlIdentityProvider.Answer(a.inResponseTo(), a.destination(), a.audience(),
                a.attributes(), true, false, a.signer(), a.signerCertificate(), assertionId, false, null)), "ASSERTION_REPLAYED");
        notSignedIn();
        assertThat(signIns(pupil)).isEqualTo(1);
    }

    @Test
    void anXxeInThePostedResponseIsNeitherReadNorSignsAnyoneIn() throws Exception {
        browser = newBrowser();
        UpstreamSamlIdentityProvider.Received request = startSignIn();
        String secret = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("xxe", ".txt"), "hemlig-" + UUID.randomUUID()).toString();
        String signed = new String(Base64.getDecoder().decode(idp.response(idp.answer(request, Map.of(MAIL, List.of("&xxe;"))))),
                StandardCharsets.UTF_8);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \"file://" + secret + "\">]>"
                + signed.replaceFirst("^<\\?xml[^>]*\\?>", "").replace("&amp;xxe;", "&xxe;");
        HttpResponse<String> response = post(request.acsUrl(), Util.base64encoder(xxe));
        assertThat(response.statusCode()).isEqualTo(302);
        refusedAsFailed(location(response, baseUrl()), "INVALID_XML_FORMAT");
        assertThat(String.join("", audit("UPSTREAM_SIGN_IN_FAILED"))).doesNotContain("hemlig-");
        notSignedIn();
    }

    @Test
    void anUnmatchedOrAmbiguousPersonIsRefusedWithAPageNamingWhomToAskAndAudited() throws Exception {
        String unknown = "okand." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        browser = newBrowser();
        URI refused = answered(startSignIn(), Map.of(MAIL, List.of(unknown)), a -> a);
        assertThat(refused.toString()).endsWith("/sign-in/upstream/" + idpId + "/refused?reason=no-match");
        String page = get(URI.create(refused + "&lang=en")).body();
        assertThat(page).contains("Tilldela found no pupil or member of staff of " + HtmlUtils.htmlEscape(organiserName(), "UTF-8"))
                .contains("IT support").doesNotContain(unknown);
        assertThat(get(URI.create(refused + "&lang=da")).body()).contains("IT-support");
        assertThat(audit("UPSTREAM_SIGN_IN_REFUSED").getLast()).contains("NO_MATCH").contains("\"claim\": \"" + MAIL + "\"").contains("claimHash")
                .doesNotContain(unknown).doesNotContain(unknown.substring(0, unknown.indexOf('@')));
        notSignedIn();

        String shared = "delad." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id in (:p)").param("e", shared)
                .param("p", List.of(municipality.persons.get(5), municipality.persons.get(6))).update();
        browser = newBrowser();
        URI ambiguous = answered(startSignIn(), Map.of(MAIL, List.of(shared)), a -> a);
        assertThat(ambiguous.toString()).endsWith("/sign-in/upstream/" + idpId + "/refused?reason=several-matches");
        assertThat(get(URI.create(ambiguous + "&lang=sv")).body()).contains("fler än en elev eller personal").doesNotContain(shared);
        assertThat(audit("UPSTREAM_SIGN_IN_REFUSED").getLast()).contains("SEVERAL_MATCHES").doesNotContain(shared);
        notSignedIn();
    }

    @Test
    void onlyADirectoryAdministratorRegistersAnIdpOneWayInPerOrganiserAndMetadataWithADoctypeIsRefused() throws Exception {
        String accessAdmin = "atkomst-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(accessAdmin, "Åtkomstadministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        assertThat(api(baseUrl(), accessAdmin).get().uri("/api/v1/sso/upstream-saml-providers").retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(403);
        assertThat(adminApi.post().uri("/api/v1/sso/upstream-saml-providers").body(Map.of("organiserId", municipality.organiserId,
                "metadata", idp.metadata(), "matchAttribute", MAIL, "matchField", "EMAIL")).retrieve().toBodilessEntity().getStatusCode().value())
                .as("one per organiser").isEqualTo(409);
        // nor an OpenID provider beside it: one way in per organiser
        assertThat(adminApi.post().uri("/api/v1/sso/upstream-providers").body(Map.of("organiserId", municipality.organiserId,
                "issuer", "https://idp.exempel-kommun.se", "clientId", "tilldela", "clientSecret", "hemlig", "matchClaim", "upn", "matchField", "EMAIL"))
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(409);
        AccessFixture other = new AccessFixture(imports, jdbc, catalog, pools);
        String doctype = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + idp.metadata().replaceFirst("^<\\?xml[^>]*\\?>", "");
        var refused = adminApi.post().uri("/api/v1/sso/upstream-saml-providers").body(Map.of("organiserId", other.organiserId,
                "metadata", doctype, "matchAttribute", MAIL, "matchField", "EMAIL")).retrieve().toEntity(String.class);
        assertThat(refused.getStatusCode().value()).isEqualTo(400);
        assertThat(refused.getBody()).contains("DOCTYPE").doesNotContain("root:");
        // a metadata URL is fetched as given: no redirect followed, and no more read than metadata can be
        com.sun.net.httpserver.HttpServer elsewhere = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        HostileMetadataUrls.addTo(elsewhere, idp.base + "/metadata");
        elsewhere.start();
        try {
            String at = "http://127.0.0.1:" + elsewhere.getAddress().getPort();
            for (String path : List.of("/moved", "/endless")) {
                var fetched = adminApi.post().uri("/api/v1/sso/upstream-saml-providers").body(Map.of("organiserId", other.organiserId,
                        "metadataUrl", at + path, "matchAttribute", MAIL, "matchField", "EMAIL")).retrieve().toEntity(String.class);
                assertThat(fetched.getStatusCode().value()).as(path).isEqualTo(400);
            }
        } finally {
            elsewhere.stop(0);
        }
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_UPSTREAM_SAML_IDP_REGISTERED' and target_id = :t")
                .param("t", idpId.toString()).query(Integer.class).single()).isEqualTo(1);
    }
}
