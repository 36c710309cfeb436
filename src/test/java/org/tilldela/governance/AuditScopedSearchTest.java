package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * The audit search within a scope finds the same events whether it looks them up by the scope's records (a school's few
 * hundred persons) or reads the trail newest first and checks each event (an organiser's hundred thousand): the two ways
 * answer one rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditScopedSearchTest extends IntegrationTest {

    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private ScopedMunicipality m;
    private String action, other, schoolAuditor, organiserAuditor, preschoolAuditor, bothOrganisers, twoRights, nobody;
    private long review;
    private final UUID source = UUID.randomUUID(), run = UUID.randomUUID(), removedSource = UUID.randomUUID();
    private final UUID provider = UUID.randomUUID(), removedProvider = UUID.randomUUID(), othersProvider = UUID.randomUUID();

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source.substring(m.source.length() - 8);
        action = "SCOPED_" + u.toUpperCase();
        other = "OTHER_" + u.toUpperCase();
        String root = account("root", EnumSet.allOf(AdminRight.class));
        schoolAuditor = account("school", Set.of());
        organiserAuditor = account("organiser", Set.of());
        preschoolAuditor = account("preschool", Set.of());
        bothOrganisers = account("both", Set.of());
        twoRights = account("two", Set.of());
        nobody = account("nobody", Set.of());
        grants.grant(root, schoolAuditor, AdminRight.AUDITOR, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, organiserAuditor, AdminRight.AUDITOR, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, preschoolAuditor, AdminRight.AUDITOR, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        grants.grant(root, bothOrganisers, AdminRight.AUDITOR, GrantScope.units(Set.of(m.organiser, m.otherOrganiser), Set.of()));
        grants.grant(root, twoRights, AdminRight.AUDITOR, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, twoRights, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        review = jdbc.sql("""
                        insert into access_review (organisation_id, unit_name, reviewer, started_by, kind, started_at, deadline, unused_months)
                        values (:o, 'B', :reviewer, 'test', 'MANUAL', now(), now() + interval '30 days', 6) returning id""")
                .param("o", m.schoolB).param("reviewer", root).query(Long.class).single();
        for (UUID person : List.of(m.a1, m.tA, m.b1, m.b2, m.bProt, m.bGuardian, m.c1)) {
            audit.record("test", action, "person", person.toString(), Map.of());
        }
        for (UUID unit : List.of(m.organiser, m.schoolA, m.schoolB, m.otherOrganiser, m.schoolC)) {
            audit.record("test", action, "organisation", unit.toString(), Map.of());
        }
        audit.record("test", action, "access_review", Long.toString(review), Map.of());
        audit.record("test", action, "admin_account", schoolAuditor, Map.of());
        // records of other modules: an import source of the directory source (whose units lie under both organisers), its
        // run and a removed one; an upstream provider of the first organiser and a removed one, and a removed one of the other
        jdbc.sql("insert into import_source (id, name, kind, url, delta_minutes, created_by) values (:id, :name, 'SS12000', 'https://example.org', 60, 'test')")
                .param("id", source).param("name", m.source).update();
        jdbc.sql("insert into import_run (id, source, format, mode, status, requested_by) values (:id, :name, 'SS12000', 'FULL', 'SUCCEEDED', 'test')")
                .param("id", run).param("name", m.source).update();
        jdbc.sql("""
                        insert into sso_upstream_provider (id, organiser_id, issuer, client_id, client_secret, scopes, match_claim, match_field, registered_by)
                        values (:id, :o, 'https://idp.example.org', 'tilldela', '\\x00', 'openid', 'email', 'EMAIL', 'test')""")
                .param("id", provider).param("o", m.organiser).update();
        audit.record("test", action, "import_source", source.toString(), Map.of());
        audit.record("test", action, "import_run", run.toString(), Map.of());
        audit.record("test", "IMPORT_SOURCE_REMOVED", "import_source", removedSource.toString(), Map.of("name", m.source));
        audit.record("test", action, "import_source", removedSource.toString(), Map.of());
        audit.record("test", action, "sso_upstream_provider", provider.toString(), Map.of());
        audit.record("test", "SSO_UPSTREAM_PROVIDER_REMOVED", "sso_upstream_provider", removedProvider.toString(), Map.of("organiser", m.organiser.toString()));
        audit.record("test", action, "sso_upstream_provider", removedProvider.toString(), Map.of());
        audit.record("test", "SSO_UPSTREAM_PROVIDER_REMOVED", "sso_upstream_provider", othersProvider.toString(),
                Map.of("organiser", m.otherOrganiser.toString()));
        audit.record("test", action, "sso_upstream_provider", othersProvider.toString(), Map.of());
        // an action that happens only outside school A, for the picker
        audit.record("test", other, "person", m.c1.toString(), Map.of());
    }

    private String account(String prefix, Set<AdminRight> rights) {
        String name = "scoped-" + prefix + "-" + m.source;
        accounts.create(name, "Test " + prefix, "scoped-search-password", rights, "test");
        return name;
    }

    @Test
    void eachScopeFindsTheSameEventsByRecordAndByReadingTheTrail() {
        assertThat(bothWays(schoolAuditor)).containsExactlyInAnyOrder(m.a1.toString(), m.tA.toString(), m.schoolA.toString());
        // the organiser's: its persons, units and review, its upstream providers (also the removed one); not the import source,
        // whose directory source has units under the other organiser too
        assertThat(bothWays(organiserAuditor)).containsExactlyInAnyOrder(m.a1.toString(), m.tA.toString(), m.b1.toString(), m.b2.toString(),
                m.bProt.toString(), m.bGuardian.toString(), m.organiser.toString(), m.schoolA.toString(), m.schoolB.toString(),
                Long.toString(review), provider.toString(), removedProvider.toString());
        assertThat(bothWays(bothOrganisers)).contains(m.c1.toString(), m.schoolC.toString(), source.toString(), run.toString(),
                removedSource.toString(), provider.toString(), removedProvider.toString(), othersProvider.toString());
        // narrowed to preschool: the preschool pupil, the units serving it and the review of one; not school A (no preschool),
        // its teacher, or the guardian of a compulsory-school pupil
        assertThat(bothWays(preschoolAuditor)).containsExactlyInAnyOrder(m.b2.toString(), m.organiser.toString(), m.schoolB.toString(),
                Long.toString(review));
        assertThat(bothWays(nobody)).isEmpty();
    }

    @Test
    void twoRightsTogetherFindWhatEitherFinds() {
        // as the audit pages ask: the account's auditor and data protection officer grants
        List<CallerScope> scopes = List.of(CallerScope.granted(twoRights, AdminRight.AUDITOR),
                CallerScope.granted(twoRights, AdminRight.DATA_PROTECTION_OFFICER));
        assertThat(targets(scopes, AuditTrail.LOOKED_UP_AT_MOST)).isEqualTo(targets(scopes, 0))
                .containsExactlyInAnyOrder(m.a1.toString(), m.tA.toString(), m.schoolA.toString(), m.b2.toString(), m.organiser.toString(),
                        m.schoolB.toString(), Long.toString(review));
    }

    @Test
    void thePickerOffersTheActionsWithinTheScopeEitherWay() {
        List<CallerScope> school = List.of(CallerScope.granted(schoolAuditor, AdminRight.AUDITOR));
        assertThat(audit.actions(school, AuditTrail.LOOKED_UP_AT_MOST)).contains(action).doesNotContain(other)
                .isEqualTo(audit.actions(school, 0));
        List<CallerScope> whole = List.of(CallerScope.wholeInstallation());
        assertThat(audit.actions(whole)).contains(action, other);
        // as the audit page asks: the page and the picker together, the picker's statement on a connection of its own
        AuditTrail.Searched searched = audit.searchWithActions(new AuditTrail.Search(null, action, null, null, null, null), school, 0, 2);
        assertThat(searched.actions()).isEqualTo(audit.actions(school));
        assertThat(searched.page().events()).hasSize(2);
        assertThat(searched.page().total()).isEqualTo(3);
    }

    @Test
    void countsAndPagesAgreeEitherWay() {
        List<CallerScope> scopes = List.of(CallerScope.granted(organiserAuditor, AdminRight.AUDITOR));
        AuditTrail.Search q = new AuditTrail.Search(null, action, null, null, null, null);
        for (int lookedUp : new int[] {AuditTrail.LOOKED_UP_AT_MOST, 0}) {
            AuditTrail.EventPage first = audit.search(q, scopes, 0, 4, 6, lookedUp);
            AuditTrail.EventPage third = audit.search(q, scopes, 2, 5, Long.MAX_VALUE, lookedUp);
            assertThat(first.events()).hasSize(4);
            assertThat(first.total()).isEqualTo(6);
            assertThat(first.exact()).isFalse();
            assertThat(third.events()).hasSize(2);
            assertThat(third.total()).isEqualTo(12);
            assertThat(third.exact()).isTrue();
            // newest first, across the records
            List<Long> ids = first.events().stream().map(AuditTrail.Event::id).toList();
            assertThat(ids).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            assertThat(ids.getLast()).isGreaterThan(third.events().getFirst().id());
            // a page beyond where counting stops is still cut from the matches; one past the last is empty, and still counted
            AuditTrail.EventPage beyondTheCount = audit.search(q, scopes, 1, 5, 3, lookedUp);
            assertThat(beyondTheCount.events()).hasSize(5);
            assertThat(beyondTheCount.total()).isEqualTo(3);
            assertThat(beyondTheCount.exact()).isFalse();
            AuditTrail.EventPage pastTheEnd = audit.search(q, scopes, 5, 5, 100, lookedUp);
            assertThat(pastTheEnd.events()).isEmpty();
            assertThat(pastTheEnd.total()).isEqualTo(12);
            assertThat(pastTheEnd.exact()).isTrue();
        }
    }

    private Set<String> bothWays(String account) {
        List<CallerScope> scopes = List.of(CallerScope.granted(account, AdminRight.AUDITOR));
        Set<String> byRecord = targets(scopes, AuditTrail.LOOKED_UP_AT_MOST);
        assertThat(targets(scopes, 0)).as("reading the trail").isEqualTo(byRecord);
        return byRecord;
    }

    private Set<String> targets(List<CallerScope> scopes, int lookedUpAtMost) {
        return audit.search(new AuditTrail.Search(null, action, null, null, null, null), scopes, 0, 100, Long.MAX_VALUE, lookedUpAtMost)
                .events().stream().map(AuditTrail.Event::targetId).collect(Collectors.toSet());
    }
}
