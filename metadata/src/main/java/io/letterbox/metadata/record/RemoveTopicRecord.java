package io.letterbox.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** A topic is deleted, with its partitions and config overrides. */
public record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {
    public RemoveTopicRecord {
        Objects.requireNonNull(topicId, "topicId");
    }

    @Override
    public RecordType type() {
        return RecordType.REMOVE_TOPIC;
    }
}
