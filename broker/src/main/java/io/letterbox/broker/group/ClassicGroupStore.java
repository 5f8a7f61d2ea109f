package io.letterbox.broker.group;

import java.util.concurrent.CompletableFuture;

import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;

/**
 * Where the classic coordinator keeps its groups: {@link GroupMetadataManager} in a broker, which
 * also says whether this broker may serve a group now. Thread-safe.
 */
public interface ClassicGroupStore {

    /** A store that serves every group and keeps nothing: the state machine alone, in tests. */
    ClassicGroupStore IN_MEMORY = new ClassicGroupStore() {
        @Override
        public void checkCoordinator(String groupId) {
        }

        @Override
        public CompletableFuture<Void> storeGroup(String groupId, GroupMetadata metadata, long nowMs) {
            return CompletableFuture.completedFuture(null);
        }
    };

    /** Throws NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS (kafka-clients exceptions) unless this broker serves the group now. */
    void checkCoordinator(String groupId);

    /**
     * Writes the group's metadata; the future completes once it is durable. Its callbacks may run
     * on a thread holding log locks: take no group's monitor there.
     */
    CompletableFuture<Void> storeGroup(String groupId, GroupMetadata metadata, long nowMs);
}
