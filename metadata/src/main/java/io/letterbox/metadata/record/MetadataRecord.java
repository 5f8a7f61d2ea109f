package io.letterbox.metadata.record;

/**
 * One change to the cluster metadata, as written to the metadata log.
 *
 * <p>Records are immutable values. The log holds them in batches (see {@link RecordCodec}); a
 * batch is applied atomically. Replaying the same records in the same order on any node yields
 * the same image, so a record must carry every value its replay needs (no clocks, no randomness
 * at replay time).
 */
public sealed interface MetadataRecord
        permits ClusterIdRecord, RegisterBrokerRecord, TopicRecord, PartitionRecord,
                PartitionChangeRecord, RemoveTopicRecord, ConfigRecord, ProducerIdsRecord, BrokerFencingRecord {

    /** The record's type, which fixes its type id on the wire. */
    RecordType type();
}
