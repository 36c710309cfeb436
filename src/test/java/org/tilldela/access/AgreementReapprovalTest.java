package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.PersonRecords;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.LicencePools;
import org.tilldela.platform.OneRoundTrip;

/**
 * Data flows reviewed (issue 11): an agreement comes up for re-approval by the school; not re-approved by its date it
 * lapses by itself, audited, and the supplier then receives MINIMAL — through sign-in tokens and SCIM pushes alike. The
 * re-approval page is the school's, within its access administrator's scope. Time is the Clock the code is given: the
 * agreements here are approved for a period of 30 days by a copy of the service on a test clock, so moving that clock
 * past their date lapses nobody else's agreement (the application's are approved for a year).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgreementReapprovalTest extends IntegrationTest {

    private static final String PASSWORD = "agreement-reapproval-password";
    private static final Set<Attribute> MINIMAL_AS_DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES);

    @LocalServerPort int port;
    @Autowired ReleasePolicy policy;
    @Autowired DataAccessAgreements agreements;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired OrganisationBrowser organisations;
    @Autowired AuditTrail audit;
    @Autowired PersonRecords persons;
    @Autowired ReleaseObjections objections;
    @Autowired Licences licences;
    @Autowired Pseudonyms pseudonyms;
    @Autowired DisclosureLedger ledger;
    @Autowired OneRoundTrip roundTrip;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired org.springframework.context.ApplicationEventPublisher events;

    AccessFixture fx;

    @BeforeAll
    void municipality() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
    }

    /** A clock the test moves forward. */
    static final class TestClock extends Clock {
        private Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private DataAccessAgreement approvedForThirtyDays(DataAccessAgreements onClock, UUID product) {
        DataAccessAgreement filed = agreements.file(fx.supplierId, new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(),
                "Inloggning", "Allmänt intresse", 30), "supplier");
        return onClock.approve(filed.id(), null, null, "school-admin");
    }

    @Test
    void anAgreementNotReapprovedByItsDateLapsesToMinimalByItselfForTokensAndPushesAlike() {
        UUID pupil = fx.persons.get(0);
        UUID pushed = fx.persons.get(1);
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        fx.license(product, List.of(pupil, pushed));
        TestClock clock = new TestClock(Instant.now());
        LocalDate approvedOn = LocalDate.now(clock);
        DataAccessAgreements onClock = new DataAccessAgreements(jdbc, catalog, organisations, audit, Optional.of(clock), Period.ofDays(30), events);
        ReleasePolicy policyOnClock = new ReleasePolicy(persons, catalog, onClock, objections, licences, pseudonyms, ledger, roundTrip, Optional.of(clock));
        AgreementReapprovalScheduling job = new AgreementReapprovalScheduling(onClock, Optional.of(clock));

        DataAccessAgreement agreement = approvedForThirtyDays(onClock, product);
        assertThat(agreement.reapprovalDue()).isEqualTo(approvedOn.plusDays(30));
        assertThat(policy.release(pupil, product, Channel.SSO_ID_TOKEN).attributes()).contains(Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);
        assertThat(policy.releaseAll(List.of(pushed), product, Channel.SCIM_PUSH).getFirst().attributes()).contains(Attribute.GIVEN_NAME);
        assertThat(onClock.dueForReapproval(org.tilldela.governance.CallerScope.wholeInstallation(), 5_000)).as("due within the reminder's 30 days").extracting(DataAccessAgreement::id).contains(agreement.id());

        // on its date it still holds
        clock.advance(Duration.ofDays(30));
        job.run();
        assertThat(agreements.agreement(agreement.id()).orElseThrow().state()).isEqualTo(DataAccessAgreement.State.APPROVED);
        assertThat(policyOnClock.permitted(pupil, product).attributes()).contains(Attribute.GIVEN_NAME);

        // the day after, the policy no longer applies it, even before the job has run
        clock.advance(Duration.ofDays(1));
        assertThat(policyOnClock.permitted(pupil, product).attributes()).isEqualTo(MINIMAL_AS_DECLARED);
        assertThat(policyOnClock.permittedAll(List.of(pushed), product).get(pushed)).isEqualTo(MINIMAL_AS_DECLARED);

        // the job lapses it, once, audited
        job.run();
        job.run();
        DataAccessAgreement lapsed = agreements.agreement(agreement.id()).orElseThrow();
        assertThat(lapsed.state()).isEqualTo(DataAccessAgreement.State.LAPSED);
        assertThat(lapsed.steps().getLast().kind()).isEqualTo(DataAccessAgreement.Step.Kind.LAPSED);
        assertThat(audit.about("data_access_agreement", agreement.id().toString())).extracting(AuditTrail.Entry::action)
                .containsOnlyOnce("DATA_ACCESS_LAPSED");

        // and the supplier receives MINIMAL through a sign-in token and a SCIM push alike (the application's own clock)
        Release token = policy.release(pupil, product, Channel.SSO_ID_TOKEN);
        assertThat(token.attributes()).isEqualTo(MINIMAL_AS_DECLARED);
        assertThat(token.agreementId()).isNull();
        Release push = policy.releaseAll(List.of(pushed), product, Channel.SCIM_PUSH).getFirst();
        assertThat(push.attributes()).isEqualTo(MINIMAL_AS_DECLARED);
        assertThat(push.values()).doesNotContainKeys(Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);

        // the school re-approves it narrowed: never wider, a narrowing says why; then it holds for another period
        Set<Attribute> narrowed = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES, Attribute.GIVEN_NAME);
        assertThatThrownBy(() -> onClock.reapprove(agreement.id(), narrowed, " ", "school-admin")).isInstanceOf(DataAccessRefused.class)
                .hasMessageContaining("Say why");
        assertThatThrownBy(() -> onClock.reapprove(agreement.id(), EnumSet.of(Attribute.EMAIL), "mer", "school-admin"))
                .isInstanceOf(DataAccessRefused.class).hasMessageContaining("EMAIL");
        DataAccessAgreement again = onClock.reapprove(agreement.id(), narrowed, "Efternamnet behövs inte", "school-admin");
        assertThat(again.state()).isEqualTo(DataAccessAgreement.State.APPROVED);
        assertThat(again.reapprovalDue()).isEqualTo(approvedOn.plusDays(61));
        assertThat(policy.release(pupil, product, Channel.SSO_ID_TOKEN).attributes()).contains(Attribute.GIVEN_NAME).doesNotContain(Attribute.FAMILY_NAME);
        assertThat(audit.about("data_access_agreement", agreement.id().toString())).extracting(AuditTrail.Entry::action)
                .contains("DATA_ACCESS_REAPPROVED");
    }

    @Test
    void theReapprovalPageShowsWhatWentAndHowMuchTheProductWasUsedWithinScopeOnly() {
        UUID pupil = fx.persons.get(2);
        UUID product = fx.product(fx.supplierId, AccessFixture.DECLARED);
        fx.license(product, List.of(pupil));
        DataAccessAgreement filed = agreements.file(fx.supplierId, new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(),
                "Inloggning", "Allmänt intresse", 30), "supplier");
        DataAccessAgreement agreement = agreements.approve(filed.id(), null, null, "school-admin");
        assertThat(agreement.reapprovalDue()).as("a year by default").isEqualTo(LocalDate.now().plusYears(1));
        policy.release(pupil, product, Channel.SSO_ID_TOKEN);

        String root = "reapproval-root-" + fx.source;
        String organiserAdmin = "reapproval-org-" + fx.source;
        String schoolAdmin = "reapproval-school-" + fx.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.ACCESS_ADMIN), "test");
        accounts.create(organiserAdmin, "Huvudman", PASSWORD, Set.of(), "test");
        accounts.create(schoolAdmin, "Rektor", PASSWORD, Set.of(), "test");
        UUID school = jdbc.sql("select id from organisation where parent_id = :o and kind = 'SCHOOL_UNIT' order by id limit 1").param("o", fx.organiserId)
                .query(UUID.class).single();
        grants.grant(root, organiserAdmin, AdminRight.ACCESS_ADMIN, GrantScope.units(Set.of(fx.organiserId), Set.of()));
        grants.grant(root, schoolAdmin, AdminRight.ACCESS_ADMIN, GrantScope.units(Set.of(school), Set.of()));
        String page = "/access/reapprovals/" + agreement.id();

        WebSession own = new WebSession(port).signIn(organiserAdmin, PASSWORD);
        String shown = own.page(page).body();
        assertThat(shown).contains("What the supplier received").contains("Data about 1 persons went under this agreement")
                .contains("Given name").contains("Inloggning").contains("Allmänt intresse").contains(agreement.reapprovalDue().toString())
                .contains("How much the product was used").contains("fewer than 5");
        assertThat(own.page("/access/reapprovals").body()).as("a year away: not yet in the list").doesNotContain(page);

        // a school unit's administrator does not see the organiser's agreement: 404, for the page and the form alike
        WebSession other = new WebSession(port).signIn(schoolAdmin, PASSWORD);
        assertThat(other.page(page).status()).isEqualTo(404);
        // their own session's CSRF token (from the sign-out form), so the answer is about the agreement, not the token
        List<Map.Entry<String, String>> form = WebSession.toList(WebSession.hiddenFields(other.page("/access/reapprovals").body(), "/logout"));
        form.add(Map.entry("attributes", Attribute.PSEUDONYMOUS_ID.name()));
        assertThat(other.post(page, form).status()).isEqualTo(404);
        assertThat(agreements.agreement(agreement.id()).orElseThrow().steps()).extracting(DataAccessAgreement.Step::kind)
                .doesNotContain(DataAccessAgreement.Step.Kind.REAPPROVED);

        // the organiser's administrator re-approves it as it stands
        List<Map.Entry<String, String>> all = WebSession.toList(WebSession.hiddenFields(own.page(page).body(), page));
        agreement.approvedAttributes().forEach(a -> all.add(Map.entry("attributes", a.name())));
        WebSession.Answer done = own.post(page, all);
        assertThat(done.status()).isEqualTo(302);
        assertThat(own.follow(done).body()).contains("The agreement is re-approved.");
        assertThat(audit.about("data_access_agreement", agreement.id().toString())).filteredOn(e -> e.action().equals("DATA_ACCESS_REAPPROVED"))
                .singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo(organiserAdmin));

        // lapsed (its date in the past), it is listed for the school with the reminder on the data-access page
        jdbc.sql("update data_access_agreement set reapproval_due = current_date - 1 where id = :id").param("id", agreement.id()).update();
        agreements.lapseOverdue(LocalDate.now());
        assertThat(own.page("/access/reapprovals").body()).contains(page).contains("Lapsed to MINIMAL");
        assertThat(other.page("/access/reapprovals").body()).doesNotContain(page);
        assertThat(own.page(page).body()).contains("the agreement has lapsed");
    }
}
