package io.letterbox.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A change to an existing partition. Null lists and {@link #NO_LEADER_CHANGE} mean "unchanged".
 * Replay bumps the partition epoch always, and the leader epoch when the leader changes.
 */
public record PartitionChangeRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader)
        implements MetadataRecord {
    /** Leader value meaning the leader stays as it is. */
    public static final int NO_LEADER_CHANGE = -2;
    /** Leader value meaning the partition has no leader. */
    public static final int NO_LEADER = -1;

    public PartitionChangeRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = replicas == null ? null : List.copyOf(replicas);
        isr = isr == null ? null : List.copyOf(isr);
    }

    @Override
    public RecordType type() {
        return RecordType.PARTITION_CHANGE;
    }
}
