package io.letterbox.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A partition is created (or wholly restated, in a snapshot) with its assignment and leadership, and the
 * reassignment in progress if any (empty lists when none).
 */
public record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr,
                              int leader, int leaderEpoch, int partitionEpoch, List<Integer> addingReplicas,
                              List<Integer> removingReplicas) implements MetadataRecord {
    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition not being reassigned. */
    public PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                           int leaderEpoch, int partitionEpoch) {
        this(topicId, partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    @Override
    public RecordType type() {
        return RecordType.PARTITION;
    }
}
