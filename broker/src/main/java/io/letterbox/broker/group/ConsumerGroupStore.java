package io.letterbox.broker.group;

import java.util.concurrent.CompletableFuture;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;

/**
 * Where the KIP-848 consumer coordinator keeps its groups: {@link GroupMetadataManager} in a
 * broker. Thread-safe.
 */
public interface ConsumerGroupStore {

    /** A store that keeps nothing: the state machine alone, in tests. */
    ConsumerGroupStore IN_MEMORY = (groupId, group, nowMs) -> CompletableFuture.completedFuture(null);

    /**
     * Appends the group's record (a tombstone when {@code group} is null); the future completes once
     * it is durable. The append happens in the call, so calls made under the group's monitor reach
     * the log in that order. Callbacks may run on a thread holding log locks: take no group's
     * monitor there.
     */
    CompletableFuture<Void> storeConsumerGroup(String groupId, StoredConsumerGroup group, long nowMs);
}
