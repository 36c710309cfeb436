package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.Viewer;

/**
 * The ledger's rule for repeated releases: a release identical to the latest one to the same recipient
 * about the same person is counted on the holding (count, last time) and gets no chain record; a new or
 * changed release, or the first after the relation ended, is chained; the chain verifies throughout and the
 * per-person report shows the count and the last time.
 */
class RepeatedReleasesTest extends LedgerTestSupport {

    private static final Set<Attribute> NAME = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);

    @Autowired
    LedgerReports reports;
    @Autowired
    PersonReportPdf pdf;

    private final UUID supplier = UUID.randomUUID();
    private final UUID product = UUID.randomUUID();
    private final UUID agreement = UUID.randomUUID();

    private Disclosure release(UUID person, Set<Attribute> attributes, UUID agreementId, Channel channel, Instant at) {
        return new Disclosure(person, supplier, product, channel, attributes, agreementId, "GDPR art. 6.1 e (public task)", "Sign-in",
                at, 90, null);
    }

    private Holding holding(UUID person) {
        return jdbc.sql(LedgerReports.HOLDING + " where person_id = :p and product_id = :pr").param("p", person).param("pr", product)
                .query((rs, n) -> LedgerReports.holding(rs, today())).single();
    }

    @Test
    void anIdenticalRepeatedReleaseIsCountedWithItsLastTimeAndNotChained() {
        UUID person = UUID.randomUUID();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long first = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t0)))[0];
        long head = ledger.head().lastSequence();

        for (int i = 1; i <= 3; i++) {
            long[] seq = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t0.plusSeconds(60L * i))));
            assertThat(seq).as("a repeat names the record it repeats").containsExactly(first);
        }

        assertThat(ledger.head().lastSequence()).as("no chain record for the repeats").isEqualTo(head);
        assertThat(ledger.ofPerson(person)).singleElement().satisfies(r -> assertThat(r.sequence()).isEqualTo(first));
        Holding h = holding(person);
        assertThat(h.disclosures()).isEqualTo(4);
        assertThat(h.repeats()).isEqualTo(3);
        assertThat(h.firstDisclosedAt()).isEqualTo(t0);
        assertThat(h.lastDisclosedAt()).as("the last time moves").isEqualTo(t0.plusSeconds(180));
        assertThat(jdbc.sql("select release_sequence from holding where person_id = :p").param("p", person).query(Long.class).single())
                .as("the first repeat found the record and the holding keeps its name").isEqualTo(first);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void aBatchThatRepeatsTheLatestReleaseAndThenChangesIt() {
        UUID person = UUID.randomUUID();
        Instant t = Instant.now();
        long a = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t)))[0];

        long[] seq = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(1)),
                release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(2)),
                release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(3))));

        assertThat(seq[0]).as("the batch's first release repeats the stored one").isEqualTo(a);
        assertThat(seq[1]).as("the change is chained").isGreaterThan(a);
        assertThat(seq[2]).as("and then repeated within the batch").isEqualTo(seq[1]);
        assertThat(append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(4)))))
                .as("the holding's latest release is the batch's last").containsExactly(seq[1]);
        assertThat(append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(5))))[0])
                .as("the first attribute set again is a change").isGreaterThan(seq[1]);
        Holding h = holding(person);
        assertThat(h.disclosures()).isEqualTo(6);
        assertThat(h.repeats()).isEqualTo(3);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void aChangedReleaseIsChainedAndThenCountedInItsTurn() {
        UUID person = UUID.randomUUID();
        Instant t = Instant.now();
        long a = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t)))[0];
        append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(1))));

        long b = append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(2))))[0];
        assertThat(b).as("another attribute set").isGreaterThan(a);
        assertThat(append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(3))))).containsExactly(b);

        long c = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(4))))[0];
        assertThat(c).as("back to the first attribute set: not the latest release, so chained").isGreaterThan(b);
        long d = append(List.of(release(person, NAME, UUID.randomUUID(), Channel.SSO_ID_TOKEN, t.plusSeconds(5))))[0];
        assertThat(d).as("another agreement").isGreaterThan(c);
        long e = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(6))))[0];
        long f = append(List.of(release(person, NAME, agreement, Channel.SSO_USERINFO, t.plusSeconds(7))))[0];
        assertThat(f).as("another channel").isGreaterThan(e);
        Disclosure otherBasis = new Disclosure(person, supplier, product, Channel.SSO_USERINFO, NAME, agreement, "GDPR art. 6.1 c", "Sign-in",
                t.plusSeconds(8), 90, null);
        assertThat(append(List.of(otherBasis))[0]).as("another legal basis").isGreaterThan(f);

        assertThat(ledger.ofPerson(person)).hasSize(7);
        Holding h = holding(person);
        assertThat(h.disclosures()).isEqualTo(9);
        assertThat(h.repeats()).isEqualTo(2);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void theFirstReleaseAfterTheRelationEndedIsChainedEvenWhenIdentical() {
        UUID person = UUID.randomUUID();
        long first = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, Instant.now())))[0];
        jdbc.sql("update holding set ended_on = current_date, retain_until = current_date + 90 where person_id = :p").param("p", person).update();

        long again = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, Instant.now())))[0];

        assertThat(again).isGreaterThan(first);
        assertThat(holding(person).endedOn()).isNull();
        assertThat(append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, Instant.now())))).containsExactly(again);
    }

    @Test
    void repeatsWithinOneBatchAreCountedAndChangesChained() {
        UUID person = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        Instant t = Instant.now();
        long[] seq = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t),
                release(other, NAME, agreement, Channel.SSO_ID_TOKEN, t),
                release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusMillis(1)),
                release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusMillis(2))));

        assertThat(seq[2]).isEqualTo(seq[0]);
        assertThat(seq[3]).isGreaterThan(seq[1]);
        assertThat(ledger.ofPerson(person)).hasSize(2);
        assertThat(holding(person).repeats()).isEqualTo(1);
        assertThat(holding(person).disclosures()).isEqualTo(3);
        // the latest release (SMALL) is what the next one is compared with
        assertThat(append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusMillis(3))))).containsExactly(seq[3]);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void concurrentIdenticalReleasesMakeOneChainRecord() throws Exception {
        UUID person = UUID.randomUUID();
        int threads = 4, each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<Long> returned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        returned.add(append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, Instant.now())))[0]);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(ledger.ofPerson(person)).singleElement()
                .satisfies(r -> assertThat(returned).as("every release names the one record, also one that waited for it to commit")
                        .containsExactly(r.sequence()));
        assertThat(holding(person).disclosures()).isEqualTo(threads * each);
        assertThat(holding(person).repeats()).isEqualTo(threads * each - 1);
        assertThat(ledger.verify().intact()).isTrue();
    }

    @Test
    void aRepeatThatWaitedForTheAppenderOfItsReleaseNamesThatRecordNotAnOlderOneOfTheSameMoment() throws Exception {
        UUID person = UUID.randomUUID();
        Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long older = append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t)))[0];
        // the changed release's terms exist already (new ones would make the repeat wait for them, before its upsert)
        append(List.of(release(UUID.randomUUID(), SMALL, agreement, Channel.SSO_ID_TOKEN, t)));
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // a changed release made at the very same moment, its transaction held open
            Future<Long> changed = pool.submit(() -> tx.execute(s -> {
                long seq = ledger.append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t)))[0];
                appended.countDown();
                try {
                    commit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return seq;
            }));
            appended.await();
            // its repeat begins before it commits, and waits for the holding's lock
            Future<Long> repeat = pool.submit(() -> append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(1))))[0]);
            awaitLockWait("%insert into holding%", "the repeat waits for the holding");
            commit.countDown();
            assertThat(repeat.get()).as("the record the release it repeats made").isEqualTo(changed.get()).isNotEqualTo(older);
            assertThat(append(List.of(release(person, SMALL, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(2)))))
                    .as("and the holding keeps that name").containsExactly(changed.get());
        } finally {
            commit.countDown();
            pool.shutdown();
        }
    }

    @Test
    void thePerPersonReportShowsTheRepeatsAndTheLastTime() throws Exception {
        UUID person = UUID.randomUUID();
        Instant t = Instant.parse("2026-11-30T07:45:00Z");
        append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t)));
        append(List.of(release(person, NAME, agreement, Channel.SSO_ID_TOKEN, t.plusSeconds(3600))));

        LedgerReports.PersonReport report = reports.personReport(person, new Viewer("dpo-test", false), "test");

        assertThat(report.recipients()).singleElement().satisfies(r -> {
            assertThat(r.disclosures()).isEqualTo(2);
            assertThat(r.repeats()).isEqualTo(1);
            assertThat(r.lastDisclosed()).isEqualTo(t.plusSeconds(3600));
        });
        assertThat(report.recentReleases()).hasSize(1);
        try (PDDocument doc = Loader.loadPDF(pdf.render(report, Locale.ENGLISH))) {
            String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains("2 releases").contains("1 of them repeated the latest identical release");
        }
    }
}
