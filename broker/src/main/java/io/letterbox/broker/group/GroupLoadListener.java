package io.letterbox.broker.group;

import java.util.Map;
import java.util.function.Predicate;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;

/**
 * Told by {@link GroupMetadataManager} when a partition of {@code __consumer_offsets} starts or
 * stops being served here, so that a coordinator restores or drops the groups it holds. Both run
 * on the manager's threads and must not block on requests.
 */
public interface GroupLoadListener {

    /**
     * The partition holding the groups {@code inShard} accepts was replayed; {@code classicGroups}
     * and {@code consumerGroups} are the latest stored state of each group of that type in it (an
     * id is in one map at most). Called before the partition serves any request, so a coordinator
     * restoring here races with none.
     */
    void onLoaded(Predicate<String> inShard, Map<String, GroupMetadata> classicGroups,
            Map<String, StoredConsumerGroup> consumerGroups);

    /** The partition holding the groups {@code inShard} accepts is no longer served here. */
    void onUnloaded(Predicate<String> inShard);
}
