package org.tilldela.governance;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts failed sign-ins per account name typed and per remote address, in PostgreSQL so that every node
 * sees the same counts (table {@code sign_in_throttle}; its migration explains the counting). Ask
 * {@link #admit} before checking a password, then tell {@link #succeeded} or {@link #failed}.
 */
@Service
public class SignInThrottle {

    /**
     * What each door counts a typed name under: every door has a prefix of its own, so that no name typed at one door is
     * another door's key (the administrators' door counted names bare, and "totp:alice" typed there counted against
     * alice's second factor; "person:" and "card:" are the sso module's).
     */
    public static final String ADMIN_PASSWORD = "admin:";
    public static final String ADMIN_SECOND_FACTOR = "totp:";

    /** Longer account names are cut: what is typed is stored, and a megabyte of it helps no one. */
    static final int MAX_SUBJECT = 200;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SignInLimits limits;
    private final Clock clock;

    SignInThrottle(JdbcClient jdbc, TransactionTemplate tx, SignInLimits limits, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.limits = limits;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    public SignInLimits limits() {
        return limits;
    }

    /** May this attempt go on to have its password checked? If so it is already counted as a failure. */
    public Admission admit(String account, String address) {
        String name = accountKey(account);
        String from = addressKey(address);
        Instant now = clock.instant();
        Instant forgetBefore = now.minus(limits.lockout());
        return tx.execute(status -> {
            // always the account row before the address row, so two attempts never wait on each other in a circle
            for (String[] key : List.of(new String[] {"ACCOUNT", name}, new String[] {"ADDRESS", from})) {
                jdbc.sql("insert into sign_in_throttle (kind, subject, failures, last_attempt_at) values (:k, :s, 0, :now) on conflict do nothing")
                        .param("k", key[0]).param("s", key[1]).param("now", Timestamp.from(now)).update();
            }
            record Row(String kind, int failures, Instant lastAttempt) {
            }
            List<Row> rows = jdbc.sql("select kind, failures, last_attempt_at from sign_in_throttle "
                            + "where (kind = 'ACCOUNT' and subject = :a) or (kind = 'ADDRESS' and subject = :ip) order by kind for update")
                    .param("a", name).param("ip", from)
                    .query((rs, n) -> new Row(rs.getString(1), rs.getInt(2), rs.getTimestamp(3).toInstant())).list();
            int accountFailures = 0;
            int addressFailures = 0;
            Instant lockedUntil = null;
            for (Row row : rows) {
                int failures = row.lastAttempt().isAfter(forgetBefore) ? row.failures() : 0;
                int max = row.kind().equals("ACCOUNT") ? limits.maxFailuresPerAccount() : limits.maxFailuresPerAddress();
                if (failures >= max) {
                    Instant until = row.lastAttempt().plus(limits.lockout());
                    lockedUntil = lockedUntil == null || until.isAfter(lockedUntil) ? until : lockedUntil;
                }
                if (row.kind().equals("ACCOUNT")) {
                    accountFailures = failures;
                } else {
                    addressFailures = failures;
                }
            }
            if (lockedUntil != null) {
                // a refused attempt is not counted: the lockout ends on time even while someone keeps trying
                return new Refused(lockedUntil);
            }
            jdbc.sql("update sign_in_throttle set failures = case kind when 'ACCOUNT' then :a else :ip end, last_attempt_at = :now "
                            + "where (kind = 'ACCOUNT' and subject = :name) or (kind = 'ADDRESS' and subject = :from)")
                    .param("a", accountFailures + 1).param("ip", addressFailures + 1).param("now", Timestamp.from(now))
                    .param("name", name).param("from", from).update();
            return new Admitted(name, from, accountFailures + 1, addressFailures + 1, now);
        });
    }

    /**
     * An unknown API token from {@code address} (an IPv6 /64): whether its refusal is still to be recorded in the audit
     * trail. The first {@code max-failures-per-account} in a lockout period are; the rest of that period's are refused
     * without a row each, so anyone sending made-up tokens cannot fill the audit trail. Counted apart from sign-in
     * failures: a valid token is 256 random bits, so guessing needs no lockout, and a script's typo must not lock the
     * address's password sign-ins.
     */
    public Recording recordsRefusal(String address) {
        Instant now = clock.instant();
        int seen = jdbc.sql("""
                        insert into sign_in_throttle (kind, subject, failures, last_attempt_at) values ('UNKNOWN_TOKEN', :s, 1, :now)
                        on conflict (kind, subject) do update set
                            failures = case when sign_in_throttle.last_attempt_at < :forget then 1 else sign_in_throttle.failures + 1 end,
                            last_attempt_at = case when sign_in_throttle.last_attempt_at < :forget then :now else sign_in_throttle.last_attempt_at end
                        returning failures""")
                .param("s", addressKey(address)).param("now", Timestamp.from(now)).param("forget", Timestamp.from(now.minus(limits.lockout())))
                .query(Integer.class).single();
        int max = limits.maxFailuresPerAccount();
        return new Recording(seen <= max, seen == max ? Optional.of(now.plus(limits.lockout())) : Optional.empty());
    }

    /** @param pausedUntil on the last refusal recorded in a period: until when the next ones go unrecorded */
    public record Recording(boolean record, Optional<Instant> pausedUntil) {
    }

    /** Until when the name (as counted, with its door's prefix) is locked out, if it is now. */
    public Optional<Instant> lockedUntil(String account) {
        Instant now = clock.instant();
        return jdbc.sql("select failures, last_attempt_at from sign_in_throttle where kind = 'ACCOUNT' and subject = :s")
                .param("s", accountKey(account))
                .query((rs, n) -> rs.getInt(1) >= limits.maxFailuresPerAccount() ? rs.getTimestamp(2).toInstant().plus(limits.lockout()) : null)
                .optional().filter(until -> until.isAfter(now));
    }

    /** Forgets the failures counted against these names (an account administrator lifts a lockout); says whether any was locked out. */
    public boolean forget(String... accounts) {
        boolean locked = false;
        for (String account : accounts) {
            locked |= lockedUntil(account).isPresent();
            jdbc.sql("delete from sign_in_throttle where kind = 'ACCOUNT' and subject = :s").param("s", accountKey(account)).update();
        }
        return locked;
    }

    /** The password was right: the account starts afresh, and the address gets this attempt back. */
    public void succeeded(Admitted attempt) {
        tx.executeWithoutResult(status -> {
            jdbc.sql("delete from sign_in_throttle where kind = 'ACCOUNT' and subject = :s").param("s", attempt.account()).update();
            jdbc.sql("update sign_in_throttle set failures = greatest(failures - 1, 0) where kind = 'ADDRESS' and subject = :s")
                    .param("s", attempt.address()).update();
        });
    }

    /**
     * The password was wrong (or the account unknown or disabled): the attempt stays counted. Says whether
     * that reached a limit, and how long to hold back the answer.
     */
    public Failure failed(Admitted attempt) {
        // forgotten counts are cleared as failures come in; successes leave the table alone. Rows some
        // attempt holds are skipped, so this never waits for (or deadlocks with) an attempt.
        jdbc.sql("delete from sign_in_throttle where (kind, subject) in (select kind, subject from sign_in_throttle "
                        + "where last_attempt_at < :before limit 1000 for update skip locked)")
                .param("before", Timestamp.from(clock.instant().minus(limits.lockout()))).update();
        boolean locked = attempt.accountFailures() >= limits.maxFailuresPerAccount() || attempt.addressFailures() >= limits.maxFailuresPerAddress();
        return new Failure(locked ? Optional.of(attempt.at().plus(limits.lockout())) : Optional.empty(),
                limits.delayAfter(Math.max(attempt.accountFailures(), attempt.addressFailures())));
    }

    /** What is counted for an account name: as typed (names are case-sensitive), cut to a sane length. */
    static String accountKey(String account) {
        String name = account == null ? "" : account;
        return name.length() > MAX_SUBJECT ? name.substring(0, MAX_SUBJECT) : name;
    }

    /**
     * What is counted for a remote address: IPv4 as is; IPv6 by its /64 network, since one subscriber
     * usually has a whole /64 and could otherwise take a fresh address for every guess.
     */
    static String addressKey(String address) {
        if (address == null || address.isBlank()) {
            return "unknown";
        }
        if (address.indexOf(':') >= 0) {
            try {
                // a literal with ':' is parsed, never looked up in DNS
                byte[] bytes = InetAddress.getByName(address).getAddress();
                if (bytes.length == 16) {
                    Arrays.fill(bytes, 8, 16, (byte) 0);
                    return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
                }
                return InetAddress.getByAddress(bytes).getHostAddress();
            } catch (UnknownHostException e) {
                return accountKey(address);
            }
        }
        return accountKey(address);
    }

    public sealed interface Admission permits Admitted, Refused {
    }

    /** Let through; counted as a failure until {@link #succeeded} says otherwise. */
    public record Admitted(String account, String address, int accountFailures, int addressFailures, Instant at) implements Admission {
    }

    /** Locked out, until then. */
    public record Refused(Instant until) implements Admission {
    }

    /** After a failure: the lockout it started, if any, and how long to hold back the answer. */
    public record Failure(Optional<Instant> lockedUntil, Duration delay) {

        /**
         * Slows a guesser down by {@link #delay}. Requests run on virtual threads (spring.threads.virtual.enabled),
         * so a waiting answer holds no platform thread and no database connection.
         */
        public void holdBack() {
            if (delay.isPositive()) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * Refuses outright once this failure locked the name or address out (no need to slow down what is refused), by
         * throwing {@link SignInLockedOut}; else {@link #holdBack}.
         */
        public void lockOutOrHoldBack() {
            if (lockedUntil.isPresent()) {
                throw new SignInLockedOut(lockedUntil.get());
            }
            holdBack();
        }
    }
}
