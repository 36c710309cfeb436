package org.tilldela.provisioning;

import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.UserResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.OrganisationBrowser;

/**
 * One person's operation at an EGIL connector, in the order EGIL's reference client sends (master.conf
 * {@code scim-type-send-order}, deletions in reverse order after all creates and updates): the school units the
 * person is enrolled or employed at (and that own their groups), then the person (Student or Teacher), then the
 * teacher's Employments, then the student's StudentGroups — each with all the connector's licence holders in it
 * as members, and only them — and last whatever no licence holder keeps any more is deleted (groups, then
 * employments, then school units). Every step sends a whole object (PUT), so a retried operation just sends the
 * same state again; an object whose fingerprint is unchanged is not sent at all.
 *
 * <p>Objects shared by several persons (a school unit, a group) are changed under a transaction-scoped advisory lock
 * per connector and object, so two workers on any nodes adding two members do not overwrite each other's list.
 */
@Component
class EgilPush {

    private final JdbcClient jdbc;
    private final Queue queue;
    private final OrganisationBrowser organisations;
    private final TransactionTemplate transaction;

    EgilPush(JdbcClient jdbc, Queue queue, OrganisationBrowser organisations, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.organisations = organisations;
        this.transaction = new TransactionTemplate(transactions);
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
            retract(scim, connector, person, EgilObjects.Plan.NOTHING);
            return account;
        }
        String externalId = ScimUsers.externalId(values);
        if (externalId == null) {
            throw new ProvisioningWorker.Refused("the release holds no pseudonymous id (PSEUDONYMOUS_ID) to send as externalId: the product must declare it");
        }
        EgilObjects.Plan plan = EgilObjects.plan(values, externalId);
        // the groups' own data (owner unit, type), read once: their owners are sent with the school units
        Map<UUID, OrganisationBrowser.Group> groups = new java.util.LinkedHashMap<>();
        for (UUID g : plan.studentGroups()) {
            organisations.group(g).ifPresent(group -> groups.put(g, group));
        }
        java.util.Set<UUID> units = new java.util.LinkedHashSet<>(plan.schoolUnits());
        groups.values().forEach(g -> units.add(g.organisationId()));
        EgilObjects.Plan wanted = new EgilObjects.Plan(plan.user(), units, plan.employments(), groups.keySet());

        // 1. school units
        for (UUID unit : units) {
            OrganisationBrowser.Organisation found = organisations.organisation(unit).orElse(null);
            if (found != null) {
                keep(scim, connector, "SchoolUnit", unit, person, true, members -> EgilObjects.schoolUnit(found));
            }
        }
        // 2. the person
        account = putUser(scim, account, externalId, plan.user());
        // known here before anything else is tried: a failing later step must not leave an account nobody deactivates
        queue.remember(op, account);
        // 3. a teacher's employments
        for (Map.Entry<UUID, GenericScimResource> employment : plan.employments().entrySet()) {
            keep(scim, connector, "Employment", employment.getKey(), person, true, members -> employment.getValue());
        }
        // 4. a student's groups, with every member the connector has
        for (OrganisationBrowser.Group group : groups.values()) {
            keep(scim, connector, "StudentGroup", group.id(), person, true, members -> EgilObjects.studentGroup(group, members));
        }
        // 5. deletions last
        retract(scim, connector, person, wanted);
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
     * Links (or unlinks) the person to one shared object and brings the object at the supplier in line, under the
     * object's lock: sent when it differs from what was sent last, deleted when no licence holder keeps it any more.
     *
     * @param object builds the object from the UUIDs of the active accounts linked to it (the members, for a group);
     *               null: leave it as the supplier has it
     */
    private void keep(ScimClient scim, UUID connector, String kind, UUID id, UUID person, boolean link,
                      Function<List<String>, GenericScimResource> object) throws ScimException {
        String endpoint = EgilObjects.ENDPOINTS.get(kind);
        try {
            transaction.executeWithoutResult(status -> {
                jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:key, 0))").param("key", "egil:" + connector + ":" + kind + ":" + id)
                        .query().listOfRows();
                if (link) {
                    jdbc.sql("insert into provisioned_egil_link (connector_id, kind, external_id, person_id) values (:c, :k, :id, :p) on conflict do nothing")
                            .param("c", connector).param("k", kind).param("id", id).param("p", person).update();
                } else {
                    jdbc.sql("delete from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id and person_id = :p")
                            .param("c", connector).param("k", kind).param("id", id).param("p", person).update();
                }
                // who keeps it (a unit is kept by a person whose account is about to be made), and of them the active
                // accounts' UUIDs at the supplier: a group's members (an inactive account is in no group)
                boolean kept = jdbc.sql("select exists (select 1 from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id)")
                        .param("c", connector).param("k", kind).param("id", id).query(Boolean.class).single();
                List<String> members = jdbc.sql("""
                                select a.external_id from provisioned_egil_link l
                                join provisioned_account a on a.connector_id = l.connector_id and a.person_id = l.person_id and a.active
                                where l.connector_id = :c and l.kind = :k and l.external_id = :id
                                order by a.external_id
                                """).param("c", connector).param("k", kind).param("id", id).query(String.class).list();
                List<Map<String, Object>> known = jdbc.sql("select scim_id, fingerprint from provisioned_egil_object where connector_id = :c and kind = :k and external_id = :id")
                        .param("c", connector).param("k", kind).param("id", id).query().listOfRows();
                String scimId = known.isEmpty() ? null : (String) known.getFirst().get("scim_id");
                try {
                    if (!kept) {
                        if (scimId != null) {
                            delete(scim, endpoint, scimId);
                            jdbc.sql("delete from provisioned_egil_object where connector_id = :c and kind = :k and external_id = :id")
                                    .param("c", connector).param("k", kind).param("id", id).update();
                        }
                        jdbc.sql("delete from provisioned_egil_link where connector_id = :c and kind = :k and external_id = :id")
                                .param("c", connector).param("k", kind).param("id", id).update();
                        return;
                    }
                    GenericScimResource resource = object.apply(members);
                    if (resource == null) {
                        return;
                    }
                    String fingerprint = EgilObjects.fingerprint(resource);
                    if (scimId != null && fingerprint.equals(known.getFirst().get("fingerprint"))) {
                        return;
                    }
                    String sentAs = scimId;
                    if (scimId != null) {
                        try {
                            scim.replaceResource(endpoint, scimId, resource);
                        } catch (ScimException e) {
                            if (status(e) != 404) {
                                throw e;
                            }
                            sentAs = null; // the supplier removed it: made anew
                        }
                    }
                    if (sentAs == null) {
                        sentAs = create(scim, endpoint, id.toString(), resource);
                    }
                    jdbc.sql("""
                                    insert into provisioned_egil_object (connector_id, kind, external_id, scim_id, fingerprint) values (:c, :k, :id, :scim, :f)
                                    on conflict (connector_id, kind, external_id) do update set scim_id = excluded.scim_id, fingerprint = excluded.fingerprint,
                                        updated_at = now()
                                    """).param("c", connector).param("k", kind).param("id", id).param("scim", sentAs).param("f", fingerprint).update();
                } catch (ScimException e) {
                    throw new Unchecked(e);
                }
            });
        } catch (Unchecked e) {
            throw e.scim;
        }
    }

    /** What the person keeps at the supplier but no longer should: groups first, then employments, then school units. */
    private void retract(ScimClient scim, UUID connector, UUID person, EgilObjects.Plan wanted) throws ScimException {
        for (String kind : List.of("StudentGroup", "Employment", "SchoolUnit")) {
            List<UUID> linked = jdbc.sql("select external_id from provisioned_egil_link where connector_id = :c and person_id = :p and kind = :k order by external_id")
                    .param("c", connector).param("p", person).param("k", kind).query(UUID.class).list();
            for (UUID id : linked) {
                boolean keep = switch (kind) {
                    case "StudentGroup" -> wanted.studentGroups().contains(id);
                    case "Employment" -> wanted.employments().containsKey(id);
                    default -> wanted.schoolUnits().contains(id);
                };
                if (keep) {
                    continue;
                }
                keep(scim, connector, kind, id, person, false, members -> switch (kind) {
                    // the group goes on with the others in it; it is read afresh (a group gone from the directory is left as it is)
                    case "StudentGroup" -> organisations.group(id).map(g -> EgilObjects.studentGroup(g, members)).orElse(null);
                    // an employment or a school unit kept by someone else is theirs and unchanged
                    default -> null;
                });
            }
        }
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

    private static final class Unchecked extends RuntimeException {
        final ScimException scim;

        Unchecked(ScimException scim) {
            super(scim);
            this.scim = scim;
        }
    }
}
