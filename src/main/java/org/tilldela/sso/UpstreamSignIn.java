package org.tilldela.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.CookieRequestCache;
import org.tilldela.directory.OrganiserPersons;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.InstanceSecrets;

/**
 * Signing in through the organiser's own identity provider (Spring Security's OAuth 2.0 / OpenID Connect
 * client): authorization code with PKCE (S256), state and nonce; the upstream ID token is validated by Spring
 * (signature against the provider's published keys, issuer, audience, expiry, nonce). Then the configured claim
 * must equal the configured directory field of exactly one person of that organiser: that person is signed in,
 * in the very shape a local sign-in gives (principal name = the person's id, the one authority
 * {@link PersonAccounts#PERSON}), and nothing of the upstream account is kept. Otherwise the person sees why
 * and whom to ask, and the audit trail records the reason — with a keyed hash of the claim's value, never
 * the value.
 *
 * <p>Paths: {@code GET /sign-in/upstream/{provider}} goes to the provider; it sends the browser back to
 * {@code /sign-in/upstream/{provider}/callback}; a refusal is shown at {@code /sign-in/upstream/{provider}/refused}.
 */
class UpstreamSignIn {

    static final String BASE = PersonSignInConfiguration.SIGN_IN + "/upstream";
    /** Matches every path of the upstream sign-in, for the persons' chain. */
    static final String PATHS = BASE + "/**";

    /** Why a sign-in was refused; {@code path} is what the refusal page's address says. */
    enum Refusal {
        NO_MATCH("no-match"), SEVERAL_MATCHES("several-matches"), CLAIM_MISSING("failed"), EMAIL_NOT_VERIFIED("failed"), FAILED("failed"),
        /** an administrator's sign-in found no enabled administrator account bound to the upstream account or its person */
        NO_ADMIN_ACCOUNT("no-admin-account");

        final String path;

        Refusal(String path) {
            this.path = path;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(UpstreamSignIn.class);

    private final UpstreamProviders providers;
    private final OrganiserPersons persons;
    private final AuditTrail audit;
    private final InstanceSecrets instanceSecrets;
    private final UpstreamAuthorizationRequests requests;
    private final UpstreamHttp http;
    private final OidcUserService upstreamUsers = new OidcUserService();
    private final Map<DecoderKey, JwtDecoder> decoders = new ConcurrentHashMap<>();
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
    private final SecurityContextRepository sessions = new DelegatingSecurityContextRepository(new RequestAttributeSecurityContextRepository(),
            new HttpSessionSecurityContextRepository());
    private final SavedRequestAwareAuthenticationSuccessHandler onward = new SavedRequestAwareAuthenticationSuccessHandler();

    private final org.tilldela.governance.AdminUpstreamAccounts admins;
    private final org.tilldela.governance.AdminAccounts adminAccounts;

    UpstreamSignIn(UpstreamProviders providers, OrganiserPersons persons, AuditTrail audit, InstanceSecrets instanceSecrets,
                   UpstreamAuthorizationRequests requests, UpstreamHttp http, org.tilldela.governance.AdminUpstreamAccounts admins,
                   org.tilldela.governance.AdminAccounts adminAccounts) {
        this.providers = providers;
        this.admins = admins;
        this.adminAccounts = adminAccounts;
        this.http = http;
        // userinfo, too, with the timeouts
        this.upstreamUsers.setOauth2UserService(http.userInfo());
        this.persons = persons;
        this.audit = audit;
        this.instanceSecrets = instanceSecrets;
        this.requests = requests;
        // back to the product's authorization request that sent the person to sign in (kept in a cookie, as for a
        // local sign-in), else to the start page
        this.onward.setRequestCache(new CookieRequestCache());
        this.onward.setDefaultTargetUrl("/start");
    }

    /** Puts the upstream sign-in on the persons' chain (PersonSignInConfiguration). */
    void configure(HttpSecurity http) throws Exception {
        http.oauth2Login(o -> o.loginPage(PersonSignInConfiguration.SIGN_IN)
                .clientRegistrationRepository(providers.registrations())
                .authorizedClientRepository(NOTHING_KEPT)
                .authorizationEndpoint(a -> a.baseUri(BASE).authorizationRequestRepository(requests))
                .redirectionEndpoint(r -> r.baseUri(BASE + "/*/callback"))
                .loginProcessingUrl(BASE + "/*/callback")
                // the upstream identity goes no further than this request: the session gets the person (signedIn)
                .securityContextRepository(new RequestAttributeSecurityContextRepository())
                .successHandler(this::signedIn)
                .failureHandler(this::refused));
    }

    /**
     * What finishes a sign-in coming back from the provider, for the persons' chain's authentication manager: the
     * code is redeemed (with the PKCE verifier), the ID token validated, the person matched.
     */
    AuthenticationProvider authenticationProvider() {
        OidcAuthorizationCodeAuthenticationProvider provider = new OidcAuthorizationCodeAuthenticationProvider(
                http.tokenResponseClient(), this::match);
        provider.setJwtDecoderFactory(this::decoder);
        return provider;
    }

    /** The upstream account's claims (ID token, and userinfo where the scopes reach it) against the directory. */
    private OidcUser match(OidcUserRequest request) {
        OidcUser upstream = upstreamUsers.loadUser(request);
        String providerId = request.getClientRegistration().getRegistrationId();
        UpstreamProviders.Rule rule = providers.rule(providerId).orElseThrow(() -> new Refused(providerId, Refusal.FAILED));
        Object claim = upstream.getClaims().get(rule.matchClaim());
        String value = claim == null ? null : String.valueOf(claim).strip();
        Map<String, Object> detail = describe(rule, value);
        if (UpstreamProviders.forAdministrators(providerId)) {
            return matchAdministrator(rule, upstream, value, detail);
        }
        // an e-mail address a provider has not verified is whatever its account holder typed (the "nOAuth" takeover:
        // an account that names a pupil's address would sign in as the pupil); OIDC Core 5.1 email_verified
        if (value != null && !value.isEmpty() && "email".equals(rule.matchClaim()) && !Boolean.TRUE.equals(upstream.getEmailVerified())) {
            refuse(rule, Refusal.EMAIL_NOT_VERIFIED, detail);
        }
        return new MatchedPerson(person(rule, value, detail), rule.providerId(), rule.organiserId(), upstream);
    }

    /** What the audit trail says of an upstream value being matched: the rule, and whether there was a value (never the value). */
    static Map<String, Object> describe(UpstreamProviders.Rule rule, String value) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("organiser", rule.organiserId().toString());
        detail.put("claim", rule.matchClaim());
        detail.put("field", rule.matchField().name());
        detail.put("claimPresent", value != null && !value.isEmpty());
        return detail;
    }

    /**
     * The one person of the organiser whose directory field equals the upstream value (an OpenID claim, a SAML
     * attribute); none, or more than one, is refused and the reason audited. Shared by both protocols: from here on
     * a SAML sign-in is an OpenID one.
     */
    UUID person(UpstreamProviders.Rule rule, String value, Map<String, Object> detail) {
        if (value == null || value.isEmpty()) {
            refuse(rule, Refusal.CLAIM_MISSING, detail);
        }
        // the value itself may be personal data (an e-mail, a civic number): the trail gets a keyed hash that tells
        // one person's repeated attempts apart from another's, and reveals nothing to whoever reads it
        detail.put("claimHash", keyedHash(value));
        List<UUID> found = persons.matching(rule.organiserId(), rule.matchField(), value, 2);
        if (found.isEmpty()) {
            refuse(rule, Refusal.NO_MATCH, detail);
        }
        if (found.size() > 1) {
            refuse(rule, Refusal.SEVERAL_MATCHES, detail);
        }
        return found.getFirst();
    }

    /**
     * An administrator's sign-in: the account bound to the upstream subject, else the one linked to the directory person
     * the claim matches (as for pupils, one person exactly). A claim matching nobody is no refusal yet: a binding may
     * still name the account.
     */
    private OidcUser matchAdministrator(UpstreamProviders.Rule rule, OidcUser upstream, String value, Map<String, Object> detail) {
        detail.put("administrator", true);
        boolean verified = !"email".equals(rule.matchClaim()) || Boolean.TRUE.equals(upstream.getEmailVerified());
        List<UUID> found = value == null || value.isEmpty() || !verified ? List.of() : persons.matching(rule.organiserId(), rule.matchField(), value, 2);
        if (value != null && !value.isEmpty()) {
            detail.put("claimHash", keyedHash(value));
        }
        java.util.Optional<String> account = admins.find(rule.organiserId(), upstream.getSubject(), found.size() == 1 ? found.getFirst() : null);
        if (account.isEmpty()) {
            refuse(rule, Refusal.NO_ADMIN_ACCOUNT, detail);
        }
        return new MatchedAdministrator(account.get(), rule.providerId(), rule.organiserId(), upstream);
    }

    private void refuse(UpstreamProviders.Rule rule, Refusal reason, Map<String, Object> detail) {
        detail.put("reason", reason.name());
        detail.put("address", address());
        audit.record("sign-in", "UPSTREAM_SIGN_IN_REFUSED", rule.auditType(), rule.providerId().toString(), detail);
        throw new Refused(rule.providerId().toString(), reason);
    }

    /** The session gets the person, as a local sign-in would have made them; then on to the product or the start page. */
    private void signedIn(HttpServletRequest request, HttpServletResponse response, Authentication upstream) throws IOException, jakarta.servlet.ServletException {
        if (((OAuth2AuthenticationToken) upstream).getPrincipal() instanceof MatchedAdministrator admin) {
            signedInAdministrator(request, response, admin);
            return;
        }
        MatchedPerson matched = (MatchedPerson) ((OAuth2AuthenticationToken) upstream).getPrincipal();
        // as a local sign-in has its password factor: the factor says how and when the person authenticated (the
        // authorization server's auth_time); an upstream authorization code, now
        signIn(request, response, matched.personId(), matched.providerId(), matched.organiserId(), FactorGrantedAuthority.AUTHORIZATION_CODE_AUTHORITY,
                "oidc");
    }

    /**
     * Signs the matched person in, for either protocol: the session gets the person in the very shape a local sign-in
     * gives, the sign-in is audited, and the browser goes on to the product's request that sent it to sign in, else
     * to the start page. {@code factor}: how the organiser's provider vouched for them (an authorization code, a SAML
     * Response).
     */
    void signIn(HttpServletRequest request, HttpServletResponse response, UUID personId, UUID providerId, UUID organiserId, String factor,
                String protocol) throws IOException, jakarta.servlet.ServletException {
        UsernamePasswordAuthenticationToken person = PersonAccounts.signedIn(personId, factor);
        person.setDetails(new WebAuthenticationDetails(request));
        // a session begun before sign-in (a SAML sign-in keeps its AuthnRequest's id there) gets a new id now: whoever
        // knew the old one (session fixation) is not signed in with the person
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(person);
        contexts.setContext(context);
        sessions.saveContext(context, request, response);
        audit.record("sign-in", "UPSTREAM_SIGN_IN", "person", personId.toString(),
                Map.of("provider", providerId.toString(), "organiser", organiserId.toString(), "protocol", protocol, "address", address(request)));
        onward.onAuthenticationSuccess(request, response, person);
    }

    /**
     * The session gets the administrator account with exactly its grants, as a local sign-in (and its second factor)
     * would have; the organiser's provider stood for the password and the second factor. On to the admin start page.
     */
    private void signedInAdministrator(HttpServletRequest request, HttpServletResponse response, MatchedAdministrator matched) throws IOException {
        org.springframework.security.core.userdetails.UserDetails user = adminAccounts.loadUserByUsername(matched.username());
        if (!user.isEnabled()) {
            response.sendRedirect(request.getContextPath() + BASE + "/" + matched.providerId() + "/refused?reason=" + Refusal.NO_ADMIN_ACCOUNT.path);
            return;
        }
        UsernamePasswordAuthenticationToken admin = UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
        admin.setDetails(new WebAuthenticationDetails(request));
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(admin);
        contexts.setContext(context);
        sessions.saveContext(context, request, response);
        admins.signedIn(matched.username(), matched.providerId(), matched.organiserId(), address(request));
        response.sendRedirect(request.getContextPath() + "/");
    }

    /** A plain redirect to the page that says why (nothing kept in a session); protocol failures are audited too. */
    private void refused(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        String provider = e instanceof Refused r ? r.providerId : providerInPath(request);
        Refusal reason = e instanceof Refused r ? r.reason : Refusal.FAILED;
        if (!(e instanceof Refused)) {
            String code = e instanceof OAuth2AuthenticationException o ? o.getError().getErrorCode() : e.getClass().getSimpleName();
            failed(request, "sso_upstream_provider", provider, code, null);
        }
        refusalPage(request, response, provider, reason);
    }

    /** A sign-in the provider's answer failed (not a person refused): logged by its code, audited with the reason. */
    void failed(HttpServletRequest request, String auditType, String provider, String code, String reason) {
        log.info("Sign-in through upstream provider {} failed: {}", provider, code);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("error", code);
        if (reason != null) {
            detail.put("reason", reason);
        }
        detail.put("address", address(request));
        audit.record("sign-in", "UPSTREAM_SIGN_IN_FAILED", auditType, provider, detail);
    }

    /** The page that says why, for either protocol (the provider's id names the organiser there). */
    void refusalPage(HttpServletRequest request, HttpServletResponse response, String provider, Refusal reason) throws IOException {
        response.sendRedirect(request.getContextPath() + BASE + "/" + provider + "/refused?reason=" + reason.path);
    }

    /** The provider's id from /sign-in/upstream/{id}/callback, when it is one (else "unknown": never echo the path). */
    private static String providerInPath(HttpServletRequest request) {
        String[] parts = request.getRequestURI().substring(request.getContextPath().length()).split("/");
        // "", "sign-in", "upstream", id, "callback"
        if (parts.length > 3) {
            try {
                return UUID.fromString(parts[3]).toString();
            } catch (IllegalArgumentException ignored) {
                // fall through
            }
        }
        return "unknown";
    }

    /** One ID-token decoder per provider configuration; a changed issuer, key set or client gets a new one. */
    private JwtDecoder decoder(ClientRegistration registration) {
        DecoderKey key = new DecoderKey(registration.getRegistrationId(), registration.getProviderDetails().getIssuerUri(),
                registration.getProviderDetails().getJwkSetUri(), registration.getClientId());
        return decoders.computeIfAbsent(key, k -> http.idTokenDecoder(registration));
    }

    private record DecoderKey(String registrationId, String issuer, String jwkSetUri, String clientId) {
    }

    private String keyedHash(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(instanceSecrets.secret("sso-upstream-claim-audit"), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address() {
        return org.springframework.web.context.request.RequestContextHolder.getRequestAttributes()
                instanceof org.springframework.web.context.request.ServletRequestAttributes web ? address(web.getRequest()) : "unknown";
    }

    private static String address(HttpServletRequest request) {
        return request.getRemoteAddr() == null ? "unknown" : request.getRemoteAddr();
    }

    /** The matched person, for the rest of this one request only (never in a session or an authorization). */
    static final class MatchedPerson extends DefaultOidcUser {

        private final UUID personId;
        private final UUID providerId;
        private final UUID organiserId;

        MatchedPerson(UUID personId, UUID providerId, UUID organiserId, OidcUser upstream) {
            super(List.of(new SimpleGrantedAuthority(PersonAccounts.PERSON)), upstream.getIdToken(), upstream.getUserInfo());
            this.personId = personId;
            this.providerId = providerId;
            this.organiserId = organiserId;
        }

        UUID personId() {
            return personId;
        }

        UUID providerId() {
            return providerId;
        }

        UUID organiserId() {
            return organiserId;
        }

        @Override
        public String getName() {
            return personId.toString();
        }
    }

    /** The administrator account found, for the rest of this one request only. */
    static final class MatchedAdministrator extends DefaultOidcUser {

        private final String username;
        private final UUID providerId;
        private final UUID organiserId;

        MatchedAdministrator(String username, UUID providerId, UUID organiserId, OidcUser upstream) {
            super(List.of(), upstream.getIdToken(), upstream.getUserInfo());
            this.username = username;
            this.providerId = providerId;
            this.organiserId = organiserId;
        }

        String username() {
            return username;
        }

        UUID providerId() {
            return providerId;
        }

        UUID organiserId() {
            return organiserId;
        }

        @Override
        public String getName() {
            return username;
        }
    }

    /** A refusal for want of exactly one matching person (or of the claim); the client sees access_denied. */
    static final class Refused extends OAuth2AuthenticationException {

        final String providerId;
        final Refusal reason;

        Refused(String providerId, Refusal reason) {
            super(new OAuth2Error(OAuth2ErrorCodes.ACCESS_DENIED, reason.name(), null));
            this.providerId = providerId;
            this.reason = reason;
        }
    }

    /**
     * Tilldela calls nothing at the upstream provider after sign-in, so its tokens are not kept anywhere (Spring's
     * default would hold them in memory per node).
     */
    private static final OAuth2AuthorizedClientRepository NOTHING_KEPT = new OAuth2AuthorizedClientRepository() {
        @Override
        public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String clientRegistrationId, Authentication principal, HttpServletRequest request) {
            return null;
        }

        @Override
        public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal, HttpServletRequest request,
                                         HttpServletResponse response) {
        }

        @Override
        public void removeAuthorizedClient(String clientRegistrationId, Authentication principal, HttpServletRequest request,
                                           HttpServletResponse response) {
        }
    };
}
