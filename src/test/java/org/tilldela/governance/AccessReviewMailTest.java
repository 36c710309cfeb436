package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;
import org.tilldela.TestSmtp;
import org.tilldela.platform.Mail;

/**
 * Access-review notices by e-mail (issue 11), through a real SMTP server (GreenMail) and on a clock the test moves: the
 * reviewer is reminded before the deadline and told the outcome after it, and the reviewer's own manager — found through
 * the directory's duties — is told of the escalation; each in the recipient's language, to the right people, once. Where
 * no manager's account is found the organiser's account administrators are told instead; an account without an address
 * has the page notice only; a mail that fails is sent at the next run. Synthetic names only.
 */
class AccessReviewMailTest extends IntegrationTest {

    private static final String PASSWORD = "access-review-mail-test";

    @Autowired
    AccessReviews reviews;
    @Autowired
    AccessReviewMail reviewMail;
    @Autowired
    DutyGrants dutyGrants;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    MessageSource messages;

    ScopedMunicipality m;
    String root, domain, reviewer, worker, orgAdmin;
    MutableClock clock;
    AccessReviewScheduling job;

    @BeforeEach
    void municipality() {
        m = new ScopedMunicipality(jdbc);
        domain = m.source + ".example.org";
        root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        reviewer = account("rev", AdminRight.ACCOUNT_ADMIN, m.schoolA);
        worker = account("worker", AdminRight.DIRECTORY_ADMIN, m.schoolA);
        orgAdmin = account("orgadm", AdminRight.ACCOUNT_ADMIN, m.organiser);
        accounts.setContact(root, orgAdmin, orgAdmin + "@" + domain, null);
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
        job = new AccessReviewScheduling(reviews, dutyGrants, reviewMail, Optional.of(clock));
    }

    private String account(String prefix, AdminRight right, UUID unit) {
        String name = prefix + "-" + m.source;
        accounts.create(name, name, PASSWORD, Set.of(), "test");
        grants.grant(root, name, right, GrantScope.units(Set.of(unit), Set.of()));
        return name;
    }

    /** A staff member on duty ({@code role}) at {@code unit}, linked to {@code account} (null: none). */
    private UUID staff(String role, UUID unit, String account) {
        UUID person = UUID.randomUUID();
        jdbc.sql("""
                        insert into person (id, source, source_id, given_name, family_name, protection, content_hash)
                        values (:id, :s, :sid, 'Kim', :f, 'NONE', :h)""")
                .param("id", person).param("s", m.source).param("sid", person.toString()).param("f", "Chefsson" + role).param("h", UUID.randomUUID())
                .update();
        jdbc.sql("insert into duty (id, source, source_id, person_id, organisation_id, role, content_hash) values (:id, :s, :sid, :p, :o, :r, :h)")
                .param("id", UUID.randomUUID()).param("s", m.source).param("sid", UUID.randomUUID().toString()).param("p", person).param("o", unit)
                .param("r", role).param("h", UUID.randomUUID()).update();
        if (account != null) {
            assertThat(dutyGrants.linkPerson(root, account, person)).isTrue();
        }
        return person;
    }

    record Received(String to, String subject, String body) {
    }

    private List<Received> mail() throws Exception {
        TestSmtp.server().waitForIncomingEmail(300, Integer.MAX_VALUE);
        List<Received> out = new ArrayList<>();
        for (MimeMessage msg : TestSmtp.server().getReceivedMessagesForDomain(domain)) {
            out.add(new Received(String.join(", ", Arrays.stream(msg.getAllRecipients()).map(Object::toString).toList()), msg.getSubject(),
                    msg.getContent().toString()));
        }
        return out;
    }

    private List<Received> mailTo(String account) throws Exception {
        return mail().stream().filter(r -> r.to().equals(account + "@" + domain)).toList();
    }

    private AccessReviews.Review startCampaign() {
        return reviews.start(root, m.schoolA, reviewer, clock.instant());
    }

    @Test
    void theReviewerIsRemindedAndToldTheOutcomeAndTheirManagerByDutyIsToldEachInTheirLanguageOnce() throws Exception {
        accounts.setContact(reviewer, reviewer, reviewer + "@" + domain, "da");
        String principal = account("rektor", AdminRight.LICENCE_ADMIN, m.schoolA);
        accounts.setContact(root, principal, principal + "@" + domain, "en");
        staff("ADMINISTRATOR", m.schoolA, reviewer);
        staff("PRINCIPAL", m.schoolA, principal);
        AccessReviews.Review review = startCampaign();
        assertThat(review.items()).as("worker's and the principal's grants at A-skolan").isEqualTo(2);

        clock.advance(Duration.ofDays(24));
        job.run();
        job.run();
        assertThat(mailTo(reviewer)).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("Tilldela: rettighedsgennemgang af " + review.unitName() + ", 2 rettigheder endnu ikke vurderet");
            assertThat(r.body()).contains("fristen er").doesNotContain(m.familyA).doesNotContain(worker);
        });
        assertThat(mail()).hasSize(1);

        clock.advance(Duration.ofDays(7));
        job.run();
        job.run();
        assertThat(mailTo(reviewer)).hasSize(2).filteredOn(r -> r.subject().contains("afsluttet")).singleElement()
                .satisfies(r -> assertThat(r.body()).contains("2 rettigheder, du ikke havde vurderet, er tilbagekaldt"));
        assertThat(mailTo(principal)).as("the reviewer's manager: the principal at the reviewer's unit").singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("Tilldela: access review of " + review.unitName() + " left undecided, 2 rights revoked");
            assertThat(r.body()).contains("reviewer's manager").doesNotContain(m.familyA).doesNotContain("Chefsson");
        });
        assertThat(mailTo(orgAdmin)).as("a manager was found: no fallback").isEmpty();
        assertThat(reviews.noticesFor(orgAdmin)).noneMatch(n -> n.reviewId() == review.id());
        assertThat(mail()).hasSize(3);
        assertThat(reviews.noticesFor(principal)).filteredOn(n -> n.reviewId() == review.id()).singleElement()
                .satisfies(n -> assertThat(n.kind()).isEqualTo(AccessReviews.NoticeKind.ESCALATION));
        assertThat(reviews.noticesFor(reviewer)).filteredOn(n -> n.reviewId() == review.id()).extracting(AccessReviews.Notice::kind)
                .containsExactlyInAnyOrder(AccessReviews.NoticeKind.REMINDER, AccessReviews.NoticeKind.OUTCOME);
        assertThat(audit.about("access_review", Long.toString(review.id()))).filteredOn(e -> e.action().equals("ACCESS_REVIEW_ESCALATED"))
                .singleElement().satisfies(e -> assertThat(e.detail()).contains("MANAGER").contains(principal));
    }

    @Test
    void aPrincipalsManagerIsThePrincipalOfTheUnitAbove() throws Exception {
        String head = account("chef", AdminRight.LICENCE_ADMIN, m.organiser);
        accounts.setContact(root, head, head + "@" + domain, "sv");
        String coPrincipal = account("biträdande", AdminRight.LICENCE_ADMIN, m.schoolA);
        accounts.setContact(root, coPrincipal, coPrincipal + "@" + domain, "sv");
        staff("PRINCIPAL", m.schoolA, reviewer);
        staff("PRINCIPAL", m.schoolA, coPrincipal);
        staff("PRINCIPAL", m.organiser, head);
        AccessReviews.Review review = startCampaign();
        clock.advance(Duration.ofDays(31));
        job.run();
        assertThat(reviews.managersOf(reviewer, clock.instant())).containsExactly(head);
        assertThat(mailTo(head)).singleElement().satisfies(r -> assertThat(r.subject())
                .isEqualTo("Tilldela: behörighetsgranskning av " + review.unitName() + " lämnades obedömd, 2 behörigheter återkallade"));
        assertThat(mailTo(coPrincipal)).isEmpty();
        assertThat(mailTo(orgAdmin)).isEmpty();
    }

    @Test
    void withoutAManagersAccountTheOrganisersAdministratorsAreToldAndAnAccountWithoutAnAddressHasThePageNoticeOnly() throws Exception {
        // the reviewer's unit has a principal, but one without an account: no manager's account, so the fallback
        staff("ADMINISTRATOR", m.schoolA, reviewer);
        staff("PRINCIPAL", m.schoolA, null);
        AccessReviews.Review review = startCampaign();
        clock.advance(Duration.ofDays(24));
        job.run();
        assertThat(reviews.noticesFor(reviewer)).filteredOn(n -> n.reviewId() == review.id()).hasSize(1);
        clock.advance(Duration.ofDays(7));
        job.run();
        job.run();
        assertThat(reviews.managersOf(reviewer, clock.instant())).isEmpty();
        // the organiser's administrator (Swedish: the installation's language, none chosen), once
        assertThat(mailTo(orgAdmin)).singleElement().satisfies(r -> assertThat(r.subject()).startsWith("Tilldela: behörighetsgranskning av "));
        // the reviewer and root have no address: notices on the page, no mail
        assertThat(reviews.noticesFor(reviewer)).filteredOn(n -> n.reviewId() == review.id()).hasSize(2);
        assertThat(reviews.noticesFor(root)).filteredOn(n -> n.reviewId() == review.id()).singleElement()
                .satisfies(n -> assertThat(n.kind()).isEqualTo(AccessReviews.NoticeKind.ESCALATION));
        assertThat(mail()).hasSize(1);
        assertThat(jdbc.sql("select count(*) from access_review_notice where review_id = :r and (mail_pending or mailed_at is not null)")
                .param("r", review.id()).query(Integer.class).single()).as("only the one mailed").isEqualTo(1);
    }

    @Test
    void aMailThatFailsIsSentAtTheNextRunAndOnlyThen() throws Exception {
        accounts.setContact(reviewer, reviewer, reviewer + "@" + domain, "en");
        AccessReviews.Review review = startCampaign();
        clock.advance(Duration.ofDays(24));
        assertThat(reviews.remind(clock.instant())).isEqualTo(1);
        // an SMTP server that is not there (nothing listens on port 1): the mail fails, the notice stays to be mailed
        JavaMailSenderImpl down = new JavaMailSenderImpl();
        down.setHost("127.0.0.1");
        down.setPort(1);
        var unavailable = new org.springframework.beans.factory.support.StaticListableBeanFactory();
        unavailable.addBean("mailSender", down);
        Mail failing = new Mail(unavailable.getBeanProvider(org.springframework.mail.javamail.JavaMailSender.class), "tilldela@localhost", "");
        AccessReviewMail broken = new AccessReviewMail(jdbc, tx, failing, messages, "sv", 3);
        assertThat(broken.sendPending(clock.instant())).isZero();
        assertThat(mail()).isEmpty();
        assertThat(reviews.noticesFor(reviewer)).filteredOn(n -> n.reviewId() == review.id()).hasSize(1);

        assertThat(reviewMail.sendPending(clock.instant())).isGreaterThanOrEqualTo(1);
        assertThat(mailTo(reviewer)).singleElement().satisfies(r -> assertThat(r.subject()).contains("access review of " + review.unitName()));
        reviewMail.sendPending(clock.instant());
        assertThat(mail()).hasSize(1);
    }
}
