package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Teachers act for the pupils of their own classes only, and young pupils sign in with a card and four
 * pictures: into a product's pending sign-in, through the same principal a password gives; wrong pictures
 * are throttled and then lock the card; an ended card fails; every card sign-in is audited, and neither the
 * token nor the pictures are kept.
 */
class TeacherCardsTest extends CardTestSupport {

    @Test
    void aTeacherSetsAPupilsPasswordAndThePupilSignsInWithIt() throws Exception {
        Classes c = classes();
        UUID pupil = pupilsOf(c.taught()).get(0);
        HttpClient teacher = teacherBrowser(c.teacher());

        assertThat(get(teacher, baseUrl() + "/start").body()).contains("href=\"/start/classes\"");
        String className = jdbc.sql("select name from student_group where id = :g").param("g", c.taught()).query(String.class).single();
        assertThat(get(teacher, baseUrl() + "/start/classes").body()).contains(className).contains("/start/classes/" + c.taught());
        String givenName = jdbc.sql("select given_name from person where id = :p").param("p", pupil).query(String.class).single();
        assertThat(get(teacher, baseUrl() + "/start/classes/" + c.taught()).body()).contains(givenName);

        // the fixture's pupils are shared with other sign-in tests, which may have given this one an account already
        var before = accounts.username(pupil);
        String form = get(teacher, baseUrl() + "/start/classes/" + c.taught() + "/pupils/" + pupil + "/password").body();
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        String url = baseUrl() + "/start/classes/" + c.taught() + "/pupils/" + pupil + "/password";
        HttpResponse<String> tooShort = post(teacher, url, Map.of("_csrf", hidden(form, "_csrf"), "username", username, "password", "kort"));
        assertThat(tooShort.statusCode()).isEqualTo(200);
        assertThat(accounts.username(pupil)).as("a refused password sets nothing").isEqualTo(before);
        HttpResponse<String> set = post(teacher, url, Map.of("_csrf", hidden(form, "_csrf"), "username", username, "password", "tre glada ekorrar"));
        assertThat(location(set, baseUrl()).toString()).endsWith("/start/classes/" + c.taught() + "?done=password&pupil=" + pupil);
        assertThat(jdbc.sql("select count(*) from audit_event where actor = :t and action = 'PERSON_PASSWORD_SET' and target_id = :p")
                .param("t", c.teacher().toString()).param("p", pupil.toString()).query(Integer.class).single()).as("audited as the teacher").isEqualTo(1);

        HttpResponse<String> pupilSignedIn = postSignIn(newBrowser(), username, "tre glada ekorrar");
        assertThat(location(pupilSignedIn, baseUrl()).getPath()).isEqualTo("/start");
    }

    @Test
    void aTeacherCannotActForAPupilOutsideTheirClassesAndNothingChanges() throws Exception {
        Classes c = classes();
        UUID stranger = pupilsOf(c.other()).get(0);
        UUID own = pupilsOf(c.taught()).get(1);
        HttpClient teacher = teacherBrowser(c.teacher());
        // the fixture's pupils are shared with other sign-in tests, which may have given them accounts: nothing here changes them
        var strangersAccount = accounts.username(stranger);
        var ownAccount = accounts.username(own);
        // the stranger has a card made by their own teacher's authority (here: directly)
        SignInCards.Made theirs = cards.make(Map.of(stranger, "X"), "test", UUID.randomUUID(), Map.of()).getFirst();

        String page = get(teacher, baseUrl() + "/start/classes/" + c.taught()).body();
        String csrf = hidden(page, "_csrf");
        assertThat(get(teacher, baseUrl() + "/start/classes/" + c.other()).statusCode()).isEqualTo(404);
        assertThat(get(teacher, baseUrl() + "/start/classes/" + c.taught() + "/pupils/" + stranger + "/password").statusCode()).isEqualTo(404);
        for (UUID klass : List.of(c.taught(), c.other())) {
            assertThat(post(teacher, baseUrl() + "/start/classes/" + klass + "/pupils/" + stranger + "/password",
                    Map.of("_csrf", csrf, "username", "kapad-" + UUID.randomUUID(), "password", "ett langt losenord")).statusCode()).isEqualTo(404);
            assertThat(post(teacher, baseUrl() + "/start/classes/" + klass + "/cards",
                    Map.of("_csrf", csrf, "formToken", UUID.randomUUID().toString(), "pupil", stranger.toString())).statusCode()).isEqualTo(404);
            assertThat(post(teacher, baseUrl() + "/start/classes/" + klass + "/pupils/" + stranger + "/card/revoke", Map.of("_csrf", csrf)).statusCode())
                    .isEqualTo(404);
        }
        // a whole class's cards, for a class that is not theirs
        assertThat(post(teacher, baseUrl() + "/start/classes/" + c.other() + "/cards", Map.of("_csrf", csrf, "formToken", UUID.randomUUID().toString()))
                .statusCode()).isEqualTo(404);
        // one of their own pupils, but named under another class
        assertThat(post(teacher, baseUrl() + "/start/classes/" + c.other() + "/pupils/" + own + "/password",
                Map.of("_csrf", csrf, "username", "kapad-" + UUID.randomUUID(), "password", "ett langt losenord")).statusCode()).isEqualTo(404);

        assertThat(accounts.username(stranger)).isEqualTo(strangersAccount);
        assertThat(accounts.username(own)).isEqualTo(ownAccount);
        assertThat(jdbc.sql("select id from sso_sign_in_card where person_id = :p and ended is null").param("p", stranger).query(UUID.class).single())
                .as("the stranger's card is untouched").isEqualTo(theirs.cardId());
        assertThat(jdbc.sql("select action from audit_event where actor = :t and target_id in (:s, :o)")
                .param("t", c.teacher().toString()).param("s", stranger.toString()).param("o", own.toString()).query(String.class).list()).isEmpty();

        // a pupil is no teacher: their list is empty and a class's page is not found
        UUID pupil = pupilsOf(c.taught()).get(2);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        HttpClient pupilBrowser = newBrowser();
        postSignIn(pupilBrowser, username, PASSWORD);
        assertThat(get(pupilBrowser, baseUrl() + "/start").body()).doesNotContain("href=\"/start/classes\"");
        assertThat(get(pupilBrowser, baseUrl() + "/start/classes/" + c.taught()).statusCode()).isEqualTo(404);
    }

    @org.springframework.beans.factory.annotation.Autowired
    SignInCards cards;

    @Test
    void aCardAndTheRightPicturesSignAPupilIntoAProductsPendingSignIn() throws Exception {
        Classes c = classes();
        // a pupil of the class who holds the fixture's licence
        UUID pupil = fixture.persons.stream().filter(pupilsOf(c.taught())::contains).findFirst()
                .orElseGet(() -> {
                    UUID p = pupilsOf(c.taught()).get(5);
                    fixture.license(fixture.productId, List.of(p));
                    return p;
                });
        PrintedCard card = makeCard(teacherBrowser(c.teacher()), c.taught(), pupil);
        assertThat(card.url()).startsWith(baseUrl() + "/sign-in/card/");

        // stored: a hash of the token, an Argon2id hash of the pictures; neither as given
        record Stored(String tokenHash, String pictureHash, String madeBy) {
        }
        Stored stored = jdbc.sql("select token_hash, picture_hash, made_by from sso_sign_in_card where person_id = :p and ended is null")
                .param("p", pupil).query(Stored.class).single();
        assertThat(stored.tokenHash()).isEqualTo(HighEntropySecrets.sha256Hex(card.token())).doesNotContain(card.token());
        assertThat(stored.pictureHash()).startsWith("$argon2id$").doesNotContain(Picture.encode(card.pictures()));
        assertThat(stored.madeBy()).isEqualTo(c.teacher().toString());
        assertThat(jdbc.sql("select count(*) from sso_sign_in_card where token_hash = :t or first_name = :t").param("t", card.token()).query(Integer.class).single())
                .isZero();

        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        browser = newBrowser();
        assertThat(location(get(authorize), baseUrl()).getPath()).isEqualTo("/sign-in");

        String given = jdbc.sql("select given_name from person where id = :p").param("p", pupil).query(String.class).single();
        assertThat(get(browser, card.url()).body()).contains(org.springframework.web.util.HtmlUtils.htmlEscape(given, "UTF-8"));
        HttpResponse<String> signedIn = pick(browser, card, card.pictures());
        URI back = location(signedIn, baseUrl());
        assertThat(back.getPath()).as("on to the product's sign-in").isEqualTo("/oauth2/authorize");
        AuthorizationResponse response = AuthorizationResponse.parse(pastNotice(location(get(back), baseUrl())));
        assertThat(response.indicatesSuccess()).isTrue();
        AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
        TokenResponse tokens = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth,
                new AuthorizationCodeGrant(code, URI.create(REDIRECT), verifier)).toHTTPRequest().send());
        assertThat(tokens.indicatesSuccess()).as(() -> tokens.toErrorResponse().getErrorObject().toString()).isTrue();
        IDTokenClaimsSet id = new IDTokenValidator(op.getIssuer(), new ClientID(client.clientId()), JWSAlgorithm.RS256, op.getJWKSetURI().toURL())
                .validate(((OIDCTokenResponse) tokens.toSuccessResponse()).getOIDCTokens().getIDToken(), nonce);
        assertThat(id.getSubject().getValue()).as("the pairwise pseudonym, as for a password sign-in").isNotEqualTo(pupil.toString());
        // the same principal as a password sign-in: the person's id, nothing more
        assertThat(jdbc.sql("select principal_name from oauth2_authorization where registered_client_id = (select id from oauth2_registered_client where client_id = :c)")
                .param("c", client.clientId()).query(String.class).single()).isEqualTo(pupil.toString());
        assertThat(get(browser, baseUrl() + "/start").statusCode()).isEqualTo(200);

        assertThat(jdbc.sql("select count(*) from audit_event where actor = :p and action = 'CARD_SIGN_IN' and target_id = :p")
                .param("p", pupil.toString()).query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SIGN_IN_CARD_MADE' and actor = :t and target_id = :p"
                        + " and detail->>'card' = (select id::text from sso_sign_in_card where person_id = :pupil and ended is null)")
                .param("t", c.teacher().toString()).param("p", pupil.toString()).param("pupil", pupil).query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from audit_event where detail::text like :t").param("t", "%" + card.token() + "%").query(Integer.class).single())
                .as("never the token").isZero();
    }

    @Test
    void wrongPicturesAreThrottledThenLockTheCardAndEveryAttemptIsAudited() throws Exception {
        Classes c = classes();
        UUID pupil = pupilsOf(c.taught()).get(3);
        PrintedCard card = makeCard(teacherBrowser(c.teacher()), c.taught(), pupil);
        UUID cardId = jdbc.sql("select id from sso_sign_in_card where person_id = :p and ended is null").param("p", pupil).query(UUID.class).single();
        List<Picture> wrong = new ArrayList<>(card.pictures());
        wrong.set(3, Picture.values()[(wrong.get(3).ordinal() + 1) % Picture.values().length]);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                assertThat(location(pick(newBrowser(), card, wrong), baseUrl()).toString()).endsWith("?error");
            }
            assertThat(location(pick(newBrowser(), card, wrong), baseUrl()).toString()).as("the fifth failure locks for a while").endsWith("?locked");
            assertThat(System.nanoTime() - started).as("failed answers are held back").isGreaterThan(java.time.Duration.ofMillis(1000).toNanos());
            assertThat(location(pick(newBrowser(), card, card.pictures()), baseUrl()).toString()).as("the right pictures during the lockout")
                    .endsWith("?locked");

            // the lockout over (its rows forgotten), the card still counts its failures in a row, and locks for good at the limit
            jdbc.sql("delete from sign_in_throttle where kind = 'ACCOUNT' and subject = :s").param("s", "card:" + cardId).update();
            jdbc.sql("update sso_sign_in_card set failures = :f where id = :id").param("f", cards.maxFailures() - 1).param("id", cardId).update();
            assertThat(location(pick(newBrowser(), card, wrong), baseUrl()).toString()).endsWith("?blocked");
            assertThat(location(pick(newBrowser(), card, card.pictures()), baseUrl()).toString()).as("a locked card, even with the right pictures")
                    .endsWith("?blocked");
            assertThat(get(newBrowser(), card.url()).body()).contains("This card is locked");
            assertThat(cards.statusOf(List.of(pupil))).containsEntry(pupil, SignInCards.Status.LOCKED);

            List<String> reasons = jdbc.sql("select detail->>'reason' from audit_event where action = 'CARD_SIGN_IN_FAILED' and target_id = :c order by id")
                    .param("c", cardId.toString()).query(String.class).list();
            assertThat(reasons).containsExactly("WRONG_PICTURES", "WRONG_PICTURES", "WRONG_PICTURES", "WRONG_PICTURES", "WRONG_PICTURES", "LOCKED_OUT",
                    "WRONG_PICTURES", "CARD_LOCKED");
            for (String secret : List.of(Picture.encode(wrong), Picture.join(wrong), Picture.encode(card.pictures()), Picture.join(card.pictures()), card.token())) {
                assertThat(jdbc.sql("select count(*) from audit_event where target_id = :c and detail::text like :secret")
                        .param("c", cardId.toString()).param("secret", "%" + secret + "%").query(Integer.class).single())
                        .as("never the pictures picked nor the token").isZero();
            }
        } finally {
            forgetAddressFailures();
        }
    }

    @Test
    void aCardTheTeacherEndedOrReplacedNoLongerSignsIn() throws Exception {
        Classes c = classes();
        List<UUID> pupils = pupilsOf(c.taught());
        UUID pupil = pupils.get(pupils.size() - 1);
        HttpClient teacher = teacherBrowser(c.teacher());
        PrintedCard first = makeCard(teacher, c.taught(), pupil);
        // whoever holds a card signed in with it: the session ends with the card (replaced here, revoked below)
        HttpClient finder = newBrowser();
        assertThat(location(pick(finder, first, first.pictures()), baseUrl()).toString()).doesNotContain("?");
        assertThat(get(finder, baseUrl() + "/start").statusCode()).isEqualTo(200);
        PrintedCard second = makeCard(teacher, c.taught(), pupil);
        assertThat(get(finder, baseUrl() + "/start").statusCode()).as("signed out with the replaced card").isNotEqualTo(200);
        HttpClient secondFinder = newBrowser();
        assertThat(location(pick(secondFinder, second, second.pictures()), baseUrl()).toString()).doesNotContain("?");
        assertThat(get(secondFinder, baseUrl() + "/start").statusCode()).isEqualTo(200);
        try {
            assertThat(location(pick(newBrowser(), first, first.pictures()), baseUrl()).toString()).as("replaced by a new card").endsWith("?error");
            assertThat(get(newBrowser(), first.url()).body()).contains("This card does not work");

            String page = get(teacher, baseUrl() + "/start/classes/" + c.taught()).body();
            HttpResponse<String> revoked = post(teacher, baseUrl() + "/start/classes/" + c.taught() + "/pupils/" + pupil + "/card/revoke",
                    Map.of("_csrf", hidden(page, "_csrf")));
            assertThat(location(revoked, baseUrl()).toString()).endsWith("?done=revoked&pupil=" + pupil);
            assertThat(location(pick(newBrowser(), second, second.pictures()), baseUrl()).toString()).as("ended by the teacher, at once").endsWith("?error");
            assertThat(get(secondFinder, baseUrl() + "/start").statusCode()).as("signed out with the revoked card").isNotEqualTo(200);
            assertThat(cards.statusOf(List.of(pupil))).containsEntry(pupil, SignInCards.Status.NONE);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'SIGN_IN_CARD_REVOKED' and actor = :t and target_id = :p")
                    .param("t", c.teacher().toString()).param("p", pupil.toString()).query(Integer.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'CARD_SIGN_IN_FAILED' and detail->>'reason' = 'CARD_ENDED' and detail->>'person' = :p")
                    .param("p", pupil.toString()).query(Integer.class).single()).isEqualTo(2);
        } finally {
            forgetAddressFailures();
        }
    }

    @Test
    void cardsForAWholeClassAreShownOnceAndAReloadMakesNoOthers() throws Exception {
        Classes c = classes();
        HttpClient teacher = teacherBrowser(c.teacher());
        String page = get(teacher, baseUrl() + "/start/classes/" + c.taught()).body();
        Map<String, String> form = Map.of("_csrf", hidden(page, "_csrf"), "formToken", hidden(page, "formToken"));
        HttpResponse<String> printed = post(teacher, baseUrl() + "/start/classes/" + c.taught() + "/cards", form);
        List<PrintedCard> cardsPrinted = cardsOn(printed.body());
        assertThat(cardsPrinted).hasSize(jdbc.sql("select count(*) from membership where group_id = :g and role = 'PUPIL'").param("g", c.taught())
                .query(Integer.class).single());
        assertThat(cardsPrinted.stream().map(PrintedCard::token).distinct()).hasSize(cardsPrinted.size());
        // the same form again (a reload): nothing new is made and nothing is shown again
        HttpResponse<String> again = post(teacher, baseUrl() + "/start/classes/" + c.taught() + "/cards", form);
        assertThat(location(again, baseUrl()).toString()).endsWith("?done=already-made");
        assertThat(jdbc.sql("select count(*) from sso_sign_in_card where made_with = (select made_with from sso_sign_in_card where token_hash = :t)")
                .param("t", HighEntropySecrets.sha256Hex(cardsPrinted.getFirst().token())).query(Integer.class).single()).isEqualTo(cardsPrinted.size());
        // another form on the same page (one pupil's new card) is a submission of its own
        UUID pupil = pupilsOf(c.taught()).get(6);
        HttpResponse<String> one = post(teacher, baseUrl() + "/start/classes/" + c.taught() + "/cards",
                Map.of("_csrf", form.get("_csrf"), "formToken", form.get("formToken"), "pupil", pupil.toString()));
        assertThat(cardsOn(one.body())).hasSize(1);
    }

    /** A class of its own (in the taught class's school, taught by the fixture's teacher) with new pupils: what a test changes about them touches no other test. */
    record OwnClass(UUID teacher, UUID id, List<UUID> pupils) {
    }

    OwnClass ownClass(Classes c, int pupils, String protection) {
        net.datafaker.Faker faker = new net.datafaker.Faker(java.util.Locale.of("sv", "SE"));
        UUID org = jdbc.sql("select organisation_id from student_group where id = :g").param("g", c.taught()).query(UUID.class).single();
        UUID klass = UUID.randomUUID();
        jdbc.sql("insert into student_group (id, source, source_id, organisation_id, kind, name, content_hash) values (:id, :s, :sid, :o, 'CLASS', :n, :h)")
                .param("id", klass).param("s", fixture.source).param("sid", klass.toString()).param("o", org).param("n", "Test " + klass.toString().substring(0, 4))
                .param("h", UUID.randomUUID()).update();
        member(klass, c.teacher(), "TEACHER");
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < pupils; i++) {
            UUID p = UUID.randomUUID();
            jdbc.sql("insert into person (id, source, source_id, given_name, family_name, protection, content_hash) values (:id, :s, :sid, :g, :f, :pr, :h)")
                    .param("id", p).param("s", fixture.source).param("sid", p.toString()).param("g", faker.name().firstName())
                    .param("f", faker.name().lastName()).param("pr", i == 0 ? protection : "NONE").param("h", UUID.randomUUID()).update();
            member(klass, p, "PUPIL");
            ids.add(p);
        }
        return new OwnClass(c.teacher(), klass, ids);
    }

    void member(UUID klass, UUID person, String role) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into membership (id, source, source_id, group_id, person_id, role, content_hash) values (:id, :s, :sid, :g, :p, :r, :h)")
                .param("id", id).param("s", fixture.source).param("sid", id.toString()).param("g", klass).param("p", person).param("r", role)
                .param("h", UUID.randomUUID()).update();
    }

    @Test
    void aPupilWhoIsAlsoStaffIsNoPupilATeacherMayActFor() throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 3, "NONE");
        UUID withDuty = own.pupils().get(0);
        UUID teaching = own.pupils().get(1);
        UUID pupil = own.pupils().get(2);
        UUID org = jdbc.sql("select organisation_id from student_group where id = :g").param("g", own.id()).query(UUID.class).single();
        UUID duty = UUID.randomUUID();
        jdbc.sql("insert into duty (id, source, source_id, person_id, organisation_id, role, content_hash) values (:id, :s, :sid, :p, :o, 'Lärare', :h)")
                .param("id", duty).param("s", fixture.source).param("sid", duty.toString()).param("p", withDuty).param("o", org).param("h", UUID.randomUUID()).update();
        member(c.other(), teaching, "TEACHER");
        // a pupil's teaching membership that ended is no longer staff
        UUID ended = UUID.randomUUID();
        jdbc.sql("insert into membership (id, source, source_id, group_id, person_id, role, end_date, content_hash) values (:id, :s, :sid, :g, :p, 'TEACHER', :e, :h)")
                .param("id", ended).param("s", fixture.source).param("sid", ended.toString()).param("g", c.other()).param("p", pupil)
                .param("e", java.time.LocalDate.now().minusDays(1)).param("h", UUID.randomUUID()).update();

        HttpClient teacher = teacherBrowser(c.teacher());
        String page = get(teacher, baseUrl() + "/start/classes/" + own.id()).body();
        String csrf = hidden(page, "_csrf");
        for (UUID staff : List.of(withDuty, teaching)) {
            assertThat(page).doesNotContain(jdbc.sql("select given_name || ' ' || family_name from person where id = :p").param("p", staff).query(String.class).single());
            assertThat(get(teacher, baseUrl() + "/start/classes/" + own.id() + "/pupils/" + staff + "/password").statusCode()).isEqualTo(404);
            assertThat(post(teacher, baseUrl() + "/start/classes/" + own.id() + "/pupils/" + staff + "/password",
                    Map.of("_csrf", csrf, "username", "kapad-" + UUID.randomUUID(), "password", "ett langt losenord")).statusCode()).isEqualTo(404);
            assertThat(post(teacher, baseUrl() + "/start/classes/" + own.id() + "/cards",
                    Map.of("_csrf", csrf, "formToken", UUID.randomUUID().toString(), "pupil", staff.toString())).statusCode()).isEqualTo(404);
            assertThat(accounts.username(staff)).isEmpty();
        }
        // the whole class's cards: only the pupil who is nothing else
        HttpResponse<String> printed = post(teacher, baseUrl() + "/start/classes/" + own.id() + "/cards",
                Map.of("_csrf", csrf, "formToken", UUID.randomUUID().toString()));
        assertThat(cardsOn(printed.body())).hasSize(1);
        assertThat(jdbc.sql("select person_id from sso_sign_in_card where ended is null and person_id = any(:p)")
                .param("p", own.pupils().toArray(UUID[]::new)).query(UUID.class).list()).containsExactly(pupil);
    }

    @Test
    void aProtectedPupilsCardTellsNeitherClassNorSchoolNorTheirName() throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 2, "PROTECTED_REGISTRATION");
        UUID hidden = own.pupils().get(0);
        UUID open = own.pupils().get(1);
        record Names(String klass, String school) {
        }
        Names names = jdbc.sql("select g.name klass, o.name school from student_group g join organisation o on o.id = g.organisation_id where g.id = :g")
                .param("g", own.id()).query(Names.class).single();
        java.util.function.Function<UUID, String> given = p -> org.springframework.web.util.HtmlUtils.htmlEscape(
                jdbc.sql("select given_name from person where id = :p").param("p", p).query(String.class).single(), "UTF-8");
        HttpClient teacher = teacherBrowser(c.teacher());
        String page = get(teacher, baseUrl() + "/start/classes/" + own.id()).body();
        String printed = post(teacher, baseUrl() + "/start/classes/" + own.id() + "/cards",
                Map.of("_csrf", hidden(page, "_csrf"), "formToken", hidden(page, "formToken"))).body();
        List<PrintedCard> made = cardsOn(printed);
        assertThat(made).hasSize(2);
        String cardsSection = printed.substring(printed.indexOf("<section class=\"cards\""), printed.indexOf("<section class=\"teacher-sheet\""));
        String[] articles = cardsSection.split("<article class=\"sign-in-card\"");
        String hiddenCard = java.util.Arrays.stream(articles).filter(a -> a.contains(">" + given.apply(hidden) + "</p>")).findFirst().orElseThrow();
        String openCard = java.util.Arrays.stream(articles).filter(a -> a.contains(">" + given.apply(open) + "</p>")).findFirst().orElseThrow();
        assertThat(openCard).contains(org.springframework.web.util.HtmlUtils.htmlEscape(names.school(), "UTF-8")).contains(names.klass());
        assertThat(hiddenCard).as("a protected pupil's card: first name only")
                .doesNotContain(org.springframework.web.util.HtmlUtils.htmlEscape(names.school(), "UTF-8")).doesNotContain(names.klass())
                .doesNotContain("card-class");

        // the picture page greets them without their name; an unprotected pupil by theirs
        String hiddenToken = HighEntropySecrets.sha256Hex(made.get(0).token()).equals(jdbc.sql("select token_hash from sso_sign_in_card where person_id = :p and ended is null")
                .param("p", hidden).query(String.class).single()) ? made.get(0).url() : made.get(1).url();
        String openUrl = hiddenToken.equals(made.get(0).url()) ? made.get(1).url() : made.get(0).url();
        String hiddenPage = get(newBrowser(), hiddenToken).body();
        // a whole word: a short first name ("Bo") is also a part of other words on the page
        assertThat(hiddenPage).doesNotContainPattern("(?<!\\p{L})" + java.util.regex.Pattern.quote(given.apply(hidden)) + "(?!\\p{L})")
                .contains("<h1>Hello!</h1>").contains("name=\"pick\"");
        assertThat(get(newBrowser(), openUrl).body()).contains("Hello " + given.apply(open) + "!");
    }

    @Test
    void onePupilsPasswordFormAuditsOnlyThatPupilAsSeen() throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 2, "CONFIDENTIAL");
        UUID hidden = own.pupils().get(0);
        UUID open = own.pupils().get(1);
        java.util.function.IntSupplier seen = () -> jdbc.sql("select count(*) from audit_event where actor = :t and action = 'VIEW_PROTECTED_PERSON' and target_id = :p")
                .param("t", c.teacher().toString()).param("p", hidden.toString()).query(Integer.class).single();
        HttpClient teacher = teacherBrowser(c.teacher());
        String form = get(teacher, baseUrl() + "/start/classes/" + own.id() + "/pupils/" + open + "/password").body();
        assertThat(seen.getAsInt()).as("a classmate's form shows nothing of them").isZero();
        assertThat(post(teacher, baseUrl() + "/start/classes/" + own.id() + "/pupils/" + open + "/password",
                Map.of("_csrf", hidden(form, "_csrf"), "username", "elev-" + UUID.randomUUID().toString().substring(0, 8), "password", "kort")).statusCode())
                .isEqualTo(200);
        assertThat(seen.getAsInt()).as("nor does its refusal").isZero();
        assertThat(get(teacher, baseUrl() + "/start/classes/" + own.id() + "/pupils/" + hidden + "/password").statusCode()).isEqualTo(200);
        assertThat(seen.getAsInt()).as("their own form is a showing of them").isEqualTo(1);
        String classPage = get(teacher, baseUrl() + "/start/classes/" + own.id()).body();
        assertThat(seen.getAsInt()).as("and so is the class page").isEqualTo(2);
        // the sheet of one new card prints the pupil's name: a showing of them too
        assertThat(cardsOn(post(teacher, baseUrl() + "/start/classes/" + own.id() + "/cards", Map.of("_csrf", hidden(classPage, "_csrf"),
                "formToken", hidden(classPage, "formToken"), "pupil", hidden.toString())).body())).hasSize(1);
        assertThat(seen.getAsInt()).as("and so is one pupil's card sheet").isEqualTo(3);
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.tilldela.governance.SignInThrottle throttle;

    @Test
    void wrongPicturesOnACardInUseDoNotLockTheSchoolsAddressButUnknownCardsStillCount() throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 3, "NONE");
        HttpClient teacher = teacherBrowser(c.teacher());
        PrintedCard first = makeCard(teacher, own.id(), own.pupils().get(0));
        PrintedCard second = makeCard(teacher, own.id(), own.pupils().get(1));
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(own.pupils().get(2), username, PASSWORD, "test");
        java.util.function.IntSupplier addressFailures = () -> jdbc.sql("select coalesce(max(failures), 0) from sign_in_throttle where kind = 'ADDRESS' and subject = '127.0.0.1'")
                .query(Integer.class).single();
        try {
            // the school's address one failure short of its limit
            forgetAddressFailures();
            jdbc.sql("insert into sign_in_throttle (kind, subject, failures, last_attempt_at) values ('ADDRESS', '127.0.0.1', :f, now())")
                    .param("f", throttle.limits().maxFailuresPerAddress() - 1).update();
            for (PrintedCard card : List.of(first, second)) {
                List<Picture> wrong = new ArrayList<>(card.pictures());
                wrong.set(0, Picture.values()[(wrong.get(0).ordinal() + 1) % Picture.values().length]);
                for (int i = 0; i < 2; i++) {
                    assertThat(location(pick(newBrowser(), card, wrong), baseUrl()).toString()).endsWith("?error");
                }
            }
            assertThat(addressFailures.getAsInt()).as("a card in use counts against itself only").isEqualTo(throttle.limits().maxFailuresPerAddress() - 1);
            assertThat(location(pick(newBrowser(), first, first.pictures()), baseUrl()).toString()).doesNotContain("?");
            // a token no card has: the address counts it (and here reaches its limit)
            PrintedCard unknown = new PrintedCard(baseUrl() + "/sign-in/card/" + HighEntropySecrets.newSecret(), first.pictures());
            pick(newBrowser(), unknown, first.pictures());
            assertThat(addressFailures.getAsInt()).isEqualTo(throttle.limits().maxFailuresPerAddress());
            assertThat(location(postSignIn(newBrowser(), username, PASSWORD), baseUrl()).toString()).as("now the address is locked out").endsWith("?locked");
        } finally {
            forgetAddressFailures();
        }
    }

    @Test
    void aCardOfAPupilWhoLeftNoLongerSignsInAndAnAdministratorCanEndOne(@org.springframework.beans.factory.annotation.Autowired
                                                                      org.tilldela.governance.AdminAccounts admins) throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 2, "NONE");
        UUID left = own.pupils().get(0);
        UUID pupil = own.pupils().get(1);
        HttpClient teacher = teacherBrowser(c.teacher());
        PrintedCard leftCard = makeCard(teacher, own.id(), left);
        PrintedCard card = makeCard(teacher, own.id(), pupil);
        try {
            // the pupil left the class yesterday; nobody ended their card
            jdbc.sql("update membership set end_date = :d where person_id = :p and group_id = :g").param("d", java.time.LocalDate.now().minusDays(1))
                    .param("p", left).param("g", own.id()).update();
            assertThat(location(pick(newBrowser(), leftCard, leftCard.pictures()), baseUrl()).toString()).endsWith("?error");
            assertThat(get(newBrowser(), leftCard.url()).body()).contains("This card does not work");
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'CARD_SIGN_IN_FAILED' and detail->>'reason' = 'NOT_A_PUPIL' and detail->>'person' = :p")
                    .param("p", left.toString()).query(Integer.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'CARD_SIGN_IN' and actor = :p").param("p", left.toString())
                    .query(Integer.class).single()).isZero();

            // a directory administrator ends a card over the API; a buyer may not
            String admin = "katalog-" + UUID.randomUUID().toString().substring(0, 8);
            String buyer = "inkop-" + UUID.randomUUID().toString().substring(0, 8);
            admins.create(admin, "Skoladministratör", "a long administrator password", java.util.EnumSet.of(org.tilldela.governance.AdminRight.DIRECTORY_ADMIN), "test");
            admins.create(buyer, "Inköpare", "a long administrator password", java.util.EnumSet.of(org.tilldela.governance.AdminRight.BUYER), "test");
            java.util.function.Function<String, Integer> delete = who -> org.springframework.web.client.RestClient.builder()
                    .baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(who, "a long administrator password"))
                    .defaultStatusHandler(org.springframework.http.HttpStatusCode::isError, (rq, rs) -> {
                    }).build().delete().uri("/api/v1/sso/persons/{id}/card", pupil).retrieve().toBodilessEntity().getStatusCode().value();
            assertThat(delete.apply(buyer)).isEqualTo(403);
            assertThat(cards.statusOf(List.of(pupil))).containsEntry(pupil, SignInCards.Status.ACTIVE);
            assertThat(delete.apply(admin)).isEqualTo(204);
            assertThat(delete.apply(admin)).as("none left to end").isEqualTo(404);
            assertThat(location(pick(newBrowser(), card, card.pictures()), baseUrl()).toString()).endsWith("?error");
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'SIGN_IN_CARD_REVOKED' and actor = :a and target_id = :p")
                    .param("a", admin).param("p", pupil.toString()).query(Integer.class).single()).isEqualTo(1);
        } finally {
            forgetAddressFailures();
        }
    }

    @Test
    void attemptsAtTheSameTimeOnACardOneShortOfItsLimitGetOnePicturesCheckBetweenThem() throws Exception {
        Classes c = classes();
        OwnClass own = ownClass(c, 1, "NONE");
        PrintedCard card = makeCard(teacherBrowser(c.teacher()), own.id(), own.pupils().get(0));
        UUID cardId = jdbc.sql("select id from sso_sign_in_card where person_id = :p and ended is null").param("p", own.pupils().get(0)).query(UUID.class).single();
        jdbc.sql("update sso_sign_in_card set failures = :f where id = :id").param("f", cards.maxFailures() - 1).param("id", cardId).update();
        List<Picture> wrong = new ArrayList<>(card.pictures());
        wrong.set(3, Picture.values()[(wrong.get(3).ordinal() + 1) % Picture.values().length]);
        int attempts = 4;
        List<java.util.concurrent.Callable<HttpResponse<String>>> lastPresses = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            HttpClient browser = newBrowser();
            String csrf = hidden(get(browser, card.url()).body(), "_csrf");
            lastPresses.add(() -> post(browser, baseUrl() + "/sign-in/card", Map.of("_csrf", csrf, "token", card.token(),
                    "picked", Picture.join(wrong.subList(0, 3)), "pick", wrong.get(3).name())));
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(attempts)) {
            for (var answer : pool.invokeAll(lastPresses)) {
                assertThat(answer.get().statusCode()).isEqualTo(302);
            }
        }
        assertThat(jdbc.sql("select failures from sso_sign_in_card where id = :id").param("id", cardId).query(Integer.class).single())
                .as("never past the limit").isEqualTo(cards.maxFailures());
        assertThat(jdbc.sql("select detail->>'reason' from audit_event where action = 'CARD_SIGN_IN_FAILED' and target_id = :c")
                .param("c", cardId.toString()).query(String.class).list())
                .as("one attempt had its pictures checked, the others found the card locked").hasSize(attempts)
                .containsOnlyOnce("WRONG_PICTURES").filteredOn(r -> !r.equals("WRONG_PICTURES")).containsOnly("CARD_LOCKED");
    }
}
