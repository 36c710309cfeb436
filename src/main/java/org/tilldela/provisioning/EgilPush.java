package org.tilldela.provisioning;

import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.UserResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.ledger.Channel;

/**
 * One person's operation at an EGIL connector, in the order EGIL's reference client sends (master.conf
 * {@code scim-type-send-order}, deletions in reverse order after all creates and updates): the organisers
 * (huvudmän) of the school units the person is enrolled or employed at (and that own their groups), those units,
 * then the person (Student or Teacher), then the
 * teacher's Employments, then the groups — each StudentGroup with the connector's licence holders in it as members,
 * and only them, followed by its Activity naming the group's licensed teachers' employments — and last whatever no
 * licence holder keeps any more is deleted (activities and groups, then employments, then school units, then
 * organisers). Every step
 * sends a whole object (PUT), so a retried operation just sends the same state again; an object whose fingerprint is
 * unchanged is not sent at all.
 *
 * <p>Objects shared by several persons (a school unit, a group and its activity) are changed under a session-level
 * advisory lock per connector and object ({@link SessionLocks}): two workers on any nodes adding two members do not
 * overwrite each other's list, and no database transaction is open while the supplier answers. Each statement commits
 * by itself; a person's link to an object is written only once the object is at the supplier, and taken away only
 * after the supplier has been told, so a step that fails half-way is simply done again by the retried operation.
 *
 * <p>A group sent again carries its other members too: each of them only while their release today lets the group go
 * to this connector (asked of the release policy whenever the group is sent, and in the disclosure ledger as what the
 * group carries about them: their pseudonym and their groups) — a member whose release no longer has the group is
 * dropped from it and unlinked, never re-sent from an earlier send.
 *
 * <p>An organiser goes once no school unit at the supplier refers to it and nobody is linked to it.
 */
@Component
class EgilPush {

    private final JdbcClient jdbc;
    private final Queue queue;
    private final OrganisationBrowser organisations;
    private final SessionLocks locks;
    private final ReleasePolicy policy;

    EgilPush(JdbcClient jdbc, Queue queue, OrganisationBrowser organisations, SessionLocks locks, ReleasePolicy policy) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.organisations = organisations;
        this.locks = locks;
        this.policy = policy;
    }

    /** Brings the supplier in line for one person; answers the person's account as it now stands (null: none). */
    Queue.Account apply(ScimClient scim, Queue.Op op, Map<Attribute, Object> values) throws ScimException {
        UUID connector = op.connectorId();
        UUID person = op.personId();
        Queue.Account account = queue.account(connector, person).orElse(null);
        if (op.kind().equals("DEACTIVATE") || values == null || values.isEmpty()) {
            // a leaver, or nothing may go any more: the user is set inactive, and leaves every group, employment and unit
            if (account != null && account.active()) {
                try {
                    deactivate(scim, account.scimId());
                } catch (ScimException e) {
                    if (status(e) != 404) {
                        throw e;
                    }
                }
                account = new Queue.Account(account.scimId(), account.externalId(), false);
                queue.remember(op, account);
            }
            retract(scim, connector, person, EgilObjects.Plan.NOTHING, Set.of());
            return account;
        }
        String externalId = ScimUsers.externalId(values);
        if (externalId == null) {
            throw new ProvisioningWorker.Refused("the release holds no pseudonymous id (PSEUDONYMOUS_ID) to send as externalId: the product must declare it");
        }
        EgilObjects.Plan plan = EgilObjects.plan(values, externalId);
        // the groups' own data (owner unit, type), read once: their owners are sent with the school units
        Map<UUID, OrganisationBrowser.Group> groups = new LinkedHashMap<>();
        for (UUID g : plan.groups()) {
            organisations.group(g).ifPresent(group -> groups.put(g, group));
        }
        Set<UUID> units = new LinkedHashSet<>(plan.schoolUnits());
        groups.values().forEach(g -> units.add(g.organisationId()));
        Set<UUID> studentGroups = new LinkedHashSet<>(plan.studentGroups());
        Set<UUID> teachingGroups = new LinkedHashSet<>(plan.teachingGroups());
        studentGroups.retainAll(groups.keySet());
        teachingGroups.retainAll(groups.keySet());
        EgilObjects.Plan wanted = new EgilObjects.Plan(plan.user(), units, plan.employments(), studentGroups, teachingGroups);

        // 1. the units' organisers (huvudmän), then the school units
        Map<UUID, OrganisationBrowser.Organisation> unitData = new LinkedHashMap<>();
        Map<UUID, OrganisationBrowser.UnitName> organisers = new LinkedHashMap<>();
        Map<UUID, UUID> organiserOf = new java.util.HashMap<>();
        for (UUID unit : units) {
            organisations.organisation(unit).ifPresent(found -> {
                unitData.put(unit, found);
                organiser(found).ifPresent(o -> {
                    organisers.put(o.id(), o);
                    organiserOf.put(unit, o.id());
                });
            });
        }
        for (OrganisationBrowser.UnitName organiser : organisers.values()) {
            keep(scim, connector, "Organisation", organiser.id(), person, true, () -> EgilObjects.organisation(organiser));
        }
        for (OrganisationBrowser.Organisation unit : unitData.values()) {
            keep(scim, connector, "SchoolUnit", unit.id(), person, true, () -> EgilObjects.schoolUnit(unit, organiserOf.get(unit.id())));
        }
        // 2. the person
        account = putUser(scim, account, externalId, plan.user());
        // known here before anything else is tried: a failing later step must not leave an account nobody deactivates
        queue.remember(op, account);
        // 3. a teacher's employments
        for (Map.Entry<UUID, GenericScimResource> employment : plan.employments().entrySet()) {
            keep(scim, connector, "Employment", employment.getKey(), person, true, employment::getValue);
        }
        // 4. a student's groups, with every member the connector has (each group's Activity right after it); then
        // 5. a teacher's groups: the group (with its licensed members), and its Activity naming the teacher
        for (OrganisationBrowser.Group group : groups.values()) {
            group(scim, connector, person, group.id(), teachingGroups.contains(group.id()), true, plan.employments().keySet());
        }
        // 6. deletions last
        retract(scim, connector, person, wanted, organisers.keySet());
        return account;
    }

    /**
     * The supplier's own copy of the user back with active=false and without enrolments: the person is no longer
     * enrolled anywhere the supplier needs to know of, and the school units may go once nobody else is at them. (EGIL
     * servers have no PATCH; nothing of ours goes back that the supplier does not hold.)
     */
    private static void deactivate(ScimClient scim, String id) throws ScimException {
        GenericScimResource user = scim.retrieveResource("Users", id);
        com.fasterxml.jackson.databind.node.ObjectNode node = user.getObjectNode();
        node.put("active", false);
        if (node.get(EgilObjects.USER_EXTENSION) instanceof com.fasterxml.jackson.databind.node.ObjectNode extension) {
            extension.remove("enrolments");
        }
        node.remove("meta");
        scim.replaceResource("Users", id, user);
    }

    /** The person's user, replaced whole (PUT), or made (POST; a 409 means it exists under its UUID, as EGIL servers keep it). */
    private Queue.Account putUser(ScimClient scim, Queue.Account account, String externalId, GenericScimResource user) throws ScimException {
        if (account != null) {
            try {
                scim.replaceResource("Users", account.scimId(), user);
                return new Queue.Account(account.scimId(), externalId, true);
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
                // the supplier removed it: made anew below
            }
        }
        return new Queue.Account(create(scim, "Users", externalId, user), externalId, true);
    }

    /** POST; when the supplier already has it (409: a create whose answer was lost), PUT under its UUID. Answers the supplier's id. */
    private static String create(ScimClient scim, String endpoint, String externalId, GenericScimResource resource) throws ScimException {
        try {
            return scim.createResource(endpoint, resource);
        } catch (ScimException e) {
            if (status(e) != 409) {
                throw e;
            }
        }
        try {
            scim.replaceResource(endpoint, externalId, resource);
            return externalId;
        } catch (ScimException e) {
            if (status(e) != 404 || !endpoint.equals("Users")) {
                throw e;
            }
            // a server with ids of its own: find the user it made by externalId
            UserResource found = scim.findByExternalId(externalId);
            if (found == null) {
                throw e;
            }
            scim.replaceResource(endpoint, found.getId(), resource);
            return found.getId();
        }
    }

    /**
     * Links (or unlinks) the person to a school unit or an employment and brings it at the supplier in line, under the
     * object's lock: sent when it differs from what was sent last, deleted when no licence holder keeps it any more.
     *
     * @param object builds the object (null: leave it as the supplier has it)
     */
    private void keep(ScimClient scim, UUID connector, String kind, UUID id, UUID person, boolean link,
                      java.util.function.Supplier<GenericScimResource> object) throws ScimException {
        locks.run(lockKey(connector, kind, id), () -> {
            if (link) {
                GenericScimResource resource = object.get();
                if (resource != null) {
                    send(scim, connector, kind, id, resource);
                }
                if (known(connector, kind, id) != null) {
                    jdbc.sql("insert into provisioned_egil_link (connector_id, kind, external_id, person_id) values (:c, :k, :id, :p) on conflict do nothing")
                            .param("c", connector).param("k", kind).param("id", id).param("p", person).update();
                }
                return;
            }
            // a unit is kept by anyone linked to it (also a person whose account is inactive while it is being left); an
            // organiser also while a school unit at the supplier refers to it, whoever keeps the unit (those linked to a
            // unit before organisers were sent are linked to no organiser)
            boolean keptByOthers = jdbc.sql("""
                            select exists (select 1 from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id and person_id <> :p)
                                or :k = 'Organisation' and exists (select 1 from provisioned_egil_object
                                                                   where connector_id = :c and kind = 'SchoolUnit' and organisation_id = :id)
                            """).param("c", connector).param("k", kind).param("id", id).param("p", person).query(Boolean.class).single();
            if (keptByOthers) {
                // an employment, a school unit or an organiser kept by someone else is theirs and unchanged
                unlink(connector, kind, id, person);
            } else {
                remove(scim, connector, kind, id); // the links go with it
            }
        });
    }

    /**
     * Links (or unlinks) the person to one group — as a member, or as a teacher of it — and brings the group and its
     * Activity at the supplier in line under the group's lock. The other members and teachers are those linked before
     * whose accounts are active and whose release today still lets the group go (asked only when something is to be
     * sent); the group goes (its Activity first) when none of them and not the person keeps it.
     *
     * @param ownEmployments the person's employments as this operation leaves them: an activity names none that is
     *                       about to go (the supplier would refuse to delete an employment an activity refers to)
     */
    private void group(ScimClient scim, UUID connector, UUID person, UUID groupId, boolean teacher, boolean link, Set<UUID> ownEmployments)
            throws ScimException {
        // here a group's Activity is kept (and its teachers linked) under the group's id; the supplier knows it by its own UUID
        locks.run(lockKey(connector, "StudentGroup", groupId), () -> {
            OrganisationBrowser.Group group = organisations.group(groupId).orElse(null);
            String self = link ? queue.account(connector, person).filter(Queue.Account::active).map(Queue.Account::externalId).orElse(null) : null;
            Map<UUID, String> members = linked(connector, "StudentGroup", groupId, person);
            Map<UUID, String> teachers = linked(connector, "Activity", groupId, person);
            if (self != null) {
                (teacher ? teachers : members).put(person, self);
            }
            boolean othersLinked = hasLinks(connector, "StudentGroup", groupId, person) || hasLinks(connector, "Activity", groupId, person);
            if (group != null && (link || othersLinked) && unchanged(connector, group, members, teachers, person, ownEmployments)) {
                // nothing is sent, so nothing about the others is disclosed again: only the person's own link changes
                if (link) {
                    relink(connector, person, teacher ? "Activity" : "StudentGroup", groupId, teacher ? "StudentGroup" : "Activity");
                } else {
                    unlinkBoth(connector, groupId, person);
                }
                return;
            }
            // something is to be sent (or the group may go): the others only as their release lets the group go today
            dropStale(connector, "StudentGroup", groupId, members, person, groupId);
            dropStale(connector, "Activity", groupId, teachers, person, groupId);
            if (members.isEmpty() && teachers.isEmpty() || group == null && !link && !stillLinked(connector, groupId, person)) {
                // nobody keeps it: the activity first (it refers to the group), then the group
                remove(scim, connector, "Activity", groupId);
                remove(scim, connector, "StudentGroup", groupId);
                unlinkBoth(connector, groupId, person);
                return;
            }
            if (group != null) {
                send(scim, connector, "StudentGroup", groupId, EgilObjects.studentGroup(group, List.copyOf(members.values())));
                send(scim, connector, "Activity", groupId, EgilObjects.activity(group, employments(connector, group, teachers, person, ownEmployments)));
            }
            if (link) {
                relink(connector, person, teacher ? "Activity" : "StudentGroup", groupId, teacher ? "StudentGroup" : "Activity");
            } else {
                unlinkBoth(connector, groupId, person);
            }
        });
    }

    /** Whether the group and its activity as they would be sent are what the supplier has already. */
    private boolean unchanged(UUID connector, OrganisationBrowser.Group group, Map<UUID, String> members, Map<UUID, String> teachers, UUID person,
                              Set<UUID> ownEmployments) {
        Known sentGroup = known(connector, "StudentGroup", group.id());
        Known sentActivity = known(connector, "Activity", group.id());
        return sentGroup != null && sentActivity != null
                && sentGroup.fingerprint().equals(EgilObjects.fingerprint(EgilObjects.studentGroup(group, List.copyOf(members.values()))))
                && sentActivity.fingerprint().equals(EgilObjects.fingerprint(EgilObjects.activity(group, employments(connector, group, teachers, person, ownEmployments))));
    }

    /** The active accounts linked to an object, but the person's: person → the UUID the supplier knows them by. */
    private Map<UUID, String> linked(UUID connector, String kind, UUID id, UUID except) {
        Map<UUID, String> linked = new LinkedHashMap<>();
        jdbc.sql("""
                        select l.person_id, a.external_id from provisioned_egil_link l
                        join provisioned_account a on a.connector_id = l.connector_id and a.person_id = l.person_id and a.active
                        where l.connector_id = :c and l.kind = :k and l.external_id = :id and l.person_id <> :p
                        order by a.external_id
                        """).param("c", connector).param("k", kind).param("id", id).param("p", except)
                .query(rs -> {
                    linked.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        return linked;
    }

    private boolean hasLinks(UUID connector, String kind, UUID id, UUID except) {
        return jdbc.sql("select exists (select 1 from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id and person_id <> :p)")
                .param("c", connector).param("k", kind).param("id", id).param("p", except).query(Boolean.class).single();
    }

    /** Whether anyone but the person is still linked to the group or its activity (also with an inactive account). */
    private boolean stillLinked(UUID connector, UUID groupId, UUID person) {
        return hasLinks(connector, "StudentGroup", groupId, person) || hasLinks(connector, "Activity", groupId, person);
    }

    /** What a group or activity sent again says about its other members and teachers: who they are to the supplier, and that they are in it. */
    private static final Set<Attribute> NAMED_IN_GROUP = java.util.EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GROUPS);

    /**
     * The others whose release today no longer lets the group go to this connector (a pupil who left it, GROUPS no
     * longer agreed): out of what is sent, and unlinked — their own next operation finds nothing of it to take back.
     * Asked per product the connector serves, with GROUPS required, until one lets the group go; released and recorded
     * is only what the group carries about them — their pseudonym and their groups — not their names or anything else
     * their own release has.
     */
    private void dropStale(UUID connector, String kind, UUID id, Map<UUID, String> linked, UUID person, UUID groupId) {
        List<UUID> others = linked.keySet().stream().filter(p -> !p.equals(person)).toList();
        if (others.isEmpty()) {
            return;
        }
        Set<UUID> inGroup = new java.util.HashSet<>();
        for (UUID product : queue.servedProducts(connector)) {
            List<UUID> undecided = others.stream().filter(p -> !inGroup.contains(p)).toList();
            if (undecided.isEmpty()) {
                break;
            }
            for (Release r : policy.releaseOnly(undecided, product, Channel.SCIM_PUSH, Set.of(Attribute.GROUPS), NAMED_IN_GROUP)) {
                if (GroupMemberships.released(r.values()).containsKey(groupId)) {
                    inGroup.add(r.personId());
                }
            }
        }
        for (UUID other : others) {
            if (!inGroup.contains(other)) {
                linked.remove(other);
                unlink(connector, kind, id, other);
            }
        }
    }

    /**
     * The employments by which the supplier knows the teachers: each teacher's at the group's school unit, else the
     * first of theirs at the supplier; a teacher with none there is not named. The person's own are only those they
     * keep after this operation.
     */
    private List<UUID> employments(UUID connector, OrganisationBrowser.Group group, Map<UUID, String> teachers, UUID person, Set<UUID> ownEmployments) {
        List<UUID> employments = new ArrayList<>();
        for (Map.Entry<UUID, String> teacher : teachers.entrySet()) {
            List<UUID> theirs = jdbc.sql("""
                            select l.external_id from provisioned_egil_link l
                            join provisioned_egil_object o on o.connector_id = l.connector_id and o.kind = l.kind and o.external_id = l.external_id
                            where l.connector_id = :c and l.kind = 'Employment' and l.person_id = :p order by l.external_id
                            """).param("c", connector).param("p", teacher.getKey()).query(UUID.class).list();
            if (teacher.getKey().equals(person)) {
                theirs = theirs.stream().filter(ownEmployments::contains).toList();
            }
            UUID atUnit = EgilObjects.employmentId(teacher.getValue(), group.organisationId());
            if (theirs.contains(atUnit)) {
                employments.add(atUnit);
            } else if (!theirs.isEmpty()) {
                employments.add(theirs.getFirst());
            }
        }
        return employments;
    }

    /** The person linked to the group as a member or to its activity as a teacher, and no longer the other way. */
    private void relink(UUID connector, UUID person, String kind, UUID groupId, String otherKind) {
        if (known(connector, kind, groupId) != null) {
            jdbc.sql("insert into provisioned_egil_link (connector_id, kind, external_id, person_id) values (:c, :k, :id, :p) on conflict do nothing")
                    .param("c", connector).param("k", kind).param("id", groupId).param("p", person).update();
        }
        unlink(connector, otherKind, groupId, person);
    }

    private void unlinkBoth(UUID connector, UUID groupId, UUID person) {
        unlink(connector, "StudentGroup", groupId, person);
        unlink(connector, "Activity", groupId, person);
    }

    private void unlink(UUID connector, String kind, UUID id, UUID person) {
        jdbc.sql("delete from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id and person_id = :p")
                .param("c", connector).param("k", kind).param("id", id).param("p", person).update();
    }

    /** What the supplier was last sent of an object: its id there and the fingerprint (null: it has nothing of ours). */
    private record Known(String scimId, String fingerprint) {
    }

    private Known known(UUID connector, String kind, UUID id) {
        return jdbc.sql("select scim_id, fingerprint from provisioned_egil_object where connector_id = :c and kind = :k and external_id = :id")
                .param("c", connector).param("k", kind).param("id", id).query((rs, n) -> new Known(rs.getString(1), rs.getString(2))).optional()
                .orElse(null);
    }

    /** Sends the object when it differs from what was sent last (PUT; POST when the supplier has nothing of it), and notes it. */
    private void send(ScimClient scim, UUID connector, String kind, UUID id, GenericScimResource resource) throws ScimException {
        String endpoint = EgilObjects.ENDPOINTS.get(kind);
        Known known = known(connector, kind, id);
        String fingerprint = EgilObjects.fingerprint(resource);
        if (known != null && fingerprint.equals(known.fingerprint())) {
            return;
        }
        String sentAs = known == null ? null : known.scimId();
        if (sentAs != null) {
            try {
                scim.replaceResource(endpoint, sentAs, resource);
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
                sentAs = null; // the supplier removed it: made anew
            }
        }
        if (sentAs == null) {
            sentAs = create(scim, endpoint, resource.getObjectNode().path("externalId").asText(id.toString()), resource);
        }
        // a school unit's organiser as sent: the Organisation stays while the unit refers to it
        UUID organisation = kind.equals("SchoolUnit") && resource.getObjectNode().path("organisation").hasNonNull("value")
                ? UUID.fromString(resource.getObjectNode().path("organisation").path("value").asText()) : null;
        jdbc.sql("""
                        insert into provisioned_egil_object (connector_id, kind, external_id, scim_id, fingerprint, organisation_id)
                        values (:c, :k, :id, :scim, :f, :o)
                        on conflict (connector_id, kind, external_id) do update set scim_id = excluded.scim_id, fingerprint = excluded.fingerprint,
                            organisation_id = excluded.organisation_id, updated_at = now()
                        """).param("c", connector).param("k", kind).param("id", id).param("scim", sentAs).param("f", fingerprint)
                .param("o", organisation).update();
    }

    /** Deletes the object at the supplier, then forgets it here (with everyone's links to it). */
    private void remove(ScimClient scim, UUID connector, String kind, UUID id) throws ScimException {
        Known known = known(connector, kind, id);
        if (known != null) {
            delete(scim, EgilObjects.ENDPOINTS.get(kind), known.scimId());
        }
        jdbc.sql("delete from provisioned_egil_object where connector_id = :c and kind = :k and external_id = :id")
                .param("c", connector).param("k", kind).param("id", id).update();
        jdbc.sql("delete from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id")
                .param("c", connector).param("k", kind).param("id", id).update();
    }

    /** One lock per connector and shared object (a group and its activity share the group's). */
    static String lockKey(UUID connector, String kind, UUID id) {
        return "egil:" + connector + ":" + kind + ":" + id;
    }

    /**
     * What the person keeps at the supplier but no longer should: groups and their activities first, then
     * employments, then school units, then organisers.
     */
    private void retract(ScimClient scim, UUID connector, UUID person, EgilObjects.Plan wanted, Set<UUID> wantedOrganisers) throws ScimException {
        // the groups the person is linked to, as a member or as one of the teachers of the group's activity
        Map<UUID, Boolean> linkedGroups = new LinkedHashMap<>();
        jdbc.sql("""
                        select external_id, kind = 'Activity' from provisioned_egil_link
                        where connector_id = :c and person_id = :p and kind in ('StudentGroup', 'Activity') order by external_id, kind
                        """).param("c", connector).param("p", person)
                .query(rs -> {
                    linkedGroups.put(rs.getObject(1, UUID.class), rs.getBoolean(2));
                });
        for (Map.Entry<UUID, Boolean> g : linkedGroups.entrySet()) {
            boolean asTeacher = g.getValue();
            if (!(asTeacher ? wanted.teachingGroups() : wanted.studentGroups()).contains(g.getKey())) {
                group(scim, connector, person, g.getKey(), asTeacher, false, wanted.employments().keySet());
            }
        }
        for (String kind : List.of("Employment", "SchoolUnit", "Organisation")) {
            List<UUID> linked = new ArrayList<>(jdbc.sql("select external_id from provisioned_egil_link where connector_id = :c and person_id = :p and kind = :k order by external_id")
                    .param("c", connector).param("p", person).param("k", kind).query(UUID.class).list());
            if (kind.equals("Organisation")) {
                // and any organiser nobody keeps: the last unit referring to it has gone (it may have been kept by a
                // person linked to no organiser), so it goes too (rechecked under its lock)
                jdbc.sql("""
                                select o.external_id from provisioned_egil_object o
                                where o.connector_id = :c and o.kind = 'Organisation'
                                  and not exists (select 1 from provisioned_egil_link l where l.connector_id = o.connector_id and l.kind = o.kind
                                                  and l.external_id = o.external_id)
                                  and not exists (select 1 from provisioned_egil_object u where u.connector_id = o.connector_id and u.kind = 'SchoolUnit'
                                                  and u.organisation_id = o.external_id)
                                order by o.external_id
                                """).param("c", connector).query(UUID.class).list().stream().filter(o -> !linked.contains(o))
                        .forEach(linked::add);
            }
            for (UUID id : linked) {
                boolean keep = switch (kind) {
                    case "Employment" -> wanted.employments().containsKey(id);
                    case "SchoolUnit" -> wanted.schoolUnits().contains(id);
                    default -> wantedOrganisers.contains(id);
                };
                if (!keep) {
                    keep(scim, connector, kind, id, person, false, () -> null);
                }
            }
        }
    }

    /**
     * The unit's organiser (huvudman): the nearest organisation of kind ORGANISER above it — the one the release policy
     * names as the person's organiser, not whatever is at the top (an import's national or state organisation). None
     * when the unit has none, or is an organiser itself (there is nothing above it to name): no Organisation is sent.
     */
    private java.util.Optional<OrganisationBrowser.UnitName> organiser(OrganisationBrowser.Organisation unit) {
        return organisations.organiser(unit.id()).filter(o -> !o.id().equals(unit.id()));
    }

    private static void delete(ScimClient scim, String endpoint, String id) throws ScimException {
        try {
            scim.deleteResource(endpoint, id);
        } catch (ScimException e) {
            if (status(e) != 404) {
                throw e;
            }
        }
    }

    private static int status(ScimException e) {
        Integer status = e.getScimError() == null ? null : e.getScimError().getStatus();
        return status == null ? 0 : status;
    }
}
