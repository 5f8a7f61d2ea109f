package io.letterbox.metadata.image;

import java.util.Arrays;

/**
 * One partition's assignment and leadership as of an image.
 *
 * <p>Immutable by contract: the arrays are shared, never copied, and must not be modified by
 * readers. {@code leader} is -1 when the partition has no leader. The leader epoch grows by one
 * on every leader change; the partition epoch on every change of this partition.
 *
 * <p>During a reassignment (KIP-455) {@code replicas} holds the target replicas followed by those being
 * removed; {@code addingReplicas} are the target's new members, {@code removingReplicas} the members that
 * leave once every target replica is in the ISR. Both are empty otherwise.
 */
public record PartitionImage(int[] replicas, int[] isr, int leader, int leaderEpoch, int partitionEpoch,
                             int[] addingReplicas, int[] removingReplicas) {
    private static final int[] NONE = new int[0];

    /** A partition not being reassigned. */
    public PartitionImage(int[] replicas, int[] isr, int leader, int leaderEpoch, int partitionEpoch) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, NONE, NONE);
    }

    public boolean reassigning() {
        return addingReplicas.length > 0 || removingReplicas.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionImage p
                && leader == p.leader
                && leaderEpoch == p.leaderEpoch
                && partitionEpoch == p.partitionEpoch
                && Arrays.equals(replicas, p.replicas)
                && Arrays.equals(isr, p.isr)
                && Arrays.equals(addingReplicas, p.addingReplicas)
                && Arrays.equals(removingReplicas, p.removingReplicas);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(replicas);
        h = 31 * h + Arrays.hashCode(isr);
        h = 31 * h + leader;
        h = 31 * h + leaderEpoch;
        h = 31 * h + Arrays.hashCode(addingReplicas);
        h = 31 * h + Arrays.hashCode(removingReplicas);
        return 31 * h + partitionEpoch;
    }

    @Override
    public String toString() {
        return "PartitionImage[replicas=" + Arrays.toString(replicas) + ", isr=" + Arrays.toString(isr)
                + ", leader=" + leader + ", leaderEpoch=" + leaderEpoch + ", partitionEpoch=" + partitionEpoch
                + (reassigning() ? ", adding=" + Arrays.toString(addingReplicas) + ", removing="
                        + Arrays.toString(removingReplicas) : "") + "]";
    }
}
