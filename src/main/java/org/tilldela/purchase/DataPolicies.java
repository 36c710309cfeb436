package org.tilldela.purchase;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Attribute;
import org.tilldela.governance.AuditTrail;

/** Each organiser's data policy, kept by the data protection officer; changes audited. */
@Service
@Transactional
public class DataPolicies {

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    DataPolicies(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public DataPolicy of(UUID organiserId) {
        return jdbc.sql("select attributes, updated_by, updated_at from organiser_data_policy where organiser_id = :o").param("o", organiserId)
                .query((rs, n) -> {
                    Set<Attribute> allowed = EnumSet.noneOf(Attribute.class);
                    Arrays.stream((String[]) rs.getArray(1).getArray()).forEach(a -> allowed.add(Attribute.valueOf(a)));
                    return new DataPolicy(organiserId, allowed, false, rs.getString(2), rs.getTimestamp(3).toInstant());
                }).optional()
                .orElseGet(() -> new DataPolicy(organiserId, DataPolicy.DEFAULT, true, null, null));
    }

    public DataPolicy set(UUID organiserId, Set<Attribute> allowed, String actor) {
        String[] names = allowed.stream().sorted().map(Enum::name).toArray(String[]::new);
        jdbc.sql("""
                        insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, :by)
                        on conflict (organiser_id) do update set attributes = excluded.attributes, updated_by = excluded.updated_by, updated_at = now()
                        """).param("o", organiserId).param("a", names).param("by", actor).update();
        audit.record(actor, "DATA_POLICY_SET", "organiser_data_policy", organiserId.toString(), Map.of("allowed", Arrays.asList(names)));
        return of(organiserId);
    }

    /** Back to the default policy. */
    public DataPolicy reset(UUID organiserId, String actor) {
        if (jdbc.sql("delete from organiser_data_policy where organiser_id = :o").param("o", organiserId).update() > 0) {
            audit.record(actor, "DATA_POLICY_RESET", "organiser_data_policy", organiserId.toString(), Map.of());
        }
        return of(organiserId);
    }
}
