package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.authn.SamlResponse;
import com.onelogin.saml2.http.HttpRequest;
import com.onelogin.saml2.logout.LogoutRequest;
import com.onelogin.saml2.logout.LogoutResponse;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Single Logout against OneLogin's java-saml as the SPs: an SP's LogoutRequest ends the person's Tilldela session, the
 * session's other SP that takes part in Single Logout is sent a LogoutRequest (and answers), an SP without Single
 * Logout is left alone, and the initiating SP validates Tilldela's signed LogoutResponse; signing out on the start
 * page walks the session's SPs the same way; a LogoutRequest that is wrongly signed, or names another NameID, ends
 * nothing.
 */
class SamlSingleLogoutTest extends SamlTestSupport {

    /**
     * An SP whose metadata publishes a SingleLogoutService (HTTP-Redirect) at {sp}/slo. java-saml checks a signature that
     * is there against Tilldela's certificate; the tests see that one is there.
     */
    private Sp withLogout(boolean signs) throws Exception {
        return withLogout(signs, Constants.BINDING_HTTP_REDIRECT);
    }

    private Sp withLogout(boolean signs, String binding) throws Exception {
        return registeredSp(signs, Map.of(SettingsBuilder.SP_SINGLE_LOGOUT_SERVICE_URL_PROPERTY_KEY, "{sp}/slo",
                SettingsBuilder.SP_SINGLE_LOGOUT_SERVICE_BINDING_PROPERTY_KEY, binding), m -> m);
    }

    private static String slo(Sp sp) {
        return sp.settings().getSpSingleLogoutServiceUrl().toString();
    }

    /** A signed-in session: what java-saml read from the assertion the SP got. */
    private record SignedIn(String nameId, String sessionIndex) {
    }

    /** The browser (signed in already, or signing in as {@code person}) signs in to the SP; java-saml validates the assertion. */
    private SignedIn signIn(Sp sp, UUID person) throws Exception {
        AuthnRequest request = new AuthnRequest(sp.settings());
        URI sso = redirectUrl(request, "r", sp.settings().getAuthnRequestsSigned() ? sp.key() : null);
        Posted posted;
        if (person != null) {
            posted = walk(sso, person);
        } else {
            HttpResponse<String> received = get(sso);
            assertThat(received.statusCode()).isEqualTo(302);
            posted = pastSamlNotice(location(received, baseUrl()));
        }
        SamlResponse response = received(sp, posted);
        assertThat(response.isValid(request.getId())).as(String.valueOf(response.getError())).isTrue();
        return new SignedIn(response.getNameId(), response.getSessionIndex());
    }

    /** A message over the HTTP-Redirect binding to Tilldela's SLO endpoint; the query signed (RSA-SHA256) by {@code signer} if given. */
    private URI toTilldela(String field, String encoded, String relayState, KeyPair signer) {
        String query = field + "=" + Util.urlEncoder(encoded) + "&RelayState=" + Util.urlEncoder(relayState);
        if (signer != null) {
            query += "&SigAlg=" + Util.urlEncoder(Constants.RSA_SHA256);
            try {
                query += "&Signature=" + Util.urlEncoder(Util.base64encoder(Util.sign(query, signer.getPrivate(), Constants.RSA_SHA256)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return URI.create(baseUrl() + "/saml2/idp/slo?" + query);
    }

    private boolean signedInAtTilldela() throws Exception {
        HttpResponse<String> start = get(URI.create(baseUrl() + "/start"));
        return start.statusCode() == 200;
    }

    /** Where the browser is sent at that SP's SLO endpoint, as that SP receives it (its URL, and the query as sent). */
    private static HttpRequest at(HttpResponse<String> redirect, Sp sp) {
        URI to = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertThat(to.getScheme() + "://" + to.getRawAuthority() + to.getRawPath()).isEqualTo(slo(sp));
        Map<String, java.util.List<String>> parameters = new java.util.LinkedHashMap<>();
        for (String pair : to.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            parameters.computeIfAbsent(Util.urlDecoder(pair.substring(0, eq)), k -> new java.util.ArrayList<>()).add(Util.urlDecoder(pair.substring(eq + 1)));
        }
        // the parameters, and the query as sent (the signature covers its encoded form)
        return new HttpRequest(slo(sp), parameters, to.getRawQuery());
    }

    /** The SP checks Tilldela's LogoutRequest (signature, destination, issuer, NameID and SessionIndex), and answers; the redirect back. */
    private URI answers(Sp sp, HttpRequest received, SignedIn session, KeyPair signer) throws Exception {
        return answers(sp, received, session, signer, Constants.STATUS_SUCCESS);
    }

    /** As above, answering with {@code status}. */
    private URI answers(Sp sp, HttpRequest received, SignedIn session, KeyPair signer, String status) throws Exception {
        boolean redirect = received.getParameter("SigAlg") != null || received.getParameter("Signature") != null;
        if (redirect || Constants.BINDING_HTTP_REDIRECT.equals(sp.settings().getSpSingleLogoutServiceBinding())) {
            assertThat(received.getParameter("Signature")).as("Tilldela signs its LogoutRequests").isNotBlank();
            assertThat(received.getParameter("SigAlg")).isEqualTo(Constants.RSA_SHA256);
        }
        LogoutRequest request = new LogoutRequest(sp.settings(), received);
        assertThat(request.isValid()).as(String.valueOf(request.getError())).isTrue();
        String xml = Util.base64decodedInflated(received.getParameter("SAMLRequest"));
        assertThat(LogoutRequest.getNameId(xml)).isEqualTo(session.nameId());
        assertThat(LogoutRequest.getSessionIndexes(xml)).containsExactly(session.sessionIndex());
        LogoutResponse response = new LogoutResponse(sp.settings(), (HttpRequest) null);
        response.build(request.getId(), status);
        return toTilldela("SAMLResponse", response.getEncodedLogoutResponse(), received.getParameter("RelayState"), signer);
    }

    @Test
    void anSpsLogoutRequestEndsTheSessionSignsOutOfTheOtherSpAndIsAnsweredSigned() throws Exception {
        // the IdP metadata advertises Single Logout over both bindings
        String metadata = get(URI.create(baseUrl() + "/saml2/idp/metadata")).body();
        assertThat(metadata).contains("SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\"")
                .contains("SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"");
        Sp initiator = withLogout(true);
        Sp other = withLogout(false);
        Sp noLogout = registeredSp(false);
        assertThat(samlProviders.find(other.entityId()).orElseThrow().sloUrl()).isEqualTo(slo(other));
        assertThat(samlProviders.find(noLogout.entityId()).orElseThrow().sloUrl()).isNull();
        UUID pupil = fixture.persons.get(16);
        SignedIn atInitiator = signIn(initiator, pupil);
        SignedIn atOther = signIn(other, null);
        signIn(noLogout, null);

        LogoutRequest logout = new LogoutRequest(initiator.settings(), null, atInitiator.nameId(), atInitiator.sessionIndex());
        HttpResponse<String> received = get(toTilldela("SAMLRequest", logout.getEncodedLogoutRequest(), "/efter-utloggning", initiator.key()));
        assertThat(received.statusCode()).as(received.body()).isEqualTo(302);
        URI continued = location(received, baseUrl());
        assertThat(continued.getPath()).isEqualTo("/saml2/idp/slo/continue");

        // the session ends, and the browser goes to the other SP (the SP without Single Logout is not asked)
        HttpResponse<String> toOther = get(continued);
        assertThat(toOther.statusCode()).as(toOther.body()).isEqualTo(302);
        HttpRequest atOtherSlo = at(toOther, other);
        assertThat(signedInAtTilldela()).as("the Tilldela session ended").isFalse();

        // the other SP answers that it could not sign the person out (unsigned: its metadata does not say it signs), and the
        // initiator gets Tilldela's answer: Success, with PartialLogout beneath it
        HttpResponse<String> back = get(answers(other, atOtherSlo, atOther, null, Constants.STATUS_RESPONDER));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        HttpRequest atInitiatorSlo = at(back, initiator);
        LogoutResponse answer = new LogoutResponse(initiator.settings(), atInitiatorSlo);
        assertThat(answer.isValid(logout.getId())).as(String.valueOf(answer.getError())).isTrue();
        assertThat(answer.getStatus()).isEqualTo(Constants.STATUS_SUCCESS);
        assertThat(answer.getSamlResponseStatus().getSubStatusCode()).isEqualTo("urn:oasis:names:tc:SAML:2.0:status:PartialLogout");
        assertThat(atInitiatorSlo.getParameter("RelayState")).isEqualTo("/efter-utloggning");
        assertThat(atInitiatorSlo.getParameter("Signature")).isNotBlank();
        assertThat(jdbc.sql("select count(*) from sso_saml_logout").query(Integer.class).single()).as("nothing left waiting").isZero();

        // the same LogoutRequest again is a replay
        assertThat(get(toTilldela("SAMLRequest", logout.getEncodedLogoutRequest(), "/efter-utloggning", initiator.key())).statusCode()).isEqualTo(400);
    }

    @Test
    void signingOutOnTheStartPageSignsOutOfTheSessionsSps() throws Exception {
        // the first SP takes its LogoutRequest over HTTP-POST, the second over HTTP-Redirect
        Sp first = withLogout(false, Constants.BINDING_HTTP_POST);
        Sp second = withLogout(true);
        SignedIn atFirst = signIn(first, fixture.persons.get(17));
        SignedIn atSecond = signIn(second, null);

        String start = get(URI.create(baseUrl() + "/start")).body();
        Matcher csrf = Pattern.compile("action=\"/sign-out\".*?name=\"_csrf\"[^>]*value=\"([^\"]+)\"", Pattern.DOTALL).matcher(start);
        assertThat(csrf.find()).as(start).isTrue();
        HttpResponse<String> signedOut = browser.send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-out"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signedOut.statusCode()).isEqualTo(302);
        assertThat(signedInAtTilldela()).isFalse();
        HttpResponse<String> toFirst = get(location(signedOut, baseUrl()));
        assertThat(toFirst.statusCode()).as(toFirst.body()).isEqualTo(200);
        // a page whose form posts the signed LogoutRequest to the SP (and whose policy lets forms go there)
        assertThat(toFirst.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("https://" + URI.create(slo(first)).getAuthority());
        Matcher form = Pattern.compile("<form id=\"saml-post\" method=\"post\" action=\"([^\"]+)\">").matcher(toFirst.body());
        assertThat(form.find()).as(toFirst.body()).isTrue();
        assertThat(form.group(1)).isEqualTo(slo(first));
        assertThat(toFirst.body()).doesNotContain("_csrf");
        String posted = hidden(toFirst.body(), "SAMLRequest");
        org.w3c.dom.Document xml = Util.loadXML(new String(Base64.getDecoder().decode(posted), StandardCharsets.UTF_8));
        xml.getDocumentElement().setIdAttribute("ID", true);
        assertThat(Util.validateSign(xml, first.settings().getIdpx509cert(), null, null, "/samlp:LogoutRequest/ds:Signature"))
                .as("the LogoutRequest's enveloped signature is Tilldela's").isTrue();
        HttpRequest atFirstSlo = new HttpRequest(slo(first)).addParameter("SAMLRequest", posted)
                .addParameter("RelayState", hidden(toFirst.body(), "RelayState"));
        HttpResponse<String> toSecond = get(answers(first, atFirstSlo, atFirst, null));
        assertThat(toSecond.statusCode()).as(toSecond.body()).isEqualTo(302);
        // the second SP signs: its answer is checked against its key — another key's is refused
        HttpRequest atSecondSlo = at(toSecond, second);
        assertThat(get(answers(second, atSecondSlo, atSecond, rsa())).statusCode()).isEqualTo(400);
        HttpResponse<String> done = get(answers(second, atSecondSlo, atSecond, second.key()));
        assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
        assertThat(location(done, baseUrl()).toString()).isEqualTo(baseUrl() + "/sign-in?signed-out");
    }

    @Test
    void aWronglySignedLogoutRequestOrAnotherNameIdEndsNothing() throws Exception {
        Sp signing = withLogout(true);
        Sp unsigned = withLogout(false);
        SignedIn session = signIn(signing, fixture.persons.get(18));
        signIn(unsigned, null);

        // unsigned, or signed with another key, from the SP whose metadata says it signs: refused
        String request = new LogoutRequest(signing.settings(), null, session.nameId(), session.sessionIndex()).getEncodedLogoutRequest();
        assertThat(get(toTilldela("SAMLRequest", request, "r", null)).statusCode()).isEqualTo(400);
        String again = new LogoutRequest(signing.settings(), null, session.nameId(), session.sessionIndex()).getEncodedLogoutRequest();
        assertThat(get(toTilldela("SAMLRequest", again, "r", rsa())).statusCode()).isEqualTo(400);
        assertThat(signedInAtTilldela()).isTrue();

        // HTTP-POST from the SP that does not sign, naming a NameID that is not the one this session gave it: the SP is
        // answered Success (nothing of its is signed in here), and the session stays
        String forged = new LogoutRequest(unsigned.settings(), null, "someone-else", null).getLogoutRequestXml();
        HttpResponse<String> posted = browser.send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/saml2/idp/slo"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("SAMLRequest=" + URLEncoder.encode(
                        Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
        HttpResponse<String> answered = get(location(posted, baseUrl()));
        assertThat(answered.statusCode()).isEqualTo(302);
        LogoutResponse answer = new LogoutResponse(unsigned.settings(), at(answered, unsigned));
        assertThat(answer.isValid()).as(String.valueOf(answer.getError())).isTrue();
        assertThat(answer.getStatus()).isEqualTo(Constants.STATUS_SUCCESS);
        assertThat(signedInAtTilldela()).as("the session stays").isTrue();
    }
}
