package org.tilldela.directory.sources;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.ss12000.HostNotAllowedException;
import org.tilldela.directory.ss12000.Ss12000Readers;
import org.tilldela.directory.ss12000.Ss12000Subscriptions;
import org.tilldela.directory.importing.SourceScopes;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import javax.net.ssl.SSLContext;
import org.tilldela.platform.ClientCertificates;
import org.tilldela.platform.SecretsAtRest;

/**
 * Import sources: the systems Tilldela imports school core data from by itself (see SourceRuns for the runs).
 * A source's bearer token is encrypted at rest and never shown or logged again; an SS 12000 source with
 * notifications on holds a subscription at its server whose webhook URL carries a secret only the server knows
 * (Tilldela keeps its SHA-256). Every change is audited.
 */
@Service
public class ImportSources {

    private static final Logger log = LoggerFactory.getLogger(ImportSources.class);

    private final org.springframework.transaction.support.TransactionTemplate transaction;

    public enum Kind { SS12000, ONEROSTER_URL, ONEROSTER_FOLDER }

    public enum Outcome { SUCCEEDED, FAILED, HELD }

    /** How Tilldela authenticates to the source: a fixed bearer token (or none), or an OAuth 2.0 access token got with client credentials. */
    public enum Auth { BEARER, OAUTH_CLIENT_CREDENTIALS }

    /** Where change notifications for a source arrive: {@code POST {origin}/webhooks/ss12000/{source id}/{secret}}. */
    public static final String WEBHOOK_PATH = "/webhooks/ss12000/";

    /** Renewed when less than this is left of a subscription. */
    static final Duration RENEW_BEFORE = Duration.ofDays(1);

    /** A source as the pages and the API show it: never its token, only whether it has one. */
    public record Source(UUID id, String name, Kind kind, String url, boolean hasToken, Integer deltaMinutes, LocalTime fullAt, boolean enabled,
                         Instant nextDeltaAt, Instant nextFullAt, Instant requestedAt, boolean notifications, String subscriptionId,
                         Instant subscriptionExpires, String subscriptionProblem, UUID lastRunId, Instant lastStartedAt,
                         Instant lastFinishedAt, Outcome lastOutcome, String lastFailure, int failuresInARow, String createdBy,
                         Auth auth, String tokenUrl, String clientId, String tokenScope, boolean hasClientSecret, String folder,
                         List<String> alertEmails, boolean hasClientCertificate, boolean serverCaGiven) {

        /** When it runs next by itself (a request first), or null when disabled or nothing is scheduled. */
        public Instant nextRun() {
            if (!enabled) {
                return null;
            }
            return Stream.of(requestedAt, nextDeltaAt, nextFullAt).filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
        }

        /** How long the last run took, in seconds (null while one runs or before the first). */
        public Long lastSeconds() {
            return lastStartedAt == null || lastFinishedAt == null || lastFinishedAt.isBefore(lastStartedAt) ? null
                    : Duration.between(lastStartedAt, lastFinishedAt).toSeconds();
        }

        public boolean running() {
            return lastStartedAt != null && (lastFinishedAt == null || lastFinishedAt.isBefore(lastStartedAt));
        }

        public boolean failing() {
            return enabled && (lastOutcome == Outcome.FAILED || lastOutcome == Outcome.HELD);
        }
    }

    /**
     * What an administrator sets.
     *
     * @param token        null or blank keeps the stored one when editing
     * @param clientSecret null or blank keeps the stored one when editing, if the token URL and client id stay as they were
     * @param clientCertificate SS 12000: the client certificate (PEM, optionally followed by its intermediate CAs) presented in
     *                          the TLS handshake, with or without a token; null or blank (with clientKey) keeps the stored one
     * @param clientKey         the certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1, unencrypted)
     * @param serverCa          SS 12000: the CA certificates (PEM) trusted for the source's server instead of the JDK's; null or blank keeps the stored ones
     * @param removeClientCertificate the stored certificate and key are forgotten (no certificate is presented)
     * @param removeServerCa    the stored CA certificates are forgotten (the JDK's are trusted again)
     */
    public record Settings(String name, Kind kind, String url, String token, Integer deltaMinutes, LocalTime fullAt, boolean enabled,
                           boolean notifications, Auth auth, String tokenUrl, String clientId, String clientSecret, String tokenScope,
                           String folder, List<String> alertEmails, String clientCertificate, String clientKey, String serverCa,
                           boolean removeClientCertificate, boolean removeServerCa) {

        public Settings(String name, Kind kind, String url, String token, Integer deltaMinutes, LocalTime fullAt, boolean enabled,
                        boolean notifications, Auth auth, String tokenUrl, String clientId, String clientSecret, String tokenScope,
                        String folder, List<String> alertEmails) {
            this(name, kind, url, token, deltaMinutes, fullAt, enabled, notifications, auth, tokenUrl, clientId, clientSecret, tokenScope, folder,
                    alertEmails, null, null, null, false, false);
        }

        /** A source at a URL, with a bearer token or OAuth client credentials. */
        public Settings(String name, Kind kind, String url, String token, Integer deltaMinutes, LocalTime fullAt, boolean enabled,
                        boolean notifications, Auth auth, String tokenUrl, String clientId, String clientSecret, String tokenScope) {
            this(name, kind, url, token, deltaMinutes, fullAt, enabled, notifications, auth, tokenUrl, clientId, clientSecret, tokenScope, null, null);
        }

        /** A OneRoster package in a watched folder (under the base directory). */
        public static Settings folder(String name, String folder, Integer deltaMinutes, LocalTime fullAt, boolean enabled) {
            return new Settings(name, Kind.ONEROSTER_FOLDER, null, null, deltaMinutes, fullAt, enabled, false, Auth.BEARER, null, null, null, null,
                    folder, null);
        }

        /** A source with a bearer token (or none). */
        public Settings(String name, Kind kind, String url, String token, Integer deltaMinutes, LocalTime fullAt, boolean enabled,
                        boolean notifications) {
            this(name, kind, url, token, deltaMinutes, fullAt, enabled, notifications, Auth.BEARER, null, null, null, null, null, null);
        }

        /** The same settings with these alert addresses. */
        public Settings withAlertEmails(List<String> emails) {
            return new Settings(name, kind, url, token, deltaMinutes, fullAt, enabled, notifications, auth, tokenUrl, clientId, clientSecret,
                    tokenScope, folder, emails, clientCertificate, clientKey, serverCa, removeClientCertificate, removeServerCa);
        }

        /** The same settings with this client certificate and key, and these CA certificates trusted for the server (each may be null). */
        public Settings withClientCertificate(String certificate, String key, String serverCa) {
            return new Settings(name, kind, url, token, deltaMinutes, fullAt, enabled, notifications, auth, tokenUrl, clientId, clientSecret,
                    tokenScope, folder, alertEmails, certificate, key, serverCa, removeClientCertificate, removeServerCa);
        }

        Auth authOrBearer() {
            return auth == null ? Auth.BEARER : auth;
        }
    }

    private final JdbcClient jdbc;
    private final SecretsAtRest secrets;
    private final AuditTrail audit;
    private final Ss12000Readers readers;
    private final Ss12000Subscriptions subscriptions;
    private final SourceTokens tokens;
    private final SourceFolders folders;
    private final ZoneId zone;
    private final String baseUrl;
    private final SecureRandom random = new SecureRandom();

    ImportSources(JdbcClient jdbc, SecretsAtRest secrets, AuditTrail audit, Ss12000Readers readers, Ss12000Subscriptions subscriptions,
                  SourceTokens tokens, SourceFolders folders, @Value("${tilldela.import.sources.time-zone:}") String zone, @Value("${tilldela.base-url:}") String baseUrl,
                  org.springframework.transaction.PlatformTransactionManager transactions) {
        this.transaction = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.audit = audit;
        this.readers = readers;
        this.subscriptions = subscriptions;
        this.tokens = tokens;
        this.folders = folders;
        this.zone = zone == null || zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone.strip());
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip().replaceAll("/+$", "");
    }

    public List<Source> list() {
        return list(CallerScope.wholeInstallation());
    }

    /** The sources the caller covers ({@link SourceScopes#covered}: those importing organisers wholly within the grant), by name. */
    public List<Source> list(CallerScope caller) {
        return jdbc.sql(SELECT + " where " + SourceScopes.covered(caller, "import_source.name") + " order by name").params(caller.params())
                .query(this::map).list();
    }

    public Optional<Source> find(UUID id) {
        return find(CallerScope.wholeInstallation(), id);
    }

    /** The source if the caller covers it; empty otherwise, whether or not it exists (the pages and the API answer 404). */
    public Optional<Source> find(CallerScope caller, UUID id) {
        return jdbc.sql(SELECT + " where id = :id and " + SourceScopes.covered(caller, "import_source.name")).params(caller.params()).param("id", id)
                .query(this::map).optional();
    }

    /** Enabled sources whose last run failed or was held: what the overview warns about. */
    public List<Source> failing() {
        return failing(CallerScope.wholeInstallation());
    }

    /** {@link #failing()} among the sources the caller covers. */
    public List<Source> failing(CallerScope caller) {
        return jdbc.sql(SELECT + " where enabled and last_outcome in ('FAILED', 'HELD') and " + SourceScopes.covered(caller, "import_source.name")
                + " order by name").params(caller.params()).query(this::map).list();
    }

    /**
     * {@link #create(Settings, String, String)} by an administrator exercising {@code caller}: a grant that does not cover the
     * whole installation adds a source only under the name of a directory source it covers already ({@link SourceScopes#covered}),
     * so what the new source imports replaces only organisers within the grant. Any other name is refused alike, whether a source
     * of that name exists elsewhere or not.
     */
    public UUID create(CallerScope caller, Settings settings, String actor, String origin) {
        requireWithin(caller, settings);
        return create(settings, actor, origin);
    }

    /** {@link #update} by {@code caller}: the source must be one the caller covers (else "no import source"), and so must its new name. */
    public void update(CallerScope caller, UUID id, Settings settings, String actor, String origin) {
        find(caller, id).orElseThrow(() -> new IllegalArgumentException("no import source " + id));
        requireWithin(caller, settings);
        update(id, settings, actor, origin);
    }

    private void requireWithin(CallerScope caller, Settings settings) {
        if (caller.isWholeInstallation() || settings.name() == null || settings.name().isBlank()) {
            return; // the name's own rules answer a missing one
        }
        boolean covered = !caller.isNothing() && jdbc.sql("select " + SourceScopes.covered(caller, ":name")).params(caller.params())
                .param("name", settings.name().strip()).query(Boolean.class).single();
        if (!covered) {
            throw new SourceSettingsException("sources.error.notWithinScope", "a source is named after a directory source whose organisers your grant "
                    + "covers whole; only an administrator over the whole installation adds one under another name");
        }
    }

    /**
     * @param origin where this request reached Tilldela (used for the webhook URL when tilldela.base-url is not set)
     * @throws IllegalArgumentException with a plain-words reason when a setting is wrong (the name taken, too)
     * @throws HostNotAllowedException  when imports may not fetch from the URL's host
     */
    public UUID create(Settings settings, String actor, String origin) {
        String url = check(settings);
        Credentials credentials = credentials(settings, null);
        Tls tls = tls(settings);
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        // asked first: a failed insert would spoil a surrounding transaction (a form submission's)
        nameFree(settings.name().strip(), null);
        try {
            jdbc.sql("""
                            insert into import_source (id, name, kind, url, token, delta_minutes, full_at, enabled, notifications, webhook_origin,
                                                       next_delta_at, next_full_at, created_by, configured_by, auth, token_url, client_id, client_secret,
                                                       token_scope, folder, alert_emails, client_certificate, client_key, server_ca)
                            values (:id, :name, :kind, :url, :token, :delta, :full, :enabled, :notifications, :origin, :nextDelta, :nextFull, :by, :by,
                                    :auth, :tokenUrl, :clientId, :clientSecret, :scope, :folder, :alertEmails, :certificate, :key, :serverCa)
                            """)
                    .param("id", id).param("name", settings.name().strip()).param("kind", settings.kind().name()).param("url", url)
                    .param("token", blank(settings.token()) || credentials.oauth() ? null : secrets.encrypt(settings.token().strip()))
                    .param("auth", settings.authOrBearer().name()).param("tokenUrl", credentials.tokenUrl()).param("clientId", credentials.clientId())
                    .param("clientSecret", credentials.secret()).param("scope", credentials.scope()).param("folder", folderOf(settings))
                    .param("alertEmails", alertEmails(settings))
                    .param("certificate", tls.certificate()).param("key", tls.key()).param("serverCa", tls.serverCa())
                    .param("delta", settings.deltaMinutes()).param("full", settings.fullAt())
                    .param("enabled", settings.enabled()).param("notifications", notificationsOn(settings))
                    .param("origin", webhookOrigin(origin))
                    // a new source runs at the first look (its first delta reads everything), then on its schedule
                    .param("nextDelta", settings.deltaMinutes() == null ? null : Timestamp.from(now))
                    .param("nextFull", settings.fullAt() == null ? null : Timestamp.from(nextFull(settings.fullAt(), now)))
                    .param("by", actor).update();
        } catch (DuplicateKeyException e) {
            throw nameTaken(settings.name().strip());
        }
        audit.record(actor, "IMPORT_SOURCE_CREATED", "import_source", id.toString(), described(settings, url));
        reconcileSubscription(id);
        return id;
    }

    public void update(UUID id, Settings settings, String actor, String origin) {
        Source before = find(id).orElseThrow(() -> new IllegalArgumentException("no import source " + id));
        String url = check(settings);
        // a stored token or client secret goes only to the server it was given for: pointed at another, it is given again
        // (it is never shown, and must not be readable through a server of the administrator's own)
        boolean otherServer = url != null && !sameServer(url, before.url()); // a watched folder names no server
        if (otherServer && settings.authOrBearer() == Auth.BEARER && before.hasToken() && blank(settings.token())) {
            throw new SourceSettingsException("sources.error.tokenAgain", "give the token again: the source's URL names another server now");
        }
        Credentials credentials = credentials(settings, otherServer ? null : before);
        Tls tls = tls(settings);
        // every setting is checked before the old subscription is ended: a refused change leaves the source as it was
        String[] alertEmails = alertEmails(settings);
        String folder = folderOf(settings);
        Instant now = Instant.now();
        nameFree(settings.name().strip(), id);
        boolean moved = !java.util.Objects.equals(url, before.url()) || !blank(settings.token()) || settings.authOrBearer() != before.auth()
                || !java.util.Objects.equals(credentials.tokenUrl(), before.tokenUrl()) || !java.util.Objects.equals(credentials.clientId(), before.clientId())
                || credentials.secret() != null || tls.changes();
        if (moved && before.subscriptionId() != null) {
            // the old server's subscription (with the old token) ends before the source points elsewhere
            unsubscribe(before.id());
        }
        try {
            jdbc.sql("""
                            update import_source set name = :name, kind = :kind, url = :url, configured_by = :by,
                                   token = case when :oauth then null else coalesce(:token, token) end,
                                   auth = :auth, token_url = :tokenUrl, client_id = :clientId, token_scope = :scope, folder = :folder, alert_emails = :alertEmails,
                                   client_secret = case when :oauth then coalesce(:clientSecret, client_secret) end,
                                   client_certificate = case when not :ss12000 or :removeCertificate and :certificate::bytea is null then null
                                                             else coalesce(:certificate, client_certificate) end,
                                   client_key = case when not :ss12000 or :removeCertificate and :key::bytea is null then null
                                                     else coalesce(:key, client_key) end,
                                   server_ca = case when not :ss12000 or :removeServerCa and :serverCa::text is null then null
                                                    else coalesce(:serverCa, server_ca) end,
                                   delta_minutes = :delta, full_at = :full, enabled = :enabled, notifications = :notifications,
                                   webhook_origin = coalesce(:origin, webhook_origin),
                                   next_delta_at = case when :delta::int is null then null
                                                        when delta_minutes is distinct from :delta::int or next_delta_at is null then :nextDelta
                                                        else next_delta_at end,
                                   next_full_at = case when :full::time is null then null
                                                       when full_at is distinct from :full::time or next_full_at is null then :nextFull
                                                       else next_full_at end
                            where id = :id
                            """)
                    .param("id", id).param("name", settings.name().strip()).param("kind", settings.kind().name()).param("url", url)
                    .param("token", blank(settings.token()) || credentials.oauth() ? null : secrets.encrypt(settings.token().strip()))
                    .param("oauth", credentials.oauth()).param("auth", settings.authOrBearer().name()).param("tokenUrl", credentials.tokenUrl())
                    .param("clientId", credentials.clientId()).param("clientSecret", credentials.secret()).param("scope", credentials.scope())
                    .param("folder", folder).param("alertEmails", alertEmails)
                    .param("certificate", tls.certificate()).param("key", tls.key()).param("serverCa", tls.serverCa())
                    .param("ss12000", settings.kind() == Kind.SS12000).param("removeCertificate", settings.removeClientCertificate()).param("removeServerCa", settings.removeServerCa())
                    .param("delta", settings.deltaMinutes()).param("full", settings.fullAt())
                    .param("enabled", settings.enabled()).param("notifications", notificationsOn(settings))
                    .param("origin", webhookOrigin(origin))
                    .param("nextDelta", settings.deltaMinutes() == null ? null : Timestamp.from(now.plus(Duration.ofMinutes(settings.deltaMinutes()))))
                    .param("nextFull", settings.fullAt() == null ? null : Timestamp.from(nextFull(settings.fullAt(), now)))
                    .param("by", actor).update();
        } catch (DuplicateKeyException e) {
            throw nameTaken(settings.name().strip());
        }
        tokens.forget(id);
        Map<String, Object> detail = described(settings, url);
        detail.put("tokenReplaced", !blank(settings.token()));
        detail.put("clientSecretReplaced", credentials.secret() != null);
        detail.put("clientCertificateReplaced", tls.certificate() != null);
        detail.put("clientCertificateRemoved", settings.removeClientCertificate() && tls.certificate() == null && before.hasClientCertificate());
        // whom Tilldela trusts as the source's server
        detail.put("serverCaChanged", tls.serverCa() != null || settings.removeServerCa() && before.serverCaGiven());
        audit.record(actor, "IMPORT_SOURCE_CHANGED", "import_source", id.toString(), detail);
        reconcileSubscription(id);
    }

    /** Who last set the source's settings: its runs import on their behalf, bounded by their grant (see the migration adding it). */
    String configuredBy(UUID id) {
        return jdbc.sql("select configured_by from import_source where id = :id").param("id", id).query(String.class).optional().orElse(null);
    }

    public void delete(UUID id, String actor) {
        Source source = find(id).orElseThrow(() -> new IllegalArgumentException("no import source " + id));
        if (source.subscriptionId() != null) {
            unsubscribe(id);
        }
        jdbc.sql("delete from import_source where id = :id").param("id", id).update();
        tokens.forget(id);
        audit.record(actor, "IMPORT_SOURCE_REMOVED", "import_source", id.toString(), Map.of("name", source.name()));
    }

    /** "Run now": due at once (a full import when asked, else a delta); the caller starts it. */
    public void request(UUID id, boolean full, String actor) {
        int n = jdbc.sql("update import_source set requested_at = now(), requested_full = requested_full or :full where id = :id")
                .param("id", id).param("full", full).update();
        if (n == 0) {
            throw new IllegalArgumentException("no import source " + id);
        }
        audit.record(actor, "IMPORT_SOURCE_RUN_REQUESTED", "import_source", id.toString(), Map.of("full", full));
    }

    /**
     * A change notification from the source's server: when the secret is the source's, the source is due now.
     * Cheap whatever is sent: one indexed read, a constant-time comparison of two hashes and, only for a source
     * not due already, one update. Nothing about a refusal is said to the caller.
     *
     * @return whether the source became due by this call (false when refused or already due)
     */
    public boolean notified(UUID id, String secret) {
        byte[] stored = jdbc.sql("select webhook_secret_sha256 from import_source where id = :id and notifications and enabled")
                .param("id", id).query((rs, n) -> rs.getBytes(1)).optional().orElse(null);
        // hashed either way, so a wrong id costs what a wrong secret does
        byte[] given = sha256(secret == null ? "" : secret);
        if (stored == null || !MessageDigest.isEqual(stored, given)) {
            throw new WebhookRefusedException();
        }
        return jdbc.sql("update import_source set requested_at = now() where id = :id and requested_at is null").param("id", id).update() == 1;
    }

    /** A webhook call that is not one of our sources' servers'. */
    public static final class WebhookRefusedException extends RuntimeException {
        WebhookRefusedException() {
            super("not a known webhook", null, false, false);
        }
    }

    /**
     * Brings the subscription at the source's server in line with its settings: made when notifications are on
     * and there is none, renewed when it expires within a day, ended when they are off. A failure is kept on the
     * source (shown on its page) and tried again at the next look; it never stops imports.
     */
    public void reconcileSubscription(UUID id) {
        // one at a time per source: nodes look at every source each minute, and an administrator's save looks too; two at once
        // would each subscribe, and the subscription whose secret lost would go on calling a webhook that refuses it. One that
        // finds another at it leaves it to that one (the next look settles what changed meanwhile).
        transaction.executeWithoutResult(status -> {
            if (jdbc.sql("select pg_try_advisory_xact_lock(hashtextextended(:k, 0))").param("k", "import-source-subscription:" + id)
                    .query(Boolean.class).single()) {
                reconcileSubscriptionAlone(id);
            }
        });
    }

    private void reconcileSubscriptionAlone(UUID id) {
        Source s = find(id).orElse(null);
        if (s == null || s.kind() != Kind.SS12000) {
            return;
        }
        boolean wanted = s.notifications() && s.enabled();
        try {
            if (!wanted) {
                if (s.subscriptionId() != null) {
                    unsubscribe(id);
                }
                return;
            }
            if (s.subscriptionId() != null && s.subscriptionExpires() != null && s.subscriptionExpires().isAfter(Instant.now().plus(RENEW_BEFORE))) {
                return;
            }
            if (s.subscriptionId() != null) {
                try {
                    Access access = access(id);
                    Ss12000Subscriptions.Subscription renewed = subscriptions.renew(s.url(), access.token(), access.tls(), s.subscriptionId());
                    jdbc.sql("update import_source set subscription_expires = :expires, subscription_problem = null where id = :id")
                            .param("id", id).param("expires", Timestamp.from(renewed.expires())).update();
                    return;
                } catch (Ss12000Subscriptions.SubscriptionFailedException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                    // the server forgot it (it expired): subscribe anew
                }
            }
            String origin = jdbc.sql("select webhook_origin from import_source where id = :id").param("id", id).query(String.class).optional().orElse(null);
            if (origin == null || origin.isBlank()) {
                throw new IllegalArgumentException("Tilldela does not know its own address: set tilldela.base-url, or save the source again in the web UI");
            }
            String secret = newSecret();
            Access access = access(id);
            Ss12000Subscriptions.Subscription made = subscriptions.subscribe(s.url(), access.token(), access.tls(), "Tilldela " + s.name(),
                    origin + WEBHOOK_PATH + id + "/" + secret);
            jdbc.sql("""
                            update import_source set subscription_id = :sub, subscription_expires = :expires, webhook_secret_sha256 = :hash,
                                   subscription_problem = null where id = :id
                            """)
                    .param("id", id).param("sub", made.id()).param("expires", Timestamp.from(made.expires()))
                    .param("hash", sha256(secret)).update();
            audit.record("system", "IMPORT_SOURCE_SUBSCRIBED", "import_source", id.toString(), Map.of("subscription", made.id()));
        } catch (Ss12000Subscriptions.SubscriptionFailedException | IllegalArgumentException | SourceTokens.AuthorizationFailedException
                 | CertificateUnreadableException e) {
            jdbc.sql("update import_source set subscription_problem = :problem where id = :id")
                    .param("id", id).param("problem", e instanceof HostNotAllowedException ? "the source's host is not allowed" : e.getMessage()).update();
        }
    }

    /**
     * Sources whose subscription ends within a day. A missing one is tried again after the source's next run, not
     * at every look: a server that refuses subscriptions is not asked every few seconds.
     */
    List<UUID> subscriptionsToMind(Instant now) {
        return jdbc.sql("""
                        select id from import_source where kind = 'SS12000' and enabled and notifications
                          and subscription_id is not null and subscription_expires < :soon
                        """)
                .param("soon", Timestamp.from(now.plus(RENEW_BEFORE))).query(UUID.class).list();
    }

    private void unsubscribe(UUID id) {
        Source s = find(id).orElseThrow();
        try {
            Access access = access(id);
            subscriptions.unsubscribe(s.url(), access.token(), access.tls(), s.subscriptionId());
        } catch (RuntimeException e) {
            // the server keeps calling a webhook that no longer answers to it; nothing worse
            log.warn("Import source {}: its subscription could not be ended at the server", s.name());
        }
        jdbc.sql("update import_source set subscription_id = null, subscription_expires = null, webhook_secret_sha256 = null where id = :id")
                .param("id", id).update();
        audit.record("system", "IMPORT_SOURCE_UNSUBSCRIBED", "import_source", id.toString(), Map.of("subscription", s.subscriptionId()));
    }

    /**
     * What to send the source as a bearer token: the stored one (decrypted; null when it has none), or an OAuth access
     * token got with the stored client credentials (kept until shortly before it expires).
     *
     * @throws IllegalStateException                     when a stored secret cannot be decrypted (the key changed)
     * @throws SourceTokens.AuthorizationFailedException when the authorization server refuses or cannot be reached
     * @throws HostNotAllowedException                   when the token URL's host is not allowed
     */
    String token(UUID id) {
        return access(id).token();
    }

    /**
     * How Tilldela talks to the source: the bearer token to send (or null) and the TLS context of its HTTP clients (null:
     * the JDK's), which presents the source's client certificate and trusts only its CA certificates when they are given.
     * An OAuth access token is got through the same TLS context, as an authorization server beside a server demanding
     * client certificates may demand one too.
     *
     * @throws IllegalStateException                     when a stored secret cannot be decrypted (the key changed)
     * @throws CertificateUnreadableException            when the stored client certificate cannot be decrypted or used
     * @throws SourceTokens.AuthorizationFailedException when the authorization server refuses or cannot be reached
     * @throws HostNotAllowedException                   when the token URL's host is not allowed
     */
    Access access(UUID id) {
        record Stored(byte[] token, Auth auth, String tokenUrl, String clientId, byte[] clientSecret, String scope, byte[] certificate, byte[] key,
                      String serverCa) {
        }
        Stored stored = jdbc.sql("""
                        select token, auth, token_url, client_id, client_secret, token_scope, client_certificate, client_key, server_ca
                        from import_source where id = :id
                        """).param("id", id)
                .query((rs, n) -> new Stored(rs.getBytes(1), Auth.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getBytes(5), rs.getString(6),
                        rs.getBytes(7), rs.getBytes(8), rs.getString(9)))
                .optional().orElse(null);
        if (stored == null) {
            return new Access(null, null);
        }
        SSLContext tls = null;
        if (stored.certificate() != null || stored.serverCa() != null) {
            try {
                tls = ClientCertificates.context(stored.certificate() == null ? null : secrets.decrypt(stored.certificate()),
                        stored.key() == null ? null : secrets.decrypt(stored.key()), stored.serverCa());
            } catch (RuntimeException e) {
                // the key changed, or the PEM no longer reads (never the message: it could quote the PEM)
                throw new CertificateUnreadableException();
            }
        }
        if (stored.auth() == Auth.OAUTH_CLIENT_CREDENTIALS) {
            return new Access(tokens.accessToken(id, stored.tokenUrl(), stored.clientId(), secrets.decrypt(stored.clientSecret()), stored.scope(), tls),
                    tls);
        }
        return new Access(stored.token() == null ? null : secrets.decrypt(stored.token()), tls);
    }

    /** The bearer token to send (null: none) and the TLS context (null: the JDK's default). */
    record Access(String token, SSLContext tls) {
    }

    /** The stored client certificate, key or CA certificates cannot be decrypted or read. */
    static final class CertificateUnreadableException extends RuntimeException {
        CertificateUnreadableException() {
            super("the stored client certificate cannot be read", null, false, false);
        }
    }

    /** The client certificate, key and server CA certificates as they are to be stored: encrypted (the CAs as given); null keeps the stored. */
    private record Tls(byte[] certificate, byte[] key, String serverCa) {
        boolean changes() {
            return certificate != null || serverCa != null;
        }
    }

    /**
     * Checked now, not at the first run: a key that is not the certificate's, a certificate not valid today, something that
     * is not PEM is refused with a plain reason, and nothing is saved.
     */
    private Tls tls(Settings s) {
        boolean certificate = !blank(s.clientCertificate());
        boolean key = !blank(s.clientKey());
        boolean ca = !blank(s.serverCa());
        if ((certificate || key || ca) && s.kind() != Kind.SS12000) {
            throw new SourceSettingsException("sources.error.certificateKind", "a client certificate and CA certificates are for an SS 12000 source only");
        }
        if (certificate != key) {
            throw new SourceSettingsException("sources.error.certificatePair", "give the client certificate and its private key together (PEM)");
        }
        String serverCa = null;
        try {
            if (ca) {
                serverCa = ClientCertificates.checkedCaCertificates(s.serverCa());
            }
            if (certificate) {
                ClientCertificates.check(s.clientCertificate(), s.clientKey());
            }
        } catch (ClientCertificates.RefusedException e) {
            throw new SourceSettingsException(e.messageKey(), e.getMessage());
        }
        return new Tls(certificate ? secrets.encrypt(s.clientCertificate().strip()) : null, certificate ? secrets.encrypt(s.clientKey().strip()) : null,
                serverCa);
    }

    /** Forgets the source's kept access token, so the next run gets a new one (the source refused the one it had). */
    void forgetAccessToken(UUID id) {
        tokens.forget(id);
    }

    /** The client credentials as they are to be stored; {@code secret} encrypted, null to keep the stored one. */
    private record Credentials(boolean oauth, String tokenUrl, String clientId, byte[] secret, String scope) {
    }

    /** Whether two source URLs name the same server: scheme, host and port (a path of its own is the same server). */
    static boolean sameServer(String a, String b) {
        if (a == null || b == null) {
            return java.util.Objects.equals(a, b);
        }
        try {
            URI x = new URI(a), y = new URI(b);
            return java.util.Objects.equals(lower(x.getScheme()), lower(y.getScheme())) && java.util.Objects.equals(lower(x.getHost()), lower(y.getHost()))
                    && port(x) == port(y);
        } catch (URISyntaxException e) {
            return a.equals(b);
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }

    /** {@code before}: the source as stored, whose secret may be kept — null where it may not (a new source, another server). */
    private Credentials credentials(Settings s, Source before) {
        if (s.authOrBearer() != Auth.OAUTH_CLIENT_CREDENTIALS) {
            return new Credentials(false, null, null, null, null);
        }
        String tokenUrl = s.tokenUrl() == null ? "" : s.tokenUrl().strip();
        URI uri;
        try {
            uri = new URI(tokenUrl);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new SourceSettingsException("sources.error.tokenUrl", "give the authorization server's token URL: an http(s) URL with a host, without user or fragment");
        }
        if (!readers.allowed(uri)) {
            throw new HostNotAllowedException(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        }
        if (blank(s.clientId())) {
            throw new SourceSettingsException("sources.error.clientId", "give the client id the authorization server issued");
        }
        String clientId = s.clientId().strip();
        String scope = blank(s.tokenScope()) ? null : s.tokenScope().strip();
        if (!blank(s.clientSecret())) {
            return new Credentials(true, tokenUrl, clientId, secrets.encrypt(s.clientSecret().strip()), scope);
        }
        // kept only for the same token URL and client: nobody may send the stored secret (or tokens got with it) elsewhere
        if (before == null || before.auth() != Auth.OAUTH_CLIENT_CREDENTIALS || !before.hasClientSecret() || !tokenUrl.equals(before.tokenUrl())
                || !clientId.equals(before.clientId())) {
            throw new SourceSettingsException("sources.error.clientSecret",
                    "give the client secret (again, when the token URL, the client id or the source's server changes)");
        }
        return new Credentials(true, tokenUrl, clientId, null, scope);
    }

    /** The alert addresses, each checked (RFC 822, strictly), at most 20. */
    private static String[] alertEmails(Settings s) {
        List<String> given = s.alertEmails() == null ? List.of()
                : s.alertEmails().stream().filter(java.util.Objects::nonNull).flatMap(e -> java.util.Arrays.stream(e.split("[,;\\s]+"))).filter(e -> !e.isBlank()).distinct().toList();
        if (given.size() > 20) {
            throw new SourceSettingsException("sources.error.alertEmailsMany", "give at most 20 addresses for alerts");
        }
        for (String address : given) {
            try {
                new jakarta.mail.internet.InternetAddress(address, true).validate();
            } catch (jakarta.mail.internet.AddressException e) {
                throw new SourceSettingsException("sources.error.alertEmail", "'" + address + "' is not an e-mail address", address);
            }
        }
        return given.toArray(String[]::new);
    }

    /** Who is told of the source's failures, and whether they have been told of the current streak. */
    record Alerting(List<String> to, boolean told) {
    }

    Alerting alerting(UUID id) {
        return jdbc.sql("select alert_emails, alert_sent_at is not null from import_source where id = :id").param("id", id)
                .query((rs, n) -> new Alerting(List.of((String[]) rs.getArray(1).getArray()), rs.getBoolean(2))).optional()
                .orElse(new Alerting(List.of(), false));
    }

    void told(UUID id, boolean streak) {
        jdbc.sql("update import_source set alert_sent_at = case when :streak then now() end where id = :id").param("id", id).param("streak", streak)
                .update();
    }

    /** A folder source's folder as stored (relative to the base directory); null for other kinds. */
    private String folderOf(Settings s) {
        return s.kind() == Kind.ONEROSTER_FOLDER ? folders.check(s.folder()) : null;
    }

    private static SourceSettingsException nameTaken(String name) {
        return new SourceSettingsException("sources.error.nameTaken", "there is a source named " + name + " already", name);
    }

    /** The next time of day {@code at} after {@code now}, in the configured zone. */
    Instant nextFull(LocalTime at, Instant now) {
        ZonedDateTime candidate = now.atZone(zone).with(at);
        if (!candidate.toInstant().isAfter(now)) {
            candidate = candidate.plusDays(1).with(at);
        }
        return candidate.toInstant();
    }

    ZoneId zone() {
        return zone;
    }

    private String check(Settings s) {
        try {
            new ImportOptions(s.name() == null ? null : s.name().strip(), false, "check"); // the source name rule
        } catch (IllegalArgumentException e) {
            throw new SourceSettingsException("sources.error.name", e.getMessage());
        }
        if (s.kind() == null) {
            throw new SourceSettingsException("sources.error.kind", "choose what kind of source it is");
        }
        if (s.deltaMinutes() == null && s.fullAt() == null) {
            throw new SourceSettingsException("sources.error.schedule", "give a schedule: a delta import every N minutes, a daily full import, or both");
        }
        if (s.deltaMinutes() != null && (s.deltaMinutes() < 1 || s.deltaMinutes() > 1440)) {
            throw new SourceSettingsException("sources.error.deltaMinutes", "a delta import runs every 1–1440 minutes");
        }
        if (s.kind() == Kind.ONEROSTER_FOLDER) {
            folders.check(s.folder());
            return null;
        }
        if (s.url() == null || s.url().isBlank()) {
            throw new SourceSettingsException("sources.error.url", "give the source's URL");
        }
        String url = s.url().strip().replaceAll("/+$", "");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new SourceSettingsException("sources.error.urlInvalid", "the URL is not a valid URL");
        }
        if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null || s.kind() == Kind.SS12000 && uri.getRawQuery() != null) {
            throw new SourceSettingsException("sources.error.urlForm", "the URL must be an http(s) URL with a host, without user, fragment (or, for SS 12000, query)");
        }
        if (!readers.allowed(uri)) {
            throw new HostNotAllowedException(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        }
        return url;
    }

    private void nameFree(String name, UUID except) {
        if (jdbc.sql("select exists (select 1 from import_source where name = :name and id is distinct from cast(:id as uuid))")
                .param("name", name).param("id", except).query(Boolean.class).single()) {
            throw nameTaken(name);
        }
    }

    private boolean notificationsOn(Settings s) {
        return s.notifications() && s.kind() == Kind.SS12000;
    }

    private String webhookOrigin(String requestOrigin) {
        if (!baseUrl.isEmpty()) {
            return baseUrl;
        }
        return requestOrigin == null || requestOrigin.isBlank() ? null : requestOrigin.strip().replaceAll("/+$", "");
    }

    private static Map<String, Object> described(Settings s, String url) {
        // the host, not the whole URL: a query could hold something that is not ours to copy
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", s.name().strip());
        d.put("kind", s.kind().name());
        if (url != null) {
            d.put("host", URI.create(url).getHost());
        }
        if (s.kind() == Kind.ONEROSTER_FOLDER) {
            d.put("folder", String.valueOf(s.folder()).strip());
        }
        d.put("deltaMinutes", s.deltaMinutes() == null ? "" : s.deltaMinutes());
        d.put("fullAt", s.fullAt() == null ? "" : s.fullAt().toString());
        d.put("enabled", s.enabled());
        d.put("notifications", s.notifications());
        d.put("auth", s.authOrBearer().name());
        d.put("alertEmails", s.alertEmails() == null ? 0 : s.alertEmails().size());
        // whether, never what: the key is a secret, and the certificate is not the audit trail's to copy
        d.put("clientCertificateGiven", !blank(s.clientCertificate()));
        if (s.authOrBearer() == Auth.OAUTH_CLIENT_CREDENTIALS && s.tokenUrl() != null) {
            d.put("tokenHost", String.valueOf(URI.create(s.tokenUrl().strip()).getHost()));
            d.put("clientId", String.valueOf(s.clientId()));
        }
        return d;
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static final String SELECT = """
            select id, name, kind, url, token is not null has_token, delta_minutes, full_at, enabled, next_delta_at, next_full_at, requested_at,
                   notifications, subscription_id, subscription_expires, subscription_problem, last_run_id, last_started_at, last_finished_at,
                   last_outcome, last_failure, failures_in_a_row, created_by, auth, token_url, client_id, token_scope,
                   client_secret is not null has_client_secret, folder, alert_emails, client_certificate is not null has_client_certificate,
                   server_ca is not null server_ca_given
            from import_source""";

    private Source map(ResultSet rs, int n) throws SQLException {
        return new Source(rs.getObject("id", UUID.class), rs.getString("name"), Kind.valueOf(rs.getString("kind")), rs.getString("url"),
                rs.getBoolean("has_token"), (Integer) rs.getObject("delta_minutes"), rs.getObject("full_at", LocalTime.class),
                rs.getBoolean("enabled"), instant(rs, "next_delta_at"), instant(rs, "next_full_at"), instant(rs, "requested_at"),
                rs.getBoolean("notifications"), rs.getString("subscription_id"), instant(rs, "subscription_expires"),
                rs.getString("subscription_problem"), rs.getObject("last_run_id", UUID.class), instant(rs, "last_started_at"),
                instant(rs, "last_finished_at"), rs.getString("last_outcome") == null ? null : Outcome.valueOf(rs.getString("last_outcome")),
                rs.getString("last_failure"), rs.getInt("failures_in_a_row"), rs.getString("created_by"), Auth.valueOf(rs.getString("auth")),
                rs.getString("token_url"), rs.getString("client_id"), rs.getString("token_scope"), rs.getBoolean("has_client_secret"),
                rs.getString("folder"), List.of((String[]) rs.getArray("alert_emails").getArray()), rs.getBoolean("has_client_certificate"),
                rs.getBoolean("server_ca_given"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
