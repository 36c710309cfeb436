package org.tilldela.licensing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.Rosters;

/**
 * Brings assignments in line with what the rules say, set-based: the directory's {@link Rosters} tells
 * which persons every rule picks (one query for thousands of rules), and a handful of statements over
 * temporary tables end what is no longer wanted, give seats to who is newly wanted, and record who is
 * left without. Evaluating the wanted state rather than replaying changes is what makes it idempotent:
 * running it twice over the same directory changes nothing the second time.
 *
 * <p>Seats: every pool concerned is locked ({@code FOR NO KEY UPDATE}, in id order, so two runs cannot
 * deadlock) before seats are counted, so free seats are counted with nobody else allocating from the pool
 * at the same time — a buyer assigning by hand, an import being followed, a full recompute. A buyer's change
 * to one pool holds it from start to end ({@link #reconcile}); a run over every pool works out what the rules
 * want first, holding nothing ({@link #plan}), then writes in batches of persons that each hold the pools only
 * for their own writes ({@link #apply}), so no buyer waits for a whole run.
 */
@Component
class Reconciler {

    /** What one run did. */
    record Outcome(int pools, int selectors, long matches, int granted, int revived, int toGrace, int ended, int shortfall) {
        static final Outcome NONE = new Outcome(0, 0, 0, 0, 0, 0, 0, 0);
    }

    private record Pool(UUID id, UUID productId, UUID scopeId, LocalDate endsOn) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate streaming;
    private final DataSource dataSource;
    private final Rosters rosters;
    private final ApplicationEventPublisher events;
    private final int graceDays;
    private Clock clock = Clock.systemDefaultZone();

    Reconciler(JdbcClient jdbc, DataSource dataSource, Rosters rosters, ApplicationEventPublisher events,
               @Value("${tilldela.licensing.grace-days:30}") int graceDays) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.rosters = rosters;
        this.events = events;
        this.graceDays = graceDays;
        this.streaming = new JdbcTemplate(dataSource);
        this.streaming.setFetchSize(20_000);
    }

    int graceDays() {
        return graceDays;
    }

    LocalDate today() {
        return LocalDate.now(clock);
    }

    /** Locks pools against concurrent allocation until the transaction ends, in id order. */
    void lock(Collection<UUID> poolIds) {
        if (!poolIds.isEmpty()) {
            jdbc.sql("select id from licence_pool where id = any(:ids) order by id for no key update")
                    .param("ids", poolIds.toArray(UUID[]::new)).query(UUID.class).list();
        }
    }

    /**
     * Reconciles the given pools (null: every pool not yet expired) for the given persons (null: everyone
     * the rules pick and everyone holding a seat), in one transaction that holds the pools from start to end:
     * what a buyer's change to one pool uses. Persons waiting in a pool's shortfall are always reconsidered,
     * so a seat given back goes to whoever has waited longest. A run over every pool uses {@link #plan} and
     * {@link #apply} instead, which hold the pools only while a batch writes.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Outcome reconcile(Collection<UUID> onlyPools, Collection<UUID> onlyPersons) {
        LocalDate today = today();
        // Lock first, so that what follows reads the pools' assignments with nobody else changing them.
        List<UUID> lockable = livePools(onlyPools, today);
        if (lockable.isEmpty()) {
            return Outcome.NONE;
        }
        lock(lockable);
        UUID[] poolIds = lockable.toArray(UUID[]::new);
        createWorkTables();
        Desired desired = desire(poolIds, onlyPersons);
        if (desired == null) {
            return Outcome.NONE;
        }
        Changes c = write(poolIds, onlyPersons != null, today);
        analyzeAfter(c);
        return new Outcome(lockable.size(), desired.selectors(), desired.matches(), c.granted(), c.revived(), c.toGrace(), c.ended(), c.shortfall());
    }

    /** What a plan holds: the rules as they were when it was made, and how many persons' seats it may change. */
    record Plan(UUID run, int pools, int selectors, long matches, long persons, String rules) {
    }

    /** What one write changed. */
    record Changes(int granted, int revived, int toGrace, int ended, int shortfall) {
        static final Changes NONE = new Changes(0, 0, 0, 0, 0);

        Changes plus(Changes o) {
            return new Changes(granted + o.granted, revived + o.revived, toGrace + o.toGrace, ended + o.ended, shortfall + o.shortfall);
        }
    }

    /**
     * Works out what the rules of every live pool want for these persons (null: everyone) <em>without holding
     * any pool</em> and keeps it for {@link #apply}: the rules are read as they stand, the seats are not
     * counted yet. Null when there is nobody to consider.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Plan plan(Collection<UUID> onlyPersons) {
        LocalDate today = today();
        // what a run left when it was stopped before forget (a crash empties these unlogged tables by itself): by run,
        // through the indexes, never reading another run's plan that is being written in batches now
        jdbc.sql("""
                with stale as (delete from licence_plan_run where created_at < now() - interval '1 day' returning id),
                     plan as (delete from licence_plan where run_id in (select id from stale))
                delete from licence_plan_person where run_id in (select id from stale)
                """).update();
        List<UUID> live = livePools(null, today);
        if (live.isEmpty()) {
            return null;
        }
        // The rules' fingerprint before they are read: a change committed in between makes the batches plan again,
        // never the other way round.
        String rules = rules(today);
        UUID[] poolIds = live.toArray(UUID[]::new);
        createWorkTables();
        Desired desired = desire(poolIds, onlyPersons);
        if (desired == null) {
            return null;
        }
        UUID run = UUID.randomUUID();
        jdbc.sql("insert into licence_plan_run (id) values (:run)").param("run", run).update();
        // Only persons whose seats differ from what the rules want, or who wait for a seat, are written: a rerun that finds
        // nothing to change writes nothing. Whoever changes a person meanwhile makes their own run (a buyer's change
        // evaluates its pool, an import is followed), and a changed rule makes this one plan again.
        String liveSeatsNotWanted = onlyPersons != null ? """
                select a.person_id, null, 4 from %s
                where a.pool_id = any(:ids)
                  and not exists (select 1 from lic_desired d where d.pool_id = a.pool_id and d.person_id = a.person_id)
                """.formatted(SEATS_OF_LIC_PERSONS) : """
                select a.person_id, null, 4 from licence_assignment a where a.pool_id = any(:ids) and a.state <> 'ENDED'
                  and not exists (select 1 from lic_desired d where d.pool_id = a.pool_id and d.person_id = a.person_id)
                """;
        long persons = jdbc.sql("""
                insert into licence_plan_person (run_id, ord, person_id)
                select :run, row_number() over (order by since nulls last, best, person_id), person_id from (
                    select person_id, min(since) since, min(best) best from (
                        select d.person_id, null::timestamptz since, case d.source when 'DIRECT' then 1 when 'RULE' then 2 else 3 end best
                        from lic_desired d
                        left join licence_assignment a on a.pool_id = d.pool_id and a.person_id = d.person_id and a.state <> 'ENDED'
                        where a.id is null or a.state = 'GRACE'
                      union all
                        select person_id, since, 0 from licence_shortfall where pool_id = any(:ids)
                      union all
                        %s
                    ) c group by person_id
                ) x
                """.formatted(liveSeatsNotWanted)).param("run", run).param("ids", poolIds).update();
        jdbc.sql("""
                insert into licence_plan (run_id, ord, pool_id, person_id, rule_id, source, product_id)
                select :run, pp.ord, d.pool_id, d.person_id, d.rule_id, d.source, d.product_id
                from lic_desired d join licence_plan_person pp on pp.run_id = :run and pp.person_id = d.person_id
                """).param("run", run).update();
        return new Plan(run, live.size(), desired.selectors(), desired.matches(), persons, rules);
    }

    /**
     * Applies the plan's persons {@code from}–{@code to} (in the plan's order): holds every live pool only for
     * this, counts free seats and writes, exactly as {@link #reconcile} does for them. Null, having changed
     * nothing, when a pool or a rule changed since the plan was made: the caller plans again.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Changes apply(Plan plan, long from, long to) {
        LocalDate today = today();
        List<UUID> live = livePools(null, today);
        lock(live);
        if (!rules(today).equals(plan.rules())) {
            return null;
        }
        createWorkTables();
        jdbc.sql("insert into lic_person select person_id from licence_plan_person where run_id = :run and ord between :from and :to")
                .param("run", plan.run()).param("from", from).param("to", to).update();
        jdbc.sql("analyze lic_person").update();
        jdbc.sql("""
                insert into lic_desired select pool_id, person_id, rule_id, source, product_id from licence_plan
                where run_id = :run and ord between :from and :to
                """).param("run", plan.run()).param("from", from).param("to", to).update();
        jdbc.sql("analyze lic_desired").update();
        return write(live.toArray(UUID[]::new), true, today);
    }

    /** Removes what a plan kept. */
    @Transactional(propagation = Propagation.MANDATORY)
    void forget(Plan plan) {
        jdbc.sql("delete from licence_plan where run_id = :run").param("run", plan.run()).update();
        jdbc.sql("delete from licence_plan_person where run_id = :run").param("run", plan.run()).update();
        jdbc.sql("delete from licence_plan_run where id = :run").param("run", plan.run()).update();
    }

    /**
     * A large change: fresh statistics now, or the holder queries that follow (a roster page joins the holders
     * of a product) are planned before autovacuum gets round to it — measured 315–560 ms a query without, 37–75
     * ms with; licence_pool never reaches autovacuum's threshold at all (BENCHMARKS.md, roster).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void analyzeAfter(Changes c) {
        if (c.granted() + c.ended() + c.toGrace() >= 1000) {
            jdbc.sql("select analyze_working_table(cast('licence_pool' as regclass)), analyze_working_table(cast('licence_assignment' as regclass))")
                    .query().singleRow();
        }
    }

    /** Whether any pool gives seats today. */
    boolean anyLivePool() {
        return !livePools(null, today()).isEmpty();
    }

    private List<UUID> livePools(Collection<UUID> onlyPools, LocalDate today) {
        return jdbc.sql("select id from licence_pool where ends_on >= :today" + (onlyPools != null ? " and id = any(:ids)" : ""))
                .param("today", today).param("ids", onlyPools == null ? new UUID[0] : onlyPools.toArray(UUID[]::new))
                .query(UUID.class).list();
    }

    /**
     * A fingerprint of everything that decides who a pool's rules want: the live pools (product, scope, last day),
     * every rule, and which products every profile gives — the number of rows and the sum of their 64-bit hashes,
     * which needs no sorting (a change that kept both by chance is as unlikely as a 64-bit hash collision). The
     * directory is not in it: its changes are followed by the import that made them.
     */
    private String rules(LocalDate today) {
        return jdbc.sql("""
                select count(*) || ':' || coalesce(sum(hashtextextended(x, 0)::numeric), 0) from (
                    select concat_ws(',', 'P', id, product_id, scope_id, ends_on) x from licence_pool where ends_on >= :today
                  union all
                    select 'R' || r::text from assignment_rule r
                  union all
                    select 'F' || f::text from licence_profile_product f
                ) rules
                """).param("today", today).query(String.class).single();
    }

    private record Desired(int selectors, long matches) {
    }

    /**
     * SQL (a from-item, {@code a} the seat): the live seats of the persons in lic_person, looked up person by person.
     * Written as a join, the planner reads every seat of every pool for a batch of a run over every pool (hundreds of
     * milliseconds at a million seats); {@code offset 0} keeps the lookup per person.
     */
    private static final String SEATS_OF_LIC_PERSONS = """
            lic_person p cross join lateral (select * from licence_assignment a where a.person_id = p.id and a.state <> 'ENDED' offset 0) a""";

    /**
     * Fills lic_desired for these pools: one row per (pool, person) the rules want, from the strongest reason.
     * Null when restricted to persons and there is nobody (not even anyone waiting for a seat).
     */
    private Desired desire(UUID[] poolIds, Collection<UUID> onlyPersons) {
        Map<UUID, Pool> pools = new HashMap<>();
        jdbc.sql("select id, product_id, scope_id, ends_on from licence_pool where id = any(:ids)").param("ids", poolIds)
                .query(rs -> {
                    Pool p = new Pool(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                            rs.getObject(4, LocalDate.class));
                    pools.put(p.id(), p);
                });
        Set<UUID> persons = null;
        if (onlyPersons != null) {
            persons = new LinkedHashSet<>(onlyPersons);
            persons.addAll(jdbc.sql("select person_id from licence_shortfall where pool_id = any(:ids)").param("ids", poolIds)
                    .query(UUID.class).list());
            if (persons.isEmpty()) {
                return null;
            }
            insertArray("insert into lic_person select distinct unnest(?::uuid[])", persons.toArray(UUID[]::new), "uuid");
            jdbc.sql("analyze lic_person").update();
        }
        // Every rule of these pools, and every profile rule once per pool of one of the profile's products,
        // each a selector kept within its pool's scope.
        List<Rosters.Selector> selectors = new ArrayList<>();
        List<UUID> selectorPool = new ArrayList<>();
        List<UUID> selectorRule = new ArrayList<>();
        List<String> selectorSource = new ArrayList<>();
        jdbc.sql("""
                        select id, pool_id, kind, organisation_id, group_id, person_id, grade, role, school_form, direct
                        from assignment_rule where pool_id = any(:ids) order by pool_id, created_at, id
                        """).param("ids", poolIds)
                .query(rs -> {
                    Pool pool = pools.get(rs.getObject("pool_id", UUID.class));
                    selectors.add(selector(rs, pool.scopeId()));
                    selectorPool.add(pool.id());
                    selectorRule.add(rs.getObject("id", UUID.class));
                    selectorSource.add(rs.getBoolean("direct") ? "DIRECT" : "RULE");
                });
        Map<UUID, List<Pool>> poolsOfProduct = new HashMap<>();
        pools.values().forEach(p -> poolsOfProduct.computeIfAbsent(p.productId(), k -> new ArrayList<>()).add(p));
        int poolRules = selectors.size();
        jdbc.sql("""
                        select r.id, r.kind, r.organisation_id, r.group_id, r.person_id, r.grade, r.role, r.school_form, pp.product_id
                        from assignment_rule r join licence_profile_product pp on pp.profile_id = r.profile_id
                        where pp.product_id = any(:products) order by r.created_at, r.id
                        """).param("products", poolsOfProduct.keySet().toArray(UUID[]::new))
                .query(rs -> {
                    for (Pool pool : poolsOfProduct.getOrDefault(rs.getObject("product_id", UUID.class), List.of())) {
                        selectors.add(selector(rs, pool.scopeId()));
                        selectorPool.add(pool.id());
                        selectorRule.add(rs.getObject("id", UUID.class));
                        selectorSource.add("PROFILE");
                    }
                });
        boolean profiles = selectors.size() > poolRules;

        Rosters.Matches matches = rosters.match(selectors, persons);
        copyMatches(matches);
        int n = selectors.size();
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        insertArrays("insert into lic_selector select * from unnest(?::int[], ?::uuid[], ?::uuid[], ?::text[])",
                new Object[][] {idx, selectorPool.toArray(UUID[]::new), selectorRule.toArray(UUID[]::new), selectorSource.toArray(String[]::new)},
                new String[] {"int4", "uuid", "uuid", "text"});
        jdbc.sql("analyze lic_match").update();
        jdbc.sql("analyze lic_selector").update();

        // What is wanted: one row per (pool, person), from the strongest reason (picked by hand first).
        jdbc.sql("""
                insert into lic_desired (pool_id, person_id, rule_id, source, product_id)
                select distinct on (s.pool_id, m.person_id) s.pool_id, m.person_id, s.rule_id, s.source, p.product_id
                from lic_match m join lic_selector s on s.idx = m.idx join licence_pool p on p.id = s.pool_id
                order by s.pool_id, m.person_id, case s.source when 'DIRECT' then 0 when 'RULE' then 1 else 2 end, s.rule_id
                """).update();
        if (profiles) {
            // A profile gives a product once: from the pool the person already has it from, else from the
            // oldest pool covering them, and not at all when a pool's own rules or another pool already give it.
            jdbc.sql("create index on lic_desired (person_id, product_id)").update();
            jdbc.sql("""
                    delete from lic_desired d where d.source = 'PROFILE'
                      and not exists (select 1 from licence_assignment a where a.pool_id = d.pool_id and a.person_id = d.person_id and a.state <> 'ENDED')
                      and (exists (select 1 from licence_assignment a join licence_pool p on p.id = a.pool_id
                                   where a.person_id = d.person_id and p.product_id = d.product_id and a.state <> 'ENDED' and a.pool_id <> d.pool_id)
                        or exists (select 1 from lic_desired o where o.person_id = d.person_id and o.product_id = d.product_id and o.source <> 'PROFILE')
                        or exists (select 1 from lic_desired o join licence_pool op on op.id = o.pool_id join licence_pool dp on dp.id = d.pool_id
                                   where o.person_id = d.person_id and o.product_id = d.product_id and o.source = 'PROFILE'
                                     and (op.created_at, op.id) < (dp.created_at, dp.id)))
                    """).update();
        }
        jdbc.sql("analyze lic_desired").update();
        return new Desired(n, matches.size());
    }

    /**
     * Brings the assignments of these pools in line with lic_desired — for the persons in lic_person only when
     * {@code restricted} — with the pools held: revives, ends, gives seats and records who is left without.
     */
    private Changes write(UUID[] poolIds, boolean restricted, LocalDate today) {
        String onlyThese = restricted ? " and a.person_id in (select id from lic_person)" : "";
        // A leaver who is wanted again (came back within the grace period) simply keeps the seat.
        int revived = jdbc.sql("""
                update licence_assignment a set state = 'ACTIVE', grace_until = null from lic_desired d
                where a.pool_id = d.pool_id and a.person_id = d.person_id and a.state = 'GRACE'
                """).update();

        // No longer wanted: a leaver keeps the seat for the grace period, anyone else (a mover) gives it back now.
        if (restricted) {
            // The seats these persons hold, read once: finding who gives a seat back and who is newly wanted both use them.
            jdbc.sql("insert into lic_held select a.id, a.pool_id, a.person_id, a.state from " + SEATS_OF_LIC_PERSONS + " where a.pool_id = any(:ids)")
                    .param("ids", poolIds).update();
            jdbc.sql("analyze lic_held").update();
        }
        jdbc.sql("""
                insert into lic_gone select a.id, a.pool_id, a.person_id, a.state from %s
                where a.pool_id = any(:ids) and a.state <> 'ENDED'
                  and not exists (select 1 from lic_desired d where d.pool_id = a.pool_id and d.person_id = a.person_id)
                """.formatted(restricted ? "lic_held a" : "licence_assignment a")).param("ids", poolIds).update();
        List<UUID> goneIds = jdbc.sql("select distinct person_id from lic_gone").query(UUID.class).list();
        Set<UUID> absent = rosters.absent(goneIds);
        if (!absent.isEmpty()) {
            insertArray("insert into lic_absent select unnest(?::uuid[])", absent.toArray(UUID[]::new), "uuid");
        }
        int toGrace = jdbc.sql("""
                update licence_assignment a set state = 'GRACE', grace_until = :until from lic_gone g
                where a.id = g.id and g.state = 'ACTIVE' and g.person_id in (select person_id from lic_absent)
                """).param("until", today.plusDays(graceDays)).update();
        int ended = jdbc.sql("""
                with done as (
                    update licence_assignment a set state = 'ENDED', ended_on = :today, grace_until = null from lic_gone g
                    where a.id = g.id and g.person_id not in (select person_id from lic_absent)
                    returning a.person_id, a.pool_id
                )
                insert into lic_ended select d.person_id, p.product_id, :today from done d join licence_pool p on p.id = d.pool_id
                """).param("today", today).update();

        // Newly wanted: seats to those who have waited longest, then to those picked by hand, then by rule.
        jdbc.sql("""
                insert into lic_want
                select d.pool_id, d.person_id, d.rule_id, d.source, coalesce(sf.since, now()),
                       row_number() over (partition by d.pool_id order by coalesce(sf.since, now()),
                                          case d.source when 'DIRECT' then 0 when 'RULE' then 1 else 2 end, d.person_id)
                from lic_desired d left join licence_shortfall sf on sf.pool_id = d.pool_id and sf.person_id = d.person_id
                where not exists (select 1 from %s a where a.pool_id = d.pool_id and a.person_id = d.person_id and a.state <> 'ENDED')
                """.formatted(restricted ? "lic_held" : "licence_assignment")).update();
        // Free seats of the pools someone is waiting for, from the seats held kept on the pool (migration licensing
        // V2026.12.11.40: counting them here, in every batch, was quadratic in a pool's size); an unlimited pool has no limit.
        jdbc.sql("""
                insert into lic_free
                select p.id, case when p.seats is not null then p.seats - p.held end
                from licence_pool p where p.id in (select distinct pool_id from lic_want)
                """).update();
        int granted = jdbc.sql("""
                with added as (
                    insert into licence_assignment (pool_id, person_id, rule_id, source, state)
                    select w.pool_id, w.person_id, w.rule_id, w.source, 'ACTIVE' from lic_want w join lic_free f on f.pool_id = w.pool_id
                    where f.free is null or w.rank <= f.free
                    order by w.pool_id, w.person_id
                    returning pool_id, person_id
                )
                insert into lic_granted select pool_id, person_id from added
                """).update();
        jdbc.sql("delete from licence_shortfall s where s.pool_id = any(:ids)" + onlyThese.replace("a.person_id", "s.person_id"))
                .param("ids", poolIds).update();
        int shortfall = jdbc.sql("""
                insert into licence_shortfall (pool_id, person_id, rule_id, source, since)
                select w.pool_id, w.person_id, w.rule_id, w.source, w.since from lic_want w join lic_free f on f.pool_id = w.pool_id
                where f.free is not null and w.rank > f.free
                """).update();

        publishEnded();
        streaming.query("""
                select g.person_id, p.product_id, g.pool_id, p.ends_on from lic_granted g join licence_pool p on p.id = g.pool_id
                """, rs -> {
            events.publishEvent(new LicenceGranted(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                    rs.getObject(4, LocalDate.class)));
        });
        return new Changes(granted, revived, toGrace, ended, shortfall);
    }

    /**
     * Ends what has run out by {@code today}: seats kept through a grace period that has passed (ended the
     * day after it), and every seat of a pool whose period is over (a trial ends by itself).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    int sweep(LocalDate today) {
        createWorkTables();
        // the pools whose seats end here, in id order as every writer takes them: ending a seat changes its pool's seats held
        lock(jdbc.sql("""
                        select distinct a.pool_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                        where a.state <> 'ENDED' and (a.state = 'GRACE' and a.grace_until < :today or p.ends_on < :today)""")
                .param("today", today).query(UUID.class).list());
        int n = jdbc.sql("""
                with done as (
                    update licence_assignment a set state = 'ENDED', ended_on = a.grace_until + 1, grace_until = null
                    where a.state = 'GRACE' and a.grace_until < :today
                    returning a.person_id, a.pool_id, a.ended_on
                )
                insert into lic_ended select d.person_id, p.product_id, d.ended_on from done d join licence_pool p on p.id = d.pool_id
                """).param("today", today).update();
        n += jdbc.sql("""
                with done as (
                    update licence_assignment a set state = 'ENDED', ended_on = p.ends_on + 1, grace_until = null
                    from licence_pool p where p.id = a.pool_id and a.state <> 'ENDED' and p.ends_on < :today
                    returning a.person_id, p.product_id, a.ended_on
                )
                insert into lic_ended select person_id, product_id, ended_on from done
                """).param("today", today).update();
        jdbc.sql("delete from licence_shortfall s using licence_pool p where p.id = s.pool_id and p.ends_on < :today").param("today", today).update();
        publishEnded();
        return n;
    }

    /** LicenceEnded for each (person, product) that no longer has a seat in any pool. */
    private void publishEnded() {
        streaming.query("""
                select e.person_id, e.product_id, max(e.ended_on) from lic_ended e
                where not exists (select 1 from licence_assignment a join licence_pool p on p.id = a.pool_id
                                  where a.person_id = e.person_id and p.product_id = e.product_id and a.state <> 'ENDED')
                group by e.person_id, e.product_id
                """, rs -> {
            events.publishEvent(new LicenceEnded(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, LocalDate.class)));
        });
    }

    private void createWorkTables() {
        jdbc.sql("""
                create temp table if not exists lic_person (id uuid primary key) on commit drop;
                create temp table if not exists lic_match (idx int, person_id uuid) on commit drop;
                create temp table if not exists lic_selector (idx int primary key, pool_id uuid, rule_id uuid, source text) on commit drop;
                create temp table if not exists lic_desired (pool_id uuid, person_id uuid, rule_id uuid, source text, product_id uuid) on commit drop;
                create temp table if not exists lic_gone (id bigint, pool_id uuid, person_id uuid, state text) on commit drop;
                create temp table if not exists lic_held (id bigint, pool_id uuid, person_id uuid, state text) on commit drop;
                create temp table if not exists lic_absent (person_id uuid primary key) on commit drop;
                create temp table if not exists lic_ended (person_id uuid, product_id uuid, ended_on date) on commit drop;
                create temp table if not exists lic_free (pool_id uuid primary key, free bigint) on commit drop;
                create temp table if not exists lic_want (pool_id uuid, person_id uuid, rule_id uuid, source text, since timestamptz, rank bigint) on commit drop;
                create temp table if not exists lic_granted (pool_id uuid, person_id uuid) on commit drop;
                truncate lic_person, lic_match, lic_selector, lic_desired, lic_gone, lic_held, lic_absent, lic_ended, lic_free, lic_want, lic_granted
                """).update();
        // an index from an earlier call in this transaction would slow the bulk insert: start without
        jdbc.sql("drop index if exists lic_desired_person_id_product_id_idx").update();
    }

    private static Rosters.Selector selector(java.sql.ResultSet rs, UUID within) throws SQLException {
        return new Rosters.Selector(Rosters.Kind.valueOf(rs.getString("kind")), rs.getObject("organisation_id", UUID.class),
                rs.getObject("group_id", UUID.class), rs.getObject("person_id", UUID.class), rs.getString("grade"), rs.getString("role"),
                rs.getString("school_form"), within);
    }

    /** The matches into lic_match with COPY: a full recompute brings millions of pairs. */
    private void copyMatches(Rosters.Matches matches) {
        if (matches.size() == 0) {
            return;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try (var out = new BufferedWriter(new OutputStreamWriter(
                new PGCopyOutputStream(connection.unwrap(PGConnection.class), "copy lic_match (idx, person_id) from stdin", 1 << 16),
                StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < matches.size(); i++) {
                out.write(Integer.toString(matches.selector(i)));
                out.write('\t');
                out.write(matches.person(i).toString());
                out.write('\n');
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not copy roster matches", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void insertArray(String sql, Object[] values, String type) {
        insertArrays(sql, new Object[][] {values}, new String[] {type});
    }

    private void insertArrays(String sql, Object[][] values, String[] types) {
        streaming.update(con -> {
            PreparedStatement ps = con.prepareStatement(sql);
            for (int i = 0; i < values.length; i++) {
                Array array = con.createArrayOf(types[i], values[i]);
                ps.setArray(i + 1, array);
            }
            return ps;
        });
    }
}
