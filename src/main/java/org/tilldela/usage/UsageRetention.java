package org.tilldela.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.YearMonth;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Usage per person is kept only for {@code tilldela.usage.retention} (default 13 months). Whole months are
 * folded into usage_month — distinct persons, active days, sessions and activities per product and the
 * scope of the pool the person held a seat from — and their per-person rows deleted, in one transaction.
 * A month goes as soon as the retention reaches into it, so no row is kept longer than configured, and a
 * month is folded exactly once: reports for its days are refused from then on ({@link #firstKeptDay}), so
 * running the job again finds nothing to do.
 */
@Component
class UsageRetention {

    private static final Logger log = LoggerFactory.getLogger(UsageRetention.class);

    private final JdbcClient jdbc;
    private final Period retention;

    UsageRetention(JdbcClient jdbc, @Value("${tilldela.usage.retention:13m}") Period retention) {
        this.jdbc = jdbc;
        this.retention = retention;
    }

    /** The oldest day kept per person on {@code today}: the first of the month after the one the retention reaches into. */
    LocalDate firstKeptDay(LocalDate today) {
        return YearMonth.from(today.minus(retention)).plusMonths(1).atDay(1);
    }

    /** Folds the months before {@link #firstKeptDay} into usage_month and deletes their per-person rows; answers how many usage_month rows it wrote. */
    @Transactional
    int fold(LocalDate today) {
        // the seat's scope is read from the licensing tables as it stood on the day used (any one live seat for the product)
        int folded = jdbc.sql("""
                        with old as (
                            delete from usage_day where day < :first returning product_id, person_id, day, supplier_id, sessions, activities, sign_ins
                        ), placed as (
                            select o.*, (select p.scope_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                                         where a.person_id = o.person_id and p.product_id = o.product_id
                                           and a.assigned_at < o.day + 1 and (a.ended_on is null or a.ended_on > o.day)
                                         order by a.assigned_at desc limit 1) as scope_id
                            from old o
                        )
                        insert into usage_month (product_id, month, scope_id, supplier_id, persons, active_days, sessions, activities, sign_ins)
                        select product_id, date_trunc('month', day)::date, scope_id, supplier_id, count(distinct person_id), count(*),
                               coalesce(sum(sessions), 0), coalesce(sum(activities), 0), sum(sign_ins)
                        from placed group by product_id, date_trunc('month', day), scope_id, supplier_id
                        -- only a report that raced the fold can meet a month already folded: its counts are added
                        on conflict (product_id, month, scope_id) do update set persons = usage_month.persons + excluded.persons,
                            active_days = usage_month.active_days + excluded.active_days, sessions = usage_month.sessions + excluded.sessions,
                            activities = usage_month.activities + excluded.activities, sign_ins = usage_month.sign_ins + excluded.sign_ins""")
                .param("first", firstKeptDay(today)).update();
        return folded;
    }

    /** Schedules of its own: it must run even where the licensing sweep (which also enables scheduling) is switched off. */
    @org.springframework.context.annotation.Configuration
    @org.springframework.scheduling.annotation.EnableScheduling
    @ConditionalOnProperty(name = "tilldela.usage.retention-job.enabled", havingValue = "true", matchIfMissing = true)
    static class Nightly {

        private final UsageRetention retention;
        private final Clock clock;

        Nightly(UsageRetention retention, Optional<Clock> clock) {
            this.retention = retention;
            this.clock = clock.orElse(Clock.systemDefaultZone());
        }

        @Scheduled(cron = "${tilldela.usage.retention-cron:0 40 2 * * *}")
        void run() {
            log.info("Usage retention wrote {} monthly rows", retention.fold(LocalDate.now(clock)));
        }
    }
}
