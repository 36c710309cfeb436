package org.tilldela.provisioning;

import jakarta.ws.rs.ProcessingException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.Licences;
import org.tilldela.platform.SecretsAtRest;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Licence holders at a BOL connector become BOL assignments. An operation for a person (queued when a licence is granted or
 * ends, an objection changes, the person moves) brings the publisher in line with the seats the person holds today of the
 * connector's products: a seat of a pool bought on an order line the publisher delivered (or of a trial, sent as
 * {@code freeTrial}) is assigned, an assignment no longer wanted is deleted.
 *
 * <p>Only what the release policy lets go is sent: the person is named by their pairwise pseudonym (idSource
 * {@code client}), and their school unit when it may go (else the school the pool was bought for); each release is
 * recorded in the disclosure ledger (channel BOL_ASSIGNMENT) before anything is sent. A person about whom the pseudonym
 * may not go (an objection, no agreement in force) has their assignments taken back.
 */
@Component
class BolAssignments {

    private final JdbcClient jdbc;
    private final Licences licences;
    private final ReleasePolicy policy;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final SecretsAtRest secrets;
    private final JsonMapper json;
    private final BolOrders orders;
    private final TransactionTemplate transaction;
    private final SessionLocks locks;

    BolAssignments(JdbcClient jdbc, Licences licences, ReleasePolicy policy, Catalog catalog, OrganisationBrowser organisations, SecretsAtRest secrets,
                   JsonMapper json, BolOrders orders, PlatformTransactionManager transactions, SessionLocks locks) {
        this.locks = locks;
        this.jdbc = jdbc;
        this.licences = licences;
        this.policy = policy;
        this.catalog = catalog;
        this.organisations = organisations;
        this.secrets = secrets;
        this.json = json;
        this.orders = orders;
        this.transaction = new TransactionTemplate(transactions);
    }

    /**
     * An assignment as it should stand, or as it stands at the publisher — then with the id it was sent under and the
     * licence key it took (both null for one that should stand).
     */
    record Wanted(UUID person, UUID line, String article, boolean freeTrial, BolMessages.User user, BolMessages.School school, UUID schoolUnit,
                  String clientAssignmentId, Integer keyIndex) {

        boolean sameAs(Wanted other) {
            return other != null && user.equals(other.user) && school.idSource().equals(other.school.idSource()) && school.id().equals(other.school.id())
                    && article.equals(other.article) && freeTrial == other.freeTrial;
        }

        /** What {@link #sameAs} compares, as one value (unit separators: PostgreSQL's text takes no NUL): an attempt's id is sent again only for the same content. */
        String content() {
            return String.join("\u001f", user.idSource(), user.id(), school.idSource(), school.id(), article, Boolean.toString(freeTrial));
        }
    }

    /** The statuses BOL answers an assignment or its deletion with. */
    private static final Set<String> ANSWERED = Set.of("assigned", "unassigned", "beingProcessed", "failed");

    /** How the worker settles a failed operation (a retry later, or a dead letter); answers how long to wait. */
    interface Settler {
        Duration settle(Queue.Op op, ProvisioningWorker.Failure failure);
    }

    /** Pushes one claimed batch; false when the connector must wait (its operations are settled for a retry). */
    boolean push(BolClient client, List<Queue.Op> ops, Queue queue, Settler settler) {
        UUID connector = client.endpoint().id();
        List<UUID> persons = ops.stream().map(Queue.Op::personId).distinct().toList();
        Map<UUID, List<Wanted>> wanted;
        try {
            wanted = wanted(connector, persons, queue.servedProducts(connector));
        } catch (RuntimeException e) {
            ProvisioningWorker.Failure failure = new ProvisioningWorker.Failure(true, "the release could not be decided: " + e.getClass().getSimpleName(), null);
            ops.forEach(o -> settler.settle(o, failure));
            return true;
        }
        Map<UUID, List<Wanted>> standing = standing(connector, persons);
        List<Wanted> create = new ArrayList<>();
        List<Wanted> delete = new ArrayList<>();
        for (UUID person : persons) {
            Map<UUID, Wanted> want = new HashMap<>();
            wanted.getOrDefault(person, List.of()).forEach(w -> want.put(w.line(), w));
            Map<UUID, Wanted> has = new HashMap<>();
            standing.getOrDefault(person, List.of()).forEach(w -> has.put(w.line(), w));
            has.forEach((line, w) -> {
                if (!w.sameAs(want.get(line))) {
                    delete.add(w); // no longer wanted, or wanted under another id or school: taken back first
                }
            });
            want.forEach((line, w) -> {
                if (!w.sameAs(has.get(line))) {
                    create.add(w);
                }
            });
        }
        Map<UUID, String> failed = new HashMap<>();
        ProvisioningWorker.Failure transport = send(client, connector, delete, true, failed);
        if (transport == null) {
            transport = sendTakingKeys(client, connector, create, failed);
        }
        if (transport != null) {
            // the publisher is failing or asks us to wait: every operation of the batch is tried again later
            Duration wait = Duration.ZERO;
            for (Queue.Op op : ops) {
                wait = settler.settle(op, transport);
            }
            queue.backOff(connector, wait);
            return false;
        }
        for (Queue.Op op : ops) {
            String why = failed.get(op.personId());
            if (why == null) {
                queue.done(op, null);
            } else {
                settler.settle(op, new ProvisioningWorker.Failure(false, why, null));
            }
        }
        return true;
    }

    /**
     * Sends the deletions or creations, one request per school; records what the publisher says. Answers a failure the
     * batch must wait out (no connection, 5xx, 429, …; null: every request was answered), and puts the reason of a
     * person's refused assignment — or of a whole request refused — in {@code failed}.
     */
    private ProvisioningWorker.Failure send(BolClient client, UUID connector, List<Wanted> assignments, boolean deleting, Map<UUID, String> failed) {
        Map<UUID, KeyRing> rings = new HashMap<>();
        Map<String, List<Wanted>> bySchool = new LinkedHashMap<>();
        assignments.forEach(w -> bySchool.computeIfAbsent(w.school().idSource() + "\u0000" + w.school().id(), k -> new ArrayList<>()).add(w));
        for (List<Wanted> group : bySchool.values()) {
            BolMessages.School school = new BolMessages.School(group.getFirst().school().idSource(), group.getFirst().school().id(), null);
            Map<String, Wanted> byId = new LinkedHashMap<>();
            Map<String, Integer> keyOf = new HashMap<>();
            Object request;
            if (deleting) {
                List<BolMessages.Deletion> lines = new ArrayList<>();
                for (Wanted w : group) {
                    byId.put(w.clientAssignmentId(), w);
                    lines.add(new BolMessages.Deletion(w.clientAssignmentId(), w.article(), ring(rings, w.line()).key(w.keyIndex()), w.line().toString(),
                            w.user()));
                }
                request = new BolMessages.DeletionRequest(orders.clientId(), client.endpoint().serviceProviderId(), school, lines);
            } else {
                List<BolMessages.Assignment> lines = new ArrayList<>();
                Map<String, Attempt> unanswered = unansweredAttempts(connector, group);
                for (Wanted w : group) {
                    // an attempt the publisher did not answer, if it had the same content, is sent again as it was (its id, its
                    // key): the publisher may hold it already
                    Attempt earlier = unanswered.get(Attempt.key(w.person(), w.line(), w.content()));
                    String id = earlier != null ? earlier.id() : UUID.randomUUID().toString();
                    byId.put(id, w);
                    KeyRing ring = ring(rings, w.line());
                    Integer index = earlier != null && earlier.keyIndex() != null ? earlier.keyIndex() : ring.take();
                    if (index != null) {
                        keyOf.put(id, index);
                    }
                    lines.add(new BolMessages.Assignment(id, w.freeTrial(), w.article(), ring.key(index), w.line().toString(), w.user()));
                }
                request = new BolMessages.AssignmentRequest(orders.clientId(), client.endpoint().serviceProviderId(), school, lines);
                recordAttempts(connector, byId, keyOf);
            }
            BolClient.Answer<BolMessages.AssignmentResponse> answer;
            try {
                answer = client.post(deleting ? "/v1/assignments/delete" : "/v1/assignments/create", request, BolMessages.AssignmentResponse.class);
            } catch (ProcessingException e) {
                return new ProvisioningWorker.Failure(true, ProvisioningWorker.Failure.cut(e.getMessage(), 2000), null);
            }
            if (answer.body() == null) {
                ProvisioningWorker.Failure failure = answer.failure();
                if (failure.retriable()) {
                    return failure;
                }
                group.forEach(w -> failed.put(w.person(), failure.reason()));
                if (!deleting) {
                    forgetAttempts(connector, byId.keySet()); // refused whole: the publisher made none of them
                }
                continue;
            }
            Map<String, BolMessages.AssignmentResult> results = new HashMap<>();
            if (answer.body().assignments() != null) {
                answer.body().assignments().forEach(r -> results.put(r.clientAssignmentId(), r));
            }
            transaction.executeWithoutResult(s -> byId.forEach((id, w) -> {
                BolMessages.AssignmentResult r = results.get(id);
                String status = r == null ? null : r.status();
                if (!deleting && status != null && ANSWERED.contains(status)) {
                    // answered (made, or refused): the next creation for this person and line is a new one (an answer without a
                    // usable status leaves it unknown whether the publisher made it: the id is sent again)
                    jdbc.sql("delete from bol_assignment_attempt where connector_id = :c and client_assignment_id = :id")
                            .param("c", connector).param("id", id).update();
                }
                if (r == null || !ANSWERED.contains(status)) {
                    failed.put(w.person(), "the publisher's answer has no usable status for assignment " + id);
                } else if ("failed".equals(status)) {
                    failed.put(w.person(), ProvisioningWorker.Failure.cut("the publisher refused the " + (deleting ? "unassignment" : "assignment")
                            + (r.errorMessage() == null ? "" : ": " + r.errorMessage()), 500));
                } else if (deleting) {
                    // unassigned, or being processed (the publisher takes it back): the licence is no longer this person's here
                    jdbc.sql("delete from bol_assignment where connector_id = :c and person_id = :p and line_id = :l")
                            .param("c", connector).param("p", w.person()).param("l", w.line()).update();
                } else {
                    jdbc.sql("""
                                    insert into bol_assignment (connector_id, person_id, line_id, client_assignment_id, article_number, user_id_source, user_id,
                                                                school_id_source, school_id, free_trial, key_index, status, school_organisation_id)
                                    values (:c, :p, :l, :id, :a, :us, :u, :ss, :s, :trial, :key, :status, :unit)
                                    on conflict (connector_id, person_id, line_id) do update set client_assignment_id = excluded.client_assignment_id,
                                        article_number = excluded.article_number, user_id_source = excluded.user_id_source, user_id = excluded.user_id,
                                        school_id_source = excluded.school_id_source, school_id = excluded.school_id, free_trial = excluded.free_trial,
                                        key_index = excluded.key_index, status = excluded.status, message = null, updated_at = now(),
                                        school_organisation_id = excluded.school_organisation_id
                                    """)
                            .param("c", connector).param("p", w.person()).param("l", w.line()).param("id", id).param("a", w.article())
                            .param("us", w.user().idSource()).param("u", w.user().id()).param("ss", w.school().idSource()).param("s", w.school().id())
                            .param("trial", w.freeTrial()).param("key", keyOf.get(id)).param("status", status).param("unit", w.schoolUnit()).update();
                }
            }));
        }
        return null;
    }

    /** A creation sent and not answered: its id and the licence key it took. */
    private record Attempt(String id, Integer keyIndex) {

        /** What an attempt is found by: for whom, which line, what was sent. */
        static String key(UUID person, UUID line, String content) {
            return person + "/" + line + "/" + content;
        }
    }

    /**
     * The creations sent earlier to the publisher and not answered, by person, line and content (see {@code
     * bol_assignment_attempt}). Attempts no one followed up for 30 days are forgotten here.
     */
    private Map<String, Attempt> unansweredAttempts(UUID connector, List<Wanted> group) {
        jdbc.sql("delete from bol_assignment_attempt where sent_at < now() - interval '30 days'").update();
        Map<String, Attempt> attempts = new HashMap<>();
        jdbc.sql("""
                        select person_id, line_id, content, client_assignment_id, key_index from bol_assignment_attempt
                        where connector_id = :c and person_id = any(:p)
                        """)
                .param("c", connector).param("p", group.stream().map(Wanted::person).distinct().toArray(UUID[]::new))
                .query(rs -> {
                    attempts.put(Attempt.key(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3)),
                            new Attempt(rs.getString(4), (Integer) rs.getObject(5)));
                });
        return attempts;
    }

    /**
     * Before the creations are sent: their ids and keys, so that a retry after an answer that never came sends the same
     * ones, and no other holder of the line takes the key meanwhile ({@link #ring}).
     */
    private void recordAttempts(UUID connector, Map<String, Wanted> byId, Map<String, Integer> keyOf) {
        transaction.executeWithoutResult(s -> byId.forEach((id, w) -> jdbc.sql("""
                        insert into bol_assignment_attempt (connector_id, person_id, line_id, client_assignment_id, content, key_index)
                        values (:c, :p, :l, :id, :content, :key)
                        on conflict (connector_id, person_id, line_id) do update set client_assignment_id = excluded.client_assignment_id,
                            content = excluded.content, key_index = excluded.key_index, sent_at = now()
                        """)
                .param("c", connector).param("p", w.person()).param("l", w.line()).param("id", id).param("content", w.content())
                .param("key", keyOf.get(id)).update()));
    }

    private void forgetAttempts(UUID connector, java.util.Collection<String> ids) {
        jdbc.sql("delete from bol_assignment_attempt where connector_id = :c and client_assignment_id = any(:ids)")
                .param("c", connector).param("ids", ids.toArray(String[]::new)).update();
    }

    /**
     * Sends the creations under a lock of each order line they take keys of ({@link SessionLocks}, no transaction open
     * while the publisher answers): a key is taken from what is recorded, sent, and recorded as taken only once the
     * publisher has answered, so two workers (or nodes) pushing holders of one line at once would otherwise both take
     * the same free key. The second waits, and then finds the first one's key taken.
     */
    private ProvisioningWorker.Failure sendTakingKeys(BolClient client, UUID connector, List<Wanted> create, Map<UUID, String> failed) {
        if (create.isEmpty()) {
            return null;
        }
        List<String> lines = create.stream().map(w -> "bol-line-keys:" + w.line()).distinct().toList();
        ProvisioningWorker.Failure[] transport = new ProvisioningWorker.Failure[1];
        try {
            locks.run(lines, () -> transport[0] = send(client, connector, create, false, failed));
        } catch (com.unboundid.scim2.common.exceptions.ScimException e) {
            throw new IllegalStateException(e); // the step throws none: it is SessionLocks' signature
        }
        return transport[0];
    }

    /**
     * An order line's licence keys as the publisher gave them (decrypted once per request), and the indexes assignments
     * hold — those recorded, and those taken in this request.
     */
    private record KeyRing(List<String> keys, Set<Integer> used) {

        /** The lowest key no assignment holds, now taken (null: the publisher gave no keys, or every key is taken). */
        Integer take() {
            for (int i = 0; i < keys.size(); i++) {
                if (used.add(i)) {
                    return i;
                }
            }
            return null;
        }

        String key(Integer index) {
            return index == null || index >= keys.size() ? null : keys.get(index);
        }
    }

    private KeyRing ring(Map<UUID, KeyRing> rings, UUID line) {
        return rings.computeIfAbsent(line, l -> {
            byte[] encrypted = jdbc.sql("select licence_keys from bol_order_line where line_id = :l").param("l", l).query(byte[].class).optional()
                    .orElse(null);
            if (encrypted == null) {
                return new KeyRing(List.of(), new HashSet<>());
            }
            return new KeyRing(json.readValue(secrets.decrypt(encrypted), new TypeReference<List<String>>() { }),
                    // the keys assignments hold, and those taken by creations still awaiting their answer
                    new HashSet<>(jdbc.sql("""
                                    select key_index from bol_assignment where line_id = :l and key_index is not null
                                    union select key_index from bol_assignment_attempt where line_id = :l and key_index is not null""").param("l", l)
                            .query(Integer.class).list()));
        });
    }

    /** The assignments the publisher holds for these persons (as sent). */
    private Map<UUID, List<Wanted>> standing(UUID connector, List<UUID> persons) {
        Map<UUID, List<Wanted>> out = new HashMap<>();
        jdbc.sql("""
                        select person_id, line_id, article_number, free_trial, user_id_source, user_id, school_id_source, school_id, school_organisation_id,
                               client_assignment_id, key_index
                        from bol_assignment
                        where connector_id = :c and person_id = any(:p)
                        """).param("c", connector).param("p", persons.toArray(UUID[]::new))
                .query(rs -> {
                    UUID person = rs.getObject(1, UUID.class);
                    out.computeIfAbsent(person, p -> new ArrayList<>()).add(new Wanted(person, rs.getObject(2, UUID.class), rs.getString(3), rs.getBoolean(4),
                            new BolMessages.User(rs.getString(5), rs.getString(6)), new BolMessages.School(rs.getString(7), rs.getString(8), null),
                            rs.getObject(9, UUID.class), rs.getString(10), rs.getObject(11, Integer.class)));
                });
        return out;
    }

    /** What the publisher should hold for these persons today: released, and recorded in the ledger (committed before anything is sent). */
    private Map<UUID, List<Wanted>> wanted(UUID connector, List<UUID> persons, List<UUID> products) {
        List<Licences.HeldSeat> seats = licences.seatsHeld(persons, products, LocalDate.now());
        Set<UUID> lines = new HashSet<>();
        seats.stream().map(Licences.HeldSeat::orderLineId).filter(Objects::nonNull).forEach(lines::add);
        // an order line whose order this publisher delivered: its article number as ordered
        Map<UUID, String> delivered = new HashMap<>();
        if (!lines.isEmpty()) {
            jdbc.sql("""
                            select l.line_id, l.article_number from bol_order_line l join bol_order b on b.id = l.bol_order_id
                            where b.connector_id = :c and l.line_id = any(:lines) and l.status = 'delivered'
                            """).param("c", connector).param("lines", lines.toArray(UUID[]::new))
                    .query(rs -> {
                        delivered.put(rs.getObject(1, UUID.class), rs.getString(2));
                    });
        }
        Map<UUID, Product> productsById = new HashMap<>();
        catalog.products(products).forEach(p -> productsById.put(p.id(), p));
        List<Licences.HeldSeat> assignable = seats.stream()
                .filter(s -> s.orderLineId() != null && (s.trial() || delivered.containsKey(s.orderLineId()))).toList();
        Map<UUID, List<Licences.HeldSeat>> byProduct = new LinkedHashMap<>();
        assignable.forEach(s -> byProduct.computeIfAbsent(s.productId(), p -> new ArrayList<>()).add(s));
        Map<UUID, List<Wanted>> out = new HashMap<>();
        transaction.executeWithoutResult(status -> byProduct.forEach((product, held) -> {
            List<UUID> holders = held.stream().map(Licences.HeldSeat::personId).distinct().toList();
            Map<UUID, Release> released = new HashMap<>();
            for (Release r : policy.releaseOnly(holders, product, Channel.BOL_ASSIGNMENT, Set.of(Attribute.PSEUDONYMOUS_ID),
                    Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT))) {
                released.put(r.personId(), r);
            }
            for (Licences.HeldSeat seat : held) {
                Release r = released.get(seat.personId());
                Object pseudonym = r == null ? null : r.values().get(Attribute.PSEUDONYMOUS_ID);
                if (pseudonym == null) {
                    continue; // nothing may go about the person: what the publisher holds is taken back
                }
                String article = seat.trial() ? productsById.get(product).articleNumber() : delivered.get(seat.orderLineId());
                Unit unit = school(r.values().get(Attribute.SCHOOL_UNIT), seat.scopeId());
                out.computeIfAbsent(seat.personId(), p -> new ArrayList<>()).add(new Wanted(seat.personId(), seat.orderLineId(), article, seat.trial(),
                        new BolMessages.User("client", pseudonym.toString()), unit.school(), unit.id(), null, null));
            }
        }));
        return out;
    }

    /** A school as sent, and the organisation unit it is in Tilldela. */
    private record Unit(BolMessages.School school, UUID id) {
    }

    /**
     * The school the licence is at: the person's school unit as released — the one the pool was bought for when they are
     * placed there — by its school unit code (idSource skolverket) or Tilldela's id (client); the pool's own organisation
     * when no school unit may go.
     */
    private Unit school(Object released, UUID scope) {
        if (released instanceof List<?> units && !units.isEmpty()) {
            Map<?, ?> chosen = units.stream().filter(Map.class::isInstance).map(Map.class::cast)
                    .filter(u -> scope.toString().equals(u.get("id"))).findFirst()
                    .orElse(units.getFirst() instanceof Map<?, ?> first ? first : null);
            if (chosen != null) {
                Object code = chosen.get("code");
                UUID id = UUID.fromString(String.valueOf(chosen.get("id")));
                return new Unit(code != null ? new BolMessages.School("skolverket", code.toString(), String.valueOf(chosen.get("name")))
                        : new BolMessages.School("client", id.toString(), String.valueOf(chosen.get("name"))), id);
            }
        }
        return organisations.organisation(scope).map(o -> new Unit(BolOrders.school(o), o.id()))
                .orElse(new Unit(new BolMessages.School("client", scope.toString(), null), scope));
    }
}
