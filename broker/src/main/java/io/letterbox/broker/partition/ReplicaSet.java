package io.letterbox.broker.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a leader knows of its partition's replicas: the ISR committed in the metadata image, the ISR
 * change it asked the controller for and has not yet seen committed, and where each follower is.
 *
 * <p>A follower's position is the offset of its latest fetch: it holds every record below. It is
 * "caught up" at a fetch that reaches the leader's log end then, or the log end at its previous fetch
 * (it had everything as of then); a follower in the ISR not caught up for {@code replica.lag.time.max.ms}
 * is out of sync. The high watermark may only cover what every member of the <em>maximal</em> ISR
 * (committed plus a pending change's additions; a pending removal still counts) holds, so a record
 * counted acknowledged is on every replica any committed ISR can name.
 *
 * <p>Not thread-safe: guarded by the owning {@link Partition}'s lock.
 */
final class ReplicaSet {
    private static final long UNKNOWN = -1L;

    private final int localId;
    private int[] isr = new int[0];
    private int partitionEpoch = -1;
    /** The ISR asked for and not yet seen in an image, or null. */
    private int[] pendingIsr;
    private final Map<Integer, Follower> followers = new HashMap<>();

    private static final class Follower {
        long position = UNKNOWN;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndAtLastFetch = UNKNOWN;
    }

    ReplicaSet(int localId) {
        this.localId = localId;
    }

    /**
     * Takes the assignment of a new image. A change of partition epoch settles any pending request:
     * it was either applied or lost to a newer change. New members start caught up now, so a leader
     * does not drop the ISR it was elected with before its followers could fetch.
     */
    void update(int[] newReplicas, int[] newIsr, int newPartitionEpoch, long nowMs) {
        if (newPartitionEpoch != partitionEpoch) {
            pendingIsr = null;
        }
        isr = newIsr;
        partitionEpoch = newPartitionEpoch;
        followers.keySet().removeIf(id -> !contains(newReplicas, id));
        for (int id : newReplicas) {
            if (id != localId) {
                followers.computeIfAbsent(id, k -> {
                    Follower f = new Follower();
                    f.lastCaughtUpMs = nowMs;
                    f.lastFetchMs = nowMs;
                    return f;
                });
            }
        }
    }

    int partitionEpoch() {
        return partitionEpoch;
    }

    void setPending(int[] requested) {
        pendingIsr = requested;
    }

    /** Forgets {@code requested} if it is still the pending change (the request failed). */
    void clearPending(int[] requested) {
        if (pendingIsr == requested) {
            pendingIsr = null;
        }
    }

    /** Records a fetch from {@code replicaId} at {@code position}; false if it is not a replica. */
    boolean recordFetch(int replicaId, long position, long leaderEnd, long nowMs) {
        Follower f = followers.get(replicaId);
        if (f == null) {
            return false;
        }
        if (position >= leaderEnd) {
            f.lastCaughtUpMs = nowMs;
        } else if (f.leaderEndAtLastFetch != UNKNOWN && position >= f.leaderEndAtLastFetch) {
            f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
        }
        f.position = position;
        f.leaderEndAtLastFetch = leaderEnd;
        f.lastFetchMs = nowMs;
        return true;
    }

    /** The highest offset the high watermark may reach: what the local log and the maximal ISR all hold. */
    long highWatermarkBound(long localEnd) {
        long bound = bound(isr, localEnd);
        return pendingIsr == null ? bound : Math.min(bound, bound(pendingIsr, localEnd));
    }

    private long bound(int[] members, long localEnd) {
        long bound = localEnd;
        for (int id : members) {
            if (id != localId) {
                Follower f = followers.get(id);
                bound = Math.min(bound, f == null ? UNKNOWN : f.position);
            }
        }
        return bound;
    }

    /**
     * The ISR with {@code replicaId} added if it is a replica out of the ISR whose position reached both
     * the high watermark and the start of the leader's epoch (it has truncated to this leader); else null.
     */
    int[] expansionFor(int replicaId, long highWatermark, long epochStartOffset) {
        Follower f = followers.get(replicaId);
        if (f == null || contains(isr, replicaId) || pendingIsr != null
                || f.position < highWatermark || f.position < epochStartOffset) {
            return null;
        }
        int[] next = java.util.Arrays.copyOf(isr, isr.length + 1);
        next[isr.length] = replicaId;
        return next;
    }

    /** The ISR without the followers not caught up for longer than {@code lagMs}, or null if all are in sync. */
    int[] shrinkage(long nowMs, long lagMs) {
        if (pendingIsr != null) {
            return null;
        }
        List<Integer> kept = new ArrayList<>(isr.length);
        for (int id : isr) {
            Follower f = followers.get(id);
            if (id == localId || f != null && nowMs - f.lastCaughtUpMs <= lagMs) {
                kept.add(id);
            }
        }
        if (kept.size() == isr.length) {
            return null;
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    static boolean contains(int[] ids, int id) {
        for (int i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }
}
