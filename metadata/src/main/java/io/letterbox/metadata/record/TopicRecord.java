package io.letterbox.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** A topic is created. Its partitions and configs follow as their own records in the same batch. */
public record TopicRecord(String name, Uuid topicId) implements MetadataRecord {
    public TopicRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
    }

    @Override
    public RecordType type() {
        return RecordType.TOPIC;
    }
}
