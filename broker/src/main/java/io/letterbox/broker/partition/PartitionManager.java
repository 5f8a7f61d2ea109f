package io.letterbox.broker.partition;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.replication.FollowedPartition;
import io.letterbox.broker.replication.ReplicaFetchers;
import io.letterbox.metadata.MetadataListener;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogManager;

/**
 * The partitions this broker leads, kept in step with the metadata image: a new topic gets
 * its logs, a deleted topic loses them, a config change reaches each log. Handlers look
 * partitions up here without locks. The partitions it is a follower of get their logs too and
 * are fetched by the {@link ReplicaFetchers}; a follower becoming leader is first taken from its
 * fetcher, then starts its leader epoch at its log end. A partition reassigned away from this
 * broker loses its log.
 *
 * <p>Image changes arrive on the metadata thread, one at a time, in log order.
 */
public final class PartitionManager implements MetadataListener {

    private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);

    private final int nodeId;
    private final BrokerConfig config;
    private final LogManager logManager;
    private final Consumer<Partition> highWatermarkListener;
    private final ReplicaFetchers fetchers;
    private final Partition.IsrRequests isrRequests;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    /**
     * @param highWatermarkListener told when a partition's high watermark moves, or (with followers)
     *                              when it was appended to
     */
    public PartitionManager(int nodeId, BrokerConfig config, LogManager logManager,
            Consumer<Partition> highWatermarkListener, ReplicaFetchers fetchers, Partition.IsrRequests isrRequests) {
        this.nodeId = nodeId;
        this.config = config;
        this.logManager = logManager;
        this.highWatermarkListener = highWatermarkListener;
        this.fetchers = fetchers;
        this.isrRequests = isrRequests;
    }

    /** Every partition led here drops the followers out of sync for longer than {@code lagMs}. */
    public void shrinkIsrs(long lagMs) {
        long now = System.currentTimeMillis();
        for (Partition p : partitions.values()) {
            p.shrinkIsr(now, lagMs);
        }
    }

    /** The partition if this broker leads it, else null. */
    public Partition get(TopicPartition tp) {
        return partitions.get(tp);
    }

    /**
     * The partition this broker leads, or the error a client should see: UNKNOWN_TOPIC_OR_PARTITION
     * when the image has no such partition, NOT_LEADER_OR_FOLLOWER when another broker leads it,
     * KAFKA_STORAGE_ERROR when its log directory is offline.
     */
    public Partition leaderOrThrow(MetadataImage image, TopicPartition tp) {
        Partition p = partitions.get(tp);
        if (p != null && !p.log().isOffline()) {
            return p;
        }
        if (isOffline(tp)) {
            throw new KafkaStorageException("The log directory of " + tp + " is offline");
        }
        TopicImage topic = image.topics().byName().get(tp.topic());
        if (topic == null || !topic.partitions().containsKey(tp.partition())) {
            throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                    "This server does not host this topic-partition.");
        }
        throw new NotLeaderOrFollowerException("This broker is not the leader of " + tp);
    }

    /** True if this broker holds a log of {@code tp} on a log directory taken offline by an I/O error. */
    public boolean isOffline(TopicPartition tp) {
        return logManager.get(tp).map(Log::isOffline).orElse(false);
    }

    public Collection<Partition> all() {
        return partitions.values();
    }

    /** The log settings of a topic: its overrides over the broker's (static and dynamic) defaults. */
    public LogConfig logConfig(MetadataImage image, Map<String, String> topicOverrides) {
        return LogConfig.of(topicOverrides, topicDefaults(image));
    }

    /** The topic-level defaults this broker gives now: static {@code log.*} keys under dynamic ones. */
    public Map<String, String> topicDefaults(MetadataImage image) {
        return config.topicDefaults(dynamicBrokerConfigs(image));
    }

    /** Dynamic broker configs that apply here: cluster-wide ones, then this broker's own. */
    public Map<String, String> dynamicBrokerConfigs(MetadataImage image) {
        Map<String, String> merged = new HashMap<>(image.brokerConfigs().getOrDefault("", Map.of()));
        merged.putAll(image.brokerConfigs().getOrDefault(Integer.toString(nodeId), Map.of()));
        return merged;
    }

    @Override
    public void onImage(MetadataImage previous, MetadataImage next) {
        boolean brokerConfigsChanged = !Objects.equals(dynamicBrokerConfigs(previous), dynamicBrokerConfigs(next));
        // Topics gone (or re-created under a new id): drop their partitions and logs.
        for (Partition p : partitions.values()) {
            TopicImage topic = next.topics().byName().get(p.topicPartition().topic());
            if (topic == null || !topic.id().equals(p.topicId())
                    || !topic.partitions().containsKey(p.topicPartition().partition())) {
                remove(p);
            }
        }
        long now = System.currentTimeMillis();
        Set<TopicPartition> following = new HashSet<>();
        for (TopicImage topic : next.topics().byName().values()) {
            TopicImage before = previous.topics().byId().get(topic.id());
            boolean configChanged = brokerConfigsChanged || before == null
                    || !before.configs().equals(topic.configs());
            LogConfig logConfig = null;
            Map<TopicPartition, PartitionImage> opening = new LinkedHashMap<>();
            Map<TopicPartition, PartitionImage> followers = new LinkedHashMap<>();
            for (Map.Entry<Integer, PartitionImage> e : topic.partitions().entrySet()) {
                PartitionImage pi = e.getValue();
                TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
                Partition existing = partitions.get(tp);
                if (logConfig == null || configChanged) {
                    logConfig = logConfigOrDefault(next, topic);
                }
                if (pi.leader() != nodeId) {
                    if (existing != null) {
                        partitions.remove(tp);
                        existing.close(new NotLeaderOrFollowerException("leadership moved"));
                    }
                    if (ReplicaSet.contains(pi.replicas(), nodeId)) {
                        followers.put(tp, pi);
                    }
                    continue;
                }
                // The fetcher lets go of the log before it is appended to as leader.
                fetchers.unfollow(tp);
                if (existing == null) {
                    opening.put(tp, pi);
                    continue;
                }
                try {
                    existing.update(pi, now);
                    if (configChanged) {
                        existing.log().updateConfig(logConfig);
                    }
                } catch (KafkaStorageException failure) {
                    // A failed log directory must not stop the partitions of the others from following the image.
                    log.warn("Partition {} cannot follow the metadata image: {}", tp, failure.getMessage());
                }
            }
            if (!opening.isEmpty()) {
                open(topic, opening, logConfig, now);
            }
            if (!followers.isEmpty()) {
                follow(topic, followers, logConfig, following);
            }
        }
        fetchers.retain(following);
        // Logs on disk whose topic no longer exists (deleted while this broker was down), and those of
        // partitions reassigned away from this broker (their fetchers were let go above).
        for (Log l : logManager.logs()) {
            if (!partitions.containsKey(l.topicPartition())) {
                TopicImage topic = next.topics().byName().get(l.topicPartition().topic());
                if (topic == null || !Objects.equals(topic.id(), l.topicId())) {
                    log.debug("Deleting log {}: its topic no longer exists", l.topicPartition());
                    logManager.delete(l.topicPartition());
                } else if (!isReplica(topic.partition(l.topicPartition().partition()))) {
                    log.info("Deleting log {}: this broker is no longer one of its replicas", l.topicPartition());
                    logManager.delete(l.topicPartition());
                }
            }
        }
    }

    /**
     * Opens the new partitions of {@code topic}: all at once (their logs created in parallel, one directory
     * fsync for all, each already in its leader epoch, so becoming leader writes nothing more); if a log
     * directory fails meanwhile, one by one, so that those on the other directories still open.
     */
    private void open(TopicImage topic, Map<TopicPartition, PartitionImage> opening, LogConfig logConfig, long now) {
        Map<TopicPartition, Integer> epochs = new LinkedHashMap<>();
        opening.forEach((tp, pi) -> epochs.put(tp, pi.leaderEpoch()));
        for (Log partitionLog : logs(topic, epochs, logConfig)) {
            TopicPartition tp = partitionLog.topicPartition();
            partitions.put(tp, new Partition(tp, topic.id(), nodeId, opening.get(tp), partitionLog,
                    logManager.groupCommit(), highWatermarkListener, isrRequests, now));
        }
    }

    /**
     * Hands the partitions of {@code topic} this broker follows to their leader's fetcher, creating their logs
     * (an existing log takes {@code logConfig} on the way).
     */
    private void follow(TopicImage topic, Map<TopicPartition, PartitionImage> followers, LogConfig logConfig,
            Set<TopicPartition> following) {
        Map<TopicPartition, Integer> noEpoch = new LinkedHashMap<>();
        followers.keySet().forEach(tp -> noEpoch.put(tp, -1));
        for (Log partitionLog : logs(topic, noEpoch, logConfig)) {
            TopicPartition tp = partitionLog.topicPartition();
            PartitionImage pi = followers.get(tp);
            if (pi.leader() < 0) {
                continue; // no leader to fetch from until one is elected
            }
            following.add(tp);
            fetchers.follow(new FollowedPartition(tp, topic.id(), partitionLog, pi.leader(), pi.leaderEpoch()));
        }
    }

    /** The logs of {@code epochs}' partitions, created where missing; those on a failed directory left out. */
    private List<Log> logs(TopicImage topic, Map<TopicPartition, Integer> epochs, LogConfig logConfig) {
        try {
            return logManager.getOrCreate(epochs, topic.id(), logConfig);
        } catch (KafkaStorageException failure) {
            List<Log> logs = new ArrayList<>();
            for (Map.Entry<TopicPartition, Integer> e : epochs.entrySet()) {
                try {
                    logs.addAll(logManager.getOrCreate(Map.of(e.getKey(), e.getValue()), topic.id(), logConfig));
                } catch (KafkaStorageException oneFailure) {
                    log.warn("Partition {} cannot follow the metadata image: {}", e.getKey(),
                            oneFailure.getMessage());
                }
            }
            return logs;
        }
    }

    private LogConfig logConfigOrDefault(MetadataImage image, TopicImage topic) {
        try {
            return logConfig(image, topic.configs());
        } catch (RuntimeException e) {
            // Configs are validated before they enter the metadata log; a default that became
            // invalid (a broker upgrade, say) must not make the topic unusable.
            log.warn("Topic {} has invalid configs ({}); using broker defaults", topic.name(), e.getMessage());
            return logConfig(image, Map.of());
        }
    }

    private boolean isReplica(PartitionImage partition) {
        return partition != null && ReplicaSet.contains(partition.replicas(), nodeId);
    }

    private void remove(Partition p) {
        partitions.remove(p.topicPartition());
        fetchers.unfollow(p.topicPartition());
        p.close(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("topic deleted"));
        logManager.delete(p.topicPartition());
    }

    /** Exposed for handlers that resolve topic IDs. */
    public static Uuid idOf(MetadataImage image, String topic) {
        TopicImage t = image.topics().byName().get(topic);
        return t == null ? Uuid.ZERO_UUID : t.id();
    }
}
