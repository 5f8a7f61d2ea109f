package io.letterbox.cli.group;

import java.time.Duration;
import java.time.format.DateTimeParseException;

import io.letterbox.cli.client.Times;

/**
 * Where {@code letterbox group reset-offsets} moves a partition's committed offset, as Kafka's
 * consumer-groups tool does: the log start, the log end, an offset, the first record at or after
 * a time (a date-time, or now minus a duration), or the current offset shifted by N. Offsets are
 * kept inside the partition's [start, end] range. Immutable.
 */
record OffsetReset(Kind kind, long value) {

    enum Kind { EARLIEST, LATEST, OFFSET, TIME, SHIFT }

    static OffsetReset earliest() {
        return new OffsetReset(Kind.EARLIEST, 0);
    }

    static OffsetReset latest() {
        return new OffsetReset(Kind.LATEST, 0);
    }

    static OffsetReset toOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("--to-offset must be 0 or more, not " + offset);
        }
        return new OffsetReset(Kind.OFFSET, offset);
    }

    static OffsetReset shiftBy(long delta) {
        return new OffsetReset(Kind.SHIFT, delta);
    }

    /** ISO-8601 or epoch milliseconds. */
    static OffsetReset toDatetime(String text) {
        return new OffsetReset(Kind.TIME, Times.parseEpochMillis(text));
    }

    /** An ISO-8601 duration back from {@code nowMillis}, e.g. PT10M. */
    static OffsetReset byDuration(String text, long nowMillis) {
        Duration d;
        try {
            d = Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--by-duration takes an ISO-8601 duration such as PT10M or P1DT2H, not '"
                    + text + "'");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("--by-duration must not be negative: " + text);
        }
        return new OffsetReset(Kind.TIME, nowMillis - d.toMillis());
    }

    /** The epoch milliseconds to look up with ListOffsets, for {@link Kind#TIME}. */
    boolean needsTimestampLookup() {
        return kind == Kind.TIME;
    }

    /**
     * The new offset of one partition. {@code current} is the committed offset or -1 when there is
     * none (a shift then starts from the log start); {@code atTime} is the ListOffsets answer for
     * {@link Kind#TIME}, -1 when no record is that recent (then the log end).
     */
    long target(long current, long start, long end, long atTime) {
        long wanted = switch (kind) {
            case EARLIEST -> start;
            case LATEST -> end;
            case OFFSET -> value;
            case TIME -> atTime < 0 ? end : atTime;
            case SHIFT -> (current < 0 ? start : current) + value;
        };
        return Math.max(start, Math.min(end, wanted));
    }
}
