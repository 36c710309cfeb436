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

    GroupMemberships(JdbcClient jdbc, SessionLocks locks, Outbox outbox) {
        this.jdbc = jdbc;
        this.locks = locks;
        this.outbox = outbox;
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
     * Brings the person's memberships at the supplier to exactly {@code wanted}. Each group's step — made if need be,
     * the member added; or the member removed, and the group deleted when it is empty — runs under a lock per connector
     * and group, so one worker never deletes a group another has just found and is adding a member to.
     */
    void sync(ScimClient scim, UUID connector, UUID person, String userScimId, Map<UUID, String> wanted) throws ScimException {
        Set<UUID> have = Set.copyOf(jdbc.sql("select group_id from provisioned_membership where connector_id = :c and person_id = :p")
                .param("c", connector).param("p", person).query(UUID.class).list());
        for (Map.Entry<UUID, String> group : wanted.entrySet()) {
            if (!have.contains(group.getKey())) {
                underLock(connector, group.getKey(), () -> add(scim, connector, person, userScimId, group.getKey(), group.getValue()));
            }
        }
        for (UUID group : have) {
            if (!wanted.containsKey(group)) {
                underLock(connector, group, () -> remove(scim, connector, person, userScimId, group));
            }
        }
    }

    private void add(ScimClient scim, UUID connector, UUID person, String userScimId, UUID group, String name) throws ScimException {
        String groupScimId = ensureGroup(scim, connector, group, name);
        try {
            scim.addMember(groupScimId, userScimId);
        } catch (ScimException e) {
            if (status(e) != 404 || scim.groupExists(groupScimId)) {
                throw e; // a 404 while the group is there is about this member alone: nobody else's row changes
            }
            // the supplier removed the group: forgotten here and made anew at once; the members it had are queued again,
            // so each is added to the new one (their rows went with the old group, their memberships are wanted still)
            List<UUID> others = jdbc.sql("delete from provisioned_membership where connector_id = :c and group_id = :g returning person_id")
                    .param("c", connector).param("g", group).query(UUID.class).list();
            jdbc.sql("delete from provisioned_group where connector_id = :c and group_id = :g").param("c", connector).param("g", group).update();
            outbox.enqueue(connector, others.stream().filter(p -> !p.equals(person)).toList(), "SYNC", "GROUP_LOST");
            scim.addMember(ensureGroup(scim, connector, group, name), userScimId);
        }
        jdbc.sql("insert into provisioned_membership (connector_id, group_id, person_id) values (:c, :g, :p) on conflict do nothing")
                .param("c", connector).param("g", group).param("p", person).update();
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
