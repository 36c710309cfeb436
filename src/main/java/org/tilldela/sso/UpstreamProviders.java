package org.tilldela.sso;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.OrganiserPersons;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.platform.SecretsAtRest;

/**
 * The identity providers of organisers (municipalities, huvudmän) whose pupils and staff sign in through
 * their own OpenID provider — Entra ID, Google, Keycloak, any standard one — instead of a local password.
 * One per organiser: its issuer (everything else is found by discovery), the client Tilldela is there (the
 * secret encrypted at rest, never shown again), the scopes asked for, and the matching rule: which claim of
 * the upstream ID token or userinfo must equal which directory field of exactly one of the organiser's persons.
 * Every change is audited.
 */
@Service
public class UpstreamProviders implements org.tilldela.governance.UpstreamOrganisers {

    private static final Logger log = LoggerFactory.getLogger(UpstreamProviders.class);
    /** How long a node keeps what discovery found (and the decrypted secret) before reading them again. */
    static final Duration CACHE = Duration.ofMinutes(5);
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_.:/-]{1,100}");
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");

    private final JdbcClient jdbc;
    private final SecretsAtRest secrets;
    private final OrganiserPersons persons;
    private final AuditTrail audit;
    private final Environment environment;
    private final org.springframework.transaction.support.TransactionTemplate tx;
    private final UpstreamHttp http;
    private final Map<String, Cached> registrations = new ConcurrentHashMap<>();

    /** Looked up when used: the accounts' bindings ask the providers which organisers have one (a cycle otherwise). */
    private final org.springframework.beans.factory.ObjectProvider<org.tilldela.governance.AdminUpstreamAccounts> bindings;

    UpstreamProviders(JdbcClient jdbc, SecretsAtRest secrets, OrganiserPersons persons, AuditTrail audit, Environment environment,
                      org.springframework.transaction.support.TransactionTemplate tx, UpstreamHttp http,
                      org.springframework.beans.factory.ObjectProvider<org.tilldela.governance.AdminUpstreamAccounts> bindings) {
        this.jdbc = jdbc;
        this.bindings = bindings;
        this.http = http;
        this.tx = tx;
        this.secrets = secrets;
        this.persons = persons;
        this.audit = audit;
        this.environment = environment;
    }

    /** What an administrator gives (the secret may be left out when changing a provider: the stored one stays). */
    public record Settings(UUID organiserId, String issuer, String clientId, String clientSecret, List<String> scopes, String matchClaim,
                           OrganiserPersons.Field matchField, Boolean enabled) {
    }

    /** A provider as the API shows it: never its secret. {@code redirectUri} is what the municipality registers for Tilldela. */
    public record Provider(UUID id, UUID organiserId, String organiserName, String issuer, String clientId, List<String> scopes, String matchClaim,
                           OrganiserPersons.Field matchField, boolean enabled, String redirectUri, Instant registeredAt, String registeredBy) {
    }

    /** The organiser has an identity provider already: one per organiser (change that one instead). */
    public static final class AlreadyRegistered extends IllegalArgumentException {

        AlreadyRegistered(String organiserName) {
            super(organiserName + " already has an identity provider; change that one (PUT) or remove it first.");
        }
    }

    /**
     * A button on the sign-in page: "Sign in with <organiser>"; {@code path} starts a person's sign-in (OpenID Connect or
     * SAML). Administrators sign in upstream over OpenID Connect only ({@code saml} false).
     */
    public record Button(UUID id, String organiserName, String path, boolean saml) {

        /** Where the administrators' sign-in page sends an administrator of this organiser (an OpenID provider's). */
        public String adminPath() {
            return UpstreamSignIn.BASE + "/" + ADMIN + id;
        }
    }

    /**
     * How an upstream account is matched to a person of the organiser: {@code matchClaim} is the OpenID claim or SAML
     * attribute; {@code auditType} the audit trail's name for the provider's kind.
     */
    record Rule(UUID providerId, UUID organiserId, String matchClaim, OrganiserPersons.Field matchField, String auditType) {
    }

    /** A registration as made at {@code readAt} from the provider's row as it stood at {@code stamp} (its last change). */
    private record Cached(ClientRegistration registration, Instant readAt, Instant stamp) {
    }

    /** Checks the issuer by discovery first, outside any transaction (no database connection waits on a remote server). */
    public Provider register(Settings settings, String actor) {
        String organiserName = check(settings, true);
        // told at once, without asking the issuer; the unique constraint still decides (insert)
        // one way in per organiser: its OpenID provider or its SAML IdP (UpstreamSamlProviders), not both
        if (jdbc.sql("select exists (select 1 from sso_upstream_provider where organiser_id = :o union all select 1 from sso_upstream_saml_idp where organiser_id = :o)")
                .param("o", settings.organiserId())
                .query(Boolean.class).single()) {
            throw new AlreadyRegistered(organiserName);
        }
        discover(settings.issuer().strip());
        return tx.execute(status -> insert(settings, organiserName, actor));
    }

    /**
     * One provider per organiser is the table's unique constraint; it decides, not a look first: two administrators
     * registering one for the same organiser at the same moment both find none, and the second insert then waits for
     * the first and does nothing ("on conflict do nothing"), so that one is told, not given a server error.
     */
    private Provider insert(Settings settings, String organiserName, String actor) {
        UUID id = UUID.randomUUID();
        int inserted = jdbc.sql("""
                        insert into sso_upstream_provider (id, organiser_id, issuer, client_id, client_secret, scopes, match_claim, match_field, enabled, registered_by)
                        values (:id, :o, :issuer, :client, :secret, :scopes, :claim, :field, :enabled, :by)
                        on conflict (organiser_id) do nothing""")
                .param("id", id).param("o", settings.organiserId()).param("issuer", settings.issuer().strip()).param("client", settings.clientId().strip())
                .param("secret", secrets.encrypt(settings.clientSecret())).param("scopes", String.join(" ", scopes(settings.scopes())))
                .param("claim", settings.matchClaim().strip()).param("field", settings.matchField().name())
                .param("enabled", settings.enabled() == null || settings.enabled()).param("by", actor).update();
        if (inserted == 0) {
            throw new AlreadyRegistered(organiserName);
        }
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_REGISTERED", "sso_upstream_provider", id.toString(), describe(settings, organiserName));
        return provider(id).orElseThrow();
    }

    /** A new issuer is checked by discovery first, outside any transaction. */
    public Provider change(UUID id, Settings settings, String actor) {
        Provider before = provider(id).orElseThrow(() -> new IllegalArgumentException("No identity provider with that id."));
        if (settings.organiserId() != null && !settings.organiserId().equals(before.organiserId())) {
            throw new IllegalArgumentException("A provider stays with its organiser; remove it and register one for the other organiser.");
        }
        Settings complete = new Settings(before.organiserId(), settings.issuer(), settings.clientId(), settings.clientSecret(), settings.scopes(),
                settings.matchClaim(), settings.matchField(), settings.enabled() == null ? before.enabled() : settings.enabled());
        String organiserName = check(complete, false);
        boolean otherIssuer = !complete.issuer().strip().equals(before.issuer());
        if (otherIssuer) {
            discover(complete.issuer().strip());
        }
        Provider changed = tx.execute(status -> {
            Provider updated = update(id, complete, organiserName, actor);
            if (otherIssuer) {
                // an upstream subject is unique only at the issuer that made it (OpenID Connect Core §2): at another one it
                // names nobody, or somebody else
                bindings.getObject().unbindAll(before.organiserId(), actor, "ISSUER_CHANGED");
            }
            return updated;
        });
        // after the commit, so no sign-in on this node reads the old settings back into the cache
        registrations.remove(id.toString());
        registrations.remove(ADMIN + id);
        return changed;
    }

    private Provider update(UUID id, Settings complete, String organiserName, String actor) {
        int changed = jdbc.sql("""
                        update sso_upstream_provider set issuer = :issuer, client_id = :client, client_secret = coalesce(:secret, client_secret),
                          scopes = :scopes, match_claim = :claim, match_field = :field, enabled = :enabled, updated_by = :by, updated_at = now()
                        where id = :id""")
                .param("id", id).param("issuer", complete.issuer().strip()).param("client", complete.clientId().strip())
                .param("secret", blank(complete.clientSecret()) ? null : secrets.encrypt(complete.clientSecret()))
                .param("scopes", String.join(" ", scopes(complete.scopes()))).param("claim", complete.matchClaim().strip())
                .param("field", complete.matchField().name()).param("enabled", complete.enabled()).param("by", actor).update();
        if (changed == 0) {
            // removed by another administrator since change() read it
            throw new IllegalArgumentException("No identity provider with that id.");
        }
        Map<String, Object> detail = describe(complete, organiserName);
        detail.put("secretChanged", !blank(complete.clientSecret()));
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_CHANGED", "sso_upstream_provider", id.toString(), detail);
        return provider(id).orElseThrow();
    }

    @Transactional
    public void remove(UUID id, String actor) {
        UUID organiser = jdbc.sql("delete from sso_upstream_provider where id = :id returning organiser_id").param("id", id).query(UUID.class).optional()
                .orElseThrow(() -> new IllegalArgumentException("No identity provider with that id."));
        registrations.remove(id.toString());
        registrations.remove(ADMIN + id);
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_REMOVED", "sso_upstream_provider", id.toString(), Map.of("organiser", organiser.toString()));
        // the subjects bound were that provider's: a provider registered later (another issuer) must not find them
        bindings.getObject().unbindAll(organiser, actor, "PROVIDER_REMOVED");
    }

    public List<Provider> all() {
        return all(CallerScope.wholeInstallation());
    }

    public Optional<Provider> provider(UUID id) {
        return provider(CallerScope.wholeInstallation(), id);
    }

    /**
     * Whose identity providers (OpenID and SAML) an administrator keeps, as SQL over an organiser id column: those of the organisers
     * within their DIRECTORY_ADMIN scope ({@code caller}) by a grant not narrowed to school forms. A provider signs in every pupil and
     * member of staff of its organiser, whatever their school or form, so a grant over one school unit or over some school forms keeps
     * none (nor reads one). Bind {@link CallerScope#params()}.
     */
    public static String kept(CallerScope caller, String organiserColumn) {
        return caller.wholeUnit(organiserColumn);
    }

    /** The providers of the organisers the caller keeps them for ({@link #kept}), by organiser name. */
    public List<Provider> all(CallerScope caller) {
        return jdbc.sql(SELECT + " where " + kept(caller, "p.organiser_id") + " order by o.name, p.id").params(caller.params()).query(this::map).list();
    }

    /** The provider if the caller keeps it; empty otherwise, whether or not it exists (the API answers 404). */
    public Optional<Provider> provider(CallerScope caller, UUID id) {
        return jdbc.sql(SELECT + " where p.id = :id and " + kept(caller, "p.organiser_id")).params(caller.params()).param("id", id)
                .query(this::map).optional();
    }

    /** Whether the caller may register a provider (OpenID or SAML) for this organiser: false for one outside the scope or unknown alike. */
    public boolean keeps(CallerScope caller, UUID organiser) {
        if (caller.isWholeInstallation()) {
            return true;
        }
        return organiser != null && jdbc.sql("select " + kept(caller, ":organiser")).params(caller.params()).param("organiser", organiser)
                .query(Boolean.class).single();
    }

    /** The buttons the sign-in page shows: enabled providers whose organiser is in the directory, by name. */
    public List<Button> buttons() {
        // an organiser's OpenID provider and its SAML IdP (UpstreamSamlProviders) alike: the person sees the organiser, not the protocol
        return jdbc.sql("""
                        select p.id, o.name, false from sso_upstream_provider p join organisation o on o.id = p.organiser_id where p.enabled
                        union all
                        select s.id, o.name, true from sso_upstream_saml_idp s join organisation o on o.id = s.organiser_id where s.enabled
                        order by 2, 1""")
                .query((rs, n) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    boolean saml = rs.getBoolean(3);
                    return new Button(id, rs.getString(2), saml ? UpstreamSamlSignIn.start(id) : UpstreamSignIn.BASE + "/" + id, saml);
                }).list();
    }

    /** The organiser a provider signs in for, by name (the refusal page says whom to ask); also for a disabled one. */
    public Optional<String> organiserName(String providerId) {
        UUID id = uuid(providerId);
        return id == null ? Optional.empty()
                : jdbc.sql("""
                        select o.name from sso_upstream_provider p join organisation o on o.id = p.organiser_id where p.id = :id
                        union all
                        select o.name from sso_upstream_saml_idp s join organisation o on o.id = s.organiser_id where s.id = :id""")
                .param("id", id).query(String.class).optional();
    }

    /** Organisers with an enabled provider: their administrators sign in through it (governance's AdminSignIn asks). */
    @Override
    public Set<UUID> withProvider(Set<UUID> organisers) {
        if (organisers.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("select organiser_id from sso_upstream_provider where enabled and organiser_id in (:o)")
                .param("o", organisers).query(UUID.class).list());
    }

    /**
     * The registration id of the administrators' sign-in at a provider: a client registration of its own, so the sign-in
     * coming back knows it is an administrator's (Spring keeps the registration id with the authorization request),
     * sent back to the same redirect URI as the pupils' (the municipality registers one).
     */
    static final String ADMIN = "admin-";

    static boolean forAdministrators(String registrationId) {
        return registrationId != null && registrationId.startsWith(ADMIN);
    }

    private static UUID providerOf(String registrationId) {
        return uuid(forAdministrators(registrationId) ? registrationId.substring(ADMIN.length()) : registrationId);
    }

    Optional<Rule> rule(String providerId) {
        UUID id = providerOf(providerId);
        return id == null ? Optional.empty()
                : jdbc.sql("select id, organiser_id, match_claim, match_field from sso_upstream_provider where id = :id and enabled").param("id", id)
                .query((rs, n) -> new Rule(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        OrganiserPersons.Field.valueOf(rs.getString(4)), "sso_upstream_provider")).optional();
    }

    /**
     * Spring Security's view of the providers: one client registration per enabled provider, its endpoints found
     * by discovery at the issuer, read at most every {@link #CACHE} per node — and at once after the provider's row
     * changed, on whichever node.
     */
    ClientRegistrationRepository registrations() {
        return this::registration;
    }

    private ClientRegistration registration(String registrationId) {
        UUID id = providerOf(registrationId);
        if (id == null) {
            return null;
        }
        // the row's last change, asked at every use (one indexed read): a change made on another node — a new issuer, a new
        // secret, turned off — counts at once here too, not after this node's cache runs out
        Instant stamp = jdbc.sql("select coalesce(updated_at, registered_at) from sso_upstream_provider where id = :id and enabled").param("id", id)
                .query(java.sql.Timestamp.class).optional().map(java.sql.Timestamp::toInstant).orElse(null);
        if (stamp == null) {
            registrations.remove(registrationId);
            return null;
        }
        Cached cached = registrations.get(registrationId);
        if (cached != null && !stamp.equals(cached.stamp())) {
            cached = null; // changed since: what discovery found for the old settings does not serve the new ones
        }
        if (cached != null && cached.readAt().plus(CACHE).isAfter(Instant.now())) {
            return cached.registration();
        }
        record Row(String issuer, String clientId, byte[] secret, String scopes, String organiserName) {
        }
        Row row = jdbc.sql("""
                        select p.issuer, p.client_id, p.client_secret, p.scopes, o.name from sso_upstream_provider p
                        join organisation o on o.id = p.organiser_id where p.id = :id and p.enabled""")
                .param("id", id).query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getString(4), rs.getString(5)))
                .optional().orElse(null);
        if (row == null) {
            registrations.remove(registrationId);
            return null;
        }
        ClientRegistration.Builder discovered;
        try {
            discovered = discover(row.issuer());
        } catch (IllegalArgumentException e) {
            // the provider's discovery is down for a moment: what it said last still serves the sign-ins under way
            if (cached != null) {
                return cached.registration();
            }
            throw e;
        }
        ClientRegistration registration = discovered
                .registrationId(registrationId)
                .clientName(row.organiserName())
                .clientId(row.clientId())
                .clientSecret(secrets.decrypt(row.secret()))
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                // expanded from the request, whose origin the platform pins to tilldela.base-url (PublicOrigin)
                .redirectUri("{baseUrl}" + UpstreamSignIn.BASE + "/" + id + "/callback")
                .scope(row.scopes().split(" "))
                .userNameAttributeName(IdTokenClaimNames.SUB)
                // PKCE (S256) for a confidential client too, as OAuth 2.1 asks
                .clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
                .build();
        registrations.put(registrationId, new Cached(registration, Instant.now(), stamp));
        return registration;
    }

    /** OpenID Connect discovery at the issuer (which must name itself as that issuer); why it failed goes to the log only. */
    private ClientRegistration.Builder discover(String issuer) {
        try {
            return http.discover(issuer);
        } catch (RuntimeException e) {
            org.tilldela.platform.OutboundHosts.refusal(e).ifPresent(refused -> {
                throw refused; // says which address and which setting
            });
            log.warn("OpenID Connect discovery failed at {}: {}", issuer, e.toString());
            throw new IllegalArgumentException("No OpenID provider answered discovery at that issuer (" + issuer
                    + "/.well-known/openid-configuration), or it names another issuer.");
        }
    }

    /** The checks every registration and change meet; answers the organiser's name. */
    private String check(Settings s, boolean secretRequired) {
        if (s.organiserId() == null) {
            throw new IllegalArgumentException("An identity provider belongs to an organiser (organiserId).");
        }
        String organiserName = persons.organiserName(s.organiserId())
                .orElseThrow(() -> new IllegalArgumentException("No organiser (huvudman / skoleejer) with that id in the directory."));
        checkIssuer(s.issuer());
        if (blank(s.clientId()) || s.clientId().length() > 400) {
            throw new IllegalArgumentException("A client id is required (at most 400 characters).");
        }
        if (secretRequired && blank(s.clientSecret()) || s.clientSecret() != null && s.clientSecret().length() > 2000) {
            throw new IllegalArgumentException("A client secret is required (at most 2000 characters).");
        }
        scopes(s.scopes());
        if (s.matchClaim() == null || !CLAIM.matcher(s.matchClaim().strip()).matches()) {
            throw new IllegalArgumentException("A claim to match is required: a claim name such as upn, email, sub or employeeId.");
        }
        if (s.matchField() == null) {
            throw new IllegalArgumentException("A directory field to match is required: " + Arrays.toString(OrganiserPersons.Field.values()) + ".");
        }
        return organiserName;
    }

    /** An issuer is an https URL (http only on the loopback address, for a test provider), without query or fragment. */
    static void checkIssuer(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer == null ? "" : issuer.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a valid issuer URL.");
        }
        boolean loopback = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException("The issuer must be an https URL without query or fragment (http only on the loopback address).");
        }
    }

    /** The scopes asked for: openid always; by default also profile and email. */
    private static List<String> scopes(List<String> asked) {
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add("openid");
        if (asked == null || asked.isEmpty()) {
            scopes.add("profile");
            scopes.add("email");
        } else {
            for (String scope : asked) {
                if (scope == null || !SCOPE.matcher(scope.strip()).matches()) {
                    throw new IllegalArgumentException("Not a valid scope: " + scope);
                }
                scopes.add(scope.strip());
            }
        }
        return new ArrayList<>(scopes);
    }

    private static Map<String, Object> describe(Settings s, String organiserName) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("organiser", s.organiserId().toString());
        detail.put("issuer", s.issuer().strip());
        detail.put("clientId", s.clientId().strip());
        detail.put("matchClaim", s.matchClaim().strip());
        detail.put("matchField", s.matchField().name());
        detail.put("enabled", s.enabled() == null || s.enabled());
        return detail;
    }

    private static final String SELECT = """
            select p.id, p.organiser_id, o.name, p.issuer, p.client_id, p.scopes, p.match_claim, p.match_field, p.enabled, p.registered_at, p.registered_by
            from sso_upstream_provider p left join organisation o on o.id = p.organiser_id""";

    private Provider map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        UUID id = rs.getObject(1, UUID.class);
        return new Provider(id, rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5), List.of(rs.getString(6).split(" ")),
                rs.getString(7), OrganiserPersons.Field.valueOf(rs.getString(8)), rs.getBoolean(9), redirectUri(id),
                rs.getTimestamp(10).toInstant(), rs.getString(11));
    }

    /** The redirect URI the municipality registers for Tilldela's client at its provider. */
    String redirectUri(UUID id) {
        String base = environment.getProperty("tilldela.base-url", "").strip().replaceAll("/+$", "");
        if (base.isEmpty()) {
            base = "http://localhost:" + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        }
        return base + UpstreamSignIn.BASE + "/" + id + "/callback";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static UUID uuid(String s) {
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
