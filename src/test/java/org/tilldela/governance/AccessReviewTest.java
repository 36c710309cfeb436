package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;

/**
 * Access reviews: a campaign revokes what its reviewer did not confirm by the deadline, by itself (the job
 * driven with a time, not by waiting); a confirmed grant survives; a reviewer outside the unit's scope finds
 * no campaign there (404); unused grants are flagged; the schedule starts yearly and half-yearly campaigns.
 */
class AccessReviewTest extends IntegrationTest {

    private static final String PASSWORD = "access-review-password";

    @LocalServerPort
    int port;
    @Autowired
    AccessReviews reviews;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    /** A municipality with a root account, a reviewer holding ACCOUNT_ADMIN over school A and one over school C. */
    private final class Setting {
        final ScopedMunicipality m = new ScopedMunicipality(jdbc);
        final String root = account("root", EnumSet.allOf(AdminRight.class));
        final String reviewerA = account("revA", Set.of());
        final String reviewerC = account("revC", Set.of());

        Setting() {
            grant(reviewerA, AdminRight.ACCOUNT_ADMIN, m.schoolA);
            grant(reviewerC, AdminRight.ACCOUNT_ADMIN, m.schoolC);
        }

        String account(String prefix, Set<AdminRight> wholeInstallation) {
            String name = prefix + "-" + m.source;
            accounts.create(name, "Test " + prefix, PASSWORD, wholeInstallation, "test");
            return name;
        }

        AdminGrants.Grant grant(String account, AdminRight right, UUID unit) {
            return grants.grant(root, account, right, GrantScope.units(Set.of(unit), Set.of()));
        }
    }

    private AccessReviews.Item item(List<AccessReviews.Item> items, long grantId) {
        return items.stream().filter(i -> i.grantId() == grantId).findFirst().orElseThrow();
    }

    @Test
    void aCampaignRevokesWhatWasNotConfirmedByItselfAndAConfirmedGrantSurvives() {
        Setting s = new Setting();
        String kept = s.account("kept", Set.of());
        String silent = s.account("silent", Set.of());
        AdminGrants.Grant keptGrant = s.grant(kept, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        AdminGrants.Grant silentGrant = s.grant(silent, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        // a grant in another organiser's school is not part of school A's campaign
        AdminGrants.Grant elsewhere = s.grant(silent, AdminRight.DIRECTORY_ADMIN, s.m.schoolC);

        Instant start = Instant.now();
        AccessReviews.Review review = reviews.start(s.root, s.m.schoolA, s.reviewerA, start);
        List<AccessReviews.Item> items = reviews.items(s.reviewerA, review.id());
        // the reviewer's own ACCOUNT_ADMIN grant is not theirs to attest
        assertThat(items).extracting(AccessReviews.Item::grantId).containsExactlyInAnyOrder(keptGrant.id(), silentGrant.id());

        // the reviewer confirms one through the page
        WebSession reviewer = new WebSession(port).signIn(s.reviewerA, PASSWORD);
        String page = reviewer.page("/admin/reviews/" + review.id()).body();
        String confirm = "/admin/reviews/" + review.id() + "/items/" + item(items, keptGrant.id()).id() + "/confirm";
        assertThat(reviewer.post(confirm, WebSession.hiddenFields(page, confirm)).status()).isEqualTo(302);
        // someone else within the unit's scope sees the campaign but does not decide
        WebSession root = new WebSession(port).signIn(s.root, PASSWORD);
        String rootPage = root.page("/admin/reviews/" + review.id()).body();
        assertThat(rootPage).doesNotContain(confirm);
        String silentRevoke = "/admin/reviews/" + review.id() + "/items/" + item(items, silentGrant.id()).id() + "/revoke";
        assertThat(root.post(silentRevoke, WebSession.hiddenFields(root.page("/admin/reviews").body(), "/admin/reviews")).status()).isEqualTo(403);

        // before the deadline the job leaves the silent grant alone
        assertThat(reviews.closeOverdue(start.plus(29, ChronoUnit.DAYS))).isZero();
        assertThat(grants.find(silentGrant.id())).isPresent();

        // after it, the job revokes it by itself; the confirmed one and the grant outside the unit stay
        assertThat(reviews.closeOverdue(start.plus(31, ChronoUnit.DAYS))).isGreaterThanOrEqualTo(1);
        assertThat(grants.find(silentGrant.id())).isEmpty();
        assertThat(grants.find(keptGrant.id())).isPresent();
        assertThat(grants.find(elsewhere.id())).isPresent();
        List<AccessReviews.Item> after = reviews.items(s.reviewerA, review.id());
        assertThat(item(after, keptGrant.id()).decision()).isEqualTo(AccessReviews.Decision.CONFIRMED);
        assertThat(item(after, keptGrant.id()).decidedBy()).isEqualTo(s.reviewerA);
        assertThat(item(after, silentGrant.id()).decision()).isEqualTo(AccessReviews.Decision.REVOKED_UNANSWERED);
        assertThat(reviews.find(s.reviewerA, review.id()).isOpen()).isFalse();
        // audited: who revoked it and why
        AuditTrail.Entry revoked = audit.about("admin_account", silent).getFirst();
        assertThat(revoked.action()).isEqualTo("ADMIN_RIGHT_REVOKED");
        assertThat(revoked.actor()).isEqualTo("access-review");
        assertThat(revoked.detail()).contains("NOT_CONFIRMED_BY_DEADLINE").contains("\"accessReview\": " + review.id());
        // the organiser's account administrators (here the root account) are told of the grant left undecided
        assertThat(audit.about("access_review", Long.toString(review.id()))).extracting(AuditTrail.Entry::action)
                .filteredOn(a -> !a.equals("ACCESS_REVIEW_ESCALATED"))
                .containsExactly("ACCESS_REVIEW_OUTCOME_NOTIFIED", "ACCESS_REVIEW_CLOSED", "ACCESS_REVIEW_DECIDED", "ACCESS_REVIEW_STARTED");
        assertThat(reviews.noticesFor(s.root)).anySatisfy(n -> {
            assertThat(n.reviewId()).isEqualTo(review.id());
            assertThat(n.kind()).isEqualTo(AccessReviews.NoticeKind.ESCALATION);
        });

        // the outcome report is kept and exported
        WebSession.Answer csv = reviewer.get("/admin/reviews/" + review.id() + "/report.csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).contains("account,right").contains(kept + ",DIRECTORY_ADMIN").contains("CONFIRMED")
                .contains(silent + ",DIRECTORY_ADMIN").contains("REVOKED_UNANSWERED").contains("A-skolan");
        // a closed campaign takes no more decisions
        assertThatThrownBy(() -> reviews.decide(s.reviewerA, review.id(), item(after, silentGrant.id()).id(), true, Instant.now()))
                .isInstanceOf(AccessReviews.NotYours.class);
    }

    /**
     * One grant over schools of two organisers: a review of one of them takes back that school only — the other school
     * was not the review's (nor its reviewer's) to decide — whether the reviewer revokes it or the deadline does.
     */
    @Test
    void aReviewTakesBackOnlyTheUnitsItReviewedOfAGrantOverSeveral() {
        Setting s = new Setting();
        String both = s.account("both", Set.of());
        AdminGrants.Grant twoSchools = grants.grant(s.root, both, AdminRight.BUYER, GrantScope.units(Set.of(s.m.schoolA, s.m.schoolC), Set.of()));
        Instant start = Instant.now();
        AccessReviews.Review review = reviews.start(s.root, s.m.schoolA, s.reviewerA, start);
        long itemId = item(reviews.items(s.reviewerA, review.id()), twoSchools.id()).id();

        assertThat(reviews.decide(s.reviewerA, review.id(), itemId, false, Instant.now())).isEqualTo(AccessReviews.Decision.REVOKED);
        assertThat(grants.find(twoSchools.id())).as("the grant stays, over the school the review did not reach")
                .hasValueSatisfying(g -> assertThat(g.scope().organisations()).containsExactly(s.m.schoolC));
        assertThat(audit.about("admin_account", both).getFirst().detail()).contains("unitsTakenBack").contains(s.m.schoolA.toString());

        // by the deadline, likewise
        String silent = s.account("silent2", Set.of());
        AdminGrants.Grant silentTwo = grants.grant(s.root, silent, AdminRight.BUYER, GrantScope.units(Set.of(s.m.schoolA, s.m.schoolC), Set.of()));
        AccessReviews.Review second = reviews.start(s.root, s.m.schoolA, s.reviewerA, start);
        assertThat(reviews.items(s.reviewerA, second.id())).extracting(AccessReviews.Item::grantId).contains(silentTwo.id());
        reviews.closeOverdue(start.plus(31, ChronoUnit.DAYS));
        assertThat(grants.find(silentTwo.id())).hasValueSatisfying(g -> assertThat(g.scope().organisations()).containsExactly(s.m.schoolC));
    }

    @Test
    void aCampaignWhoseEveryGrantIsDecidedClosesThen() {
        Setting s = new Setting();
        String one = s.account("one", Set.of());
        String two = s.account("two", Set.of());
        AdminGrants.Grant first = s.grant(one, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        AdminGrants.Grant second = s.grant(two, AdminRight.BUYER, s.m.schoolA);
        AccessReviews.Review review = reviews.start(s.root, s.m.schoolA, s.reviewerA, Instant.now());
        List<AccessReviews.Item> items = reviews.items(s.reviewerA, review.id());

        reviews.decide(s.reviewerA, review.id(), item(items, first.id()).id(), true, Instant.now());
        assertThat(reviews.find(s.reviewerA, review.id()).isOpen()).as("one grant still undecided").isTrue();
        reviews.decide(s.reviewerA, review.id(), item(items, second.id()).id(), false, Instant.now());
        assertThat(reviews.find(s.reviewerA, review.id()).isOpen()).as("all decided").isFalse();
        assertThat(grants.find(first.id())).isPresent();
        assertThat(grants.find(second.id())).isEmpty();
        assertThat(audit.about("access_review", Long.toString(review.id()))).extracting(AuditTrail.Entry::action).first().isEqualTo("ACCESS_REVIEW_CLOSED");
        assertThatThrownBy(() -> reviews.decide(s.reviewerA, review.id(), item(items, first.id()).id(), false, Instant.now()))
                .as("a closed campaign takes no more decisions").isInstanceOf(AccessReviews.NotYours.class);
    }

    @Test
    void aReviewerOutsideTheUnitsScopeGets404() {
        Setting s = new Setting();
        String worker = s.account("worker", Set.of());
        AdminGrants.Grant grant = s.grant(worker, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        AccessReviews.Review review = reviews.start(s.root, s.m.schoolA, s.reviewerA, Instant.now());
        long itemId = reviews.items(s.root, review.id()).getFirst().id();

        WebSession outsider = new WebSession(port).signIn(s.reviewerC, PASSWORD);
        assertThat(outsider.page("/admin/reviews/" + review.id()).status()).isEqualTo(404);
        assertThat(outsider.get("/admin/reviews/" + review.id() + "/report.csv").status()).isEqualTo(404);
        Map<String, String> csrf = WebSession.hiddenFields(outsider.page("/admin/reviews").body(), "/admin/reviews");
        assertThat(outsider.post("/admin/reviews/" + review.id() + "/items/" + itemId + "/revoke", csrf).status()).isEqualTo(404);
        assertThat(outsider.page("/admin/reviews").body()).doesNotContain("/admin/reviews/" + review.id() + "\"");
        assertThat(grants.find(grant.id())).isPresent();
        // nor can it be named reviewer there, nor start a campaign over a unit outside its own scope
        assertThatThrownBy(() -> reviews.start(s.root, s.m.schoolA, s.reviewerC, Instant.now())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reviews.start(s.reviewerC, s.m.schoolA, s.reviewerC, Instant.now())).isInstanceOf(AccessReviews.NoSuchReview.class);
        // an account administrator narrowed to a school form does not cover every grant of the school: not listed, not found
        String narrowed = s.account("narrowed", Set.of());
        grants.grant(s.root, narrowed, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(s.m.schoolA), Set.of("GR")));
        WebSession formOnly = new WebSession(port).signIn(narrowed, PASSWORD);
        assertThat(formOnly.page("/admin/reviews").body()).doesNotContain("/admin/reviews/" + review.id() + "\"");
        assertThat(formOnly.page("/admin/reviews/" + review.id()).status()).isEqualTo(404);
        // the named reviewer, within scope, sees it
        WebSession reviewer = new WebSession(port).signIn(s.reviewerA, PASSWORD);
        assertThat(reviewer.page("/admin/reviews/" + review.id()).status()).isEqualTo(200);
    }

    @Test
    void grantsOfAccountsNotSignedInForMonthsAreFlagged() {
        Setting s = new Setting();
        String active = s.account("active", Set.of());
        String dormant = s.account("dormant", Set.of());
        AdminGrants.Grant activeGrant = s.grant(active, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        AdminGrants.Grant dormantGrant = s.grant(dormant, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        // a sign-in (HTTP Basic) is noted on the account
        int status = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(active, PASSWORD)).build()
                .get().uri("/api/v1/persons/{id}", s.m.a1).exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(200);
        Instant now = Instant.now();
        // the dormant account last signed in 13 months ago and was created before that
        jdbc.sql("update admin_account set last_signed_in_at = :at, created_at = :at where username = :u")
                .param("at", Timestamp.from(now.minus(Duration.ofDays(400)))).param("u", dormant).update();

        AccessReviews.Review review = reviews.start(s.root, s.m.schoolA, s.reviewerA, now);
        List<AccessReviews.Item> items = reviews.items(s.reviewerA, review.id());
        assertThat(review.unusedMonths()).isEqualTo(12);
        assertThat(item(items, activeGrant.id()).unused()).isFalse();
        assertThat(item(items, activeGrant.id()).lastSignedInAt()).isNotNull();
        assertThat(item(items, dormantGrant.id()).unused()).isTrue();
        String page = new WebSession(port).signIn(s.reviewerA, PASSWORD).page("/admin/reviews/" + review.id()).body();
        assertThat(page).contains("Not used for 12 months");
    }

    @Test
    void twoNodesRunningTheScheduleAtOnceOpenOneCampaignForAUnit() throws Exception {
        Setting s = new Setting();
        String worker = s.account("twin", Set.of());
        s.grant(worker, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        reviews.setStandingReviewer(s.root, s.m.schoolA, s.reviewerA);
        Instant now = Instant.now();
        List<AccessReviews.Review> opened = new java.util.ArrayList<>();
        try (var nodes = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Callable<List<AccessReviews.Review>> node = () -> {
                start.await();
                return reviews.startScheduled(now);
            };
            var a = nodes.submit(node);
            var b = nodes.submit(node);
            start.countDown();
            opened.addAll(a.get());
            opened.addAll(b.get());
        }
        assertThat(opened).filteredOn(r -> r.organisation().equals(s.m.schoolA)).hasSize(1);
        assertThat(jdbc.sql("select count(*) from access_review where organisation_id = :o and closed_at is null").param("o", s.m.schoolA)
                .query(Long.class).single()).isOne();
    }

    @Test
    void theScheduleStartsYearlyAndHalfYearlyCampaigns() {
        Setting s = new Setting();
        String worker = s.account("worker", Set.of());
        s.grant(worker, AdminRight.DIRECTORY_ADMIN, s.m.schoolA);
        AdminGrants.Grant protectedGrant = s.grant(worker, AdminRight.VIEW_PROTECTED_IDENTITIES, s.m.schoolA);
        reviews.setStandingReviewer(s.root, s.m.schoolA, s.reviewerA);

        Instant now = Instant.now();
        List<AccessReviews.Review> first = reviews.startScheduled(now).stream().filter(r -> r.organisation().equals(s.m.schoolA)).toList();
        assertThat(first).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(AccessReviews.Kind.YEARLY);
            assertThat(r.items()).isEqualTo(2);
            assertThat(r.startedBy()).isEqualTo("schedule");
        });
        // while it is open, nothing more starts there
        assertThat(reviews.startScheduled(now.plusSeconds(60))).noneMatch(r -> r.organisation().equals(s.m.schoolA));
        long yearly = first.getFirst().id();
        for (AccessReviews.Item i : reviews.items(s.reviewerA, yearly)) {
            reviews.decide(s.reviewerA, yearly, i.id(), true, now);
        }
        reviews.closeOverdue(now.plus(31, ChronoUnit.DAYS));
        // five months on: nothing due; seven: the half-yearly one, over the protected identities only; thirteen: yearly again
        Instant fiveMonths = now.plus(150, ChronoUnit.DAYS);
        assertThat(reviews.startScheduled(fiveMonths)).noneMatch(r -> r.organisation().equals(s.m.schoolA));
        Instant sevenMonths = now.plus(213, ChronoUnit.DAYS);
        AccessReviews.Review half = reviews.startScheduled(sevenMonths).stream().filter(r -> r.organisation().equals(s.m.schoolA)).findFirst().orElseThrow();
        assertThat(half.kind()).isEqualTo(AccessReviews.Kind.HALF_YEARLY);
        assertThat(reviews.items(s.reviewerA, half.id())).extracting(AccessReviews.Item::grantId).containsExactly(protectedGrant.id());
        // unanswered, the half-yearly campaign takes the right to see protected identities away
        reviews.closeOverdue(sevenMonths.plus(31, ChronoUnit.DAYS));
        assertThat(grants.find(protectedGrant.id())).isEmpty();
        Instant thirteenMonths = now.plus(396, ChronoUnit.DAYS);
        assertThat(reviews.startScheduled(thirteenMonths)).filteredOn(r -> r.organisation().equals(s.m.schoolA))
                .singleElement().extracting(AccessReviews.Review::kind).isEqualTo(AccessReviews.Kind.YEARLY);
        reviews.closeOverdue(thirteenMonths.plus(31, ChronoUnit.DAYS));
    }
}
