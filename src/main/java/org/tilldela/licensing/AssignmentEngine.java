package org.tilldela.licensing;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.directory.DirectoryEvent;
import org.tilldela.directory.DirectoryJournal;
import org.tilldela.directory.Rosters;

/**
 * Keeps licence assignments following the directory: after every import the persons it touched are
 * re-evaluated against every rule (joiners get, movers switch, leavers keep their seat for the grace
 * period); a full recompute evaluates everyone; a daily sweep ends what has run out. Every run evaluates
 * the wanted state rather than replaying changes, so running anything twice changes nothing.
 */
@Service
public class AssignmentEngine {

    /** What a run did: pools and selectors evaluated, (selector, person) matches, and the changes made. */
    public record EngineRun(String kind, int pools, int selectors, long matches, int granted, int revived, int toGrace, int ended, int shortfall,
                            long millis) {
    }

    private static final Logger log = LoggerFactory.getLogger(AssignmentEngine.class);

    /** Plans made again when rules keep changing under a run, before it holds the pools from start to end instead. */
    private static final int PLANS = 3;

    private final Reconciler reconciler;
    private final DirectoryJournal journal;
    private final Rosters rosters;
    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private final int batchPersons;
    private final long batchNanos;

    AssignmentEngine(Reconciler reconciler, DirectoryJournal journal, Rosters rosters, JdbcClient jdbc, PlatformTransactionManager transactions,
                     @Value("${tilldela.licensing.batch-persons:50000}") int batchPersons,
                     @Value("${tilldela.licensing.batch-time:300ms}") Duration batchTime) {
        this.reconciler = reconciler;
        this.journal = journal;
        this.rosters = rosters;
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        if (batchPersons < 1) {
            throw new IllegalArgumentException("tilldela.licensing.batch-persons must be at least 1, not " + batchPersons);
        }
        this.batchPersons = batchPersons;
        this.batchNanos = batchTime.toNanos();
    }

    /**
     * Evaluates every rule of every pool over the whole directory; the journal is then followed from its head.
     * Holds the pools only batch by batch (see {@link #inBatches}).
     */
    public EngineRun recomputeAll() {
        long started = System.nanoTime();
        long head = rosters.journalHead();
        Reconciler.Outcome o = inBatches(null);
        ownTransaction.executeWithoutResult(s -> jdbc.sql("""
                        update licence_engine_state set last_sequence = greatest(last_sequence, :head), last_full_run_at = now(), updated_at = now()
                        where id = 1
                        """).param("head", head).update());
        return run("full", o, started);
    }

    /** Evaluates one pool over the whole directory (after its rules changed). */
    @Transactional
    public EngineRun recomputePool(UUID poolId) {
        long started = System.nanoTime();
        return run("pool", reconciler.reconcile(List.of(poolId), null), started);
    }

    /**
     * Follows one import: the persons it added, moved or removed — and the members of changed groups that
     * rules name — are evaluated against every pool. Safe to repeat.
     */
    public EngineRun processImport(UUID importRunId) {
        long started = System.nanoTime();
        if (!ownTransaction.execute(s -> reconciler.anyLivePool())) {
            // no pool gives seats (a new installation's first import): nothing to evaluate — what planning would find after
            // reading every change of the import — so only the watermark moves
            long last = journal.lastSequenceOf(importRunId);
            ownTransaction.executeWithoutResult(s -> advanceWatermark(last, importRunId));
            return run("import", Reconciler.Outcome.NONE, started);
        }
        List<DirectoryEvent> changes = journal.ofImport(importRunId);
        long last = changes.stream().mapToLong(DirectoryEvent::sequence).max().orElse(0);
        Set<UUID> affected = ownTransaction.execute(s -> affected(changes));
        EngineRun run = run("import", inBatches(affected), started);
        ownTransaction.executeWithoutResult(s -> advanceWatermark(last, importRunId));
        return run;
    }

    private void advanceWatermark(long last, UUID importRunId) {
        jdbc.sql("""
                update licence_engine_state set last_sequence = greatest(last_sequence, :last), last_import_run_id = :run, updated_at = now()
                where id = 1
                """).param("last", last).param("run", importRunId).update();
    }

    /**
     * Follows everything the journal recorded after the engine's watermark (the last sequence it
     * processed): what a node that missed events, or the command line, uses.
     */
    public EngineRun catchUp() {
        long started = System.nanoTime();
        long from = watermark();
        List<DirectoryEvent> changes = new ArrayList<>();
        long last = from;
        while (true) {
            List<DirectoryEvent> page = journal.after(last, 100_000);
            if (page.isEmpty()) {
                break;
            }
            changes.addAll(page);
            last = page.getLast().sequence();
        }
        if (changes.isEmpty()) {
            return run("catch-up", Reconciler.Outcome.NONE, started);
        }
        Set<UUID> affected = ownTransaction.execute(s -> affected(changes));
        EngineRun run = run("catch-up", inBatches(affected), started);
        long through = last;
        ownTransaction.executeWithoutResult(s -> jdbc.sql("update licence_engine_state set last_sequence = greatest(last_sequence, :last), updated_at = now() where id = 1")
                .param("last", through).update());
        return run;
    }

    /**
     * Reconciles every live pool for these persons (null: everyone) without making buyers wait for the whole
     * run: what the rules want is worked out first, holding no pool; then the persons are written in batches of
     * about {@code tilldela.licensing.batch-time} each, each in a transaction of its own that holds the pools only for
     * its writes (a buyer assigning by hand waits for one batch at most; BENCHMARKS.md). Those who have waited
     * for a seat longest come first, then those picked by hand, then by rule, then by a profile. A rule or pool
     * changed while the run goes makes it plan again (its batches so far are kept: running it again changes
     * nothing for them); after {@value #PLANS} plans it holds the pools from start to end as a buyer's change does.
     */
    private Reconciler.Outcome inBatches(Collection<UUID> onlyPersons) {
        Reconciler.Changes done = Reconciler.Changes.NONE;
        for (int attempt = 1; attempt <= PLANS; attempt++) {
            long planning = System.nanoTime();
            Reconciler.Plan plan = ownTransaction.execute(s -> reconciler.plan(onlyPersons));
            if (plan == null) {
                return Reconciler.Outcome.NONE;
            }
            planning = System.nanoTime() - planning;
            try {
                long writing = System.nanoTime();
                Applied applied = applyInBatches(plan);
                writing = System.nanoTime() - writing;
                done = done.plus(applied.changes());
                if (applied.complete()) {
                    Reconciler.Changes total = done;
                    ownTransaction.executeWithoutResult(s -> reconciler.analyzeAfter(total));
                    if (plan.persons() >= 10_000) {
                        log.info("licensing: {} persons reconciled: planned in {} ms, written in {} batches in {} ms (the longest {} ms); {} seats given, "
                                        + "{} ended, {} into grace", plan.persons(), planning / 1_000_000, applied.batches(), writing / 1_000_000,
                                applied.longestNanos() / 1_000_000, total.granted(), total.ended(), total.toGrace());
                    }
                    return new Reconciler.Outcome(plan.pools(), plan.selectors(), plan.matches(), total.granted(), total.revived(),
                            total.toGrace(), total.ended(), total.shortfall());
                }
                log.info("licensing: pools or rules changed while {} persons were being reconciled; planning again", plan.persons());
            } finally {
                ownTransaction.executeWithoutResult(s -> reconciler.forget(plan));
            }
        }
        Reconciler.Outcome o = ownTransaction.execute(s -> reconciler.reconcile(null, onlyPersons));
        return new Reconciler.Outcome(o.pools(), o.selectors(), o.matches(), o.granted() + done.granted(), o.revived() + done.revived(),
                o.toGrace() + done.toGrace(), o.ended() + done.ended(), o.shortfall());
    }

    /** The last journal sequence number the engine has processed. */
    public long watermark() {
        return jdbc.sql("select last_sequence from licence_engine_state where id = 1").query(Long.class).single();
    }

    /**
     * Ends what has run out by {@code today}: grace periods that have passed and pools (trials too) whose
     * last day is behind. Publishes {@link LicenceEnded} for each person who no longer holds the product.
     */
    @Transactional
    public int sweep(LocalDate today) {
        return reconciler.sweep(today);
    }

    private Set<UUID> affected(List<DirectoryEvent> changes) {
        Set<UUID> persons = new LinkedHashSet<>();
        List<UUID> groups = new ArrayList<>();
        for (DirectoryEvent e : changes) {
            switch (e) {
                case DirectoryEvent.PersonJoined j -> persons.add(j.personId());
                case DirectoryEvent.PersonMoved m -> persons.add(m.personId());
                case DirectoryEvent.PersonLeft l -> persons.add(l.personId());
                // no rule selects by name, e-mail or guardian: a change of them moves no licence
                case DirectoryEvent.PersonChanged c -> { }
                case DirectoryEvent.GroupChanged g -> groups.add(g.groupId());
            }
        }
        if (!groups.isEmpty()) {
            // Membership changes already touch their persons; a group itself changing (moved to another
            // unit, say) matters only where a rule names it: re-evaluate its members and its holders.
            UUID[] named = jdbc.sql("select distinct group_id from assignment_rule where kind = 'GROUP' and group_id = any(:g)")
                    .param("g", groups.toArray(UUID[]::new)).query(UUID.class).list().toArray(UUID[]::new);
            for (UUID group : named) {
                persons.addAll(rosters.persons(new Rosters.Selector(Rosters.Kind.GROUP, null, group, null, null, null, null, null)));
            }
            if (named.length > 0) {
                persons.addAll(jdbc.sql("""
                                select a.person_id from licence_assignment a join assignment_rule r on r.id = a.rule_id
                                where r.group_id = any(:g) and a.state <> 'ENDED'
                                """).param("g", named).query(UUID.class).list());
            }
        }
        // Past a point, naming the persons costs more than evaluating everyone (a first import, say).
        return persons.size() > EVERYONE_FROM ? null : persons;
    }

    private static final int EVERYONE_FROM = 200_000;

    private record Applied(Reconciler.Changes changes, boolean complete, int batches, long longestNanos) {
    }

    /**
     * The batches are sized by time: each is made as large as the last one's pace says fits in
     * {@code tilldela.licensing.batch-time} (at most twice the last, at most {@code batch-persons}), so a run that
     * changes little goes in few large batches and one that gives a seat to everyone in many small ones.
     */
    private Applied applyInBatches(Reconciler.Plan plan) {
        Reconciler.Changes changes = Reconciler.Changes.NONE;
        long lastReport = System.nanoTime();
        long size = Math.min(FIRST_BATCH, batchPersons);
        int batches = 0;
        long longest = 0;
        for (long from = 1; from <= plan.persons(); ) {
            long first = from;
            long last = Math.min(from + size - 1, plan.persons());
            long started = System.nanoTime();
            Reconciler.Changes batch = ownTransaction.execute(s -> reconciler.apply(plan, first, last));
            if (batch == null) {
                return new Applied(changes, false, batches, longest);
            }
            long took = Math.max(System.nanoTime() - started, 1);
            batches++;
            longest = Math.max(longest, took);
            changes = changes.plus(batch);
            from = last + 1;
            size = Math.max(1, Math.min(batchPersons, Math.min(2 * size, (long) ((last - first + 1) * (double) batchNanos / took))));
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                log.info("licensing: {} of {} persons reconciled ({} seats given, {} ended so far)", last, plan.persons(), changes.granted(),
                        changes.ended());
            }
        }
        return new Applied(changes, true, batches, longest);
    }

    private static final int FIRST_BATCH = 1000;

    private static EngineRun run(String kind, Reconciler.Outcome o, long started) {
        return new EngineRun(kind, o.pools(), o.selectors(), o.matches(), o.granted(), o.revived(), o.toGrace(), o.ended(), o.shortfall(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
