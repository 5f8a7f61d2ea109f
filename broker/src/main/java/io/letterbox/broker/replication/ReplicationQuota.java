package io.letterbox.broker.replication;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A byte rate limit for moving replicas, measured as Kafka measures it: the bytes of the last
 * {@code windows} windows of {@code windowMs} each, divided by the time they span, and never by
 * less than {@code windows - 1} windows. So a move may first burst {@code windows - 1} windows'
 * worth of bytes before the limit holds it back, and a long move averages the limit. Exceeded means the measured
 * rate is above the limit; callers then hold back data until it falls below.
 *
 * <p>Thread-safe.
 */
public final class ReplicationQuota {
    /** No limit: Kafka's default for both throttled rates. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long windowMs;
    private final long[] bytes;
    private final long[] starts;
    private final LongSupplier clockMs;
    private volatile long limit = UNLIMITED;

    public ReplicationQuota(int windows, long windowMs, LongSupplier clockMs) {
        if (windows < 2 || windowMs < 1) {
            throw new IllegalArgumentException("A quota needs at least 2 windows of at least 1 ms");
        }
        this.windowMs = windowMs;
        this.bytes = new long[windows];
        this.starts = new long[windows];
        this.clockMs = clockMs;
        Arrays.fill(starts, Long.MIN_VALUE);
    }

    /** The limit in bytes per second ({@link #UNLIMITED} for none). */
    public void limit(long bytesPerSecond) {
        limit = bytesPerSecond;
    }

    public long limit() {
        return limit;
    }

    /** Counts bytes moved now. */
    public synchronized void record(long moved) {
        long now = clockMs.getAsLong();
        int slot = slot(now);
        bytes[slot] += moved;
    }

    /** Whether the measured rate is above the limit: throttled data waits. */
    public boolean isExceeded() {
        long max = limit;
        return max != UNLIMITED && rate() > max;
    }

    /** The measured rate in bytes per second. */
    public synchronized double rate() {
        long now = clockMs.getAsLong();
        slot(now);
        long total = 0;
        long oldest = now;
        long horizon = now - (long) bytes.length * windowMs;
        for (int i = 0; i < bytes.length; i++) {
            if (starts[i] > horizon) {
                total += bytes[i];
                oldest = Math.min(oldest, starts[i]);
            }
        }
        long spanMs = Math.max(now - oldest, (bytes.length - 1) * windowMs);
        return total * 1000.0 / spanMs;
    }

    /** The slot of the window holding {@code now}, emptied first if it held an older window. */
    private int slot(long now) {
        long window = Math.floorDiv(now, windowMs);
        int slot = (int) Math.floorMod(window, (long) bytes.length);
        long start = window * windowMs;
        if (starts[slot] != start) {
            starts[slot] = start;
            bytes[slot] = 0;
        }
        return slot;
    }
}
