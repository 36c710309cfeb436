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

    AuditTrail(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
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
}
