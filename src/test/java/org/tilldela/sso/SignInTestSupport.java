package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;

/** What the sign-in tests share: a synthetic municipality with a licensed product, a browser, and Nimbus as the relying party. */
abstract class SignInTestSupport extends IntegrationTest {


    static final String REDIRECT = "https://matematik.example/callback";
    static final String PASSWORD = "sju glada elefanter";

    @Autowired
    ImportRuns imports;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Catalog catalog;
    @Autowired
    LicencePools pools;
    @Autowired
    PersonAccounts accounts;
    @Autowired
    SignInClients clients;
    @Autowired
    org.tilldela.access.ReleaseObjections objections;
    @Autowired
    org.tilldela.access.DataAccessAgreements agreements;

    static AccessFixture fixture;
    OIDCProviderMetadata op;

    @BeforeEach
    void setUp() throws Exception {
        if (fixture == null) {
            fixture = new AccessFixture(imports, jdbc, catalog, pools);
        }
        op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
    }

    /** A browser: keeps cookies, follows no redirect by itself. */
    HttpClient browser = newBrowser();

    static HttpClient newBrowser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI location(HttpResponse<?> response, String base) {
        return URI.create(base).resolve(response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no redirect: " + response.statusCode())));
    }

    /** Opens the authorization URL, signs in on the page it leads to, and follows on to where the provider sends the browser. */
    URI signInThrough(URI authorize, String username) throws Exception {
        HttpResponse<String> first = get(authorize);
        assertThat(first.statusCode()).isEqualTo(302);
        URI signIn = location(first, baseUrl());
        assertThat(signIn.getPath()).isEqualTo("/sign-in");
        HttpResponse<String> signedIn = postSignIn(browser, username, PASSWORD);
        URI back = location(signedIn, baseUrl());
        assertThat(back.getPath()).as("back to the authorization request").isEqualTo("/oauth2/authorize");
        return pastNotice(location(get(back), baseUrl()));
    }

    /** Fills in and sends the sign-in form as {@code client} (a browser) gets it, with its CSRF token; answers the redirect. */
    HttpResponse<String> postSignIn(HttpClient client, String username, String password) throws Exception {
        String page = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-in")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).isTrue();
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        return client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-in")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The page the notice of a first sign-in showed last (null when none was shown). */
    String lastNotice;

    /** Where the provider sends the browser next; on the first sign-in to a product, after reading its notice and going on. */
    URI pastNotice(URI next) throws Exception {
        if (!next.getPath().equals(FirstSignInNotice.PATH)) {
            return next;
        }
        HttpResponse<String> notice = get(next);
        assertThat(notice.statusCode()).isEqualTo(200);
        lastNotice = notice.body();
        StringBuilder form = new StringBuilder();
        Matcher hidden = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"").matcher(notice.body());
        while (hidden.find()) {
            form.append(form.isEmpty() ? "" : "&").append(hidden.group(1)).append('=')
                    .append(URLEncoder.encode(org.springframework.web.util.HtmlUtils.htmlUnescape(hidden.group(2)), StandardCharsets.UTF_8));
        }
        HttpResponse<String> onward = browser.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth2/authorize"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        return location(onward, baseUrl());
    }

    /** Signs the person in to the fixture's product; returns the client's credentials and the first token response. */
    record SignedIn(ClientSecretBasic auth, OIDCTokenResponse tokens) {
    }

    SignedIn signIn(UUID pupil) throws Exception {
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        return signIn(username);
    }

    /** Signs in with an account that exists, its password {@link #PASSWORD}: a new password would end the person's other sign-ins. */
    SignedIn signIn(String username) throws Exception {
        browser = newBrowser(); // a browser of the pupil's own
        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce()).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        AuthorizationCode code = AuthorizationResponse.parse(signInThrough(authorize, username)).toSuccessResponse().getAuthorizationCode();
        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
        TokenResponse tokens = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth,
                new AuthorizationCodeGrant(code, URI.create(REDIRECT), verifier)).toHTTPRequest().send());
        return new SignedIn(auth, (OIDCTokenResponse) tokens.toSuccessResponse());
    }

    TokenResponse refresh(SignedIn signedIn, RefreshToken token) throws Exception {
        return OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), signedIn.auth(), new RefreshTokenGrant(token)).toHTTPRequest().send());
    }

}
