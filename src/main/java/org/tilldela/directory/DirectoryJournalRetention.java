package org.tilldela.directory;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The change journal names persons by id (who joined, moved, changed or left, and when) and grew by every import's
 * changes for ever: about 25,000 entries a night at a million persons, nine million a year. Entries of imports that
 * finished more than {@code tilldela.directory.journal-retention-days} ago (default 400: a school year and its summer,
 * with room) are deleted nightly — never one that a module following the journal by sequence has not read yet
 * ({@link JournalFollower}). What reads old entries copes without them: a supplier's roster delta dates a departure
 * by the licence's end or the first day without the seat instead. Off with
 * {@code tilldela.directory.journal-retention-job.enabled=false} (commands never run it).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "tilldela.directory.journal-retention-job.enabled", havingValue = "true", matchIfMissing = true)
class DirectoryJournalRetention {

    private static final Logger log = LoggerFactory.getLogger(DirectoryJournalRetention.class);

    private final DirectoryJournal journal;
    private final ObjectProvider<JournalFollower> followers;
    private final Duration keep;
    private final Clock clock;

    DirectoryJournalRetention(DirectoryJournal journal, ObjectProvider<JournalFollower> followers,
                              @Value("${tilldela.directory.journal-retention-days:400}") int days, ObjectProvider<Clock> clock) {
        if (days < 1) {
            throw new IllegalArgumentException("tilldela.directory.journal-retention-days must be at least 1, is " + days);
        }
        this.journal = journal;
        this.followers = followers;
        this.keep = Duration.ofDays(days);
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @Scheduled(cron = "${tilldela.directory.journal-retention-cron:0 55 2 * * *}")
    void deleteOld() {
        int deleted = deleteOlderThanKept();
        if (deleted > 0) {
            log.info("Deleted {} directory change journal entries of imports finished more than {} days ago", deleted, keep.toDays());
        }
    }

    /** One night's deletion: the entries old enough that every follower has read. */
    int deleteOlderThanKept() {
        long through = followers.orderedStream().mapToLong(JournalFollower::followedThrough).min().orElse(Long.MAX_VALUE);
        return journal.deleteFinishedBefore(clock.instant().minus(keep), through);
    }
}
