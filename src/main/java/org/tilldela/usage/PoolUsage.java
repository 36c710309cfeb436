package org.tilldela.usage;

import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.licensing.PoolUtilisation;

/** The utilisation line of one pool, for the pool's page and the order's, counted as the utilisation page counts (small counts not shown). */
@Service
class PoolUsage implements PoolUtilisation {

    private final JdbcClient jdbc;

    PoolUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<Figures> of(UUID poolId) {
        LocalDate to = LocalDate.now();
        LocalDate from = to.minusDays(DAYS - 1);
        return jdbc.sql("""
                        with pool as (
                            select id, product_id, seats from licence_pool where id = :pool
                        ), held as (
                            select distinct a.person_id from licence_assignment a
                            where a.pool_id = :pool and a.assigned_at < cast(:to as date) + 1 and (a.ended_on is null or a.ended_on > :from)
                        )
                        select p.product_id, cast(p.seats as bigint), (select count(*) from held),
                               (select count(*) from held h where h.person_id in (select u.person_id from usage_day u where u.product_id = p.product_id
                                                                                   and u.day between :from and :to))
                        from pool p""")
                .param("pool", poolId).param("from", from).param("to", to)
                .query((rs, n) -> new Figures(rs.getObject(1, UUID.class), (Long) rs.getObject(2, Long.class), rs.getLong(3), shown(rs.getLong(4)),
                        Utilisation.SMALLEST_SHOWN))
                .optional();
    }

    private static Long shown(long count) {
        return Utilisation.Count.of(count).value();
    }
}
