package io.letterbox.cli.bench;

/**
 * Latencies in microseconds, counted in log-linear buckets: exact below 128 µs, then 64 buckets
 * per power of two, so a percentile is within 1% of the true value at any scale; the maximum is
 * kept exactly. Fixed size (about 20 KiB), no allocation per value. Not thread-safe: one thread
 * records, and reads happen after it has finished (or under the caller's own lock).
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    /** Buckets for values up to 2^40 µs (12 days); larger values land in the last one. */
    private static final int BUCKETS = 2 * SUB + (40 - SUB_BITS) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;
    private long sum;

    public void recordMicros(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        sum += v;
        max = Math.max(max, v);
    }

    public void recordNanos(long nanos) {
        recordMicros(nanos / 1_000);
    }

    public long count() {
        return total;
    }

    public long maxMicros() {
        return max;
    }

    public double meanMicros() {
        return total == 0 ? 0 : (double) sum / total;
    }

    /** The value at or below which {@code percent} of the values lie; 0 when empty. */
    public long percentileMicros(double percent) {
        if (total == 0) {
            return 0;
        }
        if (percent >= 100) {
            return max;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, middle(i));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < 2 * SUB) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        int i = 2 * SUB + (shift - 1) * SUB + (int) ((v >>> shift) - SUB);
        return Math.min(i, BUCKETS - 1);
    }

    /** The middle of bucket {@code i}'s value range. */
    static long middle(int i) {
        if (i < 2 * SUB) {
            return i;
        }
        int shift = (i - 2 * SUB) / SUB + 1;
        long low = ((long) ((i - 2 * SUB) % SUB + SUB)) << shift;
        return low + (1L << shift) / 2;
    }
}
