package org.tilldela.sso;

import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.authn.AuthnRequestParams;
import com.onelogin.saml2.authn.SamlResponse;
import com.onelogin.saml2.exception.ValidationError;
import com.onelogin.saml2.http.HttpRequest;
import com.onelogin.saml2.settings.Metadata;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Upstream SAML: Tilldela as SAML service provider towards an organiser's own IdP ({@link UpstreamSamlProviders}),
 * by OneLogin's java-saml — no XML or signature built here. The sign-in page's button starts at
 * {@code GET /sign-in/upstream/saml/{idp}}: a signed AuthnRequest (RSA-SHA256, HTTP-Redirect), whose ID waits in
 * the browser's session; the IdP posts its Response to {@code /sign-in/upstream/saml/{idp}/acs} (HTTP-POST), where
 * java-saml checks it in strict mode: signed (the assertion or the whole Response) by a certificate from the IdP's
 * metadata, exactly one assertion, audience and destination/recipient Tilldela's, InResponseTo the request this
 * browser started, NotBefore/NotOnOrAfter within its small skew (3 minutes). An assertion ID is used once: kept in
 * PostgreSQL until the assertion expires, so two nodes agree. Then the configured attribute is matched as an
 * OpenID claim is, and the person is signed in by the very code that signs in after OpenID Connect
 * ({@link UpstreamSignIn#person}, {@link UpstreamSignIn#signIn}).
 *
 * <p>Tilldela's SP metadata for the IdP (one per organiser, so each IdP knows Tilldela by an entityID of its own):
 * {@code /sign-in/upstream/saml/{idp}/metadata}. It signs AuthnRequests with the key the SAML IdP signs with
 * ({@link SamlKeys}): one key for an operator to keep.
 */
@Controller
@PreAuthorize("permitAll()")
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class UpstreamSamlSignIn {

    static final String BASE = UpstreamSignIn.BASE + "/saml";
    /** Where IdPs post their Responses: no CSRF token comes with a cross-site post (PersonSignInConfiguration). */
    static final String ACS_PATHS = BASE + "/*/acs";
    /** The session attribute with the AuthnRequests this browser started and is waiting on, by IdP. */
    static final String PENDING = UpstreamSamlSignIn.class.getName() + ".pending";
    /** How long an AuthnRequest waits for its Response: a person signing in at their municipality takes a few minutes at most. */
    static final Duration REQUEST_LIFETIME = Duration.ofMinutes(10);
    /** How long an assertion ID is kept when its assertion names no expiry of its own. */
    private static final Duration REPLAY_WINDOW = Duration.ofHours(1);

    private final UpstreamSamlProviders idps;
    private final UpstreamSignIn upstream;
    private final SamlKeys keys;
    private final JdbcClient jdbc;
    private final AuthorizationServerSettings server;

    UpstreamSamlSignIn(UpstreamSamlProviders idps, UpstreamSignIn upstream, SamlKeys keys, JdbcClient jdbc, AuthorizationServerSettings server) {
        this.idps = idps;
        this.upstream = upstream;
        this.keys = keys;
        this.jdbc = jdbc;
        this.server = server;
    }

    static String start(UUID idp) {
        return BASE + "/" + idp;
    }

    static String acs(UUID idp) {
        return BASE + "/" + idp + "/acs";
    }

    static String metadata(UUID idp) {
        return BASE + "/" + idp + "/metadata";
    }

    /** An AuthnRequest this browser started: its ID (the Response's InResponseTo must be it) and when. */
    record Pending(String requestId, Instant startedAt) implements Serializable {
    }

    /** The configured public address (tilldela.base-url), or this request's origin: what the IdP knows Tilldela by. */
    String base(HttpServletRequest request) {
        return server.getIssuer() != null ? server.getIssuer() : ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
    }

    /** java-saml's settings for one IdP: strict; Tilldela signs its requests; the IdP's side as its metadata said. */
    Saml2Settings settings(UpstreamSamlProviders.Idp idp, String base) {
        SamlKeys.Current key = keys.current();
        Map<String, Object> values = new HashMap<>();
        values.put(SettingsBuilder.STRICT_PROPERTY_KEY, true);
        values.put(SettingsBuilder.SP_ENTITYID_PROPERTY_KEY, base + metadata(idp.id()));
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_URL_PROPERTY_KEY, base + acs(idp.id()));
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_BINDING_PROPERTY_KEY, Constants.BINDING_HTTP_POST);
        values.put(SettingsBuilder.SP_NAMEIDFORMAT_PROPERTY_KEY, Constants.NAMEID_UNSPECIFIED);
        values.put(SettingsBuilder.SP_X509CERT_PROPERTY_KEY, key.certificate());
        values.put(SettingsBuilder.SP_PRIVATEKEY_PROPERTY_KEY, key.keyPair().getPrivate());
        values.put(SettingsBuilder.IDP_ENTITYID_PROPERTY_KEY, idp.entityId());
        values.put(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_URL_PROPERTY_KEY, idp.ssoUrl());
        values.put(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_BINDING_PROPERTY_KEY, Constants.BINDING_HTTP_REDIRECT);
        List<String> certificates = idp.signingCertificates();
        values.put(SettingsBuilder.IDP_X509CERT_PROPERTY_KEY, certificates.getFirst());
        for (int i = 0; i < certificates.size(); i++) {
            // every signing certificate of the metadata (an IdP rolling its key over publishes both)
            values.put(SettingsBuilder.IDP_X509CERTMULTI_PROPERTY_KEY + "." + i, certificates.get(i));
        }
        values.put(SettingsBuilder.SECURITY_AUTHREQUEST_SIGNED, true);
        // either the assertion or the whole Response signed will do (java-saml refuses a Response with neither signed)
        values.put(SettingsBuilder.SECURITY_WANT_ASSERTIONS_SIGNED, false);
        values.put(SettingsBuilder.SECURITY_WANT_MESSAGES_SIGNED, false);
        values.put(SettingsBuilder.SECURITY_WANT_NAMEID, false);
        values.put(SettingsBuilder.SECURITY_WANT_XML_VALIDATION, true);
        values.put(SettingsBuilder.SECURITY_SIGNATURE_ALGORITHM, Constants.RSA_SHA256);
        values.put(SettingsBuilder.SECURITY_DIGEST_ALGORITHM, Constants.SHA256);
        values.put(SettingsBuilder.SECURITY_REJECT_DEPRECATED_ALGORITHM, true);
        values.put(SettingsBuilder.SECURITY_REJECT_UNSOLICITED_RESPONSES_WITH_INRESPONSETO, true);
        return new SettingsBuilder().fromValues(values).build();
    }

    /** Tilldela's SP metadata for this IdP, signed, as the municipality's administrator registers it there. */
    @GetMapping(BASE + "/{idp}/metadata")
    ResponseEntity<String> spMetadata(@PathVariable String idp, HttpServletRequest request) throws Exception {
        Optional<UpstreamSamlProviders.Idp> found = uuid(idp).flatMap(idps::idp);
        if (found.isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        Saml2Settings settings = settings(found.get(), base(request));
        SamlKeys.Current key = keys.current();
        String xml = Metadata.signMetadata(new Metadata(settings).getMetadataString(), key.keyPair().getPrivate(), key.certificate(),
                Constants.RSA_SHA256, Constants.SHA256);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/samlmetadata+xml")).body(xml);
    }

    /** The button: a signed AuthnRequest to the organiser's IdP, its ID kept in this browser's session. */
    @GetMapping(BASE + "/{idp}")
    void signIn(@PathVariable String idp, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<UpstreamSamlProviders.Idp> found = uuid(idp).flatMap(idps::enabled);
        if (found.isEmpty()) {
            upstream.refusalPage(request, response, uuid(idp).map(UUID::toString).orElse("unknown"), UpstreamSignIn.Refusal.FAILED);
            return;
        }
        Saml2Settings settings = settings(found.get(), base(request));
        AuthnRequest authnRequest = new AuthnRequest(settings, new AuthnRequestParams(false, false, true));
        // SAML Bindings §3.4.4.1: the signature covers the URL-encoded SAMLRequest and SigAlg as they go in the query
        String query = "SAMLRequest=" + Util.urlEncoder(authnRequest.getEncodedAuthnRequest()) + "&SigAlg=" + Util.urlEncoder(Constants.RSA_SHA256);
        String signature;
        try {
            signature = Util.base64encoder(Util.sign(query, settings.getSPkey(), Constants.RSA_SHA256));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("The AuthnRequest could not be signed.", e);
        }
        HttpSession session = request.getSession(true);
        Map<UUID, Pending> pending = pending(session);
        // one request per IdP at a time: a second click replaces the first, whose Response is then refused
        pending.put(found.get().id(), new Pending(authnRequest.getId(), Instant.now()));
        session.setAttribute(PENDING, new HashMap<>(pending));
        String sso = found.get().ssoUrl();
        response.sendRedirect(sso + (sso.contains("?") ? "&" : "?") + query + "&Signature=" + Util.urlEncoder(signature));
    }

    /**
     * The IdP's Response. A cross-site HTTP-POST brings no SameSite=Lax session cookie along: such a post goes once more
     * to this same address from Tilldela's own page (saml-post.js), which brings it; a second post without a session is
     * refused.
     */
    @PostMapping(BASE + "/{idp}/acs")
    String assertionConsumerService(@PathVariable String idp, @RequestParam(name = "SAMLResponse", required = false) String samlResponse,
                                    @RequestParam(name = "resent", required = false) String resent, HttpServletRequest request,
                                    HttpServletResponse response, Model model) throws IOException, ServletException {
        Optional<UpstreamSamlProviders.Idp> found = uuid(idp).flatMap(idps::enabled);
        if (found.isEmpty() || samlResponse == null || samlResponse.isBlank()) {
            upstream.refusalPage(request, response, uuid(idp).map(UUID::toString).orElse("unknown"), UpstreamSignIn.Refusal.FAILED);
            return null;
        }
        UpstreamSamlProviders.Idp provider = found.get();
        HttpSession session = request.getSession(false);
        if (session == null && resent == null) {
            model.addAttribute("acsUrl", acs(provider.id()));
            model.addAttribute("samlResponse", samlResponse);
            return "sso/upstream-saml-post";
        }
        Pending pending = session == null ? null : pending(session).get(provider.id());
        if (session != null) {
            // used up, whatever comes of it: a Response is answered to a request once
            Map<UUID, Pending> rest = new HashMap<>(pending(session));
            rest.remove(provider.id());
            session.setAttribute(PENDING, rest);
        }
        if (pending == null || pending.startedAt().plus(REQUEST_LIFETIME).isBefore(Instant.now())) {
            upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), pending == null ? "NO_REQUEST_STARTED" : "REQUEST_EXPIRED", null);
            upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
            return null;
        }
        String base = base(request);
        SamlResponse answer;
        try {
            // the URL the Response must be addressed to is Tilldela's ACS as published, not whatever this request's URL says
            answer = new SamlResponse(settings(provider, base), new HttpRequest(base + acs(provider.id())).addParameter("SAMLResponse", samlResponse));
        } catch (ValidationError e) {
            // java-saml's first checks, as it reads the Response (e.g. not one assertion)
            upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), codeName(e.getErrorCode()), e.getMessage());
            upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
            return null;
        } catch (Exception e) {
            // not XML that can be read (a DOCTYPE is refused: no external entity, no entity expansion), or not a Response
            upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), "UNREADABLE_RESPONSE", e.getClass().getSimpleName());
            upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
            return null;
        }
        if (!answer.isValid(pending.requestId())) {
            Exception why = answer.getValidationException();
            String code = why instanceof ValidationError v ? codeName(v.getErrorCode()) : "INVALID_RESPONSE";
            // java-saml's message names ids, URLs, times and algorithms, never the person: the audit trail keeps it
            upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), code, answer.getError());
            upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
            return null;
        }
        String value;
        try {
            if (!firstUse(provider.id(), answer.getAssertionId(), expiry(answer))) {
                upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), "ASSERTION_REPLAYED", null);
                upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
                return null;
            }
            value = attribute(answer, provider.matchAttribute());
        } catch (Exception e) {
            upstream.failed(request, "sso_upstream_saml_idp", provider.id().toString(), "UNREADABLE_ASSERTION", e.getClass().getSimpleName());
            upstream.refusalPage(request, response, provider.id().toString(), UpstreamSignIn.Refusal.FAILED);
            return null;
        }
        UpstreamProviders.Rule rule = idps.rule(provider);
        UUID person;
        try {
            person = upstream.person(rule, value, UpstreamSignIn.describe(rule, value));
        } catch (UpstreamSignIn.Refused refused) {
            upstream.refusalPage(request, response, provider.id().toString(), refused.reason);
            return null;
        }
        upstream.signIn(request, response, person, provider.id(), provider.organiserId(), FactorGrantedAuthority.SAML_RESPONSE_AUTHORITY, "saml");
        return null;
    }

    /** The value the matching rule names: the attribute's first value, or the NameID. */
    private static String attribute(SamlResponse answer, String name) throws Exception {
        if (UpstreamSamlProviders.NAME_ID.equals(name)) {
            String nameId = answer.getNameId();
            return nameId == null ? null : nameId.strip();
        }
        List<String> values = answer.getAttributes().get(name);
        return values == null || values.isEmpty() || values.getFirst() == null ? null : values.getFirst().strip();
    }

    /** When the assertion stops being usable (its latest NotOnOrAfter, plus java-saml's skew); else a fixed window. */
    private static Instant expiry(SamlResponse answer) throws Exception {
        List<org.joda.time.Instant> ends = answer.getAssertionNotOnOrAfter();
        Instant latest = ends.stream().map(i -> Instant.ofEpochMilli(i.getMillis())).max(Instant::compareTo).orElse(Instant.now().plus(REPLAY_WINDOW));
        return latest.plusSeconds(Constants.ALOWED_CLOCK_DRIFT);
    }

    /** True the first time this IdP's assertion ID is seen (before it expires); expired IDs go as new ones come. */
    private boolean firstUse(UUID idp, String assertionId, Instant expires) {
        if (assertionId == null || assertionId.isBlank()) {
            return false;
        }
        jdbc.sql("delete from sso_upstream_saml_assertion where expires_at < now()").update();
        return jdbc.sql("""
                        insert into sso_upstream_saml_assertion (idp_id, assertion_id, expires_at) values (:idp, :id, :expires)
                        on conflict (idp_id, assertion_id) do nothing""")
                .param("idp", idp).param("id", assertionId).param("expires", java.sql.Timestamp.from(expires)).update() == 1;
    }

    @SuppressWarnings("unchecked")
    private static Map<UUID, Pending> pending(HttpSession session) {
        return session.getAttribute(PENDING) instanceof Map<?, ?> map ? new HashMap<>((Map<UUID, Pending>) map) : new HashMap<>();
    }

    /** java-saml's error code by its constant's name (WRONG_AUDIENCE, INVALID_SIGNATURE, …), for the audit trail. */
    static String codeName(int code) {
        for (Field field : ValidationError.class.getFields()) {
            try {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class && field.getInt(null) == code) {
                    return field.getName();
                }
            } catch (IllegalAccessException e) {
                // a public constant: not reached
            }
        }
        return "VALIDATION_ERROR_" + code;
    }

    private static Optional<UUID> uuid(String s) {
        try {
            return Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
