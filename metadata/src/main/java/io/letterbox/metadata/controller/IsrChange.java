package io.letterbox.metadata.controller;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A leader's request to set a partition's ISR, made in the leader and partition epochs it knows
 * (Kafka's AlterPartition).
 */
public record IsrChange(Uuid topicId, int partition, int brokerId, int leaderEpoch, int partitionEpoch,
                        List<Integer> isr) {
    public IsrChange {
        Objects.requireNonNull(topicId, "topicId");
        isr = List.copyOf(isr);
    }
}
