package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.directory.importing.Entity;
import org.tilldela.directory.importing.Ids;
import org.tilldela.directory.importing.ImportSummary;

/**
 * The journal's entries of imports finished longer ago than the retention are deleted, never one a module following
 * the journal has not read yet, and never a newer import's.
 */
class DirectoryJournalRetentionTest extends DirectoryImportTestSupport {

    @Autowired
    DirectoryJournal journal;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    List<JournalFollower> followers;

    @Autowired
    Ids ids;

    @Test
    void anOldImportsEntriesGoOnceEveryFollowerHasReadThemAndANewerImportsStay() {
        String source = newSource("journal-retention");
        OneRosterPackage pkg = OneRosterPackage.small();
        ImportSummary old = importZip(source, pkg.writeV11(tmp.resolve("old.zip")));
        pkg.removeUser("p6");
        ImportSummary recent = importZip(source, pkg.writeV11(tmp.resolve("recent.zip")));
        jdbc.sql("update import_run set finished_at = now() - interval '401 days' where id = :run").param("run", old.runId()).update();
        List<Long> oldSequences = sequences(old.runId());
        long recentEntries = sequences(recent.runId()).size();
        assertThat(oldSequences).hasSize(18);
        assertThat(recentEntries).isPositive();

        // a follower that has read only the first five of the old import's entries holds back the rest
        long readThrough = oldSequences.get(4);
        assertThat(retention(400, () -> readThrough).deleteOlderThanKept()).isEqualTo(5);
        assertThat(sequences(old.runId())).containsExactlyElementsOf(oldSequences.subList(5, oldSequences.size()));

        // kept longer than the import's age: nothing goes
        assertThat(retention(500, () -> Long.MAX_VALUE).deleteOlderThanKept()).isZero();

        // read by everyone: the old import's entries go, the recent import's stay, and its events still read whole
        assertThat(retention(400, () -> Long.MAX_VALUE).deleteOlderThanKept()).isEqualTo(13);
        assertThat(sequences(old.runId())).isEmpty();
        assertThat(sequences(recent.runId())).hasSize((int) recentEntries);
        assertThat(journal.leaversOf(recent.runId())).extracting(DirectoryEvent.PersonLeft::personId).containsExactly(person(source, "p6"));
    }

    @Test
    void licensingFollowsTheJournalAndHoldsBackWhatItHasNotRead() {
        assertThat(followers).isNotEmpty();
        // licensing's watermark only moves forward (its follow-ups of other tests' imports may be moving it now)
        assertThat(followers).anySatisfy(f -> {
            long before = watermark();
            long followed = f.followedThrough();
            assertThat(followed).isBetween(before, watermark());
        });
    }

    private DirectoryJournalRetention retention(int days, JournalFollower follower) {
        ObjectProvider<JournalFollower> one = new StaticListableBeanFactory(Map.of("follower", follower)).getBeanProvider(JournalFollower.class);
        ObjectProvider<Clock> clock = new StaticListableBeanFactory().getBeanProvider(Clock.class);
        return new DirectoryJournalRetention(journal, one, days, clock);
    }

    private long watermark() {
        return jdbc.sql("select last_sequence from licence_engine_state where id = 1").query(Long.class).single();
    }

    private List<Long> sequences(UUID run) {
        return jdbc.sql("select seq from directory_change where import_run_id = :run order by seq").param("run", run).query(Long.class).list();
    }

    private UUID person(String source, String sourceId) {
        return ids.of(source, Entity.PERSON, sourceId);
    }
}
