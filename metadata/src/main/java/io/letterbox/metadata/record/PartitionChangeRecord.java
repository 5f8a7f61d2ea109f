package io.letterbox.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A change to an existing partition. Null lists and {@link #NO_LEADER_CHANGE} mean "unchanged". A
 * reassignment is started, completed or cancelled by changing {@code replicas} together with
 * {@code addingReplicas} and {@code removingReplicas} (empty lists: no reassignment in progress).
 * Replay bumps the partition epoch always, and the leader epoch when the leader changes.
 *
 * <p>{@code expectedPartitionEpoch} makes the change conditional: replay ignores it (deterministically,
 * on every node) unless the partition is still at that epoch. Changes decided from an image that may be
 * stale (a leader's ISR request, an election) carry it, so a later, conflicting change is never undone.
 * {@link #ANY_PARTITION_EPOCH} applies the change unconditionally.
 */
public record PartitionChangeRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                                    int expectedPartitionEpoch, List<Integer> addingReplicas,
                                    List<Integer> removingReplicas) implements MetadataRecord {
    /** Leader value meaning the leader stays as it is. */
    public static final int NO_LEADER_CHANGE = -2;
    /** Leader value meaning the partition has no leader. */
    public static final int NO_LEADER = -1;
    /** Expected partition epoch meaning "whatever it is". */
    public static final int ANY_PARTITION_EPOCH = -1;

    public PartitionChangeRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = replicas == null ? null : List.copyOf(replicas);
        isr = isr == null ? null : List.copyOf(isr);
        addingReplicas = addingReplicas == null ? null : List.copyOf(addingReplicas);
        removingReplicas = removingReplicas == null ? null : List.copyOf(removingReplicas);
    }

    /** A change that leaves any reassignment as it is. */
    public PartitionChangeRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                                 int expectedPartitionEpoch) {
        this(topicId, partition, replicas, isr, leader, expectedPartitionEpoch, null, null);
    }

    /** An unconditional change. */
    public PartitionChangeRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader) {
        this(topicId, partition, replicas, isr, leader, ANY_PARTITION_EPOCH);
    }

    @Override
    public RecordType type() {
        return RecordType.PARTITION_CHANGE;
    }
}
