package io.letterbox.metadata.image;

import java.util.Arrays;

/**
 * One partition's assignment and leadership as of an image.
 *
 * <p>Immutable by contract: the arrays are shared, never copied, and must not be modified by
 * readers. {@code leader} is -1 when the partition has no leader. The leader epoch grows by one
 * on every leader change; the partition epoch on every change of this partition.
 */
public record PartitionImage(int[] replicas, int[] isr, int leader, int leaderEpoch, int partitionEpoch) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionImage p
                && leader == p.leader
                && leaderEpoch == p.leaderEpoch
                && partitionEpoch == p.partitionEpoch
                && Arrays.equals(replicas, p.replicas)
                && Arrays.equals(isr, p.isr);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(replicas);
        h = 31 * h + Arrays.hashCode(isr);
        h = 31 * h + leader;
        h = 31 * h + leaderEpoch;
        return 31 * h + partitionEpoch;
    }

    @Override
    public String toString() {
        return "PartitionImage[replicas=" + Arrays.toString(replicas) + ", isr=" + Arrays.toString(isr)
                + ", leader=" + leader + ", leaderEpoch=" + leaderEpoch + ", partitionEpoch=" + partitionEpoch + "]";
    }
}
