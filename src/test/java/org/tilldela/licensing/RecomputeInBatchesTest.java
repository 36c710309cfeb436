package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Product;
import org.tilldela.directory.DirectoryJournal;
import org.tilldela.directory.Rosters;

/**
 * A run over every pool (a full recompute, an import being followed) no longer holds the pools for its whole
 * run: it works out what the rules want holding nothing, then writes in batches of persons that each hold the
 * pools only for their own writes. A buyer is not held while it works, a rule removed meanwhile is honoured,
 * and batches give what one run gives — who has waited longest first.
 */
class RecomputeInBatchesTest extends LicensingTestSupport {

    @Autowired
    Reconciler reconciler;
    @Autowired
    DirectoryJournal journal;
    @Autowired
    Rosters rosters;
    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aBuyerRemovingARuleWhileAFullRecomputeWorksIsNotHeldByItAndTheRecomputeHonoursTheRemoval() throws Exception {
        String source = newSource("lic-batch-race");
        importTown(source, Town.small());
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 30);
        UUID grade7 = pools.addRule(poolId, Selector.gradeAtUnit(org(source, "org-1"), "07"), "test");
        pools.addRule(poolId, Selector.roleAtUnit(org(source, "org-1"), "TEACHER"), "test");
        UUID p1 = person(source, "p1");
        UUID t1 = person(source, "t1");
        assertThat(states(poolId)).containsEntry(p1, "ACTIVE").containsEntry(t1, "ACTIVE");

        ExecutorService threads = Executors.newFixedThreadPool(3);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            // Whoever reads the directory's enrolments waits until released: the recompute while it works out who
            // is wanted, and the buyer's own evaluation of the pool after it.
            Future<?> enrolmentsHeld = threads.submit(() -> new TransactionTemplate(transactions).executeWithoutResult(s -> {
                jdbc.sql("lock table enrolment in access exclusive mode").update();
                locked.countDown();
                await(release);
            }));
            await(locked);
            Future<AssignmentEngine.EngineRun> recompute = threads.submit(() -> engine.recomputeAll());
            waitForReadersOfEnrolment(1);
            // The buyer removes a rule: this holds the pool at once — which it could not while a full recompute held
            // every live pool from start to end — and then waits for the enrolments like the recompute.
            Future<?> buyer = threads.submit(() -> pools.removeRule(grade7, "buyer"));
            waitForReadersOfEnrolment(2);
            release.countDown();
            enrolmentsHeld.get(20, TimeUnit.SECONDS);
            buyer.get(20, TimeUnit.SECONDS);
            recompute.get(20, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }

        // The recompute had worked out its wants with the grade 7 rule still there: its batch saw the rules had
        // changed and planned again, so it did not give the grade 7 pupils their seats back.
        assertThat(states(poolId)).as("the grade 7 pupils gave their seats back").containsEntry(p1, "ENDED").containsEntry(t1, "ACTIVE");
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(1);
    }

    @Test
    void inBatchesOfOnePersonARecomputeGivesFreedSeatsToWhoHasWaitedLongestAndChangesNothingWhenRepeated() throws Exception {
        String source = newSource("lic-batch-one");
        Town town = Town.small().pupils("x", 8, "org-1", "07", "c-7b");
        importTown(source, town);
        // the engine's own following of the import is done first: it would otherwise give the seats this test frees
        awaitImportsFollowed();
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 4);
        // 7B (two pupils and the eight x) first: four seats, six wait; 7A's four pupils come to wait later.
        pools.addRule(poolId, Selector.group(group(source, "c-7b"), "PUPIL"), "test");
        Thread.sleep(20);
        pools.addRule(poolId, Selector.group(group(source, "c-7a"), "PUPIL"), "test");
        List<LicencePools.Shortfall> waiting = pools.shortfall(poolId);
        assertThat(waiting).hasSize(10);
        Set<UUID> firstWaiting = new HashSet<>();
        waiting.subList(0, 6).forEach(w -> firstWaiting.add(w.personId()));
        Set<UUID> laterWaiting = new HashSet<>();
        waiting.subList(6, 10).forEach(w -> laterWaiting.add(w.personId()));
        assertThat(laterWaiting).contains(person(source, "p1"), person(source, "p2"), person(source, "p3"), person(source, "p4"));

        // Three more seats, then a full recompute one person per batch: the 7B pupils who waited first get them,
        // even where a 7A pupil comes earlier in any other order.
        jdbc.sql("update licence_pool set seats = 7 where id = :p").param("p", poolId).update();
        AssignmentEngine onePerBatch = new AssignmentEngine(reconciler, journal, rosters, jdbc, transactions, 1, java.time.Duration.ofMillis(150));
        AssignmentEngine.EngineRun run = onePerBatch.recomputeAll();
        assertThat(run.granted()).isEqualTo(3);

        List<UUID> holders = new ArrayList<>(states(poolId).entrySet().stream().filter(e -> e.getValue().equals("ACTIVE")).map(e -> e.getKey()).toList());
        assertThat(holders).hasSize(7);
        assertThat(holders).doesNotContainAnyElementsOf(laterWaiting);
        assertThat(pools.shortfall(poolId)).hasSize(7).extracting(LicencePools.Shortfall::personId).containsAll(laterWaiting);
        String before = snapshot(poolId);

        AssignmentEngine.EngineRun again = onePerBatch.recomputeAll();
        assertThat(again.granted() + again.ended() + again.toGrace() + again.revived()).isZero();
        assertThat(snapshot(poolId)).isEqualTo(before);
        engine.recomputeAll();
        assertThat(snapshot(poolId)).as("one batch agrees").isEqualTo(before);
    }

    @Test
    void aPlanLeftByARunStoppedMidwayIsRemovedADayLaterAndARunningOnesPlanIsLeftAlone() {
        UUID stopped = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        UUID someone = UUID.randomUUID();
        jdbc.sql("insert into licence_plan_run (id, created_at) values (:stopped, now() - interval '2 days'), (:running, now())")
                .param("stopped", stopped).param("running", running).update();
        for (UUID run : List.of(stopped, running)) {
            jdbc.sql("insert into licence_plan_person (run_id, ord, person_id) values (:run, 1, :p)").param("run", run).param("p", someone).update();
            jdbc.sql("insert into licence_plan (run_id, ord, pool_id, person_id, source, product_id) values (:run, 1, :x, :p, 'RULE', :x)")
                    .param("run", run).param("x", UUID.randomUUID()).param("p", someone).update();
        }
        try {
            engine.recomputeAll();
            for (String table : List.of("licence_plan_run where id", "licence_plan where run_id", "licence_plan_person where run_id")) {
                assertThat(jdbc.sql("select count(*) from " + table + " = :run").param("run", stopped).query(Long.class).single()).as(table).isZero();
                assertThat(jdbc.sql("select count(*) from " + table + " = :run").param("run", running).query(Long.class).single()).as(table).isOne();
            }
        } finally {
            jdbc.sql("delete from licence_plan where run_id = :run").param("run", running).update();
            jdbc.sql("delete from licence_plan_person where run_id = :run").param("run", running).update();
            jdbc.sql("delete from licence_plan_run where id = :run").param("run", running).update();
        }
    }

    private void waitForReadersOfEnrolment(int readers) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (jdbc.sql("select count(*) from pg_locks where relation = cast('enrolment' as regclass) and not granted").query(Long.class).single() < readers) {
            assertThat(System.nanoTime()).as("%d waiting to read the enrolments", readers).isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
