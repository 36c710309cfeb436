package org.tilldela.sso;

import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.keycloak.dom.saml.v2.assertion.AssertionType;
import org.keycloak.dom.saml.v2.assertion.AttributeStatementType;
import org.keycloak.dom.saml.v2.assertion.AttributeType;
import org.keycloak.dom.saml.v2.assertion.NameIDType;
import org.keycloak.dom.saml.v2.metadata.EndpointType;
import org.keycloak.dom.saml.v2.metadata.EntityDescriptorType;
import org.keycloak.dom.saml.v2.metadata.IDPSSODescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyTypes;
import org.keycloak.dom.saml.v2.protocol.AuthnRequestType;
import org.keycloak.dom.saml.v2.protocol.ResponseType;
import org.keycloak.dom.saml.v2.protocol.StatusCodeType;
import org.keycloak.dom.saml.v2.protocol.StatusType;
import org.keycloak.rotation.HardcodedKeyLocator;
import org.keycloak.saml.BaseSAML2BindingBuilder;
import org.keycloak.saml.SAML2LoginResponseBuilder;
import org.keycloak.saml.SAMLRequestParser;
import org.keycloak.saml.SPMetadataDescriptor;
import org.keycloak.saml.SignatureAlgorithm;
import org.keycloak.saml.common.constants.JBossSAMLURIConstants;
import org.keycloak.saml.common.util.DocumentUtil;
import org.keycloak.saml.common.util.StaxUtil;
import org.keycloak.saml.processing.api.saml.v2.response.SAML2Response;
import org.keycloak.saml.processing.api.saml.v2.sig.SAML2Signature;
import org.keycloak.saml.processing.core.saml.v2.common.IDGenerator;
import org.keycloak.saml.processing.core.saml.v2.common.SAMLDocumentHolder;
import org.keycloak.saml.processing.core.saml.v2.util.XMLTimeUtil;
import org.keycloak.saml.processing.core.saml.v2.writers.SAMLMetadataWriter;
import org.keycloak.saml.processing.core.util.RedirectBindingSignatureUtil;
import org.keycloak.saml.processing.core.util.XMLSignatureUtil;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.util.UriUtils;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.ledger.Channel;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Tilldela as SAML 2.0 identity provider (Web Browser SSO profile) towards suppliers' service providers. An
 * AuthnRequest (HTTP-Redirect or HTTP-POST) is checked — known SP, ACS URL from its metadata, signature where
 * its metadata says it signs, fresh, never seen before — and waits for the person to sign in; then the same
 * licence check, first-use notice and release policy as for OpenID Connect decide, and the Response goes over
 * HTTP-POST with an assertion signed RSA-SHA256. Parsing, building and signing are Keycloak's SAML core (with
 * Apache Santuario): no XML or signature is built here by hand.
 */
@Service
class SamlIdentityProvider {

    static final String SSO_PATH = "/saml2/idp/sso";
    static final String METADATA_PATH = "/saml2/idp/metadata";
    static final String CONTINUE_PATH = "/saml2/idp/continue";
    static final String REDIRECT_BINDING = JBossSAMLURIConstants.SAML_HTTP_REDIRECT_BINDING.get();
    /** How far the SP's clock may be from ours. */
    static final Duration SKEW = Duration.ofMinutes(2);
    /** How long an AuthnRequest is fresh, and how long a sign-in may wait for the person. */
    static final Duration REQUEST_LIFETIME = Duration.ofMinutes(10);
    /** An HTTP-Redirect AuthnRequest inflates to at most this (an AuthnRequest is a few kilobytes; a deflate bomb is not read on). */
    static final long MAX_INFLATED_BYTES = 64 * 1024;
    /** RSA-OAEP key transport (MGF1, the form every SAML SP decrypts), never RSA PKCS#1 v1.5. */
    static final String KEY_TRANSPORT = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
    /** How long an assertion may be presented at the ACS. */
    static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(5);

    private final SamlKeys keys;
    private final SamlServiceProviders providers;
    private final SamlAttributes attributes;
    private final SignInLicence licence;
    private final FirstSignInNotice notices;
    private final ReleasePolicy policy;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();

    SamlIdentityProvider(SamlKeys keys, SamlServiceProviders providers, SamlAttributes attributes, SignInLicence licence, FirstSignInNotice notices,
                         ReleasePolicy policy, JdbcClient jdbc, ApplicationEventPublisher events) {
        this.keys = keys;
        this.providers = providers;
        this.attributes = attributes;
        this.licence = licence;
        this.notices = notices;
        this.policy = policy;
        this.jdbc = jdbc;
        this.events = events;
    }

    /** An incoming message refused; the message says why (to the administrator's log and the error page, never personal data). */
    static class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static String entityId(String base) {
        return base + METADATA_PATH;
    }

    // ---- metadata

    /** The IdP's metadata, signed (enveloped, RSA-SHA256) with the key its KeyDescriptor publishes. */
    String metadata(String base) {
        try {
            SamlKeys.Current key = keys.current();
            IDPSSODescriptorType idp = new IDPSSODescriptorType(List.of(JBossSAMLURIConstants.PROTOCOL_NSURI.get()));
            idp.setWantAuthnRequestsSigned(false);
            idp.addNameIDFormat(JBossSAMLURIConstants.NAMEID_FORMAT_PERSISTENT.get());
            idp.addSingleSignOnService(new EndpointType(URI.create(REDIRECT_BINDING), URI.create(base + SSO_PATH)));
            idp.addSingleSignOnService(new EndpointType(URI.create(SamlServiceProviders.POST_BINDING), URI.create(base + SSO_PATH)));
            idp.addSingleLogoutService(new EndpointType(URI.create(REDIRECT_BINDING), URI.create(base + SamlSingleLogout.SLO_PATH)));
            idp.addSingleLogoutService(new EndpointType(URI.create(SamlServiceProviders.POST_BINDING), URI.create(base + SamlSingleLogout.SLO_PATH)));
            idp.addKeyDescriptor(SPMetadataDescriptor.buildKeyDescriptorType(SPMetadataDescriptor.buildKeyInfoElement(key.keyName(),
                    Base64.getEncoder().encodeToString(key.certificate().getEncoded())), KeyTypes.SIGNING));
            EntityDescriptorType entity = new EntityDescriptorType(entityId(base));
            entity.setID(IDGenerator.create("ID_"));
            entity.addChoiceType(EntityDescriptorType.EDTChoiceType.oneValue(new EntityDescriptorType.EDTDescriptorChoiceType(idp)));
            StringWriter xml = new StringWriter();
            new SAMLMetadataWriter(StaxUtil.getXMLStreamWriter(xml)).writeEntityDescriptor(entity);
            Document document = DocumentUtil.getDocument(xml.toString());
            // the signature goes first inside the root (the schema's place for it), over the whole descriptor
            Node first = document.getDocumentElement().getFirstChild();
            SAML2Signature signer = new SAML2Signature();
            signer.setSignatureMethod(SignatureAlgorithm.RSA_SHA256.getXmlSignatureMethod());
            signer.setDigestMethod(SignatureAlgorithm.RSA_SHA256.getXmlSignatureDigestMethod());
            signer.setX509Certificate(key.certificate());
            signer.setNextSibling(first);
            signer.signSAMLDocument(document, key.keyName(), key.keyPair(), javax.xml.crypto.dsig.CanonicalizationMethod.EXCLUSIVE);
            return DocumentUtil.getDocumentAsString(document);
        } catch (Exception e) {
            throw new IllegalStateException("The IdP metadata could not be built.", e);
        }
    }

    // ---- receiving an AuthnRequest

    /**
     * Checks an AuthnRequest and keeps it until the person has signed in; answers the key the browser continues with.
     *
     * @param rawQuery the request's query string as received (HTTP-Redirect: the signature covers its encoded values); null for HTTP-POST
     */
    @Transactional
    String receive(String samlRequest, String relayState, String rawQuery, String base) {
        boolean redirect = rawQuery != null;
        if (samlRequest == null || samlRequest.isBlank()) {
            throw new Refused("No SAMLRequest.");
        }
        SAMLDocumentHolder holder;
        try {
            holder = redirect ? SAMLRequestParser.parseRequestRedirectBinding(samlRequest, MAX_INFLATED_BYTES)
                    : SAMLRequestParser.parseRequestPostBinding(samlRequest);
        } catch (RuntimeException e) {
            holder = null;
        }
        if (holder == null || !(holder.getSamlObject() instanceof AuthnRequestType request)) {
            throw new Refused("The SAMLRequest is not an AuthnRequest that can be read.");
        }
        if (request.getIssuer() == null || request.getIssuer().getValue() == null) {
            throw new Refused("The AuthnRequest names no issuer.");
        }
        SamlServiceProviders.ServiceProvider sp = providers.find(request.getIssuer().getValue().strip())
                .orElseThrow(() -> new Refused("The AuthnRequest's issuer is not a registered service provider."));
        if (request.getDestination() != null && !request.getDestination().toString().equals(base + SSO_PATH)) {
            throw new Refused("The AuthnRequest is addressed to another destination.");
        }
        if (request.getIssueInstant() == null) {
            throw new Refused("The AuthnRequest has no IssueInstant.");
        }
        Instant issued = request.getIssueInstant().toGregorianCalendar().toInstant();
        Instant now = clock.instant();
        if (issued.isAfter(now.plus(SKEW)) || issued.plus(REQUEST_LIFETIME).plus(SKEW).isBefore(now)) {
            throw new Refused("The AuthnRequest is not fresh.");
        }
        if (request.getProtocolBinding() != null && !SamlServiceProviders.POST_BINDING.equals(request.getProtocolBinding().toString())) {
            throw new Refused("Responses go over HTTP-POST only.");
        }
        String acs = acs(sp, request);
        boolean signed = redirect ? queryParameter(rawQuery, "Signature") != null
                : XMLSignatureUtil.getSignature(holder.getSamlDocument().getDocumentElement()) != null;
        if (sp.authnRequestsSigned() || signed) {
            if (!signed) {
                throw new Refused("The service provider signs its AuthnRequests, and this one is unsigned.");
            }
            if (!(redirect ? redirectSignatureValid(rawQuery, "SAMLRequest", sp) : postSignatureValid(holder.getSamlDocument(), sp))) {
                throw new Refused("The AuthnRequest's signature is not the service provider's.");
            }
        }
        if (request.getID() == null || request.getID().isBlank()) {
            throw new Refused("The AuthnRequest has no ID.");
        }
        // each request id once per SP, remembered as long as the request could be fresh
        int fresh = jdbc.sql("""
                        insert into sso_saml_request_seen (sp_entity_id, request_id, expires_at) values (:sp, :id, :until)
                        on conflict do nothing""")
                .param("sp", sp.entityId()).param("id", request.getID()).param("until", java.sql.Timestamp.from(now.plus(REQUEST_LIFETIME).plus(SKEW.multipliedBy(2))))
                .update();
        if (fresh == 0) {
            throw new Refused("The AuthnRequest was presented before (a replay).");
        }
        jdbc.sql("delete from sso_saml_request_seen where expires_at < now()").update();
        return pending(sp, acs, request.getID(), relayState);
    }

    /** An IdP-initiated sign-in (from the start page): no request, the SP's default ACS. */
    @Transactional
    String initiate(String entityId) {
        SamlServiceProviders.ServiceProvider sp = providers.find(entityId).orElseThrow(() -> new Refused("No such service provider."));
        return pending(sp, sp.acsUrls().getFirst(), null, null);
    }

    private String pending(SamlServiceProviders.ServiceProvider sp, String acs, String inResponseTo, String relayState) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        jdbc.sql("delete from sso_saml_pending where expires_at < now()").update();
        jdbc.sql("""
                        insert into sso_saml_pending (key_hash, sp_entity_id, acs_url, in_response_to, relay_state, expires_at)
                        values (:k, :sp, :acs, :irt, :rs, :until)""")
                .param("k", hash(encoded)).param("sp", sp.entityId()).param("acs", acs).param("irt", inResponseTo)
                .param("rs", relayState != null && relayState.length() <= 1024 ? relayState : null)
                .param("until", java.sql.Timestamp.from(clock.instant().plus(REQUEST_LIFETIME))).update();
        return encoded;
    }

    /** The ACS the request names, if it is one of the SP's from its metadata; else the SP's default one. */
    private static String acs(SamlServiceProviders.ServiceProvider sp, AuthnRequestType request) {
        if (request.getAssertionConsumerServiceURL() != null) {
            String named = request.getAssertionConsumerServiceURL().toString();
            if (!sp.acsUrls().contains(named)) {
                throw new Refused("The AuthnRequest names an AssertionConsumerServiceURL that is not in the service provider's metadata.");
            }
            return named;
        }
        return sp.acsUrls().getFirst();
    }

    /**
     * HTTP-Redirect binding §3.4.4.1: the signature covers SAMLRequest (or SAMLResponse), RelayState and SigAlg exactly as
     * they were encoded in the URL.
     */
    static boolean redirectSignatureValid(String rawQuery, String messageParameter, SamlServiceProviders.ServiceProvider sp) {
        String request = queryParameter(rawQuery, messageParameter);
        String relayState = queryParameter(rawQuery, "RelayState");
        String sigAlg = queryParameter(rawQuery, "SigAlg");
        String signature = queryParameter(rawQuery, "Signature");
        if (sigAlg == null || signature == null) {
            return false;
        }
        SignatureAlgorithm algorithm = acceptable(UriUtils.decode(sigAlg, StandardCharsets.UTF_8));
        if (request == null) {
            return false;
        }
        String signed = messageParameter + "=" + request + (relayState != null ? "&RelayState=" + relayState : "") + "&SigAlg=" + sigAlg;
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(UriUtils.decode(signature, StandardCharsets.UTF_8));
            List<PublicKey> keys = sp.signingKeys().stream().map(java.security.cert.Certificate::getPublicKey).toList();
            for (PublicKey key : keys) {
                if (RedirectBindingSignatureUtil.validateRedirectBindingSignatureForKey(algorithm, signed.getBytes(StandardCharsets.UTF_8), bytes, key)) {
                    return true;
                }
            }
            return false;
        } catch (java.security.SignatureException | IllegalArgumentException e) {
            return false;
        }
    }

    /** SHA-1 is refused: the SP must sign with RSA-SHA256 or stronger. */
    static SignatureAlgorithm acceptable(String xmlMethod) {
        SignatureAlgorithm algorithm = SignatureAlgorithm.getFromXmlMethod(xmlMethod);
        if (algorithm != SignatureAlgorithm.RSA_SHA256 && algorithm != SignatureAlgorithm.RSA_SHA512
                && algorithm != SignatureAlgorithm.RSA_SHA256_MGF1 && algorithm != SignatureAlgorithm.RSA_SHA512_MGF1) {
            throw new Refused("The message is signed with an algorithm that is not accepted.");
        }
        return algorithm;
    }

    /**
     * HTTP-POST: an enveloped signature that is the root's own child and references the root by its ID — a
     * signature over some other element (signature wrapping) does not count.
     */
    static boolean postSignatureValid(Document document, SamlServiceProviders.ServiceProvider sp) {
        Element root = document.getDocumentElement();
        Element signature = XMLSignatureUtil.getSignature(root);
        if (signature == null || signature.getParentNode() != root) {
            return false;
        }
        org.w3c.dom.NodeList references = signature.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Reference");
        if (references.getLength() != 1 || !("#" + root.getAttribute("ID")).equals(((Element) references.item(0)).getAttribute("URI"))) {
            return false;
        }
        org.w3c.dom.NodeList methods = signature.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "SignatureMethod");
        if (methods.getLength() != 1) {
            return false;
        }
        acceptable(((Element) methods.item(0)).getAttribute("Algorithm"));
        try {
            SAML2Signature.configureIdAttribute(document);
            return XMLSignatureUtil.validateSingleNode(signature, new HardcodedKeyLocator(
                    sp.signingKeys().stream().map(java.security.cert.Certificate::getPublicKey).toList()));
        } catch (Exception e) {
            // e.g. a SHA-1 digest, which secure validation forbids: the reason, never the message, goes to the log
            org.slf4j.LoggerFactory.getLogger(SamlIdentityProvider.class).info("SAML message signature not valid: {}", e.toString());
            return false;
        }
    }

    /** A parameter of a query string as it was encoded (null when absent). */
    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }

    // ---- continuing once the person has signed in

    /** A sign-in waiting for the person: to which SP, for which product, where the answer goes. */
    record Pending(String keyHash, SamlServiceProviders.ServiceProvider sp, String acsUrl, String inResponseTo, String relayState) {
    }

    Pending pending(String key) {
        record Row(String spEntityId, String acs, String inResponseTo, String relayState) {
        }
        Row row = jdbc.sql("select sp_entity_id, acs_url, in_response_to, relay_state from sso_saml_pending where key_hash = :k and expires_at > now()")
                .param("k", hash(key)).query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).optional()
                .orElseThrow(() -> new Refused("This sign-in has expired or was finished already."));
        SamlServiceProviders.ServiceProvider sp = providers.find(row.spEntityId()).orElseThrow(() -> new Refused("No such service provider."));
        return new Pending(hash(key), sp, row.acs(), row.inResponseTo(), row.relayState());
    }

    /** What the browser is sent to the SP with: a form that posts itself (HTTP-POST binding). */
    record PostForm(String acsUrl, String samlResponse, String relayState) {
    }

    /** What happens next for the person at a pending sign-in. */
    sealed interface Next permits NoLicence, Notice, Post {
    }

    /** No licence: the same refusal page as for OpenID Connect, whose button takes a RequestDenied answer to the SP. */
    record NoLicence(AuthorizationErrors.NoLicence refusal, PostForm denied) implements Next {
    }

    record Notice(FirstSignInNotice.Notice notice) implements Next {
    }

    /** {@code participant}: the SP, NameID and SessionIndex of the assertion (for Single Logout); null for RequestDenied. */
    record Post(PostForm form, SamlSingleLogout.Participant participant) implements Next {
    }

    /** Licence, then the first-use notice, then the release: the assertion, or RequestDenied when nothing may go. */
    @Transactional
    Next proceed(UUID person, String key, String base) {
        Pending pending = pending(key);
        UUID product = pending.sp().productId();
        if (!licence.holds(person, product)) {
            finish(pending);
            return new NoLicence(licence.refusal(product, null), denied(pending, base));
        }
        boolean seen = jdbc.sql("select exists (select 1 from sso_saml_notice_seen where sp_entity_id = :sp and person_id = :p)")
                .param("sp", pending.sp().entityId()).param("p", person).query(Boolean.class).single();
        if (!seen) {
            return new Notice(notices.ofProduct(person, product));
        }
        finish(pending);
        Release release = policy.release(person, product, Channel.SSO_SAML);
        if (release.isEmpty() || !release.values().containsKey(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID)) {
            // the reason (objection, no agreement…) stays here: the SP learns only that the request was denied
            return new Post(denied(pending, base), null);
        }
        String sessionIndex = IDGenerator.create("s");
        PostForm form = assertion(pending, release, sessionIndex, base);
        events.publishEvent(new SignedInToProduct(person, product, release.supplierId(), Instant.now()));
        return new Post(form, new SamlSingleLogout.Participant(pending.sp().entityId(),
                release.values().get(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID).toString(), sessionIndex));
    }

    /** The person read the first-use notice and goes on. */
    @Transactional
    void noticeSeen(UUID person, String key) {
        Pending pending = pending(key);
        jdbc.sql("insert into sso_saml_notice_seen (sp_entity_id, person_id) values (:sp, :p) on conflict do nothing")
                .param("sp", pending.sp().entityId()).param("p", person).update();
    }

    private void finish(Pending pending) {
        jdbc.sql("delete from sso_saml_pending where key_hash = :k").param("k", pending.keyHash()).update();
    }

    private PostForm assertion(Pending pending, Release release, String sessionIndex, String base) {
        try {
            SamlKeys.Current key = keys.current();
            String pseudonym = release.values().get(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID).toString();
            SAML2LoginResponseBuilder builder = new SAML2LoginResponseBuilder()
                    .requestID(pending.inResponseTo())
                    .destination(pending.acsUrl())
                    .issuer(entityId(base))
                    .requestIssuer(pending.sp().entityId())
                    .assertionExpiration((int) ASSERTION_LIFETIME.toSeconds())
                    .subjectExpiration((int) ASSERTION_LIFETIME.toSeconds())
                    .sessionExpiration((int) ASSERTION_LIFETIME.toSeconds())
                    .nameIdentifier(JBossSAMLURIConstants.NAMEID_FORMAT_PERSISTENT.get(), pseudonym)
                    .authMethod(JBossSAMLURIConstants.AC_PASSWORD_PROTECTED_TRANSPORT.get())
                    .sessionIndex(sessionIndex);
            ResponseType response = builder.buildModel();
            AssertionType assertion = response.getAssertions().getFirst().getAssertion();
            AttributeStatementType statement = new AttributeStatementType();
            attributes.of(release).forEach((attribute, values) -> {
                AttributeType a = new AttributeType(attribute.oid());
                a.setFriendlyName(attribute.friendlyName());
                a.setNameFormat(JBossSAMLURIConstants.ATTRIBUTE_FORMAT_URI.get());
                values.forEach(a::addAttributeValue);
                statement.addAttribute(new AttributeStatementType.ASTChoiceType(a));
            });
            if (!statement.getAttributes().isEmpty()) {
                assertion.addStatement(statement);
            }
            Document document = builder.buildDocument(response);
            BaseSAML2BindingBuilder binding = new BaseSAML2BindingBuilder().signWith(key.keyName(), key.keyPair(), key.certificate())
                    .signatureAlgorithm(SignatureAlgorithm.RSA_SHA256).signAssertions();
            // an SP that publishes an encryption key gets the assertion encrypted to it — signed first, so the signature is
            // inside and covers what the SP reads once it has decrypted (Keycloak's post binding signs, then encrypts)
            pending.sp().encryptionKey().ifPresent(certificate -> binding.encrypt(certificate.getPublicKey())
                    .encryptionAlgorithm(pending.sp().contentEncryption()).keyEncryptionAlgorithm(KEY_TRANSPORT));
            // an SP that requires a signed message gets the whole Response signed too, last, over the (signed, perhaps
            // encrypted) assertion: Keycloak's post binding signs the document after the assertion
            if (pending.sp().signResponse()) {
                binding.signDocument();
            }
            String encoded = binding.postBinding(document).encoded();
            return new PostForm(pending.acsUrl(), encoded, pending.relayState());
        } catch (Exception e) {
            throw new IllegalStateException("The SAML response could not be built.", e);
        }
    }

    /** A signed Response with status Responder / RequestDenied and no assertion. */
    private PostForm denied(Pending pending, String base) {
        try {
            SamlKeys.Current key = keys.current();
            ResponseType response = new ResponseType(IDGenerator.create("ID_"), XMLTimeUtil.getIssueInstant());
            response.setDestination(pending.acsUrl());
            response.setInResponseTo(pending.inResponseTo());
            NameIDType issuer = new NameIDType();
            issuer.setValue(entityId(base));
            response.setIssuer(issuer);
            StatusCodeType top = new StatusCodeType();
            top.setValue(JBossSAMLURIConstants.STATUS_RESPONDER.getUri());
            StatusCodeType second = new StatusCodeType();
            second.setValue(JBossSAMLURIConstants.STATUS_REQUEST_DENIED.getUri());
            top.setStatusCode(second);
            StatusType status = new StatusType();
            status.setStatusCode(top);
            response.setStatus(status);
            Document document = SAML2Response.convert(response);
            String encoded = new BaseSAML2BindingBuilder().signWith(key.keyName(), key.keyPair(), key.certificate())
                    .signatureAlgorithm(SignatureAlgorithm.RSA_SHA256).signDocument().postBinding(document).encoded();
            return new PostForm(pending.acsUrl(), encoded, pending.relayState());
        } catch (Exception e) {
            throw new IllegalStateException("The SAML error response could not be built.", e);
        }
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
