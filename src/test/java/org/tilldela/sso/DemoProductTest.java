package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerRecord;

/**
 * The README's walk over HTTP: an administrator registers the demo product's client through the API, a
 * pupil signs in with a local account, lands on the start page, follows the product's tile, and the
 * product — an independent relying party (Nimbus) running in-process — receives tokens whose claims are
 * exactly the package the school approved; the ledger has the release; signing out of the product signs
 * the pupil out of Tilldela too.
 */
class DemoProductTest extends DemoProductTestSupport {

    @Test
    void aPupilOpensTheDemoProductFromTheStartPageAndItReceivesExactlyTheApprovedPackage() throws Exception {
        schoolWithAnApprovedProduct("Läsfixarna " + UUID.randomUUID().toString().substring(0, 6), fixture.persons.get(15));
        demoProductRegistered();
        browser = newBrowser();

        // signed in with the local account, the pupil lands on the start page
        HttpResponse<String> signedIn = postSignIn(browser, pupilUsername, PASSWORD);
        assertThat(location(signedIn, baseUrl()).getPath()).isEqualTo("/start");
        String start = get(URI.create(baseUrl() + "/start")).body();
        // the product's tile: its initiate-login URI with this provider as iss (OpenID Connect Core §4)
        Matcher tile = Pattern.compile("href=\"(" + Pattern.quote(demo.initiateLoginUri().toString()) + "\\?[^\"]+)\"").matcher(start);
        assertThat(tile.find()).as("a tile for the demo product on\n%s", start).isTrue();
        URI open = URI.create(org.springframework.web.util.HtmlUtils.htmlUnescape(tile.group(1)));
        assertThat(open.getQuery()).isEqualTo("iss=" + baseUrl());

        // one click: the product starts a sign-in here, the pupil (already signed in) reads the first-sign-in notice and goes on
        HttpResponse<String> toProvider = get(open);
        assertThat(toProvider.statusCode()).isEqualTo(303);
        URI authorize = location(toProvider, baseUrl());
        assertThat(authorize.getPath()).isEqualTo("/oauth2/authorize");
        assertThat(authorize.getQuery()).contains("code_challenge_method=S256").contains("nonce=").contains("state=").contains("client_id=" + clientId);
        URI callback = pastNotice(location(get(authorize), baseUrl()));
        assertThat(lastNotice).as("the first sign-in to the product shows its notice").contains(product.title());
        assertThat(callback.toString()).startsWith(demo.redirectUri() + "?code=");

        // the product redeems the code, validates the ID token, asks userinfo, and shows what it got
        HttpResponse<String> redeemed = get(callback);
        assertThat(redeemed.statusCode()).as(redeemed.body()).isEqualTo(303);
        String page = get(demo.address().resolve("/")).body();
        assertThat(page).contains("Signed in to " + org.springframework.web.util.HtmlUtils.htmlEscape(product.title(), "UTF-8"));
        Map<String, String> idToken = claims(page, "id-token-claims");
        Map<String, String> userInfo = claims(page, "userinfo-claims");

        assertThat(approvedClaims()).containsExactlyInAnyOrder("sub", "groups", "given_name", "family_name");
        assertThat(idToken.keySet()).as("the ID token carries the approved package, no more (not the declared e-mail)").isEqualTo(approvedClaims());
        assertThat(userInfo.keySet()).isEqualTo(approvedClaims());
        var names = jdbc.sql("select given_name, family_name from person where id = :p").param("p", pupil)
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2))).single();
        assertThat(idToken.get("given_name")).isEqualTo(org.springframework.web.util.HtmlUtils.htmlEscape(names.get(0), "UTF-8"));
        assertThat(idToken.get("family_name")).isEqualTo(org.springframework.web.util.HtmlUtils.htmlEscape(names.get(1), "UTF-8"));
        assertThat(idToken.get("sub")).as("the pairwise pseudonym, never the person's id").isEqualTo(userInfo.get("sub")).isNotEqualTo(pupil.toString());
        assertThat(idToken.get("groups")).isNotBlank();
        assertThat(claims(page, "id-token-protocol")).containsEntry("iss", baseUrl()).containsEntry("aud", clientId).containsKey("nonce");

        // the ledger has the release for this pupil and product (repeated identical releases may be counted, not chained anew)
        List<LedgerRecord> released = ledger.feed(new DisclosureLedger.FeedFilter(null, product.id(), null, pupil, null, null, null), 50);
        assertThat(released).isNotEmpty().allSatisfy(r -> assertThat(r.attributes()).isEqualTo(policy.permitted(pupil, product.id()).attributes()));
        assertThat(released).extracting(LedgerRecord::channel).contains(Channel.SSO_ID_TOKEN);

        // signing out of the product signs the pupil out of Tilldela as well (RP-initiated logout), and back on the product's page
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).isTrue();
        HttpResponse<String> signOut = browser.send(HttpRequest.newBuilder(demo.address().resolve("/sign-out"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        URI logout = location(signOut, baseUrl());
        assertThat(logout.getPath()).isEqualTo("/connect/logout");
        URI back = location(get(logout), baseUrl());
        assertThat(back.toString()).startsWith(demo.postLogoutRedirectUri() + "?state=");
        assertThat(get(back).body()).contains("You are signed out");
        assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).as("signed out of Tilldela too").isEqualTo("/sign-in");
    }

    @Test
    void theProductStartsASignInOnlyAtItsOwnProviderAndOnlyFinishesOneItStarted() throws Exception {
        schoolWithAnApprovedProduct("Skrivstugan " + UUID.randomUUID().toString().substring(0, 6), fixture.persons.get(16));
        demoProductRegistered();
        browser = newBrowser();

        HttpResponse<String> elsewhere = get(URI.create(demo.initiateLoginUri() + "?iss=" + URLEncoder.encode("https://evil.example", StandardCharsets.UTF_8)));
        assertThat(elsewhere.statusCode()).isEqualTo(400);
        assertThat(elsewhere.headers().firstValue("Location")).isEmpty();
        assertThat(get(demo.initiateLoginUri()).statusCode()).as("no iss at all").isEqualTo(400);

        // an answer this browser never asked for (a code injected into someone else's browser) is refused before any token request
        assertThat(get(URI.create(demo.redirectUri() + "?code=stolen&state=guessed")).statusCode()).isEqualTo(400);
        URI authorize = location(get(URI.create(demo.initiateLoginUri() + "?iss=" + URLEncoder.encode(baseUrl(), StandardCharsets.UTF_8))), baseUrl());
        assertThat(authorize.getPath()).isEqualTo("/oauth2/authorize");
        HttpResponse<String> forged = get(URI.create(demo.redirectUri() + "?code=stolen&state=another"));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("state does not match");

        // a pupil not yet signed in signs in on the way; the sign-in form's redirect chain ends at the product, which the
        // page's form-action must allow (browsers check it on every redirect after a form), and only for this client
        assertThat(location(get(authorize), baseUrl()).getPath()).isEqualTo("/sign-in");
        String origin = demo.address().toString();
        assertThat(get(URI.create(baseUrl() + "/sign-in")).headers().firstValue("Content-Security-Policy").orElseThrow())
                .endsWith("form-action 'self' " + origin);
        assertThat(newBrowser().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-in")).build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("Content-Security-Policy").orElseThrow()).as("no sign-in under way").endsWith("form-action 'self'");
    }

    @Test
    void aFloodOfSignInStartsKeepsOnlyTheNewestSessions() throws Exception {
        schoolWithAnApprovedProduct("Räknesagor " + UUID.randomUUID().toString().substring(0, 6), fixture.persons.get(14));
        demoProductRegistered();
        browser = newBrowser();
        URI start = URI.create(demo.initiateLoginUri() + "?iss=" + URLEncoder.encode(baseUrl(), StandardCharsets.UTF_8));
        URI authorize = location(get(start), baseUrl());
        String state = java.net.URLDecoder.decode(authorize.getRawQuery().replaceAll(".*(?:^|&)state=([^&]*).*", "$1"), StandardCharsets.UTF_8);

        // strangers without cookies, each starting a sign-in: one session each, until the oldest are dropped
        java.net.http.HttpClient stranger = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        for (int sent = 0; sent < org.tilldela.sso.cli.DemoProduct.MAX_SESSIONS; sent += 8) {
            List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                batch.add(stranger.sendAsync(HttpRequest.newBuilder(start).build(), HttpResponse.BodyHandlers.discarding()));
            }
            batch.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(303));
        }
        // this browser's sign-in was the oldest: its answer now finds no sign-in started
        HttpResponse<String> late = get(URI.create(demo.redirectUri() + "?code=any&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8)));
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.body()).contains("No sign-in started");
    }

    @Test
    void theJarRunsTheDemoProductAsACommandAndSaysWhyItCannotStart() throws Exception {
        assertThat(org.tilldela.Launcher.isCommand(new String[] {"demo-product"})).isTrue();
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        int status;
        try {
            System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            // no provider answers at this address: the command names what it could not read, and stops
            status = org.tilldela.CommandLineEntry.run(new String[] {"demo-product", "--issuer", "http://127.0.0.1:" + freePort(), "--client-id", "x",
                    "--port", "0"});
        } finally {
            System.setErr(err);
        }
        assertThat(status).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("Cannot read the provider's configuration at http://127.0.0.1:")
                .contains("/.well-known/openid-configuration");
    }

    /** A claims table of the product's page: claim name → the value as the page shows it (HTML). */
    static Map<String, String> claims(String page, String tableId) {
        Matcher table = Pattern.compile("<table id=\"" + tableId + "\".*?<tbody>(.*?)</tbody>", Pattern.DOTALL).matcher(page);
        assertThat(table.find()).as("table %s", tableId).isTrue();
        Map<String, String> claims = new LinkedHashMap<>();
        Matcher row = Pattern.compile("<tr><th scope=\"row\"><code>([^<]+)</code></th><td>[^<]*</td><td>(.*?)</td></tr>", Pattern.DOTALL).matcher(table.group(1));
        while (row.find()) {
            claims.put(row.group(1), row.group(2));
        }
        return claims;
    }
}
