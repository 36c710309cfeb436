package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.GroupResource;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.catalog.Attribute;

/**
 * A connector's Groups: a group goes to the supplier while it has a member who is one of the connector's
 * licence holders, with only those members, and is removed when the last one goes. Which groups a person is in
 * is what the release policy let go (GROUPS); so a person without GROUPS released is in no group there.
 */
@Component
class GroupMemberships {

    private final JdbcClient jdbc;
    private final SessionLocks locks;
    private final Outbox outbox;
    private final org.springframework.transaction.support.TransactionTemplate transaction;

    GroupMemberships(JdbcClient jdbc, SessionLocks locks, Outbox outbox, org.springframework.transaction.PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.locks = locks;
        this.outbox = outbox;
        this.transaction = new org.springframework.transaction.support.TransactionTemplate(transactions);
    }

    /** The released groups: id → name. */
    static Map<UUID, String> released(Map<Attribute, Object> values) {
        Map<UUID, String> groups = new LinkedHashMap<>();
        if (values != null && values.get(Attribute.GROUPS) instanceof Collection<?> list) {
            for (Object g : list) {
                if (g instanceof Map<?, ?> m && m.get("id") != null) {
                    groups.put(UUID.fromString(m.get("id").toString()), String.valueOf(m.get("name")));
                }
            }
        }
        return groups;
    }

    /**
     * The supplier removed the group: forgotten here and made anew at once; the members it had (but those being added
     * now) are queued again, so each is added to the new one (their rows went with the old group, their memberships
     * are wanted still). Answers the new group's id at the supplier.
     */
    private String madeAnew(ScimClient scim, UUID connector, UUID group, String name, Set<UUID> beingAdded) throws ScimException {
        // one transaction: a node stopped between forgetting the members and queueing them again would leave them out of the
        // new group until something else about them changed
        transaction.executeWithoutResult(s -> {
            List<UUID> others = jdbc.sql("delete from provisioned_membership where connector_id = :c and group_id = :g returning person_id")
                    .param("c", connector).param("g", group).query(UUID.class).list();
            jdbc.sql("delete from provisioned_group where connector_id = :c and group_id = :g").param("c", connector).param("g", group).update();
            outbox.enqueue(connector, others.stream().filter(p -> !beingAdded.contains(p)).toList(), "SYNC", "GROUP_LOST");
        });
        return ensureGroup(scim, connector, group, name);
    }

    /**
     * One person of a batch whose memberships are brought in line together: their account at the supplier and the groups wanted.
     *
     * @param unsure an earlier try of this person's memberships may have reached the supplier without its answer
     *               reaching us (a retry, or a Bulk request whose answer was lost): their groups are read before adding
     */
    record Wanted(UUID person, String userScimId, Map<UUID, String> groups, boolean unsure) {
    }

    /** How many groups' locks a batch takes at once (in the order of their keys, so two workers never wait on each other in a ring). */
    static final int GROUPS_AT_ONCE = 50;

    /**
     * Brings a batch of persons' memberships at the supplier to exactly what each wants. Each group's step runs under a
     * lock per connector and group, so one worker never deletes a group another has just found and is adding a member
     * to. Each group is looked up (or made) once, and all the batch's new
     * members of a group go to the supplier in one PATCH (RFC 7644 §3.5.2.1 takes several values in one {@code add}),
     * instead of one request per membership. A supplier that refuses such a PATCH (a 4xx: one member it will not
     * take) is asked again member by member, so only that member's person is charged. Answers the persons whose
     * memberships could not all be brought in line, each with why; the others' are done.
     */
    Map<UUID, Exception> syncAll(ScimClient scim, UUID connector, List<Wanted> batch) {
        Map<UUID, Exception> failed = new java.util.HashMap<>();
        if (batch.isEmpty()) {
            return failed;
        }
        Map<UUID, Set<UUID>> have = memberships(connector, batch.stream().map(Wanted::person).toList());
        java.util.SortedMap<UUID, List<Wanted>> adds = new java.util.TreeMap<>();
        java.util.SortedMap<UUID, List<Wanted>> removes = new java.util.TreeMap<>();
        Map<UUID, String> names = new java.util.HashMap<>();
        for (Wanted w : batch) {
            Set<UUID> had = have.getOrDefault(w.person(), Set.of());
            w.groups().forEach((group, name) -> {
                if (!had.contains(group)) {
                    adds.computeIfAbsent(group, g -> new java.util.ArrayList<>()).add(w);
                    names.putIfAbsent(group, name);
                }
            });
            for (UUID group : had) {
                if (!w.groups().containsKey(group)) {
                    removes.computeIfAbsent(group, g -> new java.util.ArrayList<>()).add(w);
                }
            }
        }
        java.util.SortedSet<UUID> touched = new java.util.TreeSet<>(adds.keySet());
        touched.addAll(removes.keySet());
        List<UUID> all = List.copyOf(touched);
        for (int from = 0; from < all.size(); from += GROUPS_AT_ONCE) {
            java.util.SortedSet<UUID> slice = new java.util.TreeSet<>(all.subList(from, Math.min(all.size(), from + GROUPS_AT_ONCE)));
            try {
                underLocks(connector, slice, () -> {
                    Map<UUID, String> ids = groupsFor(scim, connector, slice.stream().filter(adds::containsKey).toList(), names);
                    for (UUID group : slice) {
                        if (adds.containsKey(group)) {
                            addAll(scim, connector, group, ids.get(group), names.get(group), adds.get(group), failed);
                        }
                        for (Wanted w : removes.getOrDefault(group, List.of())) {
                            try {
                                remove(scim, connector, w.person(), w.userScimId(), group);
                            } catch (ScimException | RuntimeException e) {
                                failed.putIfAbsent(w.person(), e);
                            }
                        }
                    }
                });
            } catch (ScimException | RuntimeException e) {
                // the groups' locks could not be taken, or a group could not be found or made: every change in the slice waits
                for (UUID group : slice) {
                    adds.getOrDefault(group, List.of()).forEach(w -> failed.putIfAbsent(w.person(), e));
                    removes.getOrDefault(group, List.of()).forEach(w -> failed.putIfAbsent(w.person(), e));
                }
            }
        }
        return failed;
    }

    /** The supplier's ids of these groups (the caller holds their locks): known here, found by externalId in one filter, or made. */
    private Map<UUID, String> groupsFor(ScimClient scim, UUID connector, List<UUID> groups, Map<UUID, String> names) throws ScimException {
        Map<UUID, String> ids = scimIds(connector, groups);
        List<UUID> missing = groups.stream().filter(g -> !ids.containsKey(g)).toList();
        if (missing.isEmpty()) {
            return ids;
        }
        // made before, its answer lost: found by externalId, never made twice (null: the supplier pages its answer)
        Map<String, String> found = missing.size() == 1 ? null : scim.findGroupsByExternalIds(missing.stream().map(UUID::toString).toList());
        for (UUID group : missing) {
            String id;
            if (found != null) {
                id = found.get(group.toString());
                if (id == null) {
                    id = scim.createGroup(group.toString(), names.get(group)).getId();
                }
                known(connector, group, id);
            } else {
                id = ensureGroup(scim, connector, group, names.get(group));
            }
            ids.put(group, id);
        }
        return ids;
    }

    /** A group's new members of one batch, in one request; member by member when the supplier refuses it. */
    private void addAll(ScimClient scim, UUID connector, UUID group, String groupScimId, String name, List<Wanted> members,
                        Map<UUID, Exception> failed) throws ScimException {
        if (members.stream().anyMatch(Wanted::unsure)) {
            // an add may have been carried out with its answer lost: what the supplier has already is only recorded
            Set<String> there;
            try {
                there = scim.memberIds(groupScimId);
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
                there = Set.of(); // the group is gone: made anew below, with these members
            }
            Set<String> held = there;
            List<Wanted> present = members.stream().filter(w -> held.contains(w.userScimId())).toList();
            if (!present.isEmpty()) {
                applied(connector, present.stream().map(w -> new Change(group, w.person())).toList(), List.of());
                members = members.stream().filter(w -> !held.contains(w.userScimId())).toList();
                if (members.isEmpty()) {
                    return;
                }
            }
        }
        List<String> users = members.stream().map(Wanted::userScimId).toList();
        try {
            scim.addMembers(groupScimId, users);
        } catch (ScimException e) {
            if (status(e) == 404 && !scim.groupExists(groupScimId)) {
                groupScimId = madeAnew(scim, connector, group, name, members.stream().map(Wanted::person).collect(java.util.stream.Collectors.toSet()));
                scim.addMembers(groupScimId, users);
            } else if (members.size() > 1 && status(e) >= 400 && status(e) < 500 && status(e) != 408 && status(e) != 429 && status(e) != 401) {
                // the supplier refuses the PATCH as it is (PATCH is all or nothing, RFC 7644 §3.5.2): one member may be why
                for (Wanted w : members) {
                    try {
                        scim.addMember(groupScimId, w.userScimId());
                        applied(connector, List.of(new Change(group, w.person())), List.of());
                    } catch (ScimException | RuntimeException one) {
                        failed.putIfAbsent(w.person(), one);
                    }
                }
                return;
            } else {
                members.forEach(w -> failed.putIfAbsent(w.person(), e));
                return;
            }
        }
        applied(connector, members.stream().map(w -> new Change(group, w.person())).toList(), List.of());
    }

    private void remove(ScimClient scim, UUID connector, UUID person, String userScimId, UUID group) throws ScimException {
        String groupScimId = jdbc.sql("select scim_id from provisioned_group where connector_id = :c and group_id = :g").param("c", connector)
                .param("g", group).query(String.class).optional().orElse(null);
        if (groupScimId != null) {
            try {
                scim.removeMember(groupScimId, userScimId);
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
            }
        }
        jdbc.sql("delete from provisioned_membership where connector_id = :c and group_id = :g and person_id = :p").param("c", connector)
                .param("g", group).param("p", person).update();
        if (groupScimId != null) {
            removeIfEmpty(scim, connector, group, groupScimId);
        }
    }

    /** The groups each of these persons is in at the supplier, as recorded here (a Bulk request's starting point). */
    Map<UUID, Set<UUID>> memberships(UUID connector, Collection<UUID> persons) {
        Map<UUID, Set<UUID>> have = new java.util.HashMap<>();
        if (persons.isEmpty()) {
            return have;
        }
        jdbc.sql("select person_id, group_id from provisioned_membership where connector_id = :c and person_id = any(:p)")
                .param("c", connector).param("p", persons.toArray(UUID[]::new))
                .query(rs -> {
                    have.computeIfAbsent(rs.getObject(1, UUID.class), p -> new java.util.HashSet<>()).add(rs.getObject(2, UUID.class));
                });
        return have;
    }

    /** The supplier's ids of these groups of ours (those it has). */
    Map<UUID, String> scimIds(UUID connector, Collection<UUID> groups) {
        Map<UUID, String> ids = new java.util.HashMap<>();
        if (groups.isEmpty()) {
            return ids;
        }
        jdbc.sql("select group_id, scim_id from provisioned_group where connector_id = :c and group_id = any(:g)")
                .param("c", connector).param("g", groups.toArray(UUID[]::new))
                .query(rs -> {
                    ids.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        return ids;
    }

    /** A person added to or removed from a group at the supplier. */
    record Change(UUID group, UUID person) {
    }

    /** What a Bulk response confirmed: memberships added and removed at the supplier, recorded in one statement each. */
    void applied(UUID connector, List<Change> added, List<Change> removed) {
        if (!added.isEmpty()) {
            jdbc.sql("""
                            insert into provisioned_membership (connector_id, group_id, person_id)
                            select :c, g, p from unnest(cast(:g as uuid[]), cast(:p as uuid[])) as m(g, p) on conflict do nothing
                            """)
                    .param("c", connector).param("g", added.stream().map(Change::group).toArray(UUID[]::new))
                    .param("p", added.stream().map(Change::person).toArray(UUID[]::new)).update();
        }
        if (!removed.isEmpty()) {
            jdbc.sql("""
                            delete from provisioned_membership m using unnest(cast(:g as uuid[]), cast(:p as uuid[])) as gone(g, p)
                            where m.connector_id = :c and m.group_id = gone.g and m.person_id = gone.p
                            """)
                    .param("c", connector).param("g", removed.stream().map(Change::group).toArray(UUID[]::new))
                    .param("p", removed.stream().map(Change::person).toArray(UUID[]::new)).update();
        }
    }

    /** The supplier no longer has this group (a member could not be added: 404): forgotten, so the retry makes it anew. */
    void forgetGroup(UUID connector, UUID group) {
        jdbc.sql("delete from provisioned_group where connector_id = :c and group_id = :g").param("c", connector).param("g", group).update();
    }

    /**
     * The supplier's group for ours, made once (the caller holds the group's lock, so two workers adding the first two
     * members do not make it twice); a group made before whose answer was lost is found by its externalId. No
     * transaction is open while the supplier is asked: each statement commits on its own.
     */
    String ensureGroup(ScimClient scim, UUID connector, UUID group, String name) throws ScimException {
        List<String> known = jdbc.sql("select scim_id from provisioned_group where connector_id = :c and group_id = :g").param("c", connector)
                .param("g", group).query(String.class).list();
        if (!known.isEmpty()) {
            return known.getFirst();
        }
        GroupResource found = scim.findGroupByExternalId(group.toString());
        String id = found != null ? found.getId() : scim.createGroup(group.toString(), name).getId();
        known(connector, group, id);
        return id;
    }

    /** A group none of the connector's licence holders is in any more leaves the supplier. */
    void removeIfEmpty(ScimClient scim, UUID connector, UUID group, String groupScimId) throws ScimException {
        boolean empty = jdbc.sql("select not exists (select 1 from provisioned_membership where connector_id = :c and group_id = :g)")
                .param("c", connector).param("g", group).query(Boolean.class).single();
        if (!empty) {
            return;
        }
        try {
            scim.deleteGroup(groupScimId);
        } catch (ScimException e) {
            if (status(e) != 404) {
                throw e;
            }
        }
        jdbc.sql("delete from provisioned_group where connector_id = :c and group_id = :g and not exists "
                        + "(select 1 from provisioned_membership m where m.connector_id = :c and m.group_id = :g)")
                .param("c", connector).param("g", group).update();
    }

    /** What one group's step does at the supplier. */
    interface GroupStep {
        void run() throws ScimException;
    }

    /** The advisory lock's key for one group at one connector (hashed by PostgreSQL's hashtextextended). */
    static String lockKey(UUID connector, UUID group) {
        return "scim-group:" + connector + ":" + group;
    }

    /**
     * Runs the step holding a session-level advisory lock per connector and group on a connection of its own, in
     * autocommit ({@link SessionLocks}): other nodes' workers wait for the group, yet no transaction stays open while
     * the supplier answers. A node that dies releases the lock with its connection.
     */
    void underLock(UUID connector, UUID group, GroupStep step) throws ScimException {
        locks.run(lockKey(connector, group), step::run);
    }

    /** {@link #underLock} for several groups at once, the locks taken in the order of their keys. */
    void underLocks(UUID connector, java.util.SortedSet<UUID> groups, GroupStep step) throws ScimException {
        locks.run(groups.stream().map(g -> lockKey(connector, g)).toList(), step::run);
    }

    /** Our group is the supplier's group with this id (found or made under its lock). */
    void known(UUID connector, UUID group, String scimId) {
        jdbc.sql("insert into provisioned_group (connector_id, group_id, scim_id) values (:c, :g, :id) on conflict (connector_id, group_id) do update set scim_id = excluded.scim_id")
                .param("c", connector).param("g", group).param("id", scimId).update();
    }

    private static int status(ScimException e) {
        Integer status = e.getScimError() == null ? null : e.getScimError().getStatus();
        return status == null ? 0 : status;
    }
}
