package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.IntegrationTest;
import org.tilldela.TestSmtp;
import org.tilldela.WebSession;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.directory.sources.SourceSettingsException;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * A failing import source alerts by e-mail (issue 14), through a real SMTP server (GreenMail): once when it starts
 * failing, with the reason in plain words (Swedish by default), not again while it goes on failing, and once when it
 * works again. Addresses are checked when saved. Synthetic names only.
 */
class SourceAlertsTest extends IntegrationTest {

    private static final String OLD = "2020-01-01T00:00:00Z";
    private static final String PASSWORD = "alerts-test-password-1";

    @LocalServerPort
    int port;
    @Autowired
    ImportSources sources;
    @Autowired
    SourceRuns sourceRuns;
    @Autowired
    AdminAccounts accounts;

    FakeSs12000Server server;
    String name;
    String domain;

    @BeforeEach
    void start() throws IOException {
        server = new FakeSs12000Server();
        name = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
        domain = name + ".example.org";
        server.put("/organisations", List.of(new LinkedHashMap<>(Map.of("id", UUID.randomUUID().toString(), "meta", Map.of("created", OLD, "modified", OLD),
                "displayName", "Provkommunen", "organisationType", "Huvudman"))));
        server.put("/persons", List.of(new LinkedHashMap<>(Map.of("id", UUID.randomUUID().toString(), "meta", Map.of("created", OLD, "modified", OLD),
                "givenName", "Sigma", "familyName", "Larmsson", "enrolments", new ArrayList<>()))));
        server.put("/groups", List.of());
        server.put("/duties", List.of());
    }

    @AfterEach
    void stop() {
        for (ImportSources.Source s : sources.list()) {
            if (s.name().equals(name)) {
                sources.delete(s.id(), "test");
            }
        }
        server.close();
    }

    @Test
    void aSourceThatStartsFailingIsMailedOnceWithTheReasonAndAgainWhenItWorks() throws Exception {
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 1, null, true, false)
                .withAlertEmails(List.of("it@" + domain + ", rektor@" + domain)), "test", null);
        assertThat(sources.find(id).orElseThrow().alertEmails()).containsExactly("it@" + domain, "rektor@" + domain);
        Instant t0 = Instant.now().plusSeconds(1);
        assertThat(sourceRuns.run(id, t0)).isEqualTo(SourceRuns.Result.RAN);
        assertThat(mail()).isEmpty(); // it works: nobody is told anything

        server.fail("/organisations", 503);
        sourceRuns.run(id, t0.plusSeconds(61));
        assertThat(mail()).hasSize(2).allSatisfy(m -> {
            assertThat(m.subject()).isEqualTo("Tilldela: importkällan " + name + " fallerar");
            assertThat(m.from()).isEqualTo("tilldela@localhost");
            assertThat(m.body()).contains("Tilldela kunde inte nå källan").doesNotContain("Sigma").doesNotContain("Larmsson");
        });
        // one mail to both (the SMTP server keeps a copy in each mailbox)
        assertThat(mail()).allSatisfy(m -> assertThat(m.to()).isEqualTo("it@" + domain + ", rektor@" + domain));

        sourceRuns.run(id, t0.plusSeconds(122)); // still failing: no second mail
        assertThat(sources.find(id).orElseThrow().failuresInARow()).isEqualTo(2);
        assertThat(mail()).hasSize(2);

        server.recover("/organisations");
        sourceRuns.run(id, t0.plusSeconds(183));
        assertThat(mail()).hasSize(4).filteredOn(m -> m.subject().contains("fungerar igen")).hasSize(2)
                .allSatisfy(m -> assertThat(m.body()).contains("lyckades igen"));
    }

    @Test
    void alertAddressesAreCheckedWhenSavedInTheReadersLanguage() {
        assertThatThrownBy(() -> sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 5, null, true, false)
                .withAlertEmails(List.of("it@" + domain + ", not an address")), "test", null)).isInstanceOf(SourceSettingsException.class);
        String admin = "admin-" + name;
        accounts.create(admin, "Larm", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        browser.page("/imports/sources?lang=da");
        Map<String, String> fields = WebSession.hiddenFields(browser.page("/imports/sources").body(), "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "deltaMinutes", "5", "enabled", "true",
                "alertEmails", "it@" + domain + ", ikke@"));
        assertThat(browser.post("/imports/sources", fields).body()).contains("ikke@ er ikke en e-mailadresse.");
        assertThat(sources.list()).noneMatch(s -> s.name().equals(name));
    }

    record Mail(String to, String from, String subject, String body) {
    }

    /** What the SMTP server received for this test's domain (one message per recipient). */
    private List<Mail> mail() throws Exception {
        TestSmtp.server().waitForIncomingEmail(300, Integer.MAX_VALUE);
        List<Mail> out = new ArrayList<>();
        for (MimeMessage m : TestSmtp.server().getReceivedMessagesForDomain(domain)) {
            out.add(new Mail(String.join(", ", java.util.Arrays.stream(m.getAllRecipients()).map(Object::toString).toList()),
                    m.getFrom()[0].toString(), m.getSubject(), m.getContent().toString()));
        }
        return out;
    }

}
