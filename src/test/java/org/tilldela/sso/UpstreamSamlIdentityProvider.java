package org.tilldela.sso;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.xml.datatype.DatatypeFactory;
import org.keycloak.dom.saml.v2.assertion.AssertionType;
import org.keycloak.dom.saml.v2.assertion.AttributeStatementType;
import org.keycloak.dom.saml.v2.assertion.AttributeType;
import org.keycloak.dom.saml.v2.metadata.EndpointType;
import org.keycloak.dom.saml.v2.metadata.EntityDescriptorType;
import org.keycloak.dom.saml.v2.metadata.IDPSSODescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyTypes;
import org.keycloak.dom.saml.v2.protocol.AuthnRequestType;
import org.keycloak.dom.saml.v2.protocol.ResponseType;
import org.keycloak.saml.BaseSAML2BindingBuilder;
import org.keycloak.saml.SAML2LoginResponseBuilder;
import org.keycloak.saml.SAMLRequestParser;
import org.keycloak.saml.SPMetadataDescriptor;
import org.keycloak.saml.SignatureAlgorithm;
import org.keycloak.saml.common.constants.JBossSAMLURIConstants;
import org.keycloak.saml.common.util.StaxUtil;
import org.keycloak.saml.processing.core.saml.v2.common.SAMLDocumentHolder;
import org.keycloak.saml.processing.core.saml.v2.writers.SAMLMetadataWriter;
import org.keycloak.saml.processing.core.util.RedirectBindingSignatureUtil;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A municipality's SAML identity provider for the upstream SAML tests, built on Keycloak's SAML core — another
 * library than java-saml, on which Tilldela's SP side is built. It serves its metadata, receives Tilldela's
 * HTTP-Redirect AuthnRequests (checking their signature against the certificate it was given, as an IdP checks
 * the SP's), shows a sign-in page, and answers with a Response over HTTP-POST: by default one assertion signed
 * with its key, addressed to the request's ACS. {@link Answer} makes it answer wrongly, as an attacker or a
 * misconfigured IdP would.
 */
final class UpstreamSamlIdentityProvider implements AutoCloseable {

    /** A received AuthnRequest: its ID, where the Response goes, who asked, and whether its signature checked out. */
    record Received(String id, String acsUrl, String issuer, boolean signatureValid) {
    }

    /**
     * What the Response says and how it is signed. {@code signer}: the key that signs (null: nobody signs);
     * {@code assertionId}: the assertion's ID (null: a new one); {@code expired}: its conditions and subject
     * confirmation ended an hour ago; {@code wrapped}: a second, unsigned assertion naming {@code wrappedValue} follows
     * the signed one.
     */
    record Answer(String inResponseTo, String destination, String audience, Map<String, List<String>> attributes, boolean signAssertion,
                  boolean signResponse, KeyPair signer, X509Certificate signerCertificate, String assertionId, boolean expired, String wrappedValue) {

        Answer with(java.util.function.UnaryOperator<Answer> change) {
            return change.apply(this);
        }
    }

    final HttpServer server;
    final KeyPair key;
    final X509Certificate certificate;
    final String base;
    /** The users who can sign in here, by name, and their attributes. */
    final Map<String, Map<String, List<String>>> users = new ConcurrentHashMap<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Tilldela's signing certificate, as its SP metadata publishes it: AuthnRequests are checked against it. */
    volatile X509Certificate spCertificate;
    /** Tilldela's SP entityID, the audience of every assertion. */
    volatile String spEntityId;
    /** The answers to requests waiting for their user to sign in here, by the request's ID. */
    private final Map<String, Received> waiting = new ConcurrentHashMap<>();

    private UpstreamSamlIdentityProvider(KeyPair key, X509Certificate certificate) throws IOException {
        this.key = key;
        this.certificate = certificate;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // 127.0.0.1, not localhost: another site than Tilldela's, as a municipality's IdP is (its post to the ACS is cross-site)
        this.base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/metadata", exchange -> respond(exchange, 200, "application/samlmetadata+xml", metadata()));
        server.createContext("/sso", this::sso);
        server.createContext("/login", this::login);
        server.start();
    }

    static UpstreamSamlIdentityProvider start() throws Exception {
        KeyPair key = SamlTestSupport.rsa();
        return new UpstreamSamlIdentityProvider(key, SamlTestSupport.selfSigned(key, "idp.exempel-kommun.se"));
    }

    String entityId() {
        return base + "/idp";
    }

    /** The IdP's metadata: its entityID, its HTTP-Redirect SingleSignOnService and its signing certificate. */
    String metadata() {
        try {
            IDPSSODescriptorType idp = new IDPSSODescriptorType(List.of(JBossSAMLURIConstants.PROTOCOL_NSURI.get()));
            idp.setWantAuthnRequestsSigned(true);
            idp.addSingleSignOnService(new EndpointType(URI.create(JBossSAMLURIConstants.SAML_HTTP_REDIRECT_BINDING.get()), URI.create(base + "/sso")));
            idp.addKeyDescriptor(SPMetadataDescriptor.buildKeyDescriptorType(SPMetadataDescriptor.buildKeyInfoElement("idp",
                    Base64.getEncoder().encodeToString(certificate.getEncoded())), KeyTypes.SIGNING));
            EntityDescriptorType entity = new EntityDescriptorType(entityId());
            entity.addChoiceType(EntityDescriptorType.EDTChoiceType.oneValue(new EntityDescriptorType.EDTDescriptorChoiceType(idp)));
            StringWriter xml = new StringWriter();
            new SAMLMetadataWriter(StaxUtil.getXMLStreamWriter(xml)).writeEntityDescriptor(entity);
            return xml.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Response as this IdP would send it to {@code request}'s ACS for the user with these attributes. */
    Answer answer(Received request, Map<String, List<String>> attributes) {
        return new Answer(request.id(), request.acsUrl(), spEntityId, attributes, true, false, key, certificate, null, false, null);
    }

    /** The Response, base64 as the HTTP-POST binding carries it. */
    String response(Answer a) {
        try {
            SAML2LoginResponseBuilder builder = new SAML2LoginResponseBuilder()
                    .requestID(a.inResponseTo())
                    .destination(a.destination())
                    .issuer(entityId())
                    .requestIssuer(a.audience())
                    .assertionExpiration(300).subjectExpiration(300).sessionExpiration(3600)
                    .nameIdentifier(JBossSAMLURIConstants.NAMEID_FORMAT_TRANSIENT.get(), "_" + UUID.randomUUID())
                    .authMethod(JBossSAMLURIConstants.AC_PASSWORD_PROTECTED_TRANSPORT.get())
                    .sessionIndex("s-" + UUID.randomUUID());
            ResponseType response = builder.buildModel();
            AssertionType assertion = response.getAssertions().getFirst().getAssertion();
            AttributeStatementType statement = new AttributeStatementType();
            a.attributes().forEach((name, values) -> {
                AttributeType attribute = new AttributeType(name);
                attribute.setNameFormat(JBossSAMLURIConstants.ATTRIBUTE_FORMAT_URI.get());
                values.forEach(attribute::addAttributeValue);
                statement.addAttribute(new AttributeStatementType.ASTChoiceType(attribute));
            });
            assertion.addStatement(statement);
            if (a.expired()) {
                var hourAgo = DatatypeFactory.newInstance().newXMLGregorianCalendar(Instant.now().minusSeconds(3600).toString());
                var twoHoursAgo = DatatypeFactory.newInstance().newXMLGregorianCalendar(Instant.now().minusSeconds(7200).toString());
                assertion.getConditions().setNotBefore(twoHoursAgo);
                assertion.getConditions().setNotOnOrAfter(hourAgo);
                assertion.getSubject().getConfirmation().forEach(c -> c.getSubjectConfirmationData().setNotOnOrAfter(hourAgo));
            }
            Document document = builder.buildDocument(response);
            Element signedAssertion = (Element) document.getElementsByTagNameNS(JBossSAMLURIConstants.ASSERTION_NSURI.get(), "Assertion").item(0);
            if (a.assertionId() != null) {
                signedAssertion.setAttribute("ID", a.assertionId());
            }
            BaseSAML2BindingBuilder signing = new BaseSAML2BindingBuilder();
            if (a.signer() != null) {
                signing.signWith("idp", a.signer(), a.signerCertificate()).signatureAlgorithm(SignatureAlgorithm.RSA_SHA256);
                if (a.signAssertion()) {
                    signing.signAssertion(document);
                }
            }
            if (a.wrappedValue() != null) {
                // signature wrapping: a copy of the assertion, unsigned and naming someone else, beside the signed one
                Element copy = (Element) document.getElementsByTagNameNS(JBossSAMLURIConstants.ASSERTION_NSURI.get(), "Assertion").item(0).cloneNode(true);
                copy.setAttribute("ID", "_wrapped-" + UUID.randomUUID());
                var signatures = copy.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature");
                while (signatures.getLength() > 0) {
                    signatures.item(0).getParentNode().removeChild(signatures.item(0));
                }
                var values = copy.getElementsByTagNameNS(JBossSAMLURIConstants.ASSERTION_NSURI.get(), "AttributeValue");
                for (int i = 0; i < values.getLength(); i++) {
                    values.item(i).setTextContent(a.wrappedValue());
                }
                document.getDocumentElement().appendChild(copy);
            }
            if (a.signer() != null && a.signResponse()) {
                signing.signDocument(document);
            }
            return BaseSAML2BindingBuilder.getSAMLResponse(document);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tilldela's AuthnRequest (HTTP-Redirect): checked, remembered, and the sign-in page shown. */
    private void sso(HttpExchange exchange) throws IOException {
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = form(rawQuery);
        SAMLDocumentHolder holder = SAMLRequestParser.parseRequestRedirectBinding(query.get("SAMLRequest"), 100_000);
        AuthnRequestType request = (AuthnRequestType) holder.getSamlObject();
        Received r = new Received(request.getID(), request.getAssertionConsumerServiceURL() == null ? null : request.getAssertionConsumerServiceURL().toString(),
                request.getIssuer() == null ? null : request.getIssuer().getValue(), signatureValid(rawQuery));
        received.add(r);
        waiting.put(r.id(), r);
        respond(exchange, 200, "text/html; charset=utf-8", """
                <!DOCTYPE html><html lang="sv"><head><title>Exempel kommun – inloggning</title></head><body><main>
                <h1>Exempel kommuns inloggning</h1>
                <form method="post" action="/login"><input type="hidden" name="request" value="%s">
                <label for="username">Användarnamn</label> <input id="username" name="username">
                <button type="submit">Logga in</button></form></main></body></html>""".formatted(HtmlUtils.htmlEscape(r.id())));
    }

    /** The user signed in here: the Response goes to the ACS by a form that sends itself. */
    private void login(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Received request = waiting.remove(form.get("request"));
        Map<String, List<String>> user = users.get(form.getOrDefault("username", ""));
        if (request == null || user == null) {
            respond(exchange, 403, "text/plain", "unknown user or request");
            return;
        }
        respond(exchange, 200, "text/html; charset=utf-8", postPage(request.acsUrl(), response(answer(request, user))));
    }

    static String postPage(String acsUrl, String samlResponse) {
        return """
                <!DOCTYPE html><html lang="sv"><head><title>Skickar…</title></head><body>
                <form method="post" action="%s"><input type="hidden" name="SAMLResponse" value="%s"><button type="submit">Fortsätt</button></form>
                <script>document.forms[0].submit();</script></body></html>""".formatted(HtmlUtils.htmlEscape(acsUrl), HtmlUtils.htmlEscape(samlResponse));
    }

    /** The redirect binding's signature over the query as received, against Tilldela's certificate (Keycloak's check). */
    private boolean signatureValid(String rawQuery) {
        Map<String, String> raw = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            raw.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        if (spCertificate == null || raw.get("Signature") == null || raw.get("SigAlg") == null) {
            return false;
        }
        String signed = "SAMLRequest=" + raw.get("SAMLRequest") + (raw.containsKey("RelayState") ? "&RelayState=" + raw.get("RelayState") : "")
                + "&SigAlg=" + raw.get("SigAlg");
        try {
            SignatureAlgorithm algorithm = SignatureAlgorithm.getFromXmlMethod(UriUtils.decode(raw.get("SigAlg"), StandardCharsets.UTF_8));
            return algorithm == SignatureAlgorithm.RSA_SHA256 && RedirectBindingSignatureUtil.validateRedirectBindingSignatureForKey(algorithm,
                    signed.getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(UriUtils.decode(raw.get("Signature"), StandardCharsets.UTF_8)),
                    spCertificate.getPublicKey());
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded != null) {
            for (String pair : encoded.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
