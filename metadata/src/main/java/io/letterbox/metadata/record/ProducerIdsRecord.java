package io.letterbox.metadata.record;

/**
 * A block of producer ids was handed out: every id below {@code nextProducerId} is taken and
 * must never be handed out again.
 */
public record ProducerIdsRecord(long nextProducerId) implements MetadataRecord {
    public ProducerIdsRecord {
        if (nextProducerId < 0) {
            throw new IllegalArgumentException("nextProducerId must not be negative: " + nextProducerId);
        }
    }

    @Override
    public RecordType type() {
        return RecordType.PRODUCER_IDS;
    }
}
