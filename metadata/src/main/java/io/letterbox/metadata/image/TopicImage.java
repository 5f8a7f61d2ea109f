package io.letterbox.metadata.image;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One topic as of an image: its partitions by index (0..n-1, no gaps) and its config overrides.
 * Immutable; the maps are unmodifiable.
 */
public record TopicImage(String name, Uuid id, Map<Integer, PartitionImage> partitions, Map<String, String> configs) {

    /** The partition with this index, or null. */
    public PartitionImage partition(int index) {
        return partitions.get(index);
    }

    public int numPartitions() {
        return partitions.size();
    }
}
