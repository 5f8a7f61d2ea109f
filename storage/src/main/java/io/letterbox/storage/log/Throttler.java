package io.letterbox.storage.log;

import org.apache.kafka.common.utils.Time;

import java.util.concurrent.TimeUnit;

/**
 * Holds the cleaner's disk I/O to {@code log.cleaner.io.max.bytes.per.second}: bytes read and written
 * are counted over periods of at least {@code checkIntervalMs}; a period that went faster than the rate
 * is followed by the sleep that brings it back to the rate.
 *
 * <p>Thread-safety: thread-safe; the cleaner threads share one, so the limit is for all of them.
 */
final class Throttler {

    private final double bytesPerSecond;
    private final long checkIntervalNs;
    private final Time time;
    private long periodStartNs;
    private long observed;

    /** @param bytesPerSecond the limit; {@link Double#MAX_VALUE} (or infinity) for none */
    Throttler(double bytesPerSecond, long checkIntervalMs, Time time) {
        this.bytesPerSecond = bytesPerSecond;
        this.checkIntervalNs = TimeUnit.MILLISECONDS.toNanos(checkIntervalMs);
        this.time = time;
        this.periodStartNs = time.nanoseconds();
    }

    /** Counts {@code bytes} and sleeps if the current period is over the rate. */
    void maybeThrottle(long bytes) {
        long sleepNs = record(bytes, time.nanoseconds());
        if (sleepNs > 0) {
            time.sleep(TimeUnit.NANOSECONDS.toMillis(sleepNs));
        }
    }

    /** Counts {@code bytes} at {@code nowNs}; returns the nanoseconds to sleep (0 if within the rate). */
    synchronized long record(long bytes, long nowNs) {
        if (bytesPerSecond >= Double.MAX_VALUE) {
            return 0;
        }
        observed += bytes;
        long elapsedNs = nowNs - periodStartNs;
        if (elapsedNs < checkIntervalNs) {
            return 0;
        }
        long neededNs = (long) (observed / bytesPerSecond * TimeUnit.SECONDS.toNanos(1));
        long sleepNs = Math.max(0, neededNs - elapsedNs);
        periodStartNs = nowNs + sleepNs;
        observed = 0;
        return sleepNs;
    }
}
