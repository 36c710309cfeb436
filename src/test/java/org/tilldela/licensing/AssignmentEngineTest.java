package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportSummary;

/**
 * The assignment engine against imports into the real database: rules pick whoever the directory holds
 * after each import; movers switch; leavers keep their seat through the grace period and then lose it;
 * re-processing changes nothing; seats are never over-allocated, also under concurrency; trials end by
 * themselves; profiles hand out their products; persons and groups picked by hand.
 */
class AssignmentEngineTest extends LicensingTestSupport {

    @Test
    void aGradeRuleGivesThePupilsOfThatGradeAtThatSchoolAndAJoinerGetsItAfterTheImportThatBroughtThem() {
        String source = newSource("lic-grade");
        Town town = Town.small();
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 30);
        pools.addRule(poolId, Selector.gradeAtUnit(org(source, "org-1"), "07"), "test");

        for (String p : List.of("p1", "p2", "p3", "p4", "p5", "p6")) {
            assertThat(licences.holds(person(source, p), product, TODAY)).as(p).isTrue();
        }
        assertThat(licences.holds(person(source, "p7"), product, TODAY)).as("grade 8").isFalse();
        assertThat(licences.holds(person(source, "p8"), product, TODAY)).as("grade 7 at the other school, outside the pool's scope").isFalse();
        assertThat(licences.holds(person(source, "t1"), product, TODAY)).as("a teacher").isFalse();
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(6);

        // The next day a pupil joins 7B: the directory's event is followed by itself, no call needed.
        importTown(source, town.pupil("p9", "org-1", "07", "c-7b"));
        eventually(() -> licences.holds(person(source, "p9"), product, TODAY), "the joiner holds the licence");
        assertThat(licences.ofPerson(person(source, "p9"))).singleElement().satisfies(l -> {
            assertThat(l.productId()).isEqualTo(product);
            assertThat(l.state()).isEqualTo("ACTIVE");
            assertThat(l.source()).isEqualTo("RULE");
            assertThat(l.productTitle()).startsWith("Matematik");
        });
    }

    @Test
    void aMoverSwitchesFromTheOldClassesLicenceToTheNewOnes() {
        String source = newSource("lic-move");
        Town town = Town.small();
        importTown(source, town);
        UUID productA = product(Product.LicenceModel.PER_USER, null);
        UUID productB = product(Product.LicenceModel.PER_USER, null);
        UUID poolA = pool(productA, source, "org-1", 10);
        UUID poolB = pool(productB, source, "org-1", 10);
        pools.addRule(poolA, Selector.group(group(source, "c-7a"), "PUPIL"), "test");
        pools.addRule(poolB, Selector.group(group(source, "c-7b"), "PUPIL"), "test");
        UUID p1 = person(source, "p1");
        assertThat(licences.holds(p1, productA, TODAY)).isTrue();
        assertThat(licences.holds(p1, productB, TODAY)).isFalse();

        ImportSummary next = importTown(source, town.move("p1", "c-7a", "c-7b"));
        engine.processImport(next.runId());

        assertThat(states(poolA)).containsEntry(p1, "ENDED");
        assertThat(states(poolB)).containsEntry(p1, "ACTIVE");
        assertThat(licences.holds(p1, productA, TODAY)).as("a mover gives the old class's seat back at once").isFalse();
        assertThat(licences.holds(p1, productB, TODAY)).isTrue();
        assertThat(ended(p1, productA)).as("LicenceEnded persisted for the ledger").isTrue();
        assertThat(licences.holds(person(source, "p2"), productA, TODAY)).as("classmates keep theirs").isTrue();
    }

    @Test
    void aLeaverKeepsTheSeatThroughTheGracePeriodThenItEndsAndLicenceEndedIsPublished() {
        String source = newSource("lic-leave");
        Town town = Town.small();
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 10);
        pools.addRule(poolId, Selector.allPupilsAtUnit(org(source, "org-1")), "test");
        UUID p3 = person(source, "p3");

        ImportSummary next = importTown(source, town.remove("p3"));
        engine.processImport(next.runId());

        assertThat(states(poolId)).containsEntry(p3, "GRACE");
        var licence = licences.ofPerson(p3).getFirst();
        assertThat(licence.state()).isEqualTo("GRACE");
        assertThat(licence.graceUntil()).isEqualTo(TODAY.plusDays(30));
        assertThat(licences.holds(p3, product, TODAY.plusDays(30))).isTrue();
        assertThat(licences.holds(p3, product, TODAY.plusDays(31))).isFalse();
        assertThat(ended(p3, product)).isFalse();

        engine.sweep(TODAY.plusDays(31));

        assertThat(states(poolId)).containsEntry(p3, "ENDED");
        assertThat(licences.ofPerson(p3).getFirst().endedOn()).isEqualTo(TODAY.plusDays(31));
        assertThat(ended(p3, product)).as("LicenceEnded persisted for the ledger").isTrue();
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(6);
    }

    @Test
    void processingTheSameImportAgainAndRecomputingChangeNothing() {
        String source = newSource("lic-idem");
        Town town = Town.small();
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 5);
        pools.addRule(poolId, Selector.gradeAtUnit(org(source, "org-1"), "07"), "test");
        pools.addRule(poolId, Selector.roleAtUnit(org(source, "org-1"), "TEACHER"), "test");
        ImportSummary next = importTown(source, town.move("p5", "c-7b", "c-7a").remove("p2").pupil("p9", "org-1", "07", "c-7a"));
        // the engine follows the import in the background too: done first, or its run can land between the snapshots
        // (seen once: a pupil's place in the shortfall written again with a later time)
        awaitImportsFollowed();
        engine.processImport(next.runId());
        String before = snapshot(poolId);

        AssignmentEngine.EngineRun again = engine.processImport(next.runId());
        assertThat(snapshot(poolId)).isEqualTo(before);
        assertThat(again.granted() + again.ended() + again.toGrace() + again.revived()).isZero();

        engine.recomputePool(poolId);
        engine.recomputeAll();
        assertThat(snapshot(poolId)).isEqualTo(before);
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(5);
    }

    @Test
    void seatsAreNeverOverAllocatedWhenBuyersAndTheEngineActAtOnceAndWhoIsLeftWithoutIsRecorded() throws Exception {
        String source = newSource("lic-race");
        Town town = Town.small().pupils("x", 12, "org-1", "07", "c-7b");
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 3);
        List<UUID> persons = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            persons.add(person(source, "x" + i));
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (UUID p : persons) {
                done.add(threads.submit(() -> {
                    start.await();
                    return pools.assignDirect(poolId, List.of(p), "buyer-" + p);
                }));
            }
            // an administrator adds a rule and the engine recomputes while the buyers assign
            done.add(threads.submit(() -> {
                start.await();
                return pools.addRule(poolId, Selector.group(group(source, "c-7a"), "PUPIL"), "admin");
            }));
            done.add(threads.submit(() -> {
                start.await();
                return engine.recomputePool(poolId);
            }));
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        long live = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state <> 'ENDED'").param("p", poolId).query(Long.class).single();
        assertThat(live).isEqualTo(3);
        var pool = pools.pool(poolId).orElseThrow();
        assertThat(pool.seatsUsed()).isEqualTo(3);
        // 12 picked by hand + 4 pupils of 7A, 3 seats: 13 are left without, and the buyer sees who
        assertThat(pool.shortfall()).isEqualTo(13);
        assertThat(pools.shortfall(poolId)).hasSize(13);

        // A seat given back goes to whoever has waited longest.
        UUID holder = jdbc.sql("select person_id from licence_assignment where pool_id = :p and state = 'ACTIVE' and source = 'DIRECT' limit 1")
                .param("p", poolId).query(UUID.class).single();
        UUID longestWaiting = pools.shortfall(poolId).getFirst().personId();
        pools.withdrawDirect(poolId, holder, "admin");
        assertThat(states(poolId)).containsEntry(holder, "ENDED").containsEntry(longestWaiting, "ACTIVE");
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(3);
        assertThat(pools.shortfall(poolId)).hasSize(12);
    }

    @Test
    void aTrialEndsByItself() {
        String source = newSource("lic-trial");
        importTown(source, Town.small());
        UUID product = product(Product.LicenceModel.PER_SCHOOL_UNIT, 14);
        UUID poolId = pools.createTrial(product, org(source, "org-0"), org(source, "org-1"), null, TODAY, "test");
        var pool = pools.pool(poolId).orElseThrow();
        assertThat(pool.trial()).isTrue();
        assertThat(pool.endsOn()).isEqualTo(TODAY.plusDays(13));
        pools.addRule(poolId, Selector.group(group(source, "c-8a")), "test");
        UUID p7 = person(source, "p7");
        assertThat(licences.holds(p7, product, TODAY.plusDays(13))).isTrue();
        assertThat(licences.holds(p7, product, TODAY.plusDays(14))).isFalse();

        engine.sweep(TODAY.plusDays(14));

        assertThat(states(poolId)).containsEntry(p7, "ENDED");
        assertThat(licences.ofPerson(p7).getFirst().endedOn()).isEqualTo(TODAY.plusDays(14));
        assertThat(ended(p7, product)).isTrue();
        UUID noTrial = product(Product.LicenceModel.PER_USER, null);
        assertThatThrownBy(() -> pools.createTrial(noTrial, org(source, "org-0"), org(source, "org-1"), 5, TODAY, "test"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProfileGivesEachOfItsProductsOnceFromAPoolCoveringThePerson() {
        String source = newSource("lic-profile");
        importTown(source, Town.small());
        UUID portal = product(Product.LicenceModel.PER_ORGANISER, null);
        UUID planning = product(Product.LicenceModel.PER_USER, null);
        UUID portalPool = pool(portal, source, "org-0", null);
        UUID planningPool = pool(planning, source, "org-1", 10);
        UUID profile = profiles.create("lärare, grundskola " + source, List.of(portal, planning), "test");
        profiles.addRule(profile, Selector.organisation(org(source, "org-0"), "TEACHER"), "test");

        UUID t1 = person(source, "t1");
        UUID t2 = person(source, "t2");
        assertThat(licences.holds(t1, portal, TODAY)).isTrue();
        assertThat(licences.holds(t1, planning, TODAY)).isTrue();
        assertThat(licences.holds(t2, portal, TODAY)).isTrue();
        assertThat(licences.holds(t2, planning, TODAY)).as("the planning pool is for the other school").isFalse();
        assertThat(licences.holds(person(source, "p1"), portal, TODAY)).as("pupils are not teachers").isFalse();
        assertThat(licences.ofPerson(t1)).allSatisfy(l -> assertThat(l.source()).isEqualTo("PROFILE"));

        // A second pool of the same product: the teachers keep the seat they have, none is taken twice.
        UUID secondPortal = pool(portal, source, "org-0", null);
        assertThat(states(secondPortal)).isEmpty();
        assertThat(states(portalPool)).containsEntry(t1, "ACTIVE").containsEntry(t2, "ACTIVE");
        assertThat(states(planningPool)).containsOnlyKeys(t1);
        assertThat(profiles.list()).anySatisfy(p -> assertThat(p.id()).isEqualTo(profile));
        assertThat(profiles.rules(profile)).singleElement().satisfies(r -> assertThat(r.holders()).isEqualTo(3));
    }

    @Test
    void personsAndGroupsPickedByHand() {
        String source = newSource("lic-direct");
        Town town = Town.small();
        importTown(source, town);
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 10);
        UUID p1 = person(source, "p1");
        UUID p8 = person(source, "p8");

        LicencePools.Allocation a = pools.assignDirect(poolId, List.of(p1, p8, UUID.randomUUID()), "buyer");
        assertThat(a.holding()).containsExactly(p1);
        assertThat(a.notEligible()).hasSize(2).contains(p8);
        assertThat(licences.ofPerson(p1)).singleElement().satisfies(l -> assertThat(l.source()).isEqualTo("DIRECT"));

        LicencePools.Allocation g = pools.assignGroup(poolId, group(source, "c-7b"), "buyer");
        assertThat(g.holding()).containsExactlyInAnyOrder(person(source, "p5"), person(source, "p6"), person(source, "t1"));

        // a group picked by hand is its members after every import too
        ImportSummary next = importTown(source, town.pupil("p9", "org-1", "07", "c-7b"));
        engine.processImport(next.runId());
        assertThat(licences.holds(person(source, "p9"), product, TODAY)).isTrue();

        pools.withdrawDirect(poolId, p1, "buyer");
        assertThat(licences.holds(p1, product, TODAY)).isFalse();
        assertThat(pools.rules(poolId)).extracting(LicencePools.Rule::direct).containsOnly(true);
        assertThat(pools.pool(poolId).orElseThrow().seatsUsed()).isEqualTo(4);
    }

    @Test
    void aPoolIsValidatedAndAnOrderLineMakesOnePool() {
        String source = newSource("lic-new");
        importTown(source, Town.small());
        UUID perUser = product(Product.LicenceModel.PER_USER, null);
        assertThatThrownBy(() -> pool(perUser, source, "org-1", null)).hasMessageContaining("seats");
        UUID line = UUID.randomUUID();
        NewPool order = new NewPool(perUser, org(source, "org-0"), org(source, "org-2"), 25, TODAY, TODAY.plusMonths(12), false, line, "buyer");
        UUID first = pools.create(order);
        assertThat(pools.create(order)).isEqualTo(first);
        assertThat(pools.ofOrderLine(line)).map(LicencePools.Pool::seats).contains(25);
        String other = newSource("lic-other");
        importTown(other, Town.small());
        assertThatThrownBy(() -> pools.create(new NewPool(perUser, org(source, "org-0"), org(other, "org-1"), 5, TODAY, TODAY, false, null, "buyer")))
                .hasMessageContaining("not under the organiser");
    }

    /** Whether a LicenceEnded for the person and product was published (persisted for its listeners by Spring Modulith). */
    boolean ended(UUID personId, UUID productId) {
        return jdbc.sql("""
                        select exists (select 1 from event_publication where event_type like '%LicenceEnded'
                                       and serialized_event like :person and serialized_event like :product)
                        """).param("person", "%" + personId + "%").param("product", "%" + productId + "%").query(Boolean.class).single();
    }

}
