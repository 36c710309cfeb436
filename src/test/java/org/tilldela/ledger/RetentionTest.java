package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.tilldela.directory.DirectoryEvent;
import org.tilldela.directory.DirectoryJournal;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.licensing.LicenceEnded;

/**
 * Retention: a licence that ends, or a person who leaves the directory, starts the clock for every
 * recipient of that person's data (for a licence: that product's); once the deadline passes a deletion
 * is due, and provisioning's request and the supplier's confirmation move it on.
 */
class RetentionTest extends LedgerTestSupport {

    @Autowired
    Retention retention;
    @Autowired
    ApplicationEventPublisher events;
    @Autowired
    ImportRuns imports;
    @Autowired
    DirectoryJournal journal;

    private Holding holding(UUID person, UUID product) {
        return jdbc.sql(LedgerReports.HOLDING + " where person_id = :p and product_id = :pr").param("p", person).param("pr", product)
                .query((rs, n) -> LedgerReports.holding(rs, today())).single();
    }

    @Test
    void aLicenceEndingSetsTheDeadlineForThatProductOnlyAndMakesTheDeletionDue() {
        UUID person = UUID.randomUUID();
        UUID supplier = UUID.randomUUID();
        UUID ended = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        append(List.of(disclosure(person, supplier, ended, Channel.SCIM_PUSH, SMALL), disclosure(person, supplier, other, Channel.SCIM_PUSH, SMALL)));
        LocalDate endedOn = today().minusDays(100);

        tx.executeWithoutResult(s -> events.publishEvent(new LicenceEnded(person, ended, endedOn)));

        await().atMost(Duration.ofSeconds(10)).until(() -> holding(person, ended).endedOn() != null);
        Holding h = holding(person, ended);
        assertThat(h.endedOn()).isEqualTo(endedOn);
        assertThat(h.retainUntil()).as("ended + 90 days of retention").isEqualTo(endedOn.plusDays(90));
        assertThat(h.deletionState()).isEqualTo(DeletionState.DUE);
        assertThat(holding(person, other).retainUntil()).as("the other product's licence runs on").isNull();

        assertThat(retention.deletionsDue(today())).filteredOn(d -> d.personId().equals(person)).singleElement().satisfies(d -> {
            assertThat(d.productId()).isEqualTo(ended);
            assertThat(d.retainUntil()).isEqualTo(endedOn.plusDays(90));
            assertThat(d.daysOverdue()).isEqualTo(10);
            assertThat(d.state()).isEqualTo(DeletionState.DUE);
        });
        assertThat(retention.deletionsDue(endedOn.plusDays(90))).as("not yet on the last day").noneMatch(d -> d.personId().equals(person));

        // provisioning sends the request, the supplier confirms
        assertThat(retention.deletionRequested(person, supplier, ended, Instant.now())).isTrue();
        assertThat(retention.deletionsDue(today())).noneMatch(d -> d.personId().equals(person));
        assertThat(retention.overdue(today(), 10_000)).filteredOn(d -> d.personId().equals(person)).singleElement()
                .extracting(DeletionDue::state).isEqualTo(DeletionState.REQUESTED);
        assertThat(retention.deletionConfirmed(person, supplier, ended, Instant.now())).isTrue();
        assertThat(retention.overdue(today(), 10_000)).noneMatch(d -> d.personId().equals(person));
        assertThat(holding(person, ended).deletionState()).isEqualTo(DeletionState.CONFIRMED);

        // released again later: the recipient holds data anew, the clock stops
        append(List.of(disclosure(person, supplier, ended, Channel.SSO_ID_TOKEN, SMALL)));
        assertThat(holding(person, ended).deletionState()).isEqualTo(DeletionState.HELD);
        assertThat(holding(person, ended).endedOn()).isNull();
    }

    @Test
    void aPersonLeavingTheDirectoryStartsTheClockForEveryRecipient(@TempDir Path dir) {
        String source = "ledger-" + UUID.randomUUID().toString().substring(0, 8);
        Path day1 = dir.resolve("day1.zip");
        Path day2 = dir.resolve("day2.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(200, 11, "sv", 0, 0)).writeTo(day1);
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(200, 11, "sv", 5, 3)).writeTo(day2);
        run(source, day1);
        List<UUID> persons = jdbc.sql("select id from person where source = :s").param("s", source).query(UUID.class).list();
        UUID supplierA = UUID.randomUUID();
        UUID supplierB = UUID.randomUUID();
        UUID productA = UUID.randomUUID();
        UUID productB = UUID.randomUUID();
        List<Disclosure> released = new ArrayList<>();
        for (UUID p : persons) {
            released.add(disclosure(p, supplierA, productA, Channel.SCIM_PUSH, SMALL));
            released.add(new Disclosure(p, supplierB, productB, Channel.ROSTER_PULL, SMALL, null, "GDPR art. 6.1 e (public task)", "Class lists", null, 30, null));
        }
        append(released);

        ImportSummary summary = run(source, day2);
        List<UUID> leavers = journal.ofImport(summary.runId()).stream().filter(DirectoryEvent.PersonLeft.class::isInstance)
                .map(e -> ((DirectoryEvent.PersonLeft) e).personId()).toList();
        assertThat(leavers).isNotEmpty();
        UUID leaver = leavers.getFirst();

        await().atMost(Duration.ofSeconds(15)).until(() -> holding(leaver, productA).endedOn() != null && holding(leaver, productB).endedOn() != null);
        LocalDate left = holding(leaver, productA).endedOn();
        assertThat(left).isEqualTo(today());
        assertThat(holding(leaver, productA).retainUntil()).isEqualTo(left.plusDays(90));
        assertThat(holding(leaver, productB).retainUntil()).isEqualTo(left.plusDays(30));
        UUID stayer = persons.stream().filter(p -> !leavers.contains(p)).findFirst().orElseThrow();
        assertThat(holding(stayer, productA).endedOn()).isNull();

        // 31 days on, the roster supplier's deletion is due, the other not yet
        List<DeletionDue> due = retention.deletionsDue(today().plusDays(31));
        assertThat(due).anySatisfy(d -> {
            assertThat(d.personId()).isEqualTo(leaver);
            assertThat(d.supplierId()).isEqualTo(supplierB);
        });
        assertThat(due).noneMatch(d -> d.personId().equals(leaver) && d.supplierId().equals(supplierA));
        assertThat(retention.deletionsDue(today().plusDays(91))).anyMatch(d -> d.personId().equals(leaver) && d.supplierId().equals(supplierA));
    }

    private ImportSummary run(String source, Path zip) {
        return imports.runNow("ONEROSTER", new ImportOptions(source, true, "test"), new OneRosterReader(zip, zip.getFileName().toString()),
                ImportProgress.NONE, zip.getFileName().toString());
    }
}
