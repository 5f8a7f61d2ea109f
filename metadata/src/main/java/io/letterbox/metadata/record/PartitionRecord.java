package io.letterbox.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** A partition is created (or wholly restated, in a snapshot) with its assignment and leadership. */
public record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr,
                              int leader, int leaderEpoch, int partitionEpoch) implements MetadataRecord {
    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    @Override
    public RecordType type() {
        return RecordType.PARTITION;
    }
}
