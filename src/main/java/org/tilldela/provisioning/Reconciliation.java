package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.Member;
import com.unboundid.scim2.common.types.UserResource;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.Licences;

/**
 * Reconciliation (avstämning) per connector: the supplier's Users (and Groups) are listed page by page, compared
 * with what the supplier should have — the connector's licence holders who may be sent something, with their
 * groups — and the difference becomes a {@link ReconciliationPlan}. A dry run stops there (nothing is sent, nothing
 * queued, nothing recorded in the disclosure ledger: only which attributes <em>may</em> go is asked). Applied, the
 * plan is queued as ordinary operations in one transaction: SYNC for creates, updates and group fixes (what is sent
 * is released then, and recorded), DEACTIVATE for accounts that should not be active, DELETE for deletions due — so
 * the deletion brake holds a plan that would deactivate or delete more than the connector's share, and a person's
 * operations keep their order. What Tilldela knows about the supplier's copy is corrected first where it was wrong
 * (a group or membership removed there), so that the SYNC does what is needed. Accounts and groups Tilldela did not
 * make are listed and left alone.
 *
 * <p>Scheduled per connector: its own cron expression, or {@code tilldela.provisioning.reconcile-cron} (nightly);
 * paused connectors are skipped; one node takes each run.
 */
@Service
@EnableConfigurationProperties(ProvisioningSettings.class)
public class Reconciliation {

    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

    private final JdbcClient jdbc;
    private final Connectors connectors;
    private final Licences licences;
    private final ReleasePolicy policy;
    private final Outbox outbox;
    private final DeletionRequests deletions;
    private final DeletionBrake brake;
    private final AuditTrail audit;
    private final ConnectorHosts hosts;
    private final ProvisioningSettings settings;
    private final TransactionTemplate transaction;
    private final String defaultCron;

    Reconciliation(JdbcClient jdbc, Connectors connectors, Licences licences, ReleasePolicy policy, Outbox outbox, DeletionRequests deletions,
                   DeletionBrake brake, AuditTrail audit, ConnectorHosts hosts, ProvisioningSettings settings, PlatformTransactionManager transactions,
                   @Value("${tilldela.provisioning.reconcile-cron:0 40 3 * * *}") String defaultCron) {
        this.jdbc = jdbc;
        this.connectors = connectors;
        this.licences = licences;
        this.policy = policy;
        this.outbox = outbox;
        this.deletions = deletions;
        this.brake = brake;
        this.audit = audit;
        this.hosts = hosts;
        this.settings = settings;
        this.transaction = new TransactionTemplate(transactions);
        this.defaultCron = defaultCron;
        CronExpression.parse(defaultCron); // a wrong setting stops the start, not the first night
    }

    /**
     * Plans (and, unless a dry run, applies) a reconciliation of the connector; audited either way ({@code actor}
     * "system" for a scheduled run).
     *
     * @throws Connectors.NoSuchConnector no such connector
     * @throws Unreachable                the supplier could not be listed (nothing is queued)
     */
    public ReconciliationPlan reconcile(UUID connector, boolean dryRun, String actor) {
        Connectors.Endpoint endpoint;
        try {
            endpoint = connectors.endpoint(connector).orElseThrow(() -> new Connectors.NoSuchConnector(connector));
        } catch (Connectors.NoSuchConnector e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Unreachable("The connector's stored secret could not be decrypted (" + e.getClass().getSimpleName()
                    + "): give the connector's secret again.");
        }
        if (endpoint.bol()) {
            // BOL lists no users to compare with; its assignments are brought in line person by person
            throw new IllegalArgumentException("A BOL connector is not reconciled: BOL has no list of the publisher's users to compare with.");
        }
        Supplier listed;
        try (ScimClient scim = new ScimClient(endpoint, settings.httpTimeout(), hosts)) {
            listed = new Supplier(scim.allUsers(), endpoint.pushesGroups() ? scim.allGroups() : List.of());
        } catch (ScimException | RuntimeException e) {
            String why = ProvisioningWorker.Failure.of(e, null).masked(null).reason();
            audit.record(actor, "PROVISIONING_RECONCILIATION_FAILED", "provisioning_connector", connector.toString(), Map.of("dryRun", dryRun,
                    "reason", why.length() > 200 ? why.substring(0, 200) : why));
            jdbc.sql("update provisioning_connector set reconciled_at = now() where id = :c").param("c", connector).update();
            throw new Unreachable("The supplier's accounts could not be listed: " + why);
        }
        ReconciliationPlan plan = transaction.execute(status -> {
            ReconciliationPlan p = plan(connector, endpoint.pushesGroups(), listed, !dryRun);
            if (!dryRun) {
                apply(connector, p);
            }
            jdbc.sql("update provisioning_connector set reconciled_at = now() where id = :c").param("c", connector).update();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("dryRun", dryRun);
            detail.put("supplierUsers", p.supplierUsers());
            detail.put("creates", p.creates().size());
            detail.put("updates", p.updates().size());
            detail.put("deactivations", p.deactivations().size());
            detail.put("deletions", p.deletions());
            detail.put("groupFixes", p.groupFixes().size());
            detail.put("unknownAccounts", p.unknownAccounts().size());
            audit.record(actor, dryRun ? "PROVISIONING_RECONCILIATION_PLANNED" : "PROVISIONING_RECONCILED", "provisioning_connector",
                    connector.toString(), detail);
            return p;
        });
        return plan;
    }

    /** What the supplier has, as listed. */
    private record Supplier(List<UserResource> users, List<GroupResource> groups) {
    }

    private record Account(UUID person, String scimId, String externalId, boolean active, String digest) {
    }

    private ReconciliationPlan plan(UUID connector, boolean pushesGroups, Supplier supplier, boolean forApplying) {
        List<Account> accounts = jdbc.sql("""
                        select person_id, scim_id, external_id, active, sent_digest from provisioned_account where connector_id = :c
                        """ + (forApplying ? " for update" : ""))
                .param("c", connector)
                .query((rs, n) -> new Account(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5))).list();
        Set<UUID> queued = Set.copyOf(jdbc.sql("""
                        select distinct person_id from provisioning_operation where connector_id = :c and state in ('PENDING', 'IN_FLIGHT')
                        """).param("c", connector).query(UUID.class).list());
        Set<UUID> holders = new LinkedHashSet<>();
        List<UUID> products = jdbc.sql("select product_id from provisioning_connector_product where connector_id = :c order by product_id")
                .param("c", connector).query(UUID.class).list();
        LocalDate today = LocalDate.now();
        for (UUID product : products) {
            holders.addAll(licences.holders(product, today));
        }
        Set<UUID> should = shouldHaveAccounts(holders, products);

        Map<String, UserResource> byExternalId = new HashMap<>();
        List<ReconciliationPlan.Foreign> unknownAccounts = new ArrayList<>();
        Map<String, Account> accountByExternalId = new HashMap<>();
        Map<String, Account> accountByScimId = new HashMap<>();
        for (Account a : accounts) {
            accountByExternalId.put(a.externalId(), a);
            accountByScimId.put(a.scimId(), a);
        }
        for (UserResource u : supplier.users()) {
            String ext = u.getExternalId();
            if (ext == null || !accountByExternalId.containsKey(ext)) {
                unknownAccounts.add(new ReconciliationPlan.Foreign(u.getId(), ext, u.getUserName(), "not made by Tilldela"));
            } else if (byExternalId.putIfAbsent(ext, u) != null) {
                unknownAccounts.add(new ReconciliationPlan.Foreign(u.getId(), ext, u.getUserName(), "a second account with the externalId of one of ours"));
            }
        }

        List<ReconciliationPlan.Change> creates = new ArrayList<>();
        List<ReconciliationPlan.Change> updates = new ArrayList<>();
        List<ReconciliationPlan.Change> deactivations = new ArrayList<>();
        Set<UUID> withAccount = new HashSet<>();
        int inQueue = 0;
        for (Account a : accounts) {
            withAccount.add(a.person());
            if (queued.contains(a.person())) {
                inQueue++;
                continue;
            }
            UserResource there = byExternalId.get(a.externalId());
            boolean activeThere = there != null && !Boolean.FALSE.equals(there.getActive());
            if (should.contains(a.person())) {
                if (there == null) {
                    creates.add(new ReconciliationPlan.Change(a.person(), null, "no account at the supplier (removed there)"));
                } else if (!activeThere) {
                    updates.add(new ReconciliationPlan.Change(a.person(), there.getId(), "deactivated at the supplier"));
                } else if (!there.getId().equals(a.scimId())) {
                    updates.add(new ReconciliationPlan.Change(a.person(), there.getId(), "made again at the supplier under another id"));
                } else if (a.digest() == null || !a.digest().equals(ScimUsers.digest(there))) {
                    updates.add(new ReconciliationPlan.Change(a.person(), there.getId(), "attributes changed at the supplier"));
                } else if (!a.active()) {
                    // active there and rightly so, but recorded here as inactive: a later deactivation would think it done
                    updates.add(new ReconciliationPlan.Change(a.person(), there.getId(), "recorded here as inactive"));
                }
            } else if (activeThere) {
                deactivations.add(new ReconciliationPlan.Change(a.person(), there.getId(), "active at the supplier, but nothing may be sent any more"));
            }
        }
        for (UUID person : should) {
            if (!withAccount.contains(person)) {
                if (queued.contains(person)) {
                    inQueue++;
                } else {
                    creates.add(new ReconciliationPlan.Change(person, null, "a licence holder without an account at the supplier"));
                }
            }
        }

        List<ReconciliationPlan.GroupFix> groupFixes = new ArrayList<>();
        List<ReconciliationPlan.Foreign> unknownGroups = new ArrayList<>();
        if (pushesGroups) {
            groups(connector, supplier, accountByScimId, groupFixes, unknownGroups);
        }
        return new ReconciliationPlan(connector, Instant.now(), forApplying, supplier.users().size(), creates, updates, deactivations,
                deletions.notYetRequested(today, connector), groupFixes, unknownAccounts, unknownGroups, inQueue);
    }

    /** Licence holders to whom something may go (names of attributes only: nothing is released, nothing recorded). */
    private Set<UUID> shouldHaveAccounts(Collection<UUID> holders, List<UUID> products) {
        Set<UUID> should = new HashSet<>();
        if (holders.isEmpty()) {
            return should;
        }
        for (UUID product : products) {
            policy.permittedAll(holders, product).forEach((person, attributes) -> {
                if (!attributes.isEmpty()) {
                    should.add(person);
                }
            });
        }
        return should;
    }

    private void groups(UUID connector, Supplier supplier, Map<String, Account> accountByScimId, List<ReconciliationPlan.GroupFix> fixes,
                        List<ReconciliationPlan.Foreign> unknown) {
        Map<UUID, String> ours = new HashMap<>();
        jdbc.sql("select group_id, scim_id from provisioned_group where connector_id = :c").param("c", connector)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2))).list().forEach(e -> ours.put(e.getKey(), e.getValue()));
        Map<UUID, Set<UUID>> members = new HashMap<>();
        jdbc.sql("select group_id, person_id from provisioned_membership where connector_id = :c").param("c", connector)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list()
                .forEach(e -> members.computeIfAbsent(e.getKey(), g -> new HashSet<>()).add(e.getValue()));
        Map<String, GroupResource> byId = new HashMap<>();
        Set<String> ourIds = new HashSet<>(ours.values());
        for (GroupResource g : supplier.groups()) {
            byId.put(g.getId(), g);
            if (!ourIds.contains(g.getId())) {
                unknown.add(new ReconciliationPlan.Foreign(g.getId(), g.getExternalId(), g.getDisplayName(), "not made by Tilldela"));
            }
        }
        Map<UUID, String> scimIdOfPerson = new HashMap<>();
        accountByScimId.values().forEach(a -> scimIdOfPerson.put(a.person(), a.scimId()));
        for (Map.Entry<UUID, String> group : ours.entrySet()) {
            GroupResource there = byId.get(group.getValue());
            Set<UUID> recorded = members.getOrDefault(group.getKey(), Set.of());
            if (there == null) {
                fixes.add(new ReconciliationPlan.GroupFix(group.getKey(), group.getValue(), "GROUP_MISSING", null, null));
                continue;
            }
            Set<String> thereMembers = new HashSet<>();
            if (there.getMembers() != null) {
                there.getMembers().stream().map(Member::getValue).forEach(thereMembers::add);
            }
            for (UUID person : recorded) {
                String scimId = scimIdOfPerson.get(person);
                if (scimId != null && !thereMembers.contains(scimId)) {
                    fixes.add(new ReconciliationPlan.GroupFix(group.getKey(), group.getValue(), "MEMBER_MISSING", person, scimId));
                }
            }
            for (String value : thereMembers) {
                Account a = accountByScimId.get(value);
                if (a == null) {
                    fixes.add(new ReconciliationPlan.GroupFix(group.getKey(), group.getValue(), "MEMBER_UNKNOWN", null, value));
                } else if (!recorded.contains(a.person())) {
                    fixes.add(new ReconciliationPlan.GroupFix(group.getKey(), group.getValue(), "MEMBER_EXTRA", a.person(), value));
                }
            }
        }
    }

    /** Queues the plan (in the caller's transaction). */
    private void apply(UUID connector, ReconciliationPlan plan) {
        Set<UUID> sync = new LinkedHashSet<>();
        for (ReconciliationPlan.Change c : plan.creates()) {
            // a user made anew is in no group at the supplier: its memberships here are forgotten, so the SYNC adds them
            jdbc.sql("delete from provisioned_membership where connector_id = :c and person_id = :p").param("c", connector).param("p", c.personId())
                    .update();
            sync.add(c.personId());
        }
        plan.updates().forEach(c -> sync.add(c.personId()));
        for (ReconciliationPlan.GroupFix f : plan.groupFixes()) {
            switch (f.fix()) {
                case "GROUP_MISSING" -> sync.addAll(jdbc.sql("""
                                with gone as (delete from provisioned_group where connector_id = :c and group_id = :g)
                                select person_id from provisioned_membership where connector_id = :c and group_id = :g
                                """).param("c", connector).param("g", f.groupId()).query(UUID.class).list());
                case "MEMBER_MISSING" -> {
                    jdbc.sql("delete from provisioned_membership where connector_id = :c and group_id = :g and person_id = :p").param("c", connector)
                            .param("g", f.groupId()).param("p", f.personId()).update();
                    sync.add(f.personId());
                }
                case "MEMBER_EXTRA" -> {
                    // a member there: recorded as one, so the SYNC takes them out unless the group is theirs by the release
                    jdbc.sql("insert into provisioned_membership (connector_id, group_id, person_id) values (:c, :g, :p) on conflict do nothing")
                            .param("c", connector).param("g", f.groupId()).param("p", f.personId()).update();
                    sync.add(f.personId());
                }
                default -> {
                    // an account Tilldela did not make: listed only
                }
            }
        }
        // a deactivation stands only if it is still right now (a licence may have been granted since the plan was made)
        List<UUID> deactivate = plan.deactivations().stream().map(ReconciliationPlan.Change::personId).toList();
        if (!deactivate.isEmpty()) {
            List<UUID> products = jdbc.sql("select product_id from provisioning_connector_product where connector_id = :c").param("c", connector)
                    .query(UUID.class).list();
            Set<UUID> holdingNow = new HashSet<>();
            for (UUID product : products) {
                holdingNow.addAll(licences.holding(deactivate, product, LocalDate.now()));
            }
            Set<UUID> stillRight = new LinkedHashSet<>(deactivate);
            stillRight.removeAll(shouldHaveAccounts(holdingNow, products));
            // the supplier has it active, whatever was recorded here: so the DEACTIVATE is sent
            jdbc.sql("update provisioned_account set active = true, updated_at = now() where connector_id = :c and person_id = any(:p)")
                    .param("c", connector).param("p", stillRight.toArray(UUID[]::new)).update();
            outbox.enqueue(connector, stillRight, "DEACTIVATE", "RECONCILIATION");
            sync.removeAll(stillRight);
        }
        outbox.enqueue(connector, sync, "SYNC", "RECONCILIATION");
        if (plan.deletions() > 0) {
            deletions.request(LocalDate.now(), connector);
        }
        if (!deactivate.isEmpty()) {
            brake.check();
        }
    }

    /** Every minute: connectors whose reconciliation is due by their schedule, one node per run; paused ones are skipped. */
    @Scheduled(fixedDelayString = "${tilldela.provisioning.reconcile-poll:60s}", initialDelayString = "${tilldela.provisioning.reconcile-poll:60s}")
    void scheduled() {
        if (!settings.workerEnabled()) {
            return;
        }
        record Due(UUID id, String cron, Instant since) {
        }
        List<Due> candidates = jdbc.sql("""
                        select id, reconcile_cron, coalesce(reconciled_at, created_at) from provisioning_connector where enabled and profile <> 'BOL'
                        """).query((rs, n) -> new Due(rs.getObject(1, UUID.class), rs.getString(2), rs.getTimestamp(3).toInstant())).list();
        for (Due d : candidates) {
            ZonedDateTime next = CronExpression.parse(d.cron() == null ? defaultCron : d.cron()).next(d.since().atZone(ZoneId.systemDefault()));
            if (next == null || next.toInstant().isAfter(Instant.now()) || !claim(d.id(), d.since())) {
                continue;
            }
            try {
                ReconciliationPlan plan = reconcile(d.id(), false, "system");
                if (plan.changes() > 0) {
                    log.info("Provisioning: reconciliation of connector {} queued {} changes", d.id(), plan.changes());
                }
            } catch (RuntimeException e) {
                log.warn("Provisioning: reconciliation of connector {} failed: {}", d.id(), e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Takes the run for this node: no other node's run of it started since the last one ended (or within the hour), and
     * none ended since {@code since} was read (a run another node finished meanwhile makes this one not due: it would list
     * the supplier a second time in a row).
     */
    private boolean claim(UUID connector, Instant since) {
        return jdbc.sql("""
                        update provisioning_connector set reconcile_started_at = now()
                        where id = :c and coalesce(reconciled_at, created_at) = :since
                          and (reconcile_started_at is null or reconcile_started_at <= coalesce(reconciled_at, '-infinity')
                               or reconcile_started_at < now() - interval '1 hour')
                        """).param("c", connector).param("since", java.sql.Timestamp.from(since)).update() == 1;
    }

    /** The supplier could not be listed. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }
}
