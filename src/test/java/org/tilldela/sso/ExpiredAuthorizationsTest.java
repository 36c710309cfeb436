package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An authorization whose tokens have all expired is removed a day later with its family's spent refresh tokens, and
 * nothing else is: not one that ended an hour ago, not a live one, not one whose refresh token never expires.
 */
class ExpiredAuthorizationsTest extends SignInTestSupport {

    @Autowired
    ExpiredAuthorizations expired;

    /** Moves every expiry of the authorization holding this client's tokens by {@code hours} (negative: into the past). */
    private void age(String clientId, int hours) {
        jdbc.sql("""
                        update oauth2_authorization set
                            authorization_code_expires_at = authorization_code_expires_at + make_interval(hours => :h),
                            access_token_expires_at = access_token_expires_at + make_interval(hours => :h),
                            oidc_id_token_expires_at = oidc_id_token_expires_at + make_interval(hours => :h),
                            refresh_token_expires_at = refresh_token_expires_at + make_interval(hours => :h)
                        where registered_client_id = (select id from oauth2_registered_client where client_id = :c)""")
                .param("h", hours).param("c", clientId).update();
    }

    private long authorizations(String clientId) {
        return jdbc.sql("select count(*) from oauth2_authorization where registered_client_id = (select id from oauth2_registered_client where client_id = :c)")
                .param("c", clientId).query(Long.class).single();
    }

    private long spentTokens(String clientId) {
        return jdbc.sql("""
                        select count(*) from sso_spent_refresh_token s join oauth2_authorization a on a.id = s.authorization_id
                        where a.registered_client_id = (select id from oauth2_registered_client where client_id = :c)""")
                .param("c", clientId).query(Long.class).single();
    }

    @Test
    void anAuthorizationGoesADayAfterItsLastTokenExpiredWithItsSpentTokens() throws Exception {
        SignedIn ended = signIn(fixture.persons.get(11));
        String endedClient = ended.auth().getClientID().getValue();
        TokenResponse refreshed = refresh(ended, ended.tokens().getOIDCTokens().getRefreshToken());
        assertThat(refreshed.indicatesSuccess()).isTrue();
        RefreshToken current = refreshed.toSuccessResponse().getTokens().getRefreshToken();
        assertThat(spentTokens(endedClient)).as("the first refresh token, spent").isEqualTo(1);
        SignedIn endedLately = signIn(fixture.persons.get(12));
        SignedIn live = signIn(fixture.persons.get(13));
        SignedIn neverEnds = signIn(fixture.persons.get(14));
        String spentHash = jdbc.sql("""
                        select s.token_hash from sso_spent_refresh_token s join oauth2_authorization a on a.id = s.authorization_id
                        where a.registered_client_id = (select id from oauth2_registered_client where client_id = :c)""")
                .param("c", endedClient).query(String.class).single();

        // refresh tokens live 8 hours: two days back, every token ended a day and more ago; 9 hours back, an hour ago
        age(endedClient, -48);
        age(endedLately.auth().getClientID().getValue(), -9);
        age(neverEnds.auth().getClientID().getValue(), -48);
        jdbc.sql("""
                        update oauth2_authorization set refresh_token_expires_at = null
                        where registered_client_id = (select id from oauth2_registered_client where client_id = :c)""")
                .param("c", neverEnds.auth().getClientID().getValue()).update();

        assertThat(expired.removeEnded()).isGreaterThanOrEqualTo(1);
        assertThat(authorizations(endedClient)).as("ended two days ago").isZero();
        assertThat(jdbc.sql("select count(*) from sso_spent_refresh_token where token_hash = :h").param("h", spentHash).query(Long.class).single())
                .as("its family's spent refresh token went with it").isZero();
        assertThat(authorizations(endedLately.auth().getClientID().getValue())).as("ended an hour ago: kept for the day").isEqualTo(1);
        assertThat(authorizations(live.auth().getClientID().getValue())).as("live").isEqualTo(1);
        assertThat(authorizations(neverEnds.auth().getClientID().getValue())).as("a refresh token without expiry").isEqualTo(1);
        assertThat(refresh(ended, current).indicatesSuccess()).as("the removed authorization's refresh token").isFalse();
        assertThat(refresh(live, live.tokens().getOIDCTokens().getRefreshToken()).indicatesSuccess()).as("a live one still refreshes").isTrue();
        assertThat(expired.removeEnded()).as("nothing more to remove").isZero();
    }

    /**
     * A person who left at the first-sign-in notice leaves an authorization with no token and no expiry (its state and
     * request only, as the authorization server stores it until the notice is answered): it goes a day after it started.
     */
    @Test
    void anAuthorizationLeftAtTheNoticeGoesADayAfterItStarted() {
        String client = jdbc.sql("select id from oauth2_registered_client order by client_id limit 1").query(String.class).single();
        String abandoned = "abandoned-" + UUID.randomUUID();
        String recent = "recent-" + UUID.randomUUID();
        for (String id : java.util.List.of(abandoned, recent)) {
            jdbc.sql("""
                            insert into oauth2_authorization (id, registered_client_id, principal_name, authorization_grant_type, state, started_at)
                            values (:id, :c, :p, 'authorization_code', :s, now() - make_interval(hours => :h))""")
                    .param("id", id).param("c", client).param("p", fixture.persons.get(15).toString()).param("s", UUID.randomUUID().toString())
                    .param("h", id.equals(abandoned) ? 30 : 2).update();
        }
        assertThat(expired.removeEnded()).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.sql("select id from oauth2_authorization where id in (:a, :r)").param("a", abandoned).param("r", recent).query(String.class).list())
                .containsExactly(recent);
        jdbc.sql("delete from oauth2_authorization where id = :r").param("r", recent).update();
    }
}
