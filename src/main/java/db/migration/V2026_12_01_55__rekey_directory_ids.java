package db.migration;

import java.io.IOException;
import java.io.StringReader;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.RowWriter;

/**
 * Re-keys every directory id made the old way — a name-based (MD5, version 3) UUID of (source, entity,
 * source id), which gives away a civic number used as source id — to the keyed id {@link Ids} makes now
 * (HMAC-SHA256 under this installation's secret, version 8), and makes every reference follow, all in the
 * migration's one transaction.
 *
 * <ul>
 * <li>Directory records: id, references and content hash (the hash covers the reference columns; made
 * again exactly as an import makes it, so the next import of an unchanged snapshot changes nothing).</li>
 * <li>Every column elsewhere that holds an organisation, group or person id (listed in {@link #REFERENCES}),
 * the audit trail's targets and details, and the event publication registry's serialized events.</li>
 * <li>A person id referenced but no longer in the directory (a leaver whose licence, holdings or ledger
 * records remain) cannot be made again without its source id: it gets a random id, the same in every table.
 * Such a person coming back later gets their keyed id and is not linked with those earlier rows.</li>
 * <li>The disclosure ledger's records are NOT rewritten. The ledger is append-only and each record's hash
 * covers its person id; rewriting would mean recomputing the chain from the first re-keyed record on,
 * which is what the chain exists to expose, and would contradict any head hash published before. The
 * former ids of the persons it has records about go to {@code ledger_person_alias}, through which reports
 * and the feed read, so {@code ledger verify} keeps passing and a person's report still has everything.</li>
 * <li>Pairwise pseudonyms are HMAC(key, supplier, person id): for every re-keyed person the former id goes to
 * {@code pseudonym_basis}, so suppliers keep knowing everyone by the pseudonym they already have.</li>
 * </ul>
 *
 * <p>Only version 3 ids are re-keyed, so running it over ids that are already keyed changes nothing.
 * It uses {@link Ids} itself rather than a copy of the formula: the ids it makes must be the ones the
 * next import makes.
 */
public class V2026_12_01_55__rekey_directory_ids extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V2026_12_01_55__rekey_directory_ids.class);

    /** How many records are read and re-keyed per round trip. */
    private static final int CHUNK = 50_000;

    /** Made the old way: a name-based MD5 UUID has version 3 (the 13th hex digit). */
    private static final String LEGACY = "substr(%s::text, 15, 1) = '3'";

    /** Columns outside the directory's own tables that hold directory ids, by what they hold. */
    static final Map<String, List<String>> REFERENCES = new LinkedHashMap<>();

    static {
        REFERENCES.put("PERSON", List.of("directory_change.person_id", "release_objection.person_id", "assignment_rule.person_id",
                "licence_assignment.person_id", "licence_shortfall.person_id", "cart_recipient.person_id", "order_recipient.person_id",
                "holding.person_id"));
        REFERENCES.put("GROUP", List.of("directory_change.group_id", "assignment_rule.group_id", "cart_recipient.group_id", "order_recipient.group_id"));
        REFERENCES.put("ORGANISATION", List.of("data_access_agreement.scope_id", "licence_pool.organiser_id", "licence_pool.scope_id",
                "assignment_rule.organisation_id", "buyer_scope.organisation_id", "buyer_scope.organiser_id", "cart_recipient.organisation_id",
                "purchase_order.organiser_id", "purchase_order.scope_id", "order_recipient.organisation_id", "dpo_approval.organiser_id",
                "organiser_data_policy.organiser_id", "admin_right.organisation_id", "admin_grant_unit.organisation_id",
                "processing_agreement_organiser.organiser_id"));
    }

    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String UUID_RE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    @Override
    public void migrate(Context context) throws Exception {
        Map<String, Long> counts = rekey(context.getConnection());
        // counts only: never an id or a source id
        log.info("directory ids re-keyed: {}", counts);
    }

    /** Does the work on {@code connection}, inside its transaction; answers counts per kind of record. */
    public static Map<String, Long> rekey(Connection connection) throws SQLException, IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        try (Statement st = connection.createStatement()) {
            // date columns must read as an import wrote them (LocalDate.toString()) for the content hash
            st.execute("set local datestyle to 'ISO, YMD'");
            st.execute("create temp table rekey (old uuid primary key, new uuid not null, entity text not null) on commit drop");
            st.execute("create temp table rekey_hash (old uuid primary key, hash uuid not null) on commit drop");
        }
        Ids ids = Ids.keyedWith(secret(connection));

        // 1. the new id of every directory record made the old way
        for (Entity e : Entity.values()) {
            long n = chunked(connection, "select id, source, source_id from " + e.table() + " where " + LEGACY.formatted("id"), rs -> {
                UUID old = rs.getObject(1, UUID.class);
                return old + "\t" + ids.of(rs.getString(2), e, rs.getString(3)) + "\t" + e.name() + "\n";
            }, copy, "copy rekey (old, new, entity) from stdin");
            counts.put(e.label(), n);
        }

        // 2. persons referenced but gone from the directory: a random id, the same everywhere
        List<String> personColumns = new ArrayList<>(REFERENCES.get("PERSON"));
        personColumns.add("disclosure.person_id");
        StringBuilder referenced = new StringBuilder();
        for (String column : personColumns) {
            String[] tc = column.split("\\.");
            referenced.append(referenced.isEmpty() ? "" : " union ").append("select ").append(tc[1]).append(" as id from ").append(tc[0]);
        }
        referenced.append(" union select cast(target_id as uuid) from audit_event where target_type = 'person' and target_id ~ '^")
                .append(UUID_RE).append("$'");
        counts.put("formerPersons", update(connection, "insert into rekey (old, new, entity) select x.id, gen_random_uuid(), 'PERSON' from ("
                + referenced + ") x where x.id is not null and " + LEGACY.formatted("x.id")
                + " and not exists (select 1 from rekey r where r.old = x.id)"
                // the ledger's records keep their former ids for good: those already given a new one are done
                + " and not exists (select 1 from ledger_person_alias a where a.legacy_id = x.id)"));

        // 3. directory records: id, references, content hash
        for (Entity e : Entity.values()) {
            StringBuilder select = new StringBuilder("select t.id");
            List<String> refs = new ArrayList<>();
            for (String c : e.columns()) {
                if (c.endsWith("_id")) {
                    refs.add(c);
                    select.append(", coalesce((select r.new from rekey r where r.old = t.").append(c).append("), t.").append(c).append(")::text");
                } else {
                    select.append(", t.").append(c).append("::text");
                }
            }
            select.append(" from ").append(e.table()).append(" t where ").append(LEGACY.formatted("t.id"));
            int columns = e.columns().size();
            chunked(connection, select.toString(), rs -> {
                List<String> texts = new ArrayList<>(columns);
                for (int i = 0; i < columns; i++) {
                    texts.add(rs.getString(2 + i));
                }
                return rs.getObject(1, UUID.class) + "\t" + RowWriter.contentHashOf(texts) + "\n";
            }, copy, "copy rekey_hash (old, hash) from stdin");
            StringBuilder set = new StringBuilder("id = r.new, content_hash = h.hash");
            for (String c : refs) {
                set.append(", ").append(c).append(" = coalesce((select m.new from rekey m where m.old = t.").append(c).append("), t.").append(c).append(")");
            }
            update(connection, "update " + e.table() + " t set " + set + " from rekey_hash h join rekey r on r.old = h.old where t.id = h.old");
            update(connection, "truncate rekey_hash");
        }

        // 4. every other reference; a table is skipped where it is not (yet, or any more) there: admin_right
        //    gave way to admin_grant_unit (V2026.12.02.1), and this runs both as a migration and from tests
        for (List<String> columns : REFERENCES.values()) {
            for (String column : columns) {
                String[] tc = column.split("\\.");
                if (!tableExists(connection, tc[0])) {
                    continue;
                }
                update(connection, "update " + tc[0] + " t set " + tc[1] + " = r.new from rekey r where t." + tc[1] + " = r.old");
            }
        }
        // The audit trail is append-only (V2026.12.01.10), but its rows still name the reversible ids, which give
        // civic numbers away to anyone reading it: the migrating owner lifts the guard for this one rewrite only,
        // inside this transaction, and the trail records that it happened.
        update(connection, "alter table audit_event disable trigger audit_event_no_update_or_delete");
        counts.put("auditTargets", update(connection,
                "update audit_event a set target_id = r.new::text from rekey r where a.target_id = r.old::text"));
        counts.put("auditDetails", replaceInText(connection, "audit_event", "id", "detail", "jsonb"));
        update(connection, "alter table audit_event enable trigger audit_event_no_update_or_delete");
        update(connection, "insert into audit_event (actor, action, target_type, detail) select 'migration', 'DIRECTORY_IDS_REKEYED', 'directory', "
                + "jsonb_build_object('ids', count(*)) from rekey having count(*) > 0");
        counts.put("eventPublications", replaceInText(connection, "event_publication", "id", "serialized_event", "text"));

        // 5. what must keep the former id: the ledger's records (read through the alias), pairwise pseudonyms
        counts.put("ledgerAliases", update(connection, "insert into ledger_person_alias (legacy_id, person_id) select r.old, r.new from rekey r "
                + "where r.entity = 'PERSON' and exists (select 1 from disclosure d where d.person_id = r.old)"));
        // every re-keyed person, not only those with records: a guardian's pseudonym leaves with a child's record
        counts.put("pseudonymBases", update(connection, "insert into pseudonym_basis (person_id, basis_id) select r.new, r.old from rekey r "
                + "where r.entity = 'PERSON'"));
        return counts;
    }

    /** The installation's key of directory ids, made here if there is none yet (as InstanceSecrets would). */
    private static byte[] secret(Connection connection) throws SQLException {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into instance_secret (purpose, secret) values (?, ?) on conflict (purpose) do nothing")) {
            insert.setString(1, Ids.SECRET);
            insert.setBytes(2, fresh);
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement("select secret from instance_secret where purpose = ?")) {
            select.setString(1, Ids.SECRET);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    private interface Line {
        String of(ResultSet rs) throws SQLException;
    }

    /**
     * Reads {@code select} (whose first column is the record's id) in chunks in id order, and copies one
     * line per record into a temporary table: a COPY cannot run while a query's rows are still being read.
     */
    private static long chunked(Connection connection, String select, Line line, CopyManager copy, String copySql) throws SQLException, IOException {
        long total = 0;
        UUID after = new UUID(0, 0);
        while (true) {
            StringBuilder lines = new StringBuilder();
            int n = 0;
            try (PreparedStatement ps = connection.prepareStatement(paged(select))) {
                ps.setObject(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.append(line.of(rs));
                        after = rs.getObject(1, UUID.class);
                        n++;
                    }
                }
            }
            if (n > 0) {
                copy.copyIn(copySql, new StringReader(lines.toString()));
            }
            total += n;
            if (n < CHUNK) {
                return total;
            }
        }
    }

    /** {@code select … from table t where …} with keyset paging on its first column added. */
    private static String paged(String select) {
        String idColumn = select.startsWith("select t.id") ? "t.id" : "id";
        return select + " and " + idColumn + " > ? order by " + idColumn + " limit " + CHUNK;
    }

    private static boolean tableExists(Connection connection, String table) throws SQLException {
        try (var st = connection.prepareStatement("select to_regclass(?) is not null")) {
            st.setString(1, table);
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static long update(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            return st.executeLargeUpdate(sql);
        }
    }

    /** Replaces every re-keyed id in a text (or jsonb) column, where it occurs; answers the rows changed. */
    private static long replaceInText(Connection connection, String table, String key, String column, String type) throws SQLException {
        record Hit(Object key, String text, Map<String, String> ids) {
        }
        List<Hit> hits = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("select x." + key + ", x." + column + "::text, array_agg(r.old::text), array_agg(r.new::text) from "
                     + table + " x cross join lateral (select distinct lower(m[1]) as id from regexp_matches(x." + column + "::text, '(" + UUID_RE
                     + ")', 'g') m) found join rekey r on r.old::text = found.id group by x." + key + ", x." + column + "::text")) {
            while (rs.next()) {
                String[] olds = (String[]) rs.getArray(3).getArray();
                String[] news = (String[]) rs.getArray(4).getArray();
                Map<String, String> ids = new LinkedHashMap<>();
                for (int i = 0; i < olds.length; i++) {
                    ids.put(olds[i], news[i]);
                }
                hits.add(new Hit(rs.getObject(1), rs.getString(2), ids));
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("update " + table + " set " + column + " = cast(? as " + type + ") where " + key + " = ?")) {
            for (Hit hit : hits) {
                Matcher m = UUID_TEXT.matcher(hit.text());
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    String found = m.group();
                    m.appendReplacement(out, Matcher.quoteReplacement(hit.ids().getOrDefault(found.toLowerCase(), found)));
                }
                m.appendTail(out);
                ps.setString(1, out.toString());
                ps.setObject(2, hit.key());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return (long) hits.size();
    }
}
