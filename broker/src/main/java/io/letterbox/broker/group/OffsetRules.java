package io.letterbox.broker.group;

import java.util.function.Predicate;

/**
 * What a group's state says about its committed offsets at one moment, by Kafka's rules: whether
 * OffsetDelete may remove them, which topics its members still read, and from when the retention
 * ({@code offsets.retention.minutes}) of an offset counts.
 *
 * @param deletable    false when OffsetDelete must refuse the whole group (NON_EMPTY_GROUP): it has
 *                     members whose subscriptions the broker cannot read (a protocol other than
 *                     {@code consumer})
 * @param subscribed   the topics its members read: OffsetDelete answers GROUP_SUBSCRIBED_TO_TOPIC for
 *                     them and expiry keeps their offsets
 * @param retention    from when retention counts
 * @param emptySinceMs for {@link Retention#FROM_EMPTY}: when the group lost its last member, -1 if unknown
 */
public record OffsetRules(boolean deletable, Predicate<String> subscribed, Retention retention, long emptySinceMs) {

    /** From when an offset's retention counts. */
    public enum Retention {
        /** Never, while the group stays in this state: it has members that may still use them. */
        NONE,
        /** From the offset's commit: groups without members (simple groups), unsubscribed topics of a stable group. */
        FROM_COMMIT,
        /** From the moment the group became empty, or the commit when that is unknown. */
        FROM_EMPTY
    }

    private static final Predicate<String> NOTHING = topic -> false;

    /** A group that only stores offsets (no coordinator manages it): each offset lives {@code retention} past its commit. */
    public static final OffsetRules SIMPLE = new OffsetRules(true, NOTHING, Retention.FROM_COMMIT, -1);

    /** Whether {@code offset} has outlived {@code retentionMs} at {@code nowMs}. */
    public boolean expired(CommittedOffset offset, long retentionMs, long nowMs) {
        long start = switch (retention) {
            case NONE -> Long.MAX_VALUE;
            case FROM_COMMIT -> offset.commitTimestampMs();
            case FROM_EMPTY -> emptySinceMs >= 0 ? emptySinceMs : offset.commitTimestampMs();
        };
        return start != Long.MAX_VALUE && nowMs - start >= retentionMs;
    }

    /** Rules with the given retention and nothing subscribed. */
    public static OffsetRules unsubscribed(boolean deletable, Retention retention, long emptySinceMs) {
        return new OffsetRules(deletable, NOTHING, retention, emptySinceMs);
    }
}
