package org.tilldela.governance;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How hard Tilldela makes guessing passwords ({@code tilldela.sign-in.*}).
 *
 * @param maxFailuresPerAccount failed sign-ins in a row for one account name before it is locked out
 * @param maxFailuresPerAddress failed sign-ins from one remote address (an IPv6 /64) before it is locked
 *                              out; higher than per account, since a school's staff may share one address
 * @param lockout               how long a lockout lasts; failures older than this are forgotten
 * @param failureDelay          the answer to a failed sign-in waits this long, doubled with each further
 *                              failure of the account or address…
 * @param maxFailureDelay       …up to this
 */
@ConfigurationProperties("tilldela.sign-in")
public record SignInLimits(
        @DefaultValue("5") int maxFailuresPerAccount,
        @DefaultValue("30") int maxFailuresPerAddress,
        @DefaultValue("15m") Duration lockout,
        @DefaultValue("250ms") Duration failureDelay,
        @DefaultValue("4s") Duration maxFailureDelay) {

    public SignInLimits {
        if (maxFailuresPerAccount < 1 || maxFailuresPerAddress < 1) {
            throw new IllegalArgumentException("tilldela.sign-in.max-failures-per-* must be at least 1");
        }
        if (lockout.isNegative() || lockout.isZero() || failureDelay.isNegative() || maxFailureDelay.isNegative()) {
            throw new IllegalArgumentException("tilldela.sign-in.lockout must be positive and the delays not negative");
        }
    }

    /** How long to hold back the answer to the failure that makes {@code failures} in a row. */
    Duration delayAfter(int failures) {
        if (failures < 1 || failureDelay.isZero()) {
            return Duration.ZERO;
        }
        Duration delay = failureDelay.multipliedBy(1L << Math.min(failures - 1, 20));
        return delay.compareTo(maxFailureDelay) > 0 ? maxFailureDelay : delay;
    }
}
