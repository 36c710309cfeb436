package org.tilldela.governance;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Personal API tokens: how an administrator with a second factor calls the API, whose HTTP Basic door would take
 * their password alone ({@link AdminSignIn#apiDoor()}). Created on the account page of a session that passed the
 * second factor, shown once; kept as the SHA-256 of 256 random bits (a slow password hash buys nothing for a value
 * that long and random, and every API call checks one). Each expires (at most a year) and can be revoked; each use
 * is audited with the token's name, never the token. A token carries the account's grants as they are at each call.
 */
@Service
@Transactional
public class ApiTokens {

    /** What a token starts with, so a leaked one is recognised (and secret scanners can match it). */
    static final String PREFIX = "tdl_";
    static final int MAX_DAYS = 365;
    /** The prefix and 32 random bytes in unpadded base64url. */
    static final int TOKEN_LENGTH = PREFIX.length() + 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final SecondFactor secondFactor;
    private final SignInThrottle throttle;
    private final AdminAccounts accounts;

    private final AdminUpstreamAccounts upstream;

    ApiTokens(JdbcClient jdbc, AuditTrail audit, SecondFactor secondFactor, AdminAccounts accounts, SignInThrottle throttle,
              AdminUpstreamAccounts upstream) {
        this.upstream = upstream;
        this.throttle = throttle;
        this.jdbc = jdbc;
        this.audit = audit;
        this.secondFactor = secondFactor;
        this.accounts = accounts;
    }

    /** The account signs in through its organiser's provider only: a token would outlast what that provider decides. */
    public static final class ProviderOnly extends IllegalStateException {
        ProviderOnly() {
            super("This account signs in through its organiser's identity provider: it gets no API tokens.");
        }
    }

    /** A token as the account page lists it: never the token itself. */
    public record Token(long id, String name, Instant createdAt, Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {

        public boolean usable(Instant now) {
            return revokedAt == null && expiresAt.isAfter(now);
        }
    }

    /** A new token: the value, shown this once. */
    public record Created(Token token, String value) {
    }

    /**
     * Creates a token for the account, valid {@code days} days (1 to 365). Only for an account with a second factor:
     * the page that asks is reached only after its code.
     */
    public Created create(String username, String name, int days) {
        if (upstream.signsInThroughProviderOnly(username)) {
            throw new ProviderOnly();
        }
        if (!secondFactor.enrolled(username)) {
            throw new IllegalStateException("Set up a second factor before creating API tokens.");
        }
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > 100) {
            throw new IllegalArgumentException("A token needs a name (at most 100 characters) that says what uses it.");
        }
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("A token is valid 1 to " + MAX_DAYS + " days.");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant expires = Instant.now().plus(Duration.ofDays(days));
        long id = jdbc.sql("insert into admin_api_token (username, name, token_hash, expires_at) values (:u, :n, :h, :e) returning id")
                .param("u", username).param("n", label).param("h", hash(value)).param("e", Timestamp.from(expires)).query(Long.class).single();
        audit.record(username, "ADMIN_API_TOKEN_CREATED", "admin_account", username, Map.of("token", label, "tokenId", id, "expiresAt", expires.toString()));
        return new Created(token(username, id).orElseThrow(), value);
    }

    @Transactional(readOnly = true)
    public List<Token> of(String username) {
        return jdbc.sql(SELECT + " where username = :u order by created_at desc, id desc").param("u", username).query(ApiTokens::token).list();
    }

    private Optional<Token> token(String username, long id) {
        return jdbc.sql(SELECT + " where username = :u and id = :id").param("u", username).param("id", id).query(ApiTokens::token).optional();
    }

    /** Revokes one of the account's own tokens (false: no such token of the account, or revoked already). */
    public boolean revoke(String username, long id) {
        Optional<String> name = jdbc.sql("update admin_api_token set revoked_at = now() where username = :u and id = :id and revoked_at is null returning name")
                .param("u", username).param("id", id).query(String.class).optional();
        name.ifPresent(n -> audit.record(username, "ADMIN_API_TOKEN_REVOKED", "admin_account", username, Map.of("token", n, "tokenId", id)));
        return name.isPresent();
    }

    /**
     * The account a token presented on the API is, with its rights as they are now; empty when the token is unknown,
     * revoked or expired, or the account disabled. Use and refusal alike are audited, by the token's name.
     */
    Optional<UserDetails> authenticate(String value, String method, String path, String address) {
        record Row(long id, String username, String name, boolean revoked, boolean expired) {
        }
        if (value == null || !value.startsWith(PREFIX) || value.length() != TOKEN_LENGTH) {
            // not one of ours at all (another system's bearer token, noise): refused without a row in the audit trail,
            // which anyone could otherwise fill with one request after another
            return Optional.empty();
        }
        Optional<Row> row = value == null || !value.startsWith(PREFIX) ? Optional.empty()
                : jdbc.sql("select id, username, name, revoked_at is not null, expires_at <= now() from admin_api_token where token_hash = :h")
                .param("h", hash(value)).query((rs, n) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5)))
                .optional();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("address", address == null ? "unknown" : address);
        if (row.isEmpty()) {
            // made-up tokens: a few per address are recorded, not each of a flood (SignInThrottle.recordsRefusal)
            SignInThrottle.Recording recording = throttle.recordsRefusal(address);
            if (recording.record()) {
                detail.put("reason", "UNKNOWN");
                recording.pausedUntil().ifPresent(until -> detail.put("unrecordedUntil", until.toString()));
                audit.record("sign-in", "ADMIN_API_TOKEN_REFUSED", "admin_api_token", "unknown", detail);
            }
            return Optional.empty();
        }
        Row r = row.get();
        detail.put("token", r.name());
        detail.put("tokenId", r.id());
        // only behind a second factor that is still there (its removal revokes the tokens too)
        boolean factor = secondFactor.enrolled(r.username());
        // an account its organiser's provider signs in is that provider's to let in (as its password is refused)
        boolean providerOnly = !r.revoked() && !r.expired() && factor && upstream.signsInThroughProviderOnly(r.username());
        UserDetails user = r.revoked() || r.expired() || !factor || providerOnly ? null : accounts.loadUserByUsername(r.username());
        if (user == null || !user.isEnabled()) {
            detail.put("reason", r.revoked() ? "REVOKED" : r.expired() ? "EXPIRED" : !factor ? "NO_SECOND_FACTOR" : providerOnly ? "PROVIDER_ONLY"
                    : "DISABLED");
            audit.record("sign-in", "ADMIN_API_TOKEN_REFUSED", "admin_account", r.username(), detail);
            return Optional.empty();
        }
        detail.put("method", method);
        detail.put("path", path);
        audit.record(r.username(), "ADMIN_API_TOKEN_USED", "admin_account", r.username(), detail);
        jdbc.sql("update admin_api_token set last_used_at = now() where id = :id").param("id", r.id()).update();
        return Optional.of(user);
    }

    /**
     * The API door's filter: a request with {@code Authorization: Bearer <token>} is the token's account, or is refused
     * with 401 (no challenge, as for HTTP Basic). Other requests go on to HTTP Basic.
     */
    public jakarta.servlet.Filter filter() {
        SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
                String header = request.getHeader("Authorization");
                if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    chain.doFilter(request, response);
                    return;
                }
                Optional<UserDetails> user = authenticate(header.substring(7).strip(), request.getMethod(), request.getRequestURI(), request.getRemoteAddr());
                if (user.isEmpty()) {
                    response.sendError(401);
                    return;
                }
                SecurityContext context = contexts.createEmptyContext();
                context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user.get(), null, user.get().getAuthorities()));
                contexts.setContext(context);
                chain.doFilter(request, response);
            }
        };
    }

    private static final String SELECT = "select id, name, created_at, expires_at, revoked_at, last_used_at from admin_api_token";

    private static Token token(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Token(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(), instant(rs.getTimestamp(5)),
                instant(rs.getTimestamp(6)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
