package org.tilldela.governance;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.platform.Mail;

/**
 * Mails the access-review notices ({@link AccessReviews}: reminder, outcome, escalation) to their recipients' addresses,
 * in the recipient's language (the installation's, {@code tilldela.mail.language}, when they chose none). The mail says
 * what the page notice says in counts: the campaign's unit, how many grants, the deadline, and a link to the campaign —
 * no pupil and no other person by name. Each notice is mailed once: one notice per transaction, locked so two nodes do not
 * both send it. A mail that fails stays pending and is tried at the next run, for {@code mail-retry-days} (3), then left
 * on the page alone; the job goes on either way, and after the first failure it leaves the rest for the next run.
 */
@Component
class AccessReviewMail {

    private static final Logger log = LoggerFactory.getLogger(AccessReviewMail.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Mail mail;
    private final MessageSource messages;
    private final Locale defaultLocale;
    private final int retryDays;

    AccessReviewMail(JdbcClient jdbc, TransactionTemplate tx, Mail mail, MessageSource messages,
                     @Value("${tilldela.mail.language:sv}") String language,
                     @Value("${tilldela.governance.reviews.mail-retry-days:3}") int retryDays) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.mail = mail;
        this.messages = messages;
        this.defaultLocale = Locale.forLanguageTag(language == null || language.isBlank() ? "sv" : language.strip());
        this.retryDays = retryDays;
    }

    /** Sends every notice still to be mailed; answers how many went out. Nothing without SMTP. */
    int sendPending(Instant now) {
        if (!mail.configured()) {
            return 0;
        }
        List<Long> pending = jdbc.sql("select id from access_review_notice where mail_pending order by id limit 1000").query(Long.class).list();
        int sent = 0;
        for (long id : pending) {
            Sent outcome = tx.execute(status -> send(id, now));
            if (outcome == Sent.FAILED) {
                // the SMTP server is likely down: the rest wait for the next run rather than each wait out its timeout now
                break;
            }
            sent += outcome == Sent.SENT ? 1 : 0;
        }
        return sent;
    }

    private enum Sent { SENT, SKIPPED, FAILED }

    private record Pending(long id, AccessReviews.NoticeKind kind, long reviewId, String unitName, Instant deadline, int undecided,
                           Instant createdAt, String email, String language, boolean enabled) {
    }

    private Sent send(long id, Instant now) {
        // skip locked: another node is sending this one right now
        Pending n = jdbc.sql("""
                        select n.id, n.kind, r.id, r.unit_name, r.deadline, n.undecided, n.created_at, a.email, a.language, a.enabled
                        from access_review_notice n join access_review r on r.id = n.review_id join admin_account a on a.username = n.recipient
                        where n.id = :id and n.mail_pending
                        for update of n skip locked
                        """).param("id", id)
                .query((rs, i) -> new Pending(rs.getLong(1), AccessReviews.NoticeKind.valueOf(rs.getString(2)), rs.getLong(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), rs.getInt(6), rs.getTimestamp(7).toInstant(), rs.getString(8), rs.getString(9),
                        rs.getBoolean(10)))
                .optional().orElse(null);
        if (n == null) {
            return Sent.SKIPPED;
        }
        if (n.email() == null || !n.enabled()) {
            // the address was removed, or the account disabled, since the notice was made: the page keeps it
            done(id, null);
            return Sent.SKIPPED;
        }
        if (n.createdAt().isBefore(now.minus(retryDays, ChronoUnit.DAYS))) {
            log.warn("Access review {}: notice {} could not be mailed within {} days and is left on the page only", n.reviewId(), id, retryDays);
            done(id, null);
            return Sent.SKIPPED;
        }
        Locale locale = n.language() == null ? defaultLocale : Locale.forLanguageTag(n.language());
        String key = "reviews.mail." + n.kind().name();
        Object[] args = {n.unitName(), n.undecided(), WHEN.format(n.deadline().atZone(ZoneId.systemDefault()))};
        String subject = messages.getMessage(key + ".subject", args, locale);
        String body = messages.getMessage(key + ".body", args, locale) + mail.link("/admin/reviews/" + n.reviewId());
        if (!mail.send(List.of(n.email()), subject, body, "Access review " + n.reviewId() + " " + n.kind().name().toLowerCase(Locale.ROOT))) {
            return Sent.FAILED; // pending still: the next run tries again
        }
        done(id, now);
        return Sent.SENT;
    }

    private void done(long id, Instant mailedAt) {
        jdbc.sql("update access_review_notice set mail_pending = false, mailed_at = :at where id = :id")
                .param("at", mailedAt == null ? null : Timestamp.from(mailedAt)).param("id", id).update();
    }
}
