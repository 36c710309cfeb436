package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import db.migration.V2026_12_01_55__rekey_directory_ids;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.ledger.LedgerRecord;

/**
 * Migration V2026.12.01.55 on a database as it was before ids were keyed: every directory record and every
 * reference to one carries the old name-based (MD5) id. Afterwards every record has its keyed id, every
 * reference follows (a leaver's too, to one random id), the ledger's chain is still intact and a person's
 * records are still theirs, and importing the same snapshot again changes nothing.
 */
class DirectoryIdRekeyingTest extends DirectoryImportTestSupport {

    private static final List<String> DIRECTORY_TABLES = List.of("organisation", "person", "enrolment", "student_group", "membership", "duty",
            "guardian_link");

    @Autowired
    Ids ids;
    @Autowired
    DisclosureLedger ledger;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    DataSource dataSource;

    /** The id as Tilldela made it before: a name-based MD5 UUID anyone can recompute from the source id. */
    private static UUID legacy(String source, Entity entity, String sourceId) {
        return UUID.nameUUIDFromBytes((source + '\u0000' + entity.name() + '\u0000' + sourceId).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyReferenceFollowsTheRekeyedIdsAndTheLedgerStaysIntact() throws Exception {
        String source = newSource("rekey");
        OneRosterPackage pkg = OneRosterPackage.small();
        importZip(source, pkg.writeV11(tmp.resolve("day1.zip")));
        Map<String, List<String>> rowsAsImported = rows(source);

        // --- the database as it was: old ids everywhere, content hashes made over them
        Map<UUID, UUID> toLegacy = new LinkedHashMap<>();
        for (Entity e : Entity.values()) {
            jdbc.sql("select id, source_id from " + e.table() + " where source = :s").param("s", source)
                    .query((rs, n) -> toLegacy.put(rs.getObject(1, UUID.class), legacy(source, e, rs.getString(2)))).list();
        }
        UUID p1 = ids.of(source, Entity.PERSON, "p1");
        UUID oldP1 = legacy(source, Entity.PERSON, "p1");
        UUID oldP3 = legacy(source, Entity.PERSON, "p3");
        UUID old7a = legacy(source, Entity.GROUP, "c-7a");
        UUID oldOrg0 = legacy(source, Entity.ORGANISATION, "org-0");
        UUID oldOrg1 = legacy(source, Entity.ORGANISATION, "org-1");
        // a pupil who left before the migration: gone from the directory, still in the ledger and elsewhere
        UUID oldLeaver = legacy(source, Entity.PERSON, "leaver-1");
        UUID supplier = UUID.randomUUID();
        UUID product = UUID.randomUUID();
        String account = "rekey-" + UUID.randomUUID().toString().substring(0, 8);
        UUID event = UUID.randomUUID();
        tx.executeWithoutResult(s -> {
            jdbc.sql("create temp table to_legacy (new uuid primary key, old uuid not null) on commit drop").update();
            toLegacy.forEach((n, o) -> jdbc.sql("insert into to_legacy values (:n, :o)").param("n", n).param("o", o).update());
            for (Entity e : Entity.values()) {
                List<String> columns = new ArrayList<>(List.of("id"));
                e.columns().stream().filter(c -> c.endsWith("_id")).forEach(columns::add);
                for (String c : columns) {
                    jdbc.sql("update " + e.table() + " t set " + c + " = m.old from to_legacy m where t." + c + " = m.new and t.source = :s")
                            .param("s", source).update();
                }
                jdbc.sql("update " + e.table() + " set content_hash = gen_random_uuid() where source = :s").param("s", source).update();
            }
            jdbc.sql("insert into release_objection (id, person_id, recorded_by, reason) values (gen_random_uuid(), :p, 'test', 'synthetic'), "
                    + "(gen_random_uuid(), :l, 'test', 'synthetic')").param("p", oldP1).param("l", oldLeaver).update();
            jdbc.sql("insert into directory_change (import_run_id, kind, person_id, group_id) values (:run, 'PERSON_JOINED', :p, null), "
                    + "(:run, 'GROUP_CHANGED', null, :g)").param("run", UUID.randomUUID()).param("p", oldP3).param("g", old7a).update();
            jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, '{}', 'test')").param("o", oldOrg0).update();
            jdbc.sql("insert into admin_account (username, password_hash, display_name) values (:u, 'x', 'Rekey Test')").param("u", account).update();
            // admin_right gave way to scoped grants (V2026.12.02.1): a grant's units are re-keyed like any other reference
            long grant = jdbc.sql("insert into admin_grant (username, right_name, granted_by) values (:u, 'DIRECTORY_ADMIN', 'test') returning id")
                    .param("u", account).query(Long.class).single();
            jdbc.sql("insert into admin_grant_unit (grant_id, organisation_id) values (:g, :o)").param("g", grant).param("o", oldOrg1).update();
            jdbc.sql("insert into audit_event (actor, action, target_type, target_id, detail) values (:u, 'VIEW_PROTECTED_PERSON', 'person', :p, "
                    + "cast(:d as jsonb))").param("u", account).param("p", oldP1.toString())
                    .param("d", "{\"group\": \"" + old7a + "\", \"where\": \"members\"}").update();
            jdbc.sql("insert into event_publication (id, listener_id, event_type, serialized_event, publication_date, completion_date) "
                    + "values (:id, 'test', 'test', :e, now(), now())").param("id", event).param("e", "{\"personId\":\"" + oldP3 + "\"}").update();
        });
        List<Disclosure> released = List.of(
                new Disclosure(oldP1, supplier, product, Channel.SCIM_PUSH, EnumSet.of(Attribute.PSEUDONYMOUS_ID), null, "GDPR art. 6.1 e",
                        "Sign-in", Instant.now(), 30, null),
                new Disclosure(oldLeaver, supplier, product, Channel.SCIM_PUSH, EnumSet.of(Attribute.PSEUDONYMOUS_ID), null, "GDPR art. 6.1 e",
                        "Sign-in", Instant.now(), 30, null));
        long[] sequences = tx.execute(s -> ledger.append(released));
        assertThat(ledger.verify().intact()).isTrue();

        // --- the migration's work
        Map<String, Long> counts = rekeyAsOwner();
        assertThat(counts).containsEntry("persons", 13L).containsEntry("formerPersons", 1L);

        // directory records: exactly as an import of today makes them (ids, references, content hashes)
        assertThat(rows(source)).isEqualTo(rowsAsImported);
        for (String table : DIRECTORY_TABLES) {
            assertThat(jdbc.sql("select count(*) from " + table + " where source = :s and substr(id::text, 15, 1) = '3'").param("s", source)
                    .query(Long.class).single()).as(table).isZero();
        }
        // so the same snapshot again changes nothing, and records no journal
        ImportSummary again = importZip(source, pkg.writeV11(tmp.resolve("day1-again.zip")));
        assertThat(again.changedAnything()).isFalse();
        assertThat(again.changesRecorded()).isZero();

        // references elsewhere follow
        UUID leaver = jdbc.sql("select person_id from ledger_person_alias where legacy_id = :l").param("l", oldLeaver).query(UUID.class).single();
        assertThat(leaver).isNotEqualTo(oldLeaver);
        assertThat(leaver.version()).isNotEqualTo(3);
        assertThat(jdbc.sql("select person_id from release_objection where recorded_by = 'test' and person_id in (:p, :l, :op, :ol)")
                .param("p", p1).param("l", leaver).param("op", oldP1).param("ol", oldLeaver).query(UUID.class).set())
                .containsExactlyInAnyOrder(p1, leaver);
        assertThat(jdbc.sql("select person_id from holding where supplier_id = :s").param("s", supplier).query(UUID.class).set())
                .containsExactlyInAnyOrder(p1, leaver);
        assertThat(jdbc.sql("select count(*) from directory_change where person_id = :p").param("p", ids.of(source, Entity.PERSON, "p3"))
                .query(Long.class).single()).isPositive();
        assertThat(jdbc.sql("select count(*) from directory_change where group_id = :g").param("g", ids.of(source, Entity.GROUP, "c-7a"))
                .query(Long.class).single()).isPositive();
        assertThat(jdbc.sql("select count(*) from directory_change where person_id = :p or group_id = :g").param("p", oldP3).param("g", old7a)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from organiser_data_policy where organiser_id = :o").param("o", ids.of(source, Entity.ORGANISATION, "org-0"))
                .query(Long.class).single()).isOne();
        assertThat(jdbc.sql("select u.organisation_id from admin_grant_unit u join admin_grant g on g.id = u.grant_id where g.username = :u")
                .param("u", account).query(UUID.class).single())
                .isEqualTo(ids.of(source, Entity.ORGANISATION, "org-1"));
        Map<String, Object> audit = jdbc.sql("select target_id, detail::text as detail from audit_event where actor = :u").param("u", account)
                .query().singleRow();
        assertThat(audit.get("target_id")).isEqualTo(p1.toString());
        assertThat((String) audit.get("detail")).contains(ids.of(source, Entity.GROUP, "c-7a").toString()).contains("members")
                .doesNotContain(old7a.toString());
        assertThat(jdbc.sql("select serialized_event from event_publication where id = :id").param("id", event).query(String.class).single())
                .isEqualTo("{\"personId\":\"" + ids.of(source, Entity.PERSON, "p3") + "\"}");
        jdbc.sql("delete from event_publication where id = :id").param("id", event).update();

        // the ledger: untouched, so the chain is intact; a person's records are theirs under the new id
        assertThat(ledger.verify().intact()).isTrue();
        assertThat(ledger.ofPerson(p1)).extracting(LedgerRecord::sequence).containsExactly(sequences[0]);
        assertThat(ledger.ofPerson(p1)).extracting(LedgerRecord::personId).containsOnly(p1);
        assertThat(ledger.ofPerson(leaver)).extracting(LedgerRecord::sequence).containsExactly(sequences[1]);
        assertThat(ledger.feed(new DisclosureLedger.FeedFilter(supplier, null, null, null, null, null, null), 10))
                .extracting(LedgerRecord::personId).containsExactlyInAnyOrder(p1, leaver);
        assertThat(ledger.feed(new DisclosureLedger.FeedFilter(null, null, null, p1, null, null, null), 10))
                .extracting(LedgerRecord::sequence).containsExactly(sequences[0]);

        // pseudonyms keep being made from the former id, so suppliers keep knowing everyone by the same one
        assertThat(jdbc.sql("select basis_id from pseudonym_basis where person_id = :p").param("p", p1).query(UUID.class).single()).isEqualTo(oldP1);

        // and running it again finds nothing left to do
        Map<String, Long> second = rekeyAsOwner();
        assertThat(second.get("persons")).isZero();
        assertThat(second.get("formerPersons")).isZero();
        assertThat(rows(source)).isEqualTo(rowsAsImported);
    }

    /** The migration's work as Flyway runs it: as the migrating owner, in one transaction. */
    private Map<String, Long> rekeyAsOwner() throws Exception {
        int port = jdbc.sql("select current_setting('port')::int").query(Integer.class).single();
        try (java.sql.Connection owner = connectAs(org.tilldela.platform.EmbeddedDatabase.OWNER, port)) {
            owner.setAutoCommit(false);
            Map<String, Long> counts = V2026_12_01_55__rekey_directory_ids.rekey(owner);
            owner.commit();
            return counts;
        }
    }

    /** Every directory row of the source, in full, per table. */
    private Map<String, List<String>> rows(String source) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String table : DIRECTORY_TABLES) {
            rows.put(table, jdbc.sql("select t::text from " + table + " t where source = :s order by source_id").param("s", source)
                    .query(String.class).list());
        }
        return rows;
    }
}
