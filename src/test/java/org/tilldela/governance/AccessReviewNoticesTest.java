package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;

/**
 * The access-review job on a clock the test moves: the schedule starts a campaign over a unit with a standing
 * reviewer; seven days before the deadline the reviewer is reminded (once); when the deadline passes with a grant
 * undecided, the grant is revoked, the reviewer is told the outcome, and (the reviewer being linked to no directory person,
 * so no manager is found) the organiser's account administrators are told — not an administrator of another organiser. Each notice is on the recipient's access reviews page and in the audit trail.
 */
class AccessReviewNoticesTest extends IntegrationTest {

    private static final String PASSWORD = "access-review-notices";

    @LocalServerPort
    int port;
    @Autowired
    DutyGrants dutyGrants;
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
    @Autowired
    AccessReviewMail reviewMail;

    private List<AccessReviews.Notice> notices(String account, long review) {
        return reviews.noticesFor(account).stream().filter(n -> n.reviewId() == review).toList();
    }

    @Test
    void theJobRemindsTheReviewerBeforeTheDeadlineAndEscalatesToTheOrganisersAdministratorsAfterIt() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String reviewer = "rev-" + m.source;
        String organiserAdmin = "orgadm-" + m.source;
        String neighbourAdmin = "grannadm-" + m.source;
        String worker = "worker-" + m.source;
        for (String a : List.of(reviewer, organiserAdmin, neighbourAdmin, worker)) {
            accounts.create(a, a, PASSWORD, Set.of(), "test");
        }
        grants.grant(root, reviewer, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, organiserAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, neighbourAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
        AdminGrants.Grant silent = grants.grant(root, worker, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        reviews.setStandingReviewer(root, m.schoolA, reviewer);

        MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        AccessReviewScheduling job = new AccessReviewScheduling(reviews, dutyGrants, reviewMail, Optional.of(clock));
        job.run();
        AccessReviews.Review review = reviews.visibleTo(reviewer).stream().filter(r -> r.organisation().equals(m.schoolA) && r.isOpen())
                .findFirst().orElseThrow();
        assertThat(review.kind()).isEqualTo(AccessReviews.Kind.YEARLY);
        assertThat(review.startedAt()).isEqualTo(clock.instant());
        String reviewId = Long.toString(review.id());

        // three weeks on: no reminder yet (the deadline is 30 days, reminders 7 days before it)
        clock.advance(Duration.ofDays(21));
        job.run();
        assertThat(notices(reviewer, review.id())).isEmpty();

        // 24 days on: the reviewer is reminded, once however often the job runs
        clock.advance(Duration.ofDays(3));
        job.run();
        job.run();
        assertThat(notices(reviewer, review.id())).singleElement().satisfies(n -> {
            assertThat(n.kind()).isEqualTo(AccessReviews.NoticeKind.REMINDER);
            assertThat(n.undecided()).isEqualTo(1);
            assertThat(n.open()).isTrue();
        });
        assertThat(notices(organiserAdmin, review.id())).isEmpty();
        assertThat(audit.about("access_review", reviewId)).extracting(AuditTrail.Entry::action).containsOnlyOnce("ACCESS_REVIEW_REMINDED");
        String reviewerPage = new WebSession(port).signIn(reviewer, PASSWORD).page("/admin/reviews").body();
        assertThat(reviewerPage).contains("For your attention").contains("reminder: 1 rights are still undecided");
        assertThat(grants.find(silent.id())).as("before the deadline nothing is revoked").isPresent();

        // past the deadline, undecided: revoked, and the organiser's account administrators are told
        clock.advance(Duration.ofDays(7));
        job.run();
        assertThat(grants.find(silent.id())).isEmpty();
        assertThat(notices(organiserAdmin, review.id())).singleElement().satisfies(n -> {
            assertThat(n.kind()).isEqualTo(AccessReviews.NoticeKind.ESCALATION);
            assertThat(n.reviewer()).isEqualTo(reviewer);
            assertThat(n.undecided()).isEqualTo(1);
            assertThat(n.open()).isFalse();
        });
        assertThat(notices(root, review.id())).as("a whole-installation account administrator is the organiser's too").hasSize(1);
        // after the deadline the reviewer is reminded with the outcome: what silence revoked
        assertThat(notices(reviewer, review.id())).extracting(AccessReviews.Notice::kind)
                .containsExactly(AccessReviews.NoticeKind.OUTCOME, AccessReviews.NoticeKind.REMINDER);
        assertThat(new WebSession(port).signIn(reviewer, PASSWORD).page("/admin/reviews").body())
                .contains("1 rights you had not decided have been revoked");
        assertThat(notices(neighbourAdmin, review.id())).as("another organiser's administrator").isEmpty();
        job.run();
        assertThat(notices(organiserAdmin, review.id())).hasSize(1);
        assertThat(audit.about("access_review", reviewId)).filteredOn(e -> e.action().equals("ACCESS_REVIEW_ESCALATED"))
                .extracting(AuditTrail.Entry::detail).anySatisfy(d -> assertThat(d).contains(organiserAdmin));
        String adminPage = new WebSession(port).signIn(organiserAdmin, PASSWORD).page("/admin/reviews").body();
        assertThat(adminPage).contains("the reviewer " + reviewer + " left 1 rights undecided at the deadline")
                .contains("/admin/reviews/" + review.id());
    }
}
