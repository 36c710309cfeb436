package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.DutyGrants;
import org.tilldela.governance.GrantScope;

/**
 * Grants from HR data, through real OneRoster imports: a rule "principal → directory administration of their
 * school" gives the principal's account the right over their school; after an import that moves them it is over
 * the new school only (the old one answers 404), after one where they left it is gone. Every change audited.
 */
class DutyGrantsImportTest extends DirectoryImportTestSupport {

    private static final String PASSWORD = "rektorns-eget-losenord-7";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    DutyGrants dutyGrants;
    @Autowired
    AuditTrail audit;

    private UUID id(String table, String source, String sourceId) {
        return jdbc.sql("select id from " + table + " where source = :s and source_id = :sid").param("s", source).param("sid", sourceId)
                .query(UUID.class).single();
    }

    /** A source of the test's own, imported from the small package with one user more; answers its name. */
    private String importedWith(String prefix, OneRosterPackage.User user) {
        String source = newSource(prefix);
        OneRosterPackage pkg = OneRosterPackage.small();
        pkg.users.add(user);
        importZip(source, pkg.writeV12(tmp.resolve("1.zip")));
        return source;
    }

    /** An account with every right over the whole installation, its name ending in {@code u}. */
    private String root(String u) {
        String root = "root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        return root;
    }

    private List<AdminGrants.Grant> derived(String account) {
        return grants.of(account).stream().filter(g -> g.rule() != null).toList();
    }

    private int status(String account, String path) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(account, PASSWORD)).build()
                .get().uri(path).exchange((req, res) -> res.getStatusCode().value());
    }

    @Test
    void aPrincipalGetsTheSchoolThenMovesThenLeavesAndTheGrantFollowsEachImport() {
        String source = newSource("duty-rules");
        String u = source.substring(source.length() - 8);
        OneRosterPackage pkg = OneRosterPackage.small();
        pkg.users.add(new OneRosterPackage.User("r1", "principal", "org-1", "Rut", "Rektorsdotter", "", "", "", ""));
        importZip(source, pkg.writeV12(tmp.resolve("1.zip")));
        UUID organiser = id("organisation", source, "org-0");
        UUID ekbacka = id("organisation", source, "org-1");
        UUID lind = id("organisation", source, "org-2");
        UUID principal = id("person", source, "r1");

        String root = root(u);
        String rektor = "rektor-" + u;
        accounts.create(rektor, "Rut R", PASSWORD, Set.of(), "test");

        // an account administrator of the other school cannot link an account to a person who is not on duty in its scope
        String lindAdmin = "lindadmin-" + u;
        accounts.create(lindAdmin, "Lind admin", PASSWORD, Set.of(), "test");
        grants.grant(root, lindAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(lind), Set.of()));
        grants.grant(root, lindAdmin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(lind), Set.of()));
        assertThat(dutyGrants.linkPerson(lindAdmin, rektor, principal)).isFalse();
        // nor make a rule over the organiser, beyond its scope (403 over the API)
        int refused = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(lindAdmin, PASSWORD)).build()
                .post().uri("/api/v1/duty-rules").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("dutyRole", "PRINCIPAL", "right", "DIRECTORY_ADMIN", "organisation", organiser.toString()))
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(refused).isEqualTo(403);

        // the root administrator links the account to the principal (on the account's page) and makes the rule (over the API)
        WebSession rootSession = new WebSession(port).signIn(root, PASSWORD);
        String accountPage = rootSession.page("/admin/accounts/" + rektor + "?person=Rektorsdotter").body();
        assertThat(accountPage).contains("Rektorsdotter, Rut").contains(principal.toString());
        Map<String, String> link = new java.util.HashMap<>(WebSession.hiddenFields(accountPage, "/admin/accounts/" + rektor + "/person"));
        link.put("personId", principal.toString());
        assertThat(rootSession.post("/admin/accounts/" + rektor + "/person", link).status()).isEqualTo(302);
        assertThat(dutyGrants.linkedPersonId(rektor)).contains(principal);
        assertThat(derived(rektor)).as("no rule yet").isEmpty();

        Map<?, ?> rule = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(root, PASSWORD)).build()
                .post().uri("/api/v1/duty-rules").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("dutyRole", "PRINCIPAL", "right", "DIRECTORY_ADMIN", "organisation", organiser.toString()))
                .retrieve().body(Map.class);
        long ruleId = ((Number) rule.get("id")).longValue();
        // in effect at once for the principal already imported: over their school, marked as from the rule
        assertThat(derived(rektor)).singleElement().satisfies(g -> {
            assertThat(g.right()).isEqualTo(AdminRight.DIRECTORY_ADMIN);
            assertThat(g.organisations()).containsExactly(ekbacka);
            assertThat(g.rule()).isEqualTo(ruleId);
        });
        assertThat(status(rektor, "/api/v1/organisations/" + ekbacka)).isEqualTo(200);
        assertThat(status(rektor, "/api/v1/organisations/" + lind)).isEqualTo(404);
        // the account page says where it came from and offers no revoke for it (the next import would give it back)
        String page = rootSession.page("/admin/accounts/" + rektor).body();
        assertThat(page).contains("Rule " + ruleId + " (from a duty)").doesNotContain("/grants/" + derived(rektor).getFirst().id() + "/revoke");
        assertThat(grants.revoke(root, rektor, derived(rektor).getFirst().id())).isFalse();

        // the next import: the principal moved to the upper secondary school
        pkg.users.replaceAll(x -> x.id().equals("r1") ? new OneRosterPackage.User("r1", "principal", "org-2", "Rut", "Rektorsdotter", "", "", "", "") : x);
        importZip(source, pkg.writeV12(tmp.resolve("2.zip")));
        await().atMost(Duration.ofSeconds(20)).until(() -> derived(rektor).stream().anyMatch(g -> g.organisations().contains(lind)));
        assertThat(derived(rektor)).singleElement().satisfies(g -> assertThat(g.organisations()).containsExactly(lind));
        assertThat(status(rektor, "/api/v1/organisations/" + ekbacka)).as("the old school is out of scope").isEqualTo(404);
        assertThat(status(rektor, "/api/v1/organisations/" + lind)).isEqualTo(200);

        // the next: the principal left
        pkg.users.removeIf(x -> x.id().equals("r1"));
        importZip(source, pkg.writeV12(tmp.resolve("3.zip")), true);
        await().atMost(Duration.ofSeconds(20)).until(() -> derived(rektor).isEmpty());
        // no directory right left at all: the API refuses the account outright
        assertThat(status(rektor, "/api/v1/organisations/" + lind)).isEqualTo(403);

        // audited per change: granted (rule made), revoked and granted (move), revoked (leave), each naming the rule and why
        List<AuditTrail.Entry> trail = audit.about("admin_account", rektor).stream()
                .filter(e -> e.action().startsWith("ADMIN_RIGHT_")).toList().reversed();
        assertThat(trail).extracting(AuditTrail.Entry::action)
                .containsExactly("ADMIN_RIGHT_GRANTED", "ADMIN_RIGHT_REVOKED", "ADMIN_RIGHT_GRANTED", "ADMIN_RIGHT_REVOKED");
        assertThat(trail).allSatisfy(e -> assertThat(e.actor()).isEqualTo("duty-rules"));
        assertThat(trail.get(0).detail()).contains("RULE_CREATED").contains(ekbacka.toString()).contains("\"rule\": " + ruleId);
        assertThat(trail.get(1).detail()).contains("DUTY_NOT_HELD").contains("IMPORT").contains(ekbacka.toString());
        assertThat(trail.get(2).detail()).contains("DUTY_HELD").contains("IMPORT").contains(lind.toString());
        assertThat(trail.get(3).detail()).contains("DUTY_NOT_HELD").contains(lind.toString());
        assertThat(audit.about("duty_grant_rule", Long.toString(ruleId))).extracting(AuditTrail.Entry::action).containsExactly("DUTY_RULE_CREATED");
        assertThat(audit.about("admin_account", rektor)).extracting(AuditTrail.Entry::action).contains("ADMIN_ACCOUNT_PERSON_LINKED");
    }

    @Test
    void aRuleOutsideTheCallersScopeIsNotFoundAndRemovingARuleRevokesItsGrants() {
        String source = importedWith("duty-rules", new OneRosterPackage.User("r1", "principal", "org-1", "Rolf", "Rektorsson", "", "", "", ""));
        String u = source.substring(source.length() - 8);
        UUID ekbacka = id("organisation", source, "org-1");
        UUID lind = id("organisation", source, "org-2");
        String root = root(u);
        String rektor = "rektor-" + u;
        accounts.create(rektor, "Rolf R", PASSWORD, Set.of(), "test");
        assertThat(dutyGrants.linkPerson(root, rektor, id("person", source, "r1"))).isTrue();
        DutyGrants.Rule rule = dutyGrants.create(root, "PRINCIPAL", AdminRight.LICENCE_ADMIN, ekbacka);
        assertThat(rule.grants()).isEqualTo(1);

        String lindAdmin = "lindadmin-" + u;
        accounts.create(lindAdmin, "Lind admin", PASSWORD, Set.of(), "test");
        grants.grant(root, lindAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(lind), Set.of()));
        WebSession outsider = new WebSession(port).signIn(lindAdmin, PASSWORD);
        assertThat(outsider.page("/admin/duty-rules").body()).doesNotContain("/admin/duty-rules/" + rule.id() + "/remove");
        Map<String, String> csrf = WebSession.hiddenFields(outsider.page("/admin/duty-rules").body(), "/admin/duty-rules");
        assertThat(outsider.post("/admin/duty-rules/" + rule.id() + "/remove", csrf).status()).isEqualTo(404);
        assertThat(status(lindAdmin, "/api/v1/duty-rules/" + rule.id())).isEqualTo(404);
        assertThatThrownBy(() -> dutyGrants.find(lindAdmin, rule.id())).isInstanceOf(DutyGrants.NoSuchRule.class);

        WebSession rootSession = new WebSession(port).signIn(root, PASSWORD);
        String rules = rootSession.page("/admin/duty-rules").body();
        assertThat(rules).contains("/admin/duty-rules/" + rule.id() + "/remove").contains("Principal");
        assertThat(rootSession.post("/admin/duty-rules/" + rule.id() + "/remove", WebSession.hiddenFields(rules, "/admin/duty-rules/" + rule.id() + "/remove"))
                .status()).isEqualTo(302);
        assertThat(derived(rektor)).isEmpty();
        assertThat(audit.about("admin_account", rektor).getFirst().detail()).contains("RULE_REMOVED");
        assertThat(audit.about("duty_grant_rule", Long.toString(rule.id()))).extracting(AuditTrail.Entry::action)
                .containsExactly("DUTY_RULE_REMOVED", "DUTY_RULE_CREATED");
    }

    /**
     * A link gives what the rules give the person, so it is a grant: an account administrator of the school who may not
     * grant the rule's right there cannot link an account to the principal, and nobody links their own account. A
     * disabled account loses its rights from duties at the next evaluation, which the hourly job makes without an import.
     */
    @Test
    void aLinkGivesNoMoreThanTheLinkerCouldGrantByHandAndNobodyLinksThemselves() {
        String source = importedWith("duty-rules", new OneRosterPackage.User("r1", "principal", "org-1", "Ragnhild", "Rektorsberg", "", "", "", ""));
        String u = source.substring(source.length() - 8);
        UUID ekbacka = id("organisation", source, "org-1");
        UUID principal = id("person", source, "r1");
        String root = root(u);
        dutyGrants.create(root, "PRINCIPAL", AdminRight.LICENCE_ADMIN, ekbacka);
        String schoolAdmin = "ekbackaadmin-" + u;
        accounts.create(schoolAdmin, "Ekbacka admin", PASSWORD, Set.of(), "test");
        grants.grant(root, schoolAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(ekbacka), Set.of()));
        String rektor = "rektor-" + u;
        accounts.create(rektor, "Ragnhild R", PASSWORD, Set.of(), "test");

        assertThatThrownBy(() -> dutyGrants.linkPerson(schoolAdmin, rektor, principal)).as("LICENCE_ADMIN is not the school admin's to give")
                .isInstanceOf(AdminGrants.GrantRefused.class);
        assertThatThrownBy(() -> dutyGrants.linkPerson(schoolAdmin, schoolAdmin, principal)).as("posing as the principal")
                .isInstanceOf(AdminGrants.GrantRefused.class);
        assertThat(dutyGrants.linkedPersonId(rektor)).isEmpty();
        assertThat(dutyGrants.linkedPersonId(schoolAdmin)).isEmpty();
        // the page says so, and nothing is linked
        WebSession session = new WebSession(port).signIn(schoolAdmin, PASSWORD);
        String accountPage = session.page("/admin/accounts/" + rektor + "?person=Rektorsberg").body();
        Map<String, String> link = new java.util.HashMap<>(WebSession.hiddenFields(accountPage, "/admin/accounts/" + rektor + "/person"));
        link.put("personId", principal.toString());
        var refused = session.post("/admin/accounts/" + rektor + "/person", link);
        assertThat(refused.status()).isEqualTo(302);
        assertThat(session.page("/admin/accounts/" + rektor).body()).contains("Not granted: you can grant a right only where you hold both it");
        assertThat(dutyGrants.linkedPersonId(rektor)).isEmpty();

        assertThat(dutyGrants.linkPerson(root, rektor, principal)).isTrue();
        assertThat(derived(rektor)).singleElement().satisfies(g -> assertThat(g.right()).isEqualTo(AdminRight.LICENCE_ADMIN));
        accounts.setEnabled(root, rektor, false);
        dutyGrants.reconcile("SCHEDULE", null);
        assertThat(derived(rektor)).as("a disabled account keeps no right from a duty").isEmpty();
    }

    /**
     * A rule rests on its author's rights given by hand: once the author's own right is revoked, the grant the rule gave the
     * author (a principal who wrote a rule for principals) goes at the next reconciling — it does not hold itself up.
     */
    @Test
    void aRulesAuthorWhoseRightIsRevokedKeepsNoGrantTheRuleGaveThem() {
        String source = importedWith("duty-self", new OneRosterPackage.User("r1", "principal", "org-1", "Sigrid", "Självständig", "", "", "", ""));
        String u = source.substring(source.length() - 8);
        UUID organiser = id("organisation", source, "org-0");
        UUID principal = id("person", source, "r1");
        String root = root(u);
        String author = "author-" + u;
        accounts.create(author, "Sigrid S", PASSWORD, Set.of(), "test");
        grants.grant(root, author, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));
        AdminGrants.Grant byHand = grants.grant(root, author, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiser), Set.of()));
        assertThat(dutyGrants.linkPerson(root, author, principal)).isTrue();
        dutyGrants.create(author, "PRINCIPAL", AdminRight.DIRECTORY_ADMIN, organiser);
        assertThat(derived(author)).singleElement().satisfies(g -> assertThat(g.right()).isEqualTo(AdminRight.DIRECTORY_ADMIN));

        assertThat(grants.revoke(root, author, byHand.id())).isTrue();
        dutyGrants.reconcile("SCHEDULE", null);
        assertThat(derived(author)).as("the rule's reach went with its author's right").isEmpty();
        assertThatThrownBy(() -> dutyGrants.create(author, "PRINCIPAL", AdminRight.DIRECTORY_ADMIN, organiser))
                .isInstanceOf(AdminGrants.GrantRefused.class);
    }

    @Test
    void thePickerAndALinkedPersonNameOnlyTheUnitsWithinTheViewersScope() {
        String source = importedWith("duty-units", new OneRosterPackage.User("t9", "teacher", "org-1,org-2", "Tove", "Tvåskolsdotter", "", "", "", ""));
        String u = source.substring(source.length() - 8);
        UUID lind = id("organisation", source, "org-2");
        UUID teacher = id("person", source, "t9");
        String root = root(u);
        String lindAdmin = "lindadmin-" + u;
        accounts.create(lindAdmin, "Lind admin", PASSWORD, Set.of(), "test");
        grants.grant(root, lindAdmin, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(lind), Set.of()));
        String account = "larare-" + u;
        accounts.create(account, "Tove T", PASSWORD, Set.of(), "test");

        assertThat(dutyGrants.staff(root, "Tvåskolsdotter")).singleElement()
                .satisfies(p -> assertThat(p.units()).contains("Ekbacka skola").contains("Lindgymnasiet"));
        assertThat(dutyGrants.staff(lindAdmin, "Tvåskolsdotter")).as("the other school is not the Lind administrator's to see")
                .singleElement().satisfies(p -> assertThat(p.units()).isEqualTo("Lindgymnasiet"));
        assertThat(dutyGrants.linkPerson(lindAdmin, account, teacher)).isTrue();
        assertThat(dutyGrants.linkedPerson(account, lindAdmin)).hasValueSatisfying(p -> assertThat(p.units()).isEqualTo("Lindgymnasiet"));
        assertThat(dutyGrants.linkedPerson(account, root)).hasValueSatisfying(p -> assertThat(p.units()).contains("Ekbacka skola"));

        // once their identity is protected: masked, and the showing audited as anywhere a protected person is shown
        jdbc.sql("update person set protection = 'PROTECTED_REGISTRATION' where id = :p").param("p", teacher).update();
        assertThat(dutyGrants.linkedPerson(account, lindAdmin)).hasValueSatisfying(p -> assertThat(p.name()).isNull());
        assertThat(audit.about("person", teacher.toString())).filteredOn(e -> e.action().equals("VIEW_PROTECTED_PERSON"))
                .singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo(lindAdmin));
    }
}
