package org.tilldela.sso;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.tilldela.platform.InBatches;

/**
 * Authorizations that ended are removed: once every token of one has expired (for a sign-in its refresh token, 8 hours
 * after its last use) nothing can use it, but its row keeps the person's id and the claims their access token carried.
 * Kept {@code tilldela.sso.ended-authorizations-kept} (1 day) after they end — introspection of a token that old says
 * inactive either way — then removed with the spent refresh tokens of their family (reuse detection has nothing left
 * to protect). Hourly ({@code tilldela.sso.ended-authorizations-cron}), a batch a transaction.
 */
@Component
class ExpiredAuthorizations {

    private static final Logger log = LoggerFactory.getLogger(ExpiredAuthorizations.class);
    static final int BATCH = 10_000;
    /** An authorization without a token (its person at the first-sign-in notice) is kept at least this long after it started. */
    static final Duration UNANSWERED_AT_LEAST = Duration.ofHours(1);
    /** When an authorization ends: its tokens' latest expiry (the expression the index oauth2_authorization_ends holds). */
    private static final String ENDS = "greatest(authorization_code_expires_at, access_token_expires_at, oidc_id_token_expires_at, "
            + "refresh_token_expires_at, user_code_expires_at, device_code_expires_at)";

    private final JdbcClient jdbc;
    private final Duration kept;

    ExpiredAuthorizations(JdbcClient jdbc, @Value("${tilldela.sso.ended-authorizations-kept:1d}") Duration kept) {
        if (kept.isNegative()) {
            throw new IllegalArgumentException("tilldela.sso.ended-authorizations-kept must not be negative, is " + kept);
        }
        this.jdbc = jdbc;
        this.kept = kept;
    }

    /**
     * Removes the authorizations that ended longer ago than the setting says, and those that never got a token (a
     * person who left at the first-sign-in notice) as long after they started; returns how many.
     */
    long removeEnded() {
        Timestamp before = Timestamp.from(Instant.now().minus(kept));
        // one left at the notice an hour at least (kept may be 0): whoever is reading the notice now keeps theirs
        Timestamp unansweredBefore = Timestamp.from(Instant.now().minus(kept.compareTo(UNANSWERED_AT_LEAST) < 0 ? UNANSWERED_AT_LEAST : kept));
        // no token at all (the index oauth2_authorization_unanswered holds the same condition)
        long unanswered = InBatches.untilShort(BATCH, () -> jdbc.sql("""
                        delete from oauth2_authorization where id in (
                            select id from oauth2_authorization
                            where authorization_code_expires_at is null and access_token_expires_at is null and oidc_id_token_expires_at is null
                              and refresh_token_expires_at is null and user_code_expires_at is null and device_code_expires_at is null
                              and refresh_token_value is null and started_at < :before
                            order by started_at limit :batch)""")
                .param("before", unansweredBefore).param("batch", BATCH).update());
        return unanswered + removeEndedWithTokens(before);
    }

    private long removeEndedWithTokens(Timestamp before) {
        // a refresh token without an expiry never ends: such an authorization stays whatever its other tokens say
        return InBatches.untilShort(BATCH, () -> jdbc.sql("""
                        with gone as (
                            delete from oauth2_authorization where id in (
                                select id from oauth2_authorization
                                where %1$s < :before and (refresh_token_value is null or refresh_token_expires_at is not null)
                                order by %1$s limit :batch)
                            returning id),
                        spent as (
                            delete from sso_spent_refresh_token s using gone where s.authorization_id = gone.id)
                        select count(*) from gone""".formatted(ENDS))
                .param("before", before).param("batch", BATCH).query(Long.class).single());
    }

    /** Hourly; off with {@code tilldela.sso.ended-authorizations-job.enabled=false} (commands never run it). */
    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @ConditionalOnProperty(name = "tilldela.sso.ended-authorizations-job.enabled", havingValue = "true", matchIfMissing = true)
    static class Hourly {

        private final ExpiredAuthorizations expired;

        Hourly(ExpiredAuthorizations expired) {
            this.expired = expired;
        }

        @Scheduled(cron = "${tilldela.sso.ended-authorizations-cron:0 15 * * * *}")
        void run() {
            long n = expired.removeEnded();
            if (n > 0) {
                log.info("Removed {} authorizations whose tokens had all expired", n);
            }
        }
    }
}
