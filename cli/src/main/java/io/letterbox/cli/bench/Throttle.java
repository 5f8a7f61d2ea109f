package io.letterbox.cli.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a loop to at most {@code perSecond} iterations a second by sleeping when it is ahead of
 * schedule; {@code perSecond <= 0} means no limit. Not thread-safe: one sending thread.
 */
final class Throttle {

    private final long intervalNanos;
    private final long start = System.nanoTime();

    Throttle(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    }

    /** Waits until iteration {@code i} (from 0) is due. */
    void await(long i) {
        if (intervalNanos == 0) {
            return;
        }
        long due = start + i * intervalNanos;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
