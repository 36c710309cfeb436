package org.tilldela.governance;

import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        return search(q, scopes, page, size, (page + 1L) * size + COUNTED_PAST_THE_PAGE);
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
        String scope = within(scopes);
        StringBuilder where = new StringBuilder(" where (" + scope + ")");
        Map<String, Object> params = new java.util.HashMap<>();
        scopes.forEach(c -> params.putAll(c.params()));
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
        long counted = countAtMost == Long.MAX_VALUE
                ? jdbc.sql("select count(*) from audit_event a" + where).params(params).query(Long.class).single()
                : jdbc.sql("select count(*) from (select from audit_event a" + where + " limit :countLimit) x").params(params)
                        .param("countLimit", countAtMost + 1).query(Long.class).single();
        List<Event> events = jdbc.sql("select a.id, a.occurred_at, a.actor, a.action, a.target_type, a.target_id, a.detail::text detail from audit_event a"
                        + where + " order by a.id desc limit :limit offset :offset")
                .params(params).param("limit", size).param("offset", (long) page * size)
                .query((rs, n) -> new Event(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
                        rs.getString("target_type"), rs.getString("target_id"), rs.getString("detail"))).list();
        return new EventPage(events, Math.min(counted, countAtMost), counted <= countAtMost, page, size);
    }

    /**
     * The actions of the events within the scopes given ({@link #search}'s rule), for the search's picker: a scoped auditor is not
     * told which kinds of event happen elsewhere (that another organiser's upstream provider was registered, say).
     */
    public List<String> actions(List<CallerScope> scopes) {
        if (scopes.stream().anyMatch(CallerScope::isWholeInstallation)) {
            return actions();
        }
        Map<String, Object> params = new java.util.HashMap<>();
        scopes.forEach(c -> params.putAll(c.params()));
        return jdbc.sql("select distinct a.action from audit_event a where (" + within(scopes) + ") order by 1").params(params).query(String.class).list();
    }

    /** The actions in the whole trail, for the search's picker over the whole installation. */
    public List<String> actions() {
        // a loose index scan: one probe per distinct action, however long the trail
        return jdbc.sql("""
                        with recursive a(action) as (
                            (select action from audit_event order by action limit 1)
                            union all
                            select (select e.action from audit_event e where e.action > a.action order by e.action limit 1) from a where a.action is not null
                        ) select action from a where action is not null
                        """).query(String.class).list();
    }

    private static final String UUID_TARGET = "(case when a.target_id ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' "
            + "then cast(a.target_id as uuid) end)";

    private String within(List<CallerScope> scopes) {
        if (scopes.stream().anyMatch(CallerScope::isWholeInstallation)) {
            return "true";
        }
        List<String> parts = scopes.stream().filter(s -> !s.isNothing()).map(s -> "(a.target_type = 'person' and " + s.person(UUID_TARGET) + ")"
                + " or (a.target_type = 'organisation' and " + s.unit(UUID_TARGET) + ")"
                + " or (a.target_type = 'access_review' and a.target_id in (select cast(r.id as text) from access_review r where "
                + s.unit("r.organisation_id") + "))"
                + records.stream().map(r -> " or (" + r.within(s) + ")").collect(java.util.stream.Collectors.joining())).toList();
        return parts.isEmpty() ? "false" : String.join(" or ", parts);
    }
}
