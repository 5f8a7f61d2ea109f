package io.letterbox.broker.replication;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.config.ReplicationConfig;
import io.letterbox.metadata.MetadataListener;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.storage.config.LogConfig;

/**
 * Kafka's replication throttles, which {@code kafka-reassign-partitions.sh --throttle} sets: a
 * byte rate for what this broker sends as a leader ({@code leader.replication.throttled.rate}) and
 * what it fetches as a follower ({@code follower.replication.throttled.rate}), applied to the
 * replicas a topic names in {@code leader.replication.throttled.replicas} and
 * {@code follower.replication.throttled.replicas} ({@code partition:brokerId}, where the broker is
 * the sender for the leader list and the receiver for the follower list, or {@code *}).
 *
 * <p>Only replicas outside the ISR are throttled, as in Kafka: a move or a catch-up is slowed,
 * replication of new data to in-sync followers never. While a quota is exceeded, a throttled
 * partition's data is held back (the leader answers it with no records; the follower leaves it out
 * of its fetch) until the measured rate falls below the limit again.
 *
 * <p>The rates are dynamic broker configs: this broker's override, else the cluster-wide default,
 * else {@code server.properties}. Thread-safe.
 */
public final class ReplicationThrottles implements MetadataListener {
    private final int nodeId;
    private final long staticLeaderRate;
    private final long staticFollowerRate;
    private final ReplicationQuota leader;
    private final ReplicationQuota follower;
    /** Parsed replica lists by config value: a topic's value is parsed once, not at each fetch. */
    private final Map<String, ThrottledReplicas> parsed = new ConcurrentHashMap<>();

    public ReplicationThrottles(int nodeId, long staticLeaderRate, long staticFollowerRate, int windows,
            long windowMs) {
        this.nodeId = nodeId;
        this.staticLeaderRate = staticLeaderRate;
        this.staticFollowerRate = staticFollowerRate;
        this.leader = new ReplicationQuota(windows, windowMs, System::currentTimeMillis);
        this.follower = new ReplicationQuota(windows, windowMs, System::currentTimeMillis);
        leader.limit(staticLeaderRate);
        follower.limit(staticFollowerRate);
    }

    /** This broker's throttles, starting from the static rates of {@code config}. */
    public static ReplicationThrottles of(int nodeId, ReplicationConfig config) {
        return new ReplicationThrottles(nodeId, config.leaderThrottledRate(), config.followerThrottledRate(),
                config.quotaWindows(), config.quotaWindowMs());
    }

    @Override
    public void onImage(MetadataImage previous, MetadataImage next) {
        leader.limit(rate(next, BrokerConfig.LEADER_REPLICATION_THROTTLED_RATE, staticLeaderRate));
        follower.limit(rate(next, BrokerConfig.FOLLOWER_REPLICATION_THROTTLED_RATE, staticFollowerRate));
    }

    private long rate(MetadataImage image, String key, long fallback) {
        String v = image.brokerConfig(Integer.toString(nodeId)).get(key);
        if (v == null) {
            v = image.brokerConfig("").get(key);
        }
        try {
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback; // validated before it was written
        }
    }

    /** Whether this leader sends {@code followerId}'s replica of {@code tp} under the leader quota. */
    public boolean leaderThrottled(MetadataImage image, TopicPartition tp, int followerId) {
        return leader.limit() != ReplicationQuota.UNLIMITED && throttled(image, tp,
                LogConfig.LEADER_REPLICATION_THROTTLED_REPLICAS, followerId);
    }

    /** Whether this follower fetches its replica of {@code tp} under the follower quota. */
    public boolean followerThrottled(MetadataImage image, TopicPartition tp) {
        return follower.limit() != ReplicationQuota.UNLIMITED && throttled(image, tp,
                LogConfig.FOLLOWER_REPLICATION_THROTTLED_REPLICAS, nodeId);
    }

    private boolean throttled(MetadataImage image, TopicPartition tp, String key, int replica) {
        TopicImage topic = image.topics().byName().get(tp.topic());
        if (topic == null) {
            return false;
        }
        String value = topic.configs().get(key);
        if (value == null || value.isEmpty()
                || !parsed.computeIfAbsent(value, ReplicationThrottles::parseOrNone).contains(tp.partition(), nodeId)) {
            return false;
        }
        PartitionImage p = topic.partitions().get(tp.partition());
        return p == null || !inIsr(p, replica);
    }

    /** Values are validated before they are written; one that is not (an older broker's) throttles nothing. */
    private static ThrottledReplicas parseOrNone(String value) {
        try {
            return ThrottledReplicas.parse(value);
        } catch (IllegalArgumentException e) {
            return ThrottledReplicas.NONE;
        }
    }

    private static boolean inIsr(PartitionImage p, int replica) {
        for (int r : p.isr()) {
            if (r == replica) {
                return true;
            }
        }
        return false;
    }

    /** The quota of what this broker sends as a leader. */
    public ReplicationQuota leaderQuota() {
        return leader;
    }

    /** The quota of what this broker fetches as a follower. */
    public ReplicationQuota followerQuota() {
        return follower;
    }
}
