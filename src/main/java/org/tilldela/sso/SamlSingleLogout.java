package org.tilldela.sso;

import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.keycloak.dom.saml.v2.protocol.LogoutRequestType;
import org.keycloak.dom.saml.v2.protocol.StatusCodeType;
import org.keycloak.dom.saml.v2.protocol.StatusResponseType;
import org.keycloak.saml.BaseSAML2BindingBuilder;
import org.keycloak.saml.SAML2LogoutRequestBuilder;
import org.keycloak.saml.SAML2LogoutResponseBuilder;
import org.keycloak.saml.SAMLRequestParser;
import org.keycloak.saml.SignatureAlgorithm;
import org.keycloak.saml.common.constants.JBossSAMLURIConstants;
import org.keycloak.saml.processing.api.saml.v2.response.SAML2Response;
import org.keycloak.saml.processing.core.saml.v2.common.SAMLDocumentHolder;
import org.keycloak.saml.processing.core.util.XMLSignatureUtil;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.w3c.dom.Document;

/**
 * SAML Single Logout (front channel, HTTP-Redirect or HTTP-POST) for the SPs a person signed in to during one Tilldela
 * session. An SP's LogoutRequest is checked as an AuthnRequest is (known SP, destination, fresh, never seen before,
 * signature where its metadata says it signs); then, back on Tilldela's own origin where the session cookie comes
 * along, the session is ended — if that SP was one of its SPs, under the NameID it was given — and each other SP of the
 * session that takes part in Single Logout is sent a signed LogoutRequest in turn (the browser goes there and comes
 * back with its LogoutResponse), and last the initiating SP gets a signed LogoutResponse. Signing out on the start
 * page walks the session's SPs the same way. Building, parsing and signing are Keycloak's SAML core.
 */
@Service
class SamlSingleLogout {

    static final String SLO_PATH = "/saml2/idp/slo";
    static final String CONTINUE_PATH = "/saml2/idp/slo/continue";
    /** The session attribute with the session's SAML sign-ins (sessions live in PostgreSQL: the value is Serializable). */
    static final String SESSION_KEY = SamlSingleLogout.class.getName() + ".PARTICIPANTS";
    /** How long a Single Logout may take, SP after SP. */
    static final Duration LIFETIME = Duration.ofMinutes(10);
    static final String PARTIAL_LOGOUT = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";

    /** An SP that got an assertion in this session: under which NameID and SessionIndex, which its LogoutRequest names. */
    record Participant(String entityId, String nameId, String sessionIndex) implements Serializable {
    }

    /** Where the browser goes next: a URL (HTTP-Redirect binding, or back to the sign-in page), or a form that posts itself. */
    sealed interface Next permits Redirect, Post {
    }

    record Redirect(String url) implements Next {
    }

    /** {@code field}: SAMLRequest or SAMLResponse. */
    record Post(String url, String field, String value, String relayState) implements Next {
    }

    private final SamlKeys keys;
    private final SamlServiceProviders providers;
    private final JdbcClient jdbc;
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();

    SamlSingleLogout(SamlKeys keys, SamlServiceProviders providers, JdbcClient jdbc) {
        this.keys = keys;
        this.providers = providers;
        this.jdbc = jdbc;
    }

    // ---- the session's SPs

    /** Remembers an SP the session gave an assertion to (the latest per SP; a new list, so the session store writes it). */
    static void remember(HttpSession session, Participant participant) {
        ArrayList<Participant> list = new ArrayList<>(participants(session));
        list.removeIf(p -> p.entityId().equals(participant.entityId()));
        list.add(participant);
        session.setAttribute(SESSION_KEY, list);
    }

    static List<Participant> participants(HttpSession session) {
        Object value = session == null ? null : session.getAttribute(SESSION_KEY);
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Participant.class::isInstance).map(Participant.class::cast).toList();
    }

    // ---- an SP's LogoutRequest

    /**
     * Checks an SP's LogoutRequest and keeps it; answers the key the browser continues with (at {@link #CONTINUE_PATH},
     * on Tilldela's origin: an HTTP-POST from the SP's site does not bring the SameSite=Lax session cookie along).
     *
     * @param rawQuery the query string as received (HTTP-Redirect); null for HTTP-POST
     */
    @Transactional
    String receiveRequest(String samlRequest, String relayState, String rawQuery, String base) {
        boolean redirect = rawQuery != null;
        SAMLDocumentHolder holder;
        try {
            holder = redirect ? SAMLRequestParser.parseRequestRedirectBinding(samlRequest, SamlIdentityProvider.MAX_INFLATED_BYTES)
                    : SAMLRequestParser.parseRequestPostBinding(samlRequest);
        } catch (RuntimeException e) {
            holder = null;
        }
        if (holder == null || !(holder.getSamlObject() instanceof LogoutRequestType request)) {
            throw new SamlIdentityProvider.Refused("The SAMLRequest is not a LogoutRequest that can be read.");
        }
        if (request.getIssuer() == null || request.getIssuer().getValue() == null) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest names no issuer.");
        }
        SamlServiceProviders.ServiceProvider sp = providers.find(request.getIssuer().getValue().strip())
                .orElseThrow(() -> new SamlIdentityProvider.Refused("The LogoutRequest's issuer is not a registered service provider."));
        if (sp.sloUrl() == null) {
            throw new SamlIdentityProvider.Refused("The service provider's metadata has no SingleLogoutService to answer at.");
        }
        if (request.getDestination() != null && !request.getDestination().toString().equals(base + SLO_PATH)) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest is addressed to another destination.");
        }
        Instant now = clock.instant();
        if (request.getIssueInstant() == null) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest has no IssueInstant.");
        }
        Instant issued = request.getIssueInstant().toGregorianCalendar().toInstant();
        if (issued.isAfter(now.plus(SamlIdentityProvider.SKEW)) || issued.plus(SamlIdentityProvider.REQUEST_LIFETIME).plus(SamlIdentityProvider.SKEW).isBefore(now)
                || request.getNotOnOrAfter() != null && !request.getNotOnOrAfter().toGregorianCalendar().toInstant().plus(SamlIdentityProvider.SKEW).isAfter(now)) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest is not fresh.");
        }
        checkSignature(holder.getSamlDocument(), redirect, rawQuery, "SAMLRequest", sp);
        if (request.getID() == null || request.getID().isBlank()) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest has no ID.");
        }
        if (request.getNameID() == null || request.getNameID().getValue() == null) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest names no NameID.");
        }
        // request ids share the AuthnRequests' record: each once per SP while it could be fresh
        int fresh = jdbc.sql("""
                        insert into sso_saml_request_seen (sp_entity_id, request_id, expires_at) values (:sp, :id, :until)
                        on conflict do nothing""")
                .param("sp", sp.entityId()).param("id", request.getID())
                .param("until", Timestamp.from(now.plus(SamlIdentityProvider.REQUEST_LIFETIME).plus(SamlIdentityProvider.SKEW.multipliedBy(2)))).update();
        if (fresh == 0) {
            throw new SamlIdentityProvider.Refused("The LogoutRequest was presented before (a replay).");
        }
        String key = newKey();
        jdbc.sql("delete from sso_saml_logout where expires_at < now()").update();
        jdbc.sql("""
                        insert into sso_saml_logout (key_hash, initiator_entity_id, initiator_request_id, initiator_name_id, initiator_relay_state,
                                                     started, expires_at)
                        values (:k, :sp, :id, :nameId, :rs, false, :until)""")
                .param("k", SamlIdentityProvider.hash(key)).param("sp", sp.entityId()).param("id", request.getID())
                .param("nameId", request.getNameID().getValue()).param("rs", relayState != null && relayState.length() <= 1024 ? relayState : null)
                .param("until", Timestamp.from(now.plus(LIFETIME))).update();
        return key;
    }

    /**
     * The browser is back on Tilldela's origin with the person's session (if any): answers whether the session is to be
     * ended — when it is signed in and the initiating SP is one of its SPs under the NameID the LogoutRequest names — and
     * then keeps the session's other SPs that take part in Single Logout, to be sent LogoutRequests. Once only per logout.
     */
    @Transactional
    boolean begin(String key, List<Participant> participants, boolean signedIn) {
        record Row(String initiator, String nameId, boolean started) {
        }
        Row row = jdbc.sql("select initiator_entity_id, initiator_name_id, started from sso_saml_logout where key_hash = :k and expires_at > now() for update")
                .param("k", SamlIdentityProvider.hash(key)).query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3))).optional()
                .orElseThrow(() -> new SamlIdentityProvider.Refused("This sign-out has expired or was finished already."));
        if (row.started()) {
            return false;
        }
        jdbc.sql("update sso_saml_logout set started = true where key_hash = :k").param("k", SamlIdentityProvider.hash(key)).update();
        boolean ours = signedIn && participants.stream().anyMatch(p -> p.entityId().equals(row.initiator()) && p.nameId().equals(row.nameId()));
        if (!ours) {
            // not this session's SP (or nobody is signed in here): nothing to end, the SP is told Success
            return false;
        }
        keep(key, participants.stream().filter(p -> !p.entityId().equals(row.initiator())).toList());
        return true;
    }

    /** Signing out on the start page: the session's SPs that take part in Single Logout are sent LogoutRequests; null when there are none. */
    @Transactional
    String fromStartPage(List<Participant> participants) {
        if (participants.stream().noneMatch(p -> providers.find(p.entityId()).map(sp -> sp.sloUrl() != null).orElse(false))) {
            return null;
        }
        String key = newKey();
        jdbc.sql("delete from sso_saml_logout where expires_at < now()").update();
        jdbc.sql("insert into sso_saml_logout (key_hash, started, expires_at) values (:k, true, :until)")
                .param("k", SamlIdentityProvider.hash(key)).param("until", Timestamp.from(clock.instant().plus(LIFETIME))).update();
        keep(key, participants);
        return key;
    }

    private void keep(String key, List<Participant> participants) {
        int position = 0;
        for (Participant p : participants) {
            if (providers.find(p.entityId()).map(sp -> sp.sloUrl() == null).orElse(true)) {
                continue; // removed since, or no Single Logout at that SP
            }
            jdbc.sql("""
                            insert into sso_saml_logout_participant (key_hash, position, sp_entity_id, name_id, session_index)
                            values (:k, :pos, :sp, :nameId, :si)""")
                    .param("k", SamlIdentityProvider.hash(key)).param("pos", position++).param("sp", p.entityId()).param("nameId", p.nameId())
                    .param("si", p.sessionIndex()).update();
        }
    }

    // ---- walking the session's SPs

    /** The next SP's LogoutRequest; once all were sent and answered (or not), the initiator's LogoutResponse, or the sign-in page. */
    @Transactional
    Next next(String key, String base) {
        String hash = SamlIdentityProvider.hash(key);
        record Row(String initiator, String requestId, String relayState, boolean partial) {
        }
        Row row = jdbc.sql("""
                        select initiator_entity_id, initiator_request_id, initiator_relay_state, partial
                          from sso_saml_logout where key_hash = :k and expires_at > now() and started for update""")
                .param("k", hash).query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4))).optional()
                .orElseThrow(() -> new SamlIdentityProvider.Refused("This sign-out has expired or was finished already."));
        record Waiting(int position, String entityId, String nameId, String sessionIndex) {
        }
        Optional<Waiting> waiting = jdbc.sql("""
                        select position, sp_entity_id, name_id, session_index from sso_saml_logout_participant
                         where key_hash = :k and request_id is null order by position limit 1""")
                .param("k", hash).query((rs, n) -> new Waiting(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4))).optional();
        try {
            if (waiting.isPresent()) {
                Waiting w = waiting.get();
                Optional<SamlServiceProviders.ServiceProvider> sp = providers.find(w.entityId()).filter(s -> s.sloUrl() != null);
                if (sp.isEmpty()) {
                    jdbc.sql("update sso_saml_logout_participant set request_id = '', answered = true where key_hash = :k and position = :p")
                            .param("k", hash).param("p", w.position()).update();
                    return next(key, base);
                }
                Document request = new SAML2LogoutRequestBuilder().issuer(SamlIdentityProvider.entityId(base)).destination(sp.get().sloUrl())
                        .userPrincipal(w.nameId(), JBossSAMLURIConstants.NAMEID_FORMAT_PERSISTENT.get())
                        .sessionIndex(w.sessionIndex()).assertionExpiration((int) SamlIdentityProvider.REQUEST_LIFETIME.toSeconds()).buildDocument();
                jdbc.sql("update sso_saml_logout_participant set request_id = :id where key_hash = :k and position = :p")
                        .param("id", request.getDocumentElement().getAttribute("ID")).param("k", hash).param("p", w.position()).update();
                return send(request, sp.get().sloBinding(), sp.get().sloUrl(), "SAMLRequest", key);
            }
            jdbc.sql("delete from sso_saml_logout where key_hash = :k").param("k", hash).update();
            if (row.initiator() == null) {
                return new Redirect(PersonSignInConfiguration.SIGN_IN + "?signed-out");
            }
            SamlServiceProviders.ServiceProvider initiator = providers.find(row.initiator())
                    .orElseThrow(() -> new SamlIdentityProvider.Refused("The service provider that asked for the sign-out is no longer registered."));
            String destination = initiator.sloResponseUrl() != null ? initiator.sloResponseUrl() : initiator.sloUrl();
            StatusResponseType response = new SAML2LogoutResponseBuilder().logoutRequestID(row.requestId()).destination(destination)
                    .issuer(SamlIdentityProvider.entityId(base)).buildModel();
            if (row.partial()) {
                StatusCodeType partial = new StatusCodeType();
                partial.setValue(URI.create(PARTIAL_LOGOUT));
                response.getStatus().getStatusCode().setStatusCode(partial);
            }
            return send(SAML2Response.convert(response), initiator.sloBinding(), destination, "SAMLResponse", row.relayState());
        } catch (SamlIdentityProvider.Refused e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("The SAML logout message could not be built.", e);
        }
    }

    /** A message signed RSA-SHA256 (the query string over HTTP-Redirect, enveloped over HTTP-POST) on the SP's binding. */
    private Next send(Document document, String binding, String url, String field, String relayState) throws Exception {
        SamlKeys.Current key = keys.current();
        BaseSAML2BindingBuilder builder = new BaseSAML2BindingBuilder().signWith(key.keyName(), key.keyPair(), key.certificate())
                .signatureAlgorithm(SignatureAlgorithm.RSA_SHA256).signDocument().relayState(relayState);
        if (SamlIdentityProvider.REDIRECT_BINDING.equals(binding)) {
            BaseSAML2BindingBuilder.BaseRedirectBindingBuilder redirect = builder.redirectBinding(document);
            return new Redirect(("SAMLRequest".equals(field) ? redirect.requestURI(url) : redirect.responseURI(url)).toString());
        }
        return new Post(url, field, builder.postBinding(document).encoded(), relayState);
    }

    // ---- an SP's LogoutResponse

    /** Checks a LogoutResponse to the LogoutRequest this sign-out sent that SP (RelayState: the sign-out's key); answers the key. */
    @Transactional
    String receiveResponse(String samlResponse, String relayState, String rawQuery, String base) {
        if (relayState == null || relayState.isBlank()) {
            throw new SamlIdentityProvider.Refused("The LogoutResponse carries no RelayState of ours.");
        }
        boolean redirect = rawQuery != null;
        SAMLDocumentHolder holder;
        try {
            holder = redirect ? SAMLRequestParser.parseResponseRedirectBinding(samlResponse, SamlIdentityProvider.MAX_INFLATED_BYTES)
                    : SAMLRequestParser.parseResponsePostBinding(samlResponse);
        } catch (RuntimeException e) {
            holder = null;
        }
        if (holder == null || !(holder.getSamlObject() instanceof StatusResponseType response)
                || !"LogoutResponse".equals(holder.getSamlDocument().getDocumentElement().getLocalName())) {
            throw new SamlIdentityProvider.Refused("The SAMLResponse is not a LogoutResponse that can be read.");
        }
        String hash = SamlIdentityProvider.hash(relayState);
        record Sent(int position, String entityId) {
        }
        Sent sent = jdbc.sql("""
                        select p.position, p.sp_entity_id from sso_saml_logout_participant p join sso_saml_logout l on l.key_hash = p.key_hash
                         where p.key_hash = :k and p.request_id = :id and not p.answered and l.expires_at > now()""")
                .param("k", hash).param("id", String.valueOf(response.getInResponseTo()))
                .query((rs, n) -> new Sent(rs.getInt(1), rs.getString(2))).optional()
                .orElseThrow(() -> new SamlIdentityProvider.Refused("The LogoutResponse answers no LogoutRequest of this sign-out."));
        if (response.getIssuer() == null || !sent.entityId().equals(String.valueOf(response.getIssuer().getValue()).strip())) {
            throw new SamlIdentityProvider.Refused("The LogoutResponse comes from another service provider than the one asked.");
        }
        if (response.getDestination() != null && !response.getDestination().equals(base + SLO_PATH)) {
            throw new SamlIdentityProvider.Refused("The LogoutResponse is addressed to another destination.");
        }
        SamlServiceProviders.ServiceProvider sp = providers.find(sent.entityId())
                .orElseThrow(() -> new SamlIdentityProvider.Refused("The service provider is no longer registered."));
        checkSignature(holder.getSamlDocument(), redirect, rawQuery, "SAMLResponse", sp);
        boolean success = response.getStatus() != null && response.getStatus().getStatusCode() != null
                && JBossSAMLURIConstants.STATUS_SUCCESS.get().equals(String.valueOf(response.getStatus().getStatusCode().getValue()));
        jdbc.sql("update sso_saml_logout_participant set answered = true where key_hash = :k and position = :p")
                .param("k", hash).param("p", sent.position()).update();
        if (!success) {
            jdbc.sql("update sso_saml_logout set partial = true where key_hash = :k").param("k", hash).update();
        }
        return relayState;
    }

    /** Where the SP's metadata says it signs, or the message carries a signature: it must be the SP's. */
    private static void checkSignature(Document document, boolean redirect, String rawQuery, String field, SamlServiceProviders.ServiceProvider sp) {
        boolean signed = redirect ? SamlIdentityProvider.queryParameter(rawQuery, "Signature") != null
                : XMLSignatureUtil.getSignature(document.getDocumentElement()) != null;
        if (sp.authnRequestsSigned() || signed) {
            if (!signed) {
                throw new SamlIdentityProvider.Refused("The service provider signs its messages, and this one is unsigned.");
            }
            if (!(redirect ? SamlIdentityProvider.redirectSignatureValid(rawQuery, field, sp) : SamlIdentityProvider.postSignatureValid(document, sp))) {
                throw new SamlIdentityProvider.Refused("The message's signature is not the service provider's.");
            }
        }
    }

    private String newKey() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
