package org.tilldela.governance;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit trail: every administrative action and every view of a protected person, with who, when and
 * on what. Written in the caller's transaction, so an action and its record stand or fall together.
 * Details hold ids and counts, never names or civic numbers.
 */
@Service
public class AuditTrail {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final List<AuditedRecords> records;

    AuditTrail(JdbcClient jdbc, JsonMapper json, List<AuditedRecords> records) {
        this.jdbc = jdbc;
        this.json = json;
        this.records = List.copyOf(records);
    }

    public void record(String actor, String action, String targetType, String targetId, Map<String, ?> detail) {
        jdbc.sql("insert into audit_event (actor, action, target_type, target_id, detail) values (:actor, :action, :type, :target, cast(:detail as jsonb))")
                .param("actor", actor).param("action", action).param("type", targetType).param("target", targetId)
                .param("detail", detail == null ? null : json.writeValueAsString(detail)).update();
    }

    /** Audit entries about one target, newest first (for administrators and tests). */
    public List<Entry> about(String targetType, String targetId) {
        return jdbc.sql("select occurred_at, actor, action, target_type, target_id, detail::text detail from audit_event "
                        + "where target_type = :type and target_id = :target order by id desc")
                .param("type", targetType).param("target", targetId)
                .query((rs, n) -> new Entry(rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
                        rs.getString("target_type"), rs.getString("target_id"), rs.getString("detail"))).list();
    }

    public record Entry(Instant occurredAt, String actor, String action, String targetType, String targetId, String detail) {
    }

    /** What the audit search asks: each part optional (null or blank: any). {@code from} inclusive, {@code to} exclusive. */
    public record Search(String actor, String action, String targetType, String targetId, Instant from, Instant to) {
    }

    /** One event as the search lists it, with its number in the trail. */
    public record Event(long id, Instant occurredAt, String actor, String action, String targetType, String targetId, String detail) {
    }

    /**
     * A page of events, newest first, and how many match: all of them when {@code exact}, else at least {@code total}
     * (counting stopped there, see {@link #search(Search, List, int, int)}).
     */
    public record EventPage(List<Event> events, long total, boolean exact, int page, int size) {
        /** The pages known to hold events: when counting stopped, those counted and one more at least. */
        public long pages() {
            long counted = Math.max(1, (total + size - 1) / size);
            return exact ? counted : counted + 1;
        }
    }

    /**
     * How far past the page shown the search counts. The trail grows by a row per sign-in through a municipality's
     * identity provider (millions a day nationally, kept a year by default: {@link AuditRetention}): an exact count of a
     * broad search would read all of it on every visit; a page needs only to know that there is a next one.
     */
    public static final int COUNTED_PAST_THE_PAGE = 10_000;

    /** {@link #search(Search, List, int, int, long)}, counting at most {@link #COUNTED_PAST_THE_PAGE} events past the page. */
    public EventPage search(Search q, List<CallerScope> scopes, int page, int size) {
        return search(q, scopes, page, size, countedUpTo(page, size));
    }

    private static long countedUpTo(int page, int size) {
        return (page + 1L) * size + COUNTED_PAST_THE_PAGE;
    }

    /**
     * Searches the trail within the scopes given (an event is within if it is within any of them). Over the whole
     * installation every event; within units only the events about a record that lies within them: a person
     * (as {@link CallerScope#person} defines it), an organisation unit, an access review of one, or a record another
     * module places within them ({@link AuditedRecords}: an organiser's import sources, import runs and upstream identity
     * providers, for a grant over the organiser not narrowed to school forms). Events about anything else (accounts,
     * suppliers, the catalogue, connectors) have no place in a unit and are shown to whole-installation grants only.
     * Counting stops after {@code countAtMost} matches ({@link Long#MAX_VALUE}: counts them all).
     */
    public EventPage search(Search q, List<CallerScope> scopes, int page, int size, long countAtMost) {
        return search(q, scopes, page, size, countAtMost, LOOKED_UP_AT_MOST);
    }

    /**
     * Up to how many records within a scope the search looks their events up one record at a time, by the trail's target
     * index; a scope with more (an organiser's hundred thousand persons) has events on most pages of the trail, which is
     * then read newest first and each event checked against the records held in a hash. A school's auditor over a trail
     * of 20 million events: 1.1 s for the first page and 55 s for its count when every search read the trail; by record
     * 40 ms and 6 ms.
     */
    static final int LOOKED_UP_AT_MOST = 10_000;

    EventPage search(Search q, List<CallerScope> scopes, int page, int size, long countAtMost, int lookedUpAtMost) {
        return search(q, within(scopes, lookedUpAtMost), page, size, countAtMost);
    }

    /** A page of the search and the actions for its picker ({@link #actions(List)}), within the same scopes. */
    public record Searched(EventPage page, List<String> actions) {
    }

    /**
     * {@link #search(Search, List, int, int)} and {@link #actions(List)} together, as the audit page shows them: the scopes'
     * records worked out once, and the picker's statement run beside the search's, on a connection of its own (for an
     * organiser's auditor each builds a hash of the organiser's persons, a second or two at a national trail). Reads
     * only, so it needs no transaction of the caller's.
     */
    public Searched searchWithActions(Search q, List<CallerScope> scopes, int page, int size) {
        Within scope = within(scopes, LOOKED_UP_AT_MOST);
        try (var beside = Executors.newVirtualThreadPerTaskExecutor()) {
            var actions = beside.submit(() -> actions(scope));
            EventPage found = search(q, scope, page, size, countedUpTo(page, size));
            try {
                return new Searched(found, actions.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while listing the audit trail's actions", e);
            }
        }
    }

    private EventPage search(Search q, Within scope, int page, int size, long countAtMost) {
        StringBuilder where = new StringBuilder(" where (" + scope.where() + ")");
        Map<String, Object> params = new HashMap<>(scope.params());
        if (q.actor() != null && !q.actor().isBlank()) {
            where.append(" and a.actor = :actor");
            params.put("actor", q.actor().strip());
        }
        if (q.action() != null && !q.action().isBlank()) {
            where.append(" and a.action = :action");
            params.put("action", q.action().strip());
        }
        if (q.targetType() != null && !q.targetType().isBlank()) {
            where.append(" and a.target_type = :type");
            params.put("type", q.targetType().strip());
        }
        if (q.targetId() != null && !q.targetId().isBlank()) {
            where.append(" and a.target_id = :target");
            params.put("target", q.targetId().strip());
        }
        if (q.from() != null) {
            where.append(" and a.occurred_at >= :from");
            params.put("from", java.sql.Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            where.append(" and a.occurred_at < :to");
            params.put("to", java.sql.Timestamp.from(q.to()));
        }
        String from = " from " + scope.from() + where;
        long offset = (long) page * size;
        if (countAtMost == Long.MAX_VALUE) {
            long counted = jdbc.sql("select count(*)" + from).params(params).query(Long.class).single();
            List<Event> events = jdbc.sql("select a.id, a.occurred_at, a.actor, a.action, a.target_type, a.target_id, a.detail::text detail"
                            + from + " order by a.id desc limit :limit offset :offset")
                    .params(params).param("limit", size).param("offset", offset).query((rs, n) -> event(rs)).list();
            return new EventPage(events, counted, true, page, size);
        }
        // counted and cut in one statement: the matches newest first, as far as counting goes (and at least to the page's
        // end), then the page taken from them, so a large scope's records are hashed once a search, not twice
        List<Event> events = new ArrayList<>();
        long counted = jdbc.sql("with matched as materialized (select a.id" + from + " order by a.id desc limit :countLimit) " + """
                        select c.counted, a.id, a.occurred_at, a.actor, a.action, a.target_type, a.target_id, a.detail::text detail
                        from (select count(*) counted from matched) c
                        left join (select m.id from matched m order by m.id desc limit :limit offset :offset) shown on true
                        left join audit_event a on a.id = shown.id
                        order by a.id desc""")
                .params(params).param("countLimit", Math.max(countAtMost + 1, offset + size)).param("limit", size).param("offset", offset)
                .query((rs, n) -> {
                    if (rs.getObject("id") != null) {
                        events.add(event(rs));
                    }
                    return rs.getLong("counted");
                }).list().getFirst();
        return new EventPage(events, Math.min(counted, countAtMost), counted <= countAtMost, page, size);
    }

    private static Event event(ResultSet rs) throws SQLException {
        return new Event(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
                rs.getString("target_type"), rs.getString("target_id"), rs.getString("detail"));
    }

    /**
     * The actions of the events within the scopes given ({@link #search}'s rule), for the search's picker: a scoped auditor is not
     * told which kinds of event happen elsewhere (that another organiser's upstream provider was registered, say).
     */
    List<String> actions(List<CallerScope> scopes) {
        return actions(scopes, LOOKED_UP_AT_MOST);
    }

    List<String> actions(List<CallerScope> scopes, int lookedUpAtMost) {
        return actions(within(scopes, lookedUpAtMost));
    }

    private List<String> actions(Within scope) {
        if (scope == Within.EVERYTHING) {
            return actions();
        }
        if (scope == Within.NOTHING) {
            return List.of();
        }
        if (scope.byRecord()) {
            return jdbc.sql("select distinct a.action from " + scope.from() + " order by 1").params(scope.params()).query(String.class).list();
        }
        // many records: each action of the whole trail, kept if one of its events lies within, read newest first by the action's
        // index until one does (the records' hashes are built once for the statement). The action is bounded above and below,
        // not equated: equated, PostgreSQL drops the action from the order and, guessing every action as common as the
        // average, reads the whole trail newest first for each rare one (35 s at 20 million events; this way 2.4 s)
        return jdbc.sql(DISTINCT_ACTIONS + " select x.action from x cross join lateral (select from audit_event a"
                + " where a.action >= x.action and a.action <= x.action and (" + scope.where() + ")"
                + " order by a.action desc, a.id desc limit 1) y where x.action is not null order by 1")
                .params(scope.params()).query(String.class).list();
    }

    /** The actions in the whole trail, for the search's picker over the whole installation. */
    private List<String> actions() {
        return jdbc.sql(DISTINCT_ACTIONS + " select action from x where action is not null").query(String.class).list();
    }

    // a loose index scan: one probe per distinct action, however long the trail
    private static final String DISTINCT_ACTIONS = """
            with recursive x(action) as (
                (select action from audit_event order by action limit 1)
                union all
                select (select e.action from audit_event e where e.action > x.action order by e.action limit 1) from x where x.action is not null
            )""";

    /**
     * Where the events within a search's scopes are: a from clause (the trail, or the events of records looked up) and a
     * condition on the event {@code a}.
     */
    private record Within(String from, String where, Map<String, Object> params, boolean byRecord) {

        static final String TRAIL = "audit_event a";
        static final Within EVERYTHING = new Within(TRAIL, "true", Map.of(), false);
        static final Within NOTHING = new Within(TRAIL, "false", Map.of(), false);
    }

    /**
     * An event is within the scopes if it is about a record within any of them: the scopes' records by target type, each
     * type's ids as SQL selecting one text column. Whole installation: every event, none for no scope.
     */
    private Within within(List<CallerScope> scopes, int lookedUpAtMost) {
        if (scopes.stream().anyMatch(CallerScope::isWholeInstallation)) {
            return Within.EVERYTHING;
        }
        Map<String, Object> params = new HashMap<>();
        Map<String, List<String>> few = new LinkedHashMap<>();
        Map<String, List<String>> many = new LinkedHashMap<>();
        for (CallerScope s : scopes) {
            if (!s.isNothing()) {
                params.putAll(s.params());
                add(few, targets(s, s.personsByUnit()));
                add(many, targets(s, s.persons()));
            }
        }
        if (few.isEmpty()) {
            return Within.NOTHING;
        }
        String keys = few.entrySet().stream()
                .map(t -> "select '" + t.getKey() + "', k.id from (" + String.join(" union all ", t.getValue()) + ") k(id)")
                .collect(Collectors.joining(" union all "));
        // a person is named once per placement (a pupil's enrolment, groups and guardians' links): read a few times as many
        // rows as records are looked up at most, and count them distinct here, where a limit still stops the reading early
        long read = 4L * lookedUpAtMost + 1;
        List<String[]> found = jdbc.sql("select * from (" + keys + ") k limit :read").params(params).param("read", read)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        Set<List<String>> distinct = new LinkedHashSet<>();
        found.forEach(k -> distinct.add(List.of(k[0], k[1])));
        if (found.size() < read && distinct.size() <= lookedUpAtMost) {
            return new Within("unnest(cast(:scopeTypes as text[]), cast(:scopeIds as text[])) k(target_type, target_id) "
                    + "join audit_event a on a.target_type = k.target_type and a.target_id = k.target_id", "true",
                    Map.of("scopeTypes", distinct.stream().map(List::getFirst).toArray(String[]::new),
                            "scopeIds", distinct.stream().map(List::getLast).toArray(String[]::new)), true);
        }
        // one condition per type, or-ed: PostgreSQL then keeps each type's ids in a hash built once for the statement
        String where = many.entrySet().stream()
                .map(t -> "(a.target_type = '" + t.getKey() + "' and a.target_id in (" + String.join(" union all ", t.getValue()) + "))")
                .collect(Collectors.joining(" or "));
        return new Within(Within.TRAIL, where, params, false);
    }

    /**
     * A scope's records by target type, each type's ids as SQL selecting one text column: its persons (as given), units,
     * access reviews of its units, and what other modules place within it. The trail names a person or a unit by its id's
     * text (UUID's own form), so no event's id needs casting, nor checking that it could be cast.
     */
    private Map<String, String> targets(CallerScope s, String persons) {
        Map<String, String> targets = new HashMap<>(Map.of(
                "person", "select cast(x.id as text) from (" + persons + ") x(id)",
                "organisation", "select cast(o.id as text) from organisation o where " + s.unit("o.id"),
                "access_review", "select cast(r.id as text) from access_review r where " + s.unit("r.organisation_id")));
        records.forEach(r -> targets.putAll(r.within(s)));
        return targets;
    }

    private static void add(Map<String, List<String>> byType, Map<String, String> records) {
        new TreeMap<>(records).forEach((type, sql) -> byType.computeIfAbsent(type, t -> new ArrayList<>()).add(sql));
    }
}
