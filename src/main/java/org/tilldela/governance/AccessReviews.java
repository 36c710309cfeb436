package org.tilldela.governance;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Access reviews (attestation): a campaign over one organisation unit lists every grant within it (a grant
 * over the unit or a unit below it), and the unit's reviewer — a named account holding ACCOUNT_ADMIN over the
 * unit — confirms or revokes each. At the deadline the review job revokes whatever is still unanswered:
 * silence never means yes. Grants whose account has not signed in for {@code unused-months} are flagged.
 *
 * <p>Campaigns are started by an administrator (ACCOUNT_ADMIN over the unit) or by the schedule, for units
 * with a standing reviewer: yearly over every grant, half-yearly over the grants that see protected
 * identities. The reviewer's own grants are left out of their campaign (nobody attests themselves); they
 * come up in the campaign of a unit above. Whole-installation grants belong to no unit and are not reviewed
 * here, nor are grants a duty rule derives ({@link DutyGrants}): they follow the imported duties, and a revocation
 * would be undone by the next import. Every step is audited, and the items are copies of the grants, so the outcome report is kept.
 *
 * <p>Time is a parameter ({@code now}) of every step, so the deadline rule is tested without waiting.
 */
@Service
@Transactional
public class AccessReviews {

    public enum Kind { MANUAL, YEARLY, HALF_YEARLY }

    public enum Decision { CONFIRMED, REVOKED, REVOKED_UNANSWERED, GONE }

    public record Review(long id, UUID organisation, String unitName, String reviewer, String startedBy, Kind kind, Instant startedAt,
                         Instant deadline, int unusedMonths, Instant closedAt, int items, int undecided) {
        public boolean isOpen() {
            return closedAt == null;
        }
    }

    public record Item(long id, long grantId, String username, AdminRight right, List<UUID> organisations, List<String> schoolForms,
                       Instant lastSignedInAt, boolean unused, Decision decision, String decidedBy, Instant decidedAt) {
    }

    /** The review is not there for this account: outside its scope, or no such review. */
    public static class NoSuchReview extends RuntimeException {
        NoSuchReview() {
            super("no such access review");
        }
    }

    /** Only the named reviewer decides, and only while the campaign is open and the item undecided. */
    public static class NotYours extends RuntimeException {
        NotYours(String why) {
            super(why);
        }
    }

    private static final String JOB = "access-review";

    private final JdbcClient jdbc;
    private final AdminGrants grants;
    private final AuditTrail audit;
    private final TransactionTemplate tx;
    private final int unusedMonths;
    private final int deadlineDays;
    private final int fullIntervalMonths;
    private final int protectedIntervalMonths;
    private final int reminderDays;
    private final org.tilldela.platform.Mail mail;

    AccessReviews(JdbcClient jdbc, AdminGrants grants, AuditTrail audit, TransactionTemplate tx, org.tilldela.platform.Mail mail,
                  @Value("${tilldela.governance.reviews.unused-months:12}") int unusedMonths,
                  @Value("${tilldela.governance.reviews.deadline-days:30}") int deadlineDays,
                  @Value("${tilldela.governance.reviews.full-interval-months:12}") int fullIntervalMonths,
                  @Value("${tilldela.governance.reviews.protected-interval-months:6}") int protectedIntervalMonths,
                  @Value("${tilldela.governance.reviews.reminder-days:7}") int reminderDays) {
        this.jdbc = jdbc;
        this.grants = grants;
        this.audit = audit;
        this.tx = tx;
        this.mail = mail;
        this.unusedMonths = unusedMonths;
        this.deadlineDays = deadlineDays;
        if (fullIntervalMonths < 1 || protectedIntervalMonths < 1 || reminderDays < 0) {
            throw new IllegalArgumentException("tilldela.governance.reviews: the intervals are at least a month, the reminder days not negative");
        }
        this.fullIntervalMonths = fullIntervalMonths;
        this.protectedIntervalMonths = protectedIntervalMonths;
        this.reminderDays = reminderDays;
    }

    private boolean reviews(String account, UUID unit) {
        return grants.covers(account, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(unit), Set.of()));
    }

    /** An administrator holding ACCOUNT_ADMIN over {@code unit} starts a campaign there, naming its reviewer. */
    public Review start(String actor, UUID unit, String reviewer, Instant now) {
        if (!reviews(actor, unit)) {
            throw new NoSuchReview();
        }
        requireReviewer(unit, reviewer);
        return open(actor, unit, reviewer, Kind.MANUAL, now);
    }

    /** Names the unit's standing reviewer, whom the schedule's campaigns ask. */
    public void setStandingReviewer(String actor, UUID unit, String reviewer) {
        if (!reviews(actor, unit)) {
            throw new NoSuchReview();
        }
        requireReviewer(unit, reviewer);
        jdbc.sql("""
                        insert into access_review_schedule (organisation_id, reviewer, set_by) values (:o, :r, :by)
                        on conflict (organisation_id) do update set reviewer = excluded.reviewer, set_by = excluded.set_by, set_at = now()
                        """).param("o", unit).param("r", reviewer).param("by", actor).update();
        audit.record(actor, "ACCESS_REVIEWER_SET", "organisation", unit.toString(), Map.of("reviewer", reviewer));
    }

    private void requireReviewer(UUID unit, String reviewer) {
        if (reviewer == null || reviewer.isBlank() || !reviews(reviewer, unit)) {
            throw new IllegalArgumentException("The reviewer must be an enabled account holding ACCOUNT_ADMIN over the unit.");
        }
    }

    private Review open(String actor, UUID unit, String reviewer, Kind kind, Instant now) {
        String unitName = jdbc.sql("select name from organisation where id = :o").param("o", unit).query(String.class).optional()
                .orElseThrow(NoSuchReview::new);
        long id = jdbc.sql("""
                        insert into access_review (organisation_id, unit_name, reviewer, started_by, kind, started_at, deadline, unused_months)
                        values (:o, :n, :r, :by, :k, :at, :deadline, :months) returning id
                        """).param("o", unit).param("n", unitName).param("r", reviewer).param("by", actor).param("k", kind.name())
                .param("at", Timestamp.from(now)).param("deadline", Timestamp.from(now.plus(deadlineDays, ChronoUnit.DAYS)))
                .param("months", unusedMonths).query(Long.class).single();
        // every grant over the unit or a unit below it (as admin_scope_units walks: at most 8 levels), the
        // reviewer's own excepted; "unused": the account has not signed in since the cutoff (or, never
        // having signed in, was created before it)
        int items = jdbc.sql(AdminGrants.UNIT_AND_BELOW + """
                        insert into access_review_item (review_id, grant_id, username, right_name, organisations, school_forms, last_signed_in_at, unused)
                        select :review, g.id, g.username, g.right_name,
                               array(select u.organisation_id from admin_grant_unit u where u.grant_id = g.id order by u.organisation_id),
                               g.school_forms, a.last_signed_in_at, coalesce(a.last_signed_in_at, a.created_at) < :cutoff
                        from admin_grant g join admin_account a on a.username = g.username
                        where not g.whole_installation and g.username <> :r and g.rule_id is null
                          and exists (select 1 from admin_grant_unit u where u.grant_id = g.id and u.organisation_id in (select id from below))
                          and (:kind <> 'HALF_YEARLY' or g.right_name = 'VIEW_PROTECTED_IDENTITIES')
                        """).param("o", unit).param("review", id).param("r", reviewer).param("kind", kind.name())
                .param("cutoff", Timestamp.from(now.atOffset(ZoneOffset.UTC).minusMonths(unusedMonths).toInstant())).update();
        audit.record(actor, "ACCESS_REVIEW_STARTED", "access_review", Long.toString(id),
                Map.of("organisation", unit.toString(), "reviewer", reviewer, "kind", kind.name(), "grants", items));
        return review(id).orElseThrow();
    }

    private static final String REVIEW_SELECT = """
            select r.id, r.organisation_id, r.unit_name, r.reviewer, r.started_by, r.kind, r.started_at, r.deadline, r.unused_months, r.closed_at,
                   (select count(*) from access_review_item i where i.review_id = r.id) items,
                   (select count(*) from access_review_item i where i.review_id = r.id and i.decision is null) undecided
            from access_review r
            """;

    private Optional<Review> review(long id) {
        return jdbc.sql(REVIEW_SELECT + " where r.id = :id").param("id", id).query(AccessReviews::review).optional();
    }

    /**
     * The campaigns over units within {@code account}'s ACCOUNT_ADMIN scope, open ones first, newest first (at most
     * 200). A grant narrowed to school forms does not cover a unit's every grant, so it reviews none ({@link #find}).
     */
    @Transactional(readOnly = true)
    public List<Review> visibleTo(String account) {
        return jdbc.sql(REVIEW_SELECT + """
                         where r.organisation_id in (select unit_id from admin_scope_units(:u, 'ACCOUNT_ADMIN') where forms is null)
                        order by r.closed_at is not null, r.started_at desc, r.id desc limit 200
                        """).param("u", account).query(AccessReviews::review).list();
    }

    /** A campaign, if its unit is within {@code account}'s ACCOUNT_ADMIN scope; otherwise as if there were none. */
    @Transactional(readOnly = true)
    public Review find(String account, long id) {
        return review(id).filter(r -> reviews(account, r.organisation())).orElseThrow(NoSuchReview::new);
    }

    @Transactional(readOnly = true)
    public List<Item> items(String account, long id) {
        find(account, id);
        return items(id);
    }

    private List<Item> items(long id) {
        return jdbc.sql("""
                        select id, grant_id, username, right_name, organisations, school_forms, last_signed_in_at, unused, decision, decided_by, decided_at
                        from access_review_item where review_id = :id order by username, right_name, id
                        """).param("id", id).query(AccessReviews::item).list();
    }

    /**
     * The reviewer confirms or revokes one grant. Outside the reviewer's scope the review is not there
     * ({@link NoSuchReview}); someone else within scope, a closed campaign or a decided item is refused
     * ({@link NotYours}).
     */
    public Decision decide(String actor, long reviewId, long itemId, boolean confirm, Instant now) {
        Review review = find(actor, reviewId);
        if (!review.reviewer().equals(actor)) {
            throw new NotYours("Only the campaign's reviewer decides.");
        }
        if (!review.isOpen()) {
            throw new NotYours("The campaign is closed.");
        }
        Item item = items(reviewId).stream().filter(i -> i.id() == itemId).findFirst().orElseThrow(NoSuchReview::new);
        if (item.decision() != null) {
            throw new NotYours("This grant has been decided already.");
        }
        Decision decision;
        if (confirm) {
            decision = grants.find(item.grantId()).isPresent() ? Decision.CONFIRMED : Decision.GONE;
        } else {
            decision = grants.revokeByReview(actor, item.grantId(), reviewId, review.organisation(), "REVIEWER") ? Decision.REVOKED : Decision.GONE;
        }
        mark(itemId, decision, actor, now);
        audit.record(actor, "ACCESS_REVIEW_DECIDED", "access_review", Long.toString(reviewId),
                Map.of("grant", item.grantId(), "account", item.username(), "right", item.right().name(), "decision", decision.name()));
        // the last grant decided: the campaign is done (the outcome report stands), not left open until its deadline
        if (jdbc.sql("""
                        update access_review set closed_at = :now where id = :id and closed_at is null
                          and not exists (select 1 from access_review_item where review_id = :id and decision is null)""")
                .param("now", Timestamp.from(now)).param("id", reviewId).update() == 1) {
            audit.record(actor, "ACCESS_REVIEW_CLOSED", "access_review", Long.toString(reviewId), Map.of("revokedUnanswered", 0, "allDecided", true));
        }
        return decision;
    }

    private void mark(long itemId, Decision decision, String by, Instant at) {
        jdbc.sql("update access_review_item set decision = :d, decided_by = :by, decided_at = :at where id = :id and decision is null")
                .param("d", decision.name()).param("by", by).param("at", Timestamp.from(at)).param("id", itemId).update();
    }

    /**
     * The job's part at the deadline: every campaign whose deadline has passed by {@code now} is closed, and
     * each grant in it still unanswered is revoked (REVOKED_UNANSWERED). One campaign per transaction; a
     * campaign another node is closing is skipped. Answers the number of grants revoked.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.NOT_SUPPORTED)
    public int closeOverdue(Instant now) {
        List<Long> due = jdbc.sql("select id from access_review where closed_at is null and deadline <= :now order by id")
                .param("now", Timestamp.from(now)).query(Long.class).list();
        int revoked = 0;
        for (long id : due) {
            Integer n = tx.execute(status -> close(id, now));
            revoked += n == null ? 0 : n;
        }
        return revoked;
    }

    private int close(long id, Instant now) {
        Optional<UUID> reviewed = jdbc.sql("select organisation_id from access_review where id = :id and closed_at is null for update skip locked")
                .param("id", id).query(UUID.class).optional();
        if (reviewed.isEmpty()) {
            return 0;
        }
        int revoked = 0;
        for (Item item : items(id)) {
            if (item.decision() != null) {
                continue;
            }
            boolean done = grants.revokeByReview(JOB, item.grantId(), id, reviewed.get(), "NOT_CONFIRMED_BY_DEADLINE");
            mark(item.id(), done ? Decision.REVOKED_UNANSWERED : Decision.GONE, JOB, now);
            revoked += done ? 1 : 0;
        }
        jdbc.sql("update access_review set closed_at = :now where id = :id").param("now", Timestamp.from(now)).param("id", id).update();
        audit.record(JOB, "ACCESS_REVIEW_CLOSED", "access_review", Long.toString(id), Map.of("revokedUnanswered", revoked));
        if (revoked > 0) {
            // the reminder after the deadline is the outcome: what silence cost (the grants are revoked by now)
            Review review = review(id).orElseThrow();
            if (notice(id, "OUTCOME", review.reviewer(), revoked, now)) {
                audit.record(JOB, "ACCESS_REVIEW_OUTCOME_NOTIFIED", "access_review", Long.toString(id),
                        Map.of("recipient", review.reviewer(), "revokedUnanswered", revoked));
            }
            escalate(id, revoked, now);
        }
        return revoked;
    }

    /**
     * The deadline passed with grants undecided (revoked by now): the reviewer's own manager is told ({@link #managersOf}),
     * or where no manager's account is found, the organiser's account administrators — every enabled account holding
     * ACCOUNT_ADMIN (unnarrowed) over the organiser above the campaign's unit (the unit itself if it is one, or if the
     * organiser is gone), the reviewer excepted. A notice each, audited, with whom it went to and why.
     */
    private void escalate(long reviewId, int undecided, Instant now) {
        Review review = review(reviewId).orElseThrow();
        List<String> recipients = managersOf(review.reviewer(), now);
        String route = "MANAGER";
        if (recipients.isEmpty()) {
            route = "ORGANISER_ADMINS";
            recipients = jdbc.sql("""
                            with recursive up(id, parent_id, kind, depth) as (
                                select id, parent_id, kind, 0 from organisation where id = :unit
                                union all
                                select o.id, o.parent_id, o.kind, up.depth + 1 from up join organisation o on o.id = up.parent_id where up.depth < 8
                            ), organiser(id) as (
                                select coalesce((select id from up where kind = 'ORGANISER' order by depth limit 1), cast(:unit as uuid))
                            )
                            select a.username from admin_account a
                            where a.enabled and a.username <> :reviewer
                              and exists (select 1 from admin_scope_units(a.username, 'ACCOUNT_ADMIN') s
                                          where s.unit_id = (select id from organiser) and s.forms is null)
                            order by a.username
                            """).param("unit", review.organisation()).param("reviewer", review.reviewer()).query(String.class).list();
        }
        for (String recipient : recipients) {
            if (notice(reviewId, "ESCALATION", recipient, undecided, now)) {
                audit.record(JOB, "ACCESS_REVIEW_ESCALATED", "access_review", Long.toString(reviewId),
                        Map.of("recipient", recipient, "reviewer", review.reviewer(), "undecided", undecided, "route", route));
            }
        }
    }

    /**
     * The reviewer's own manager's accounts, from HR data (the directory's duties held on {@code now}'s date): the
     * reviewer's account is linked to a person ({@link DutyGrants#linkPerson}); from each unit that person is on duty at,
     * the nearest principal (a PRINCIPAL duty) at that unit — or, if the reviewer is that unit's principal, at the units
     * above it — walking up at most 8 levels; the manager's account is the enabled one linked to that principal. Empty
     * when the reviewer is linked to nobody, no principal is found, or the principal has no account (the caller falls back).
     */
    List<String> managersOf(String reviewer, Instant now) {
        return jdbc.sql("""
                        with recursive me as (
                            select person_id from admin_account where username = :reviewer and person_id is not null
                        ), mine as (
                            select d.organisation_id unit_id, bool_or(d.role = 'PRINCIPAL') principal
                            from duty d where d.person_id in (select person_id from me)
                              and (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today)
                            group by d.organisation_id
                        ), up(start_id, unit_id, depth) as (
                            select m.unit_id, case when m.principal then o.parent_id else m.unit_id end, 0
                            from mine m join organisation o on o.id = m.unit_id
                            union all
                            select up.start_id, o.parent_id, up.depth + 1 from up join organisation o on o.id = up.unit_id
                            where o.parent_id is not null and up.depth < 8
                        ), heads as (
                            select up.start_id, up.depth, d.person_id from up
                            join duty d on d.organisation_id = up.unit_id and d.role = 'PRINCIPAL'
                             and (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today)
                            where d.person_id not in (select person_id from me)
                        ), nearest as (
                            select h.person_id from heads h where h.depth = (select min(x.depth) from heads x where x.start_id = h.start_id)
                        )
                        select distinct a.username from admin_account a
                        where a.enabled and a.username <> :reviewer and a.person_id in (select person_id from nearest)
                        order by a.username
                        """).param("reviewer", reviewer).param("today", java.time.LocalDate.ofInstant(now, ZoneOffset.UTC))
                .query(String.class).list();
    }

    /**
     * A notice, unless that account has one of that kind for the campaign already: answers whether it was made. It is to
     * be mailed too ({@link AccessReviewMail}) if the account has an address and SMTP is configured.
     */
    private boolean notice(long reviewId, String kind, String recipient, int undecided, Instant now) {
        return jdbc.sql("""
                        insert into access_review_notice (review_id, kind, recipient, undecided, created_at, mail_pending)
                        select :r, :k, :to, :n, :at, :mail and a.email is not null from admin_account a where a.username = :to
                        on conflict (review_id, kind, recipient) do nothing
                        """).param("r", reviewId).param("k", kind).param("to", recipient).param("n", undecided).param("at", Timestamp.from(now))
                .param("mail", mail.configured()).update() == 1;
    }

    /**
     * The job's reminders: each open campaign whose deadline is within {@code reminder-days} of {@code now} and that
     * still has undecided grants reminds its reviewer, once (a notice on their access reviews page, audited, and an
     * e-mail where they have an address: {@link AccessReviewMail}). Answers the number of reminders made. After the
     * deadline the reviewer is told the outcome instead ({@link #closeOverdue}): what was not decided is revoked by then.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.NOT_SUPPORTED)
    public int remind(Instant now) {
        List<Review> due = jdbc.sql(REVIEW_SELECT + """
                         where r.closed_at is null and r.deadline > :now and r.deadline <= :horizon
                          and exists (select 1 from access_review_item i where i.review_id = r.id and i.decision is null)
                          and not exists (select 1 from access_review_notice n where n.review_id = r.id and n.kind = 'REMINDER' and n.recipient = r.reviewer)
                        order by r.id
                        """).param("now", Timestamp.from(now)).param("horizon", Timestamp.from(now.plus(reminderDays, ChronoUnit.DAYS)))
                .query(AccessReviews::review).list();
        int made = 0;
        for (Review r : due) {
            Boolean done = tx.execute(status -> {
                if (!notice(r.id(), "REMINDER", r.reviewer(), r.undecided(), now)) {
                    return false;
                }
                audit.record(JOB, "ACCESS_REVIEW_REMINDED", "access_review", Long.toString(r.id()),
                        Map.of("recipient", r.reviewer(), "undecided", r.undecided(), "deadline", r.deadline().toString()));
                return true;
            });
            made += Boolean.TRUE.equals(done) ? 1 : 0;
        }
        return made;
    }

    public enum NoticeKind { REMINDER, OUTCOME, ESCALATION }

    /** A reminder or escalation for one account, with the campaign it is about. */
    public record Notice(long id, NoticeKind kind, long reviewId, String unitName, String reviewer, Instant deadline, int undecided, Instant createdAt,
                         boolean open) {
    }

    /** The notices for {@code account}, newest first (at most 50): what the access reviews page shows them. */
    @Transactional(readOnly = true)
    public List<Notice> noticesFor(String account) {
        return jdbc.sql("""
                        select n.id, n.kind, r.id, r.unit_name, r.reviewer, r.deadline, n.undecided, n.created_at, r.closed_at is null
                        from access_review_notice n join access_review r on r.id = n.review_id
                        where n.recipient = :u order by n.created_at desc, n.id desc limit 50
                        """).param("u", account)
                .query((rs, n) -> new Notice(rs.getLong(1), NoticeKind.valueOf(rs.getString(2)), rs.getLong(3), rs.getString(4), rs.getString(5),
                        instant(rs, 6), rs.getInt(7), instant(rs, 8), rs.getBoolean(9))).list();
    }

    /**
     * The schedule's part: for each unit with a standing reviewer (who still holds ACCOUNT_ADMIN over it) and
     * no open campaign, a YEARLY campaign when none covering every grant started within {@code full-interval-months}
     * (12), else a HALF_YEARLY one over the grants that see protected identities when none covering them started
     * within {@code protected-interval-months} (6). Answers the campaigns started.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.NOT_SUPPORTED)
    public List<Review> startScheduled(Instant now) {
        record Standing(UUID unit, String reviewer, Instant lastFull, Instant lastAny) {
        }
        List<Standing> standing = jdbc.sql("""
                        select s.organisation_id, s.reviewer,
                               (select max(r.started_at) from access_review r where r.organisation_id = s.organisation_id and r.kind <> 'HALF_YEARLY'),
                               (select max(r.started_at) from access_review r where r.organisation_id = s.organisation_id)
                        from access_review_schedule s
                        where not exists (select 1 from access_review r where r.organisation_id = s.organisation_id and r.closed_at is null)
                        order by s.organisation_id
                        """).query((rs, n) -> new Standing(rs.getObject(1, UUID.class), rs.getString(2), instant(rs, 3), instant(rs, 4))).list();
        var utc = now.atOffset(ZoneOffset.UTC);
        Instant yearAgo = utc.minusMonths(fullIntervalMonths).toInstant();
        Instant halfYearAgo = utc.minusMonths(protectedIntervalMonths).toInstant();
        return standing.stream().filter(s -> reviews(s.reviewer(), s.unit())).map(s -> {
            Kind kind = s.lastFull() == null || !s.lastFull().isAfter(yearAgo) ? Kind.YEARLY
                    : !s.lastAny().isAfter(halfYearAgo) ? Kind.HALF_YEARLY : null;
            return kind == null ? null : tx.execute(status -> {
                // every node runs the schedule at the same minute: one of them opens the unit's campaign, the others find it
                // open (twins would ask the reviewer twice, and a grant confirmed in one would be revoked unanswered in the other)
                jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:k, 0))").param("k", "access-review-schedule:" + s.unit()).query().singleRow();
                boolean openMeanwhile = jdbc.sql("select exists (select 1 from access_review where organisation_id = :o and closed_at is null)")
                        .param("o", s.unit()).query(Boolean.class).single();
                return openMeanwhile ? null : open("schedule", s.unit(), s.reviewer(), kind, now);
            });
        }).filter(java.util.Objects::nonNull).toList();
    }

    /** The unit's standing reviewer, if one is named. */
    @Transactional(readOnly = true)
    public Optional<String> standingReviewer(UUID unit) {
        return jdbc.sql("select reviewer from access_review_schedule where organisation_id = :o").param("o", unit).query(String.class).optional();
    }

    /** The outcome report as rows for a CSV file: one per grant reviewed. Units named as now (ids for those gone). */
    @Transactional(readOnly = true)
    public List<List<Object>> report(String account, long id) {
        Review review = find(account, id);
        List<Item> items = items(id);
        Map<UUID, String> names = grants.unitNames(items.stream().flatMap(i -> i.organisations().stream()).collect(java.util.stream.Collectors.toSet()));
        return items.stream().<List<Object>>map(i -> java.util.Arrays.asList(review.id(), review.unitName(), review.kind().name(), review.reviewer(),
                review.startedAt().toString(), review.deadline().toString(), i.username(), i.right().name(),
                String.join("; ", i.organisations().stream().map(o -> "?".equals(names.get(o)) ? o.toString() : names.get(o)).sorted().toList()),
                String.join("; ", i.schoolForms()), i.lastSignedInAt() == null ? "" : i.lastSignedInAt().toString(), i.unused() ? "yes" : "no",
                i.decision() == null ? "OPEN" : i.decision().name(), i.decidedBy(), i.decidedAt() == null ? "" : i.decidedAt().toString())).toList();
    }

    public static final List<String> REPORT_HEADER = List.of("review", "unit", "kind", "reviewer", "started_at", "deadline", "account", "right",
            "units", "school_forms", "last_signed_in_at", "unused", "decision", "decided_by", "decided_at");

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Review review(ResultSet rs, int n) throws SQLException {
        return new Review(rs.getLong("id"), rs.getObject("organisation_id", UUID.class), rs.getString("unit_name"), rs.getString("reviewer"),
                rs.getString("started_by"), Kind.valueOf(rs.getString("kind")), instant(rs, 7), instant(rs, 8), rs.getInt("unused_months"),
                instant(rs, 10), rs.getInt("items"), rs.getInt("undecided"));
    }

    private static Item item(ResultSet rs, int n) throws SQLException {
        Array units = rs.getArray("organisations");
        Array forms = rs.getArray("school_forms");
        String decision = rs.getString("decision");
        return new Item(rs.getLong("id"), rs.getLong("grant_id"), rs.getString("username"), AdminRight.valueOf(rs.getString("right_name")),
                List.of((UUID[]) units.getArray()), List.of((String[]) forms.getArray()), instant(rs, 7), rs.getBoolean("unused"),
                decision == null ? null : Decision.valueOf(decision), rs.getString("decided_by"), instant(rs, 11));
    }
}
