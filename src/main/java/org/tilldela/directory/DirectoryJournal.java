package org.tilldela.directory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The directory's change journal as events: what each import changed, in order. Listeners of
 * {@link DirectoryChangesRecorded} read the run they were told about with {@link #ofImport}; a module
 * catching up reads {@link #after} from the last sequence it handled.
 */
@Service
public class DirectoryJournal {

    private final JdbcClient jdbc;

    DirectoryJournal(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every change one import recorded, in order. */
    public List<DirectoryEvent> ofImport(UUID importRunId) {
        return jdbc.sql(SELECT + " where import_run_id = :run order by seq").param("run", importRunId).query(this::event).list();
    }

    /** The persons one import recorded as gone, in order: for a listener that follows only leavers (without reading a first import's million joiners). */
    public List<DirectoryEvent.PersonLeft> leaversOf(UUID importRunId) {
        // The run's own rows first (its index), then the kind among them: asked for both at once, the planner also reads the
        // index of every move and departure ever journalled (directory_change_person_moved_left, whose predicate covers the
        // kind) and intersects the two — 92 ms of its 100 at 1,078,920 such entries, and growing with every import.
        return jdbc.sql("with run as materialized (" + SELECT + " where import_run_id = :run) select * from run where kind = 'PERSON_LEFT' order by seq")
                .param("run", importRunId).query((rs, n) -> (DirectoryEvent.PersonLeft) event(rs, n)).list();
    }

    /** The last sequence number one import recorded (0 if it recorded none). */
    public long lastSequenceOf(UUID importRunId) {
        return jdbc.sql("select coalesce(max(seq), 0) from directory_change where import_run_id = :run").param("run", importRunId).query(Long.class).single();
    }

    /**
     * Changes after a sequence number, oldest first, at most {@code limit}. Sequence numbers are
     * assigned as imports write them; imports of different sources may commit out of order, so a reader
     * that must not miss anything re-reads from a little before its last position or reads by import.
     */
    public List<DirectoryEvent> after(long sequence, int limit) {
        return jdbc.sql(SELECT + " where seq > :seq order by seq limit :limit").param("seq", sequence).param("limit", limit)
                .query(this::event).list();
    }

    /**
     * Deletes the entries of the imports that finished before {@code cutoff}, up to sequence number {@code through} (what
     * every module following the journal has read), a run at a time; returns how many went. The entries name persons by
     * id — who joined, moved, changed or left, and when — so they are kept only as long as something may still read them.
     */
    int deleteFinishedBefore(java.time.Instant cutoff, long through) {
        List<UUID> runs = jdbc.sql("""
                        select r.id from import_run r
                        where r.finished_at < :cutoff and exists (select 1 from directory_change c where c.import_run_id = r.id)
                        order by r.finished_at""")
                .param("cutoff", java.sql.Timestamp.from(cutoff)).query(UUID.class).list();
        int deleted = 0;
        for (UUID run : runs) {
            // one import's entries at a time (its index): a first import's million go in one statement, a night's in a few ms
            deleted += jdbc.sql("delete from directory_change where import_run_id = :run and seq <= :through")
                    .param("run", run).param("through", through).update();
        }
        return deleted;
    }

    private static final String SELECT = "select seq, import_run_id, recorded_at, kind, person_id, group_id from directory_change";

    private DirectoryEvent event(ResultSet rs, int n) throws SQLException {
        long seq = rs.getLong("seq");
        UUID run = rs.getObject("import_run_id", UUID.class);
        var at = rs.getTimestamp("recorded_at").toInstant();
        UUID person = rs.getObject("person_id", UUID.class);
        return switch (rs.getString("kind")) {
            case "PERSON_JOINED" -> new DirectoryEvent.PersonJoined(seq, run, at, person);
            case "PERSON_MOVED" -> new DirectoryEvent.PersonMoved(seq, run, at, person);
            case "PERSON_CHANGED" -> new DirectoryEvent.PersonChanged(seq, run, at, person);
            case "PERSON_LEFT" -> new DirectoryEvent.PersonLeft(seq, run, at, person);
            case "GROUP_CHANGED" -> new DirectoryEvent.GroupChanged(seq, run, at, rs.getObject("group_id", UUID.class));
            default -> throw new IllegalStateException("unknown journal entry kind " + rs.getString("kind"));
        };
    }
}
