package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/**
 * An account made at one organiser, still without rights, is within every account administrator's reach — so another
 * organiser's account administrator may bind it to their own identity provider. The rights it is given afterwards would
 * then go to whoever that provider names: so only an account administrator of the organiser it is bound to gives them.
 */
class UpstreamBoundGrantsTest extends IntegrationTest {

    private static final String PASSWORD = "bound-grants-password";

    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AdminUpstreamAccounts upstream;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aRightIsGivenToAnAccountBoundToAnotherOrganisersProviderOnlyByThatOrganisersAccountAdministrator() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        Administrators a = administrators(m, "bound");
        String here = a.here(), there = a.there();

        // made at the other organiser, no rights yet: within reach of this organiser's account administrator too
        String kari = "bound-kari-" + m.source;
        accounts.create(there, kari, "Kari", PASSWORD);
        assertThat(upstream.bind(here, kari, m.organiser, "subject-at-this-organisers-provider")).isTrue();

        assertThatThrownBy(() -> grants.grant(there, kari, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of())))
                .isInstanceOf(AdminGrants.BoundElsewhere.class);
        assertThat(grants.of(kari)).isEmpty();

        // the organiser it is bound to gives it rights (there, within its own grants), and once unbound its own organiser does
        grants.grant(here, kari, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(upstream.bind(here, kari, null, null)).isTrue();
        grants.grant(there, kari, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolC), Set.of()));
        assertThat(grants.of(kari)).hasSize(2);
    }

    @Autowired
    DutyGrants dutyGrants;

    /** Nor by a duty rule of this organiser: the rule's author must be able to give it the right by hand. */
    @Test
    void aDutyRuleGivesNoRightToAnAccountBoundToAnotherOrganisersProvider() {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        Administrators a = administrators(m, "duty");
        String here = a.here(), there = a.there();
        String lisa = "duty-lisa-" + m.source;
        accounts.create(here, lisa, "Lisa", PASSWORD);
        assertThat(upstream.bind(there, lisa, m.otherOrganiser, "subject-at-the-other-organisers-provider")).isTrue();

        // this organiser's rule: its teachers at school A get DIRECTORY_ADMIN there; lisa is linked to such a teacher
        dutyGrants.create(here, "TEACHER", AdminRight.DIRECTORY_ADMIN, m.schoolA);
        assertThat(dutyGrants.linkPerson(here, lisa, m.tA)).isTrue();
        assertThat(grants.of(lisa)).as("bound to the other organiser's provider: no right from this organiser's rule").isEmpty();

        // unbound, the same rule gives it
        assertThat(upstream.bind(there, lisa, null, null)).isTrue();
        dutyGrants.reconcile("test", null);
        assertThat(grants.of(lisa)).singleElement().satisfies(g -> assertThat(g.right()).isEqualTo(AdminRight.DIRECTORY_ADMIN));
    }

    /** The account administrators of this organiser ({@code here}) and of the other one ({@code there}). */
    private record Administrators(String here, String there) {
    }

    private Administrators administrators(ScopedMunicipality m, String prefix) {
        String root = prefix + "-root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        return new Administrators(administrator(prefix + "-here-" + m.source, root, m.organiser), administrator(prefix + "-there-" + m.source, root,
                m.otherOrganiser));
    }

    /** An account with DIRECTORY_ADMIN and ACCOUNT_ADMIN over one organiser. */
    private String administrator(String name, String root, java.util.UUID organiser) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));
        grants.grant(root, name, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));
        return name;
    }
}
