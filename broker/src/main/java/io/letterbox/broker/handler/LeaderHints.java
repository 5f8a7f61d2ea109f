package io.letterbox.broker.handler;

import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.network.ListenerName;

import io.letterbox.broker.Brokers;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * KIP-951 hints for one Produce or Fetch response: the current leader of each partition answered
 * NOT_LEADER_OR_FOLLOWER, and the endpoints of those leaders, so the client goes straight to the
 * new leader without a Metadata round trip. Only live leaders are named. One per request; not
 * thread-safe.
 */
final class LeaderHints {
    /** A partition's leader as the image has it. */
    record Leader(int id, int epoch) {
    }

    private final MetadataImage image;
    private final Brokers brokers;
    private final ListenerName listener;
    private final Map<Integer, MetadataResponseBroker> named = new TreeMap<>();
    private MetadataResponseBrokerCollection live;

    LeaderHints(MetadataImage image, Brokers brokers, ListenerName listener) {
        this.image = image;
        this.brokers = brokers;
        this.listener = listener;
    }

    /** The live leader of {@code tp} (remembered for {@link #endpoints()}), or null if none is known. */
    Leader leaderOf(TopicPartition tp) {
        TopicImage topic = image.topics().get(tp.topic());
        PartitionImage partition = topic == null ? null : topic.partitions().get(tp.partition());
        if (partition == null) {
            return null;
        }
        if (live == null) {
            live = brokers.describe(image, listener);
        }
        MetadataResponseBroker leader = live.find(partition.leader());
        if (leader == null) {
            return null;
        }
        named.put(leader.nodeId(), leader);
        return new Leader(leader.nodeId(), partition.leaderEpoch());
    }

    /** The endpoints of every leader {@link #leaderOf} named, by node id. */
    Iterable<MetadataResponseBroker> endpoints() {
        return named.values();
    }
}
