package io.letterbox.metadata.record;

/**
 * The controller fences a registered broker whose heartbeats stopped (clients are no longer told
 * of it, no new replica is placed on it) or unfences it when they resume.
 */
public record BrokerFencingRecord(int brokerId, boolean fenced) implements MetadataRecord {
    @Override
    public RecordType type() {
        return RecordType.BROKER_FENCING;
    }
}
