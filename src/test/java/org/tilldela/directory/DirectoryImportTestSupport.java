package org.tilldela.directory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * Shared helpers of the directory import tests: run a OneRoster import into a source of the test's own,
 * and look at what that source holds. Every test uses fresh source names, so tests never see each
 * other's rows in the one shared database.
 */
abstract class DirectoryImportTestSupport extends IntegrationTest {

    static final List<String> TABLES = List.of("organisation", "person", "enrolment", "student_group", "membership", "duty", "guardian_link");

    @Autowired
    ImportRuns importRuns;

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path tmp;

    static String newSource(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    ImportSummary importZip(String source, Path zip) {
        return importZip(source, zip, false);
    }

    ImportSummary importZip(String source, Path zip, boolean allowMassRemoval) {
        String name = zip.getFileName().toString();
        return importRuns.runNow("ONEROSTER", new ImportOptions(source, allowMassRemoval, "test"), new OneRosterReader(zip, name),
                ImportProgress.NONE, name);
    }

    long count(String table, String source) {
        return jdbc.sql("select count(*) from " + table + " where source = :source").param("source", source).query(Long.class).single();
    }

    Map<String, Long> counts(String source) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, count(table, source));
        }
        return counts;
    }

    /**
     * Everything an import of {@code source} can change, condensed: per table the row count and a digest of
     * every row's id, content hash and (where kept) update time; the number of journal entries; the
     * source's last import time.
     */
    Map<String, String> state(String source) {
        Map<String, String> state = new LinkedHashMap<>();
        for (String table : TABLES) {
            boolean hasUpdatedAt = List.of("organisation", "person", "student_group").contains(table);
            state.put(table, jdbc.sql("select count(*) || ':' || coalesce(md5(string_agg(id::text || content_hash::text"
                            + (hasUpdatedAt ? " || updated_at::text" : "") + ", ',' order by id)), '-') from " + table + " where source = :source")
                    .param("source", source).query(String.class).single());
        }
        state.put("directory_change", String.valueOf(journal(source).size()));
        state.put("last_import_at", jdbc.sql("select coalesce(max(last_import_at)::text, '-') from directory_source where name = :source")
                .param("source", source).query(String.class).single());
        return state;
    }

    record Change(long seq, UUID runId, String kind, UUID personId, UUID groupId) {
    }

    /** The journal entries of every import run of the source, in order. */
    List<Change> journal(String source) {
        return jdbc.sql("select c.seq, c.import_run_id, c.kind, c.person_id, c.group_id from directory_change c "
                        + "join import_run r on r.id = c.import_run_id where r.source = :source order by c.seq")
                .param("source", source)
                .query((rs, n) -> new Change(rs.getLong("seq"), rs.getObject("import_run_id", UUID.class), rs.getString("kind"),
                        rs.getObject("person_id", UUID.class), rs.getObject("group_id", UUID.class)))
                .list();
    }

    List<Change> journal(UUID runId) {
        return jdbc.sql("select seq, import_run_id, kind, person_id, group_id from directory_change where import_run_id = :run order by seq")
                .param("run", runId)
                .query((rs, n) -> new Change(rs.getLong("seq"), rs.getObject("import_run_id", UUID.class), rs.getString("kind"),
                        rs.getObject("person_id", UUID.class), rs.getObject("group_id", UUID.class)))
                .list();
    }

    /** The most recent import run of the source. */
    ImportRuns.Run latestRun(String source) {
        UUID id = jdbc.sql("select id from import_run where source = :source order by started_at desc limit 1")
                .param("source", source).query(UUID.class).single();
        return importRuns.find(id).orElseThrow();
    }

    long runs(String source) {
        return jdbc.sql("select count(*) from import_run where source = :source").param("source", source).query(Long.class).single();
    }
}
