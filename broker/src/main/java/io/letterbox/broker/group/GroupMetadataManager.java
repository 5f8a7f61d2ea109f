package io.letterbox.broker.group;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.MetadataListener;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * The group metadata manager: the partitions ("shards") of {@code __consumer_offsets} this broker
 * leads, each an {@link OffsetsShard} holding its groups' committed offsets and writing their
 * records, and the routing of a group to its shard.
 *
 * <p>Group {@code g} lives in partition {@code Utils.abs(g.hashCode()) % numPartitions} (Kafka's
 * rule, so the same group maps alike on both); the leader of that partition is its coordinator.
 * The topic is created compacted through the controller on first use.
 *
 * <p>Life of a shard: when this broker becomes its leader, the shard is LOADING while a loader
 * thread waits for its whole log to be durable and replays it from the log start; the classic
 * and consumer groups it stores are handed to the {@link GroupLoadListener}s; then LOADED. Requests for a
 * loading shard get COORDINATOR_LOAD_IN_PROGRESS; for a shard this broker does not lead,
 * NOT_COORDINATOR. When leadership moves or the topic goes, the shard is dropped and the listeners
 * told.
 *
 * <p>A simple group (offsets without members: {@code assign()} users, AdminClient) exists here from
 * its first durable commit until DeleteGroups or expiry removes it, as in Kafka; a commit of
 * nothing does not create one.
 *
 * <p>Thread-safe: image changes arrive on the metadata publisher thread, loads run on one loader
 * thread, everything else on network threads and the coordinators' timers.
 */
public final class GroupMetadataManager implements MetadataListener, ClassicGroupStore, ConsumerGroupStore,
        AutoCloseable {

    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private static final Logger log = LoggerFactory.getLogger(GroupMetadataManager.class);

    private final int nodeId;
    private final int configuredPartitions;
    private final short replicationFactor;
    private final PartitionManager partitions;
    private final Controller controller;
    private final ExecutorService loader;
    private final Map<Integer, OffsetsShard> shards = new ConcurrentHashMap<>();
    private final List<GroupLoadListener> loadListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile int topicPartitions;
    private volatile boolean closed;

    /**
     * @param controller creates the topic on first use; unused while the topic exists
     */
    public GroupMetadataManager(int nodeId, int numPartitions, short replicationFactor, PartitionManager partitions,
            Controller controller) {
        this.nodeId = nodeId;
        this.configuredPartitions = numPartitions;
        this.replicationFactor = replicationFactor;
        this.partitions = partitions;
        this.controller = controller;
        this.topicPartitions = numPartitions;
        this.loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "group-metadata-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers a listener; call before this manager sees its first image, so that no load is missed. */
    public void addLoadListener(GroupLoadListener listener) {
        loadListeners.add(listener);
    }

    // ---------------------------------------------------------------- coordinator lookup

    /** The partition of {@code __consumer_offsets} that holds {@code groupId}. */
    public int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % topicPartitions;
    }

    /**
     * The node that coordinates {@code groupId}, for FindCoordinator. Creates the offsets topic on
     * first use.
     *
     * @throws CoordinatorNotAvailableException while the topic is being created, its partition has no leader, or
     *         this broker has not opened it yet
     * @throws CoordinatorLoadInProgressException while this broker loads the group's partition
     */
    public int coordinatorFor(MetadataImage image, String groupId) {
        TopicImage topic = image.topics().byName().get(TOPIC);
        if (topic == null) {
            createTopic(image);
            throw new CoordinatorNotAvailableException("The coordinator is not available: "
                    + TOPIC + " is being created.");
        }
        PartitionImage p = topic.partitions().get(partitionFor(groupId));
        if (p == null || p.leader() < 0) {
            throw new CoordinatorNotAvailableException("The coordinator is not available: no leader for its partition.");
        }
        if (p.leader() == nodeId) {
            OffsetsShard shard = shards.get(partitionFor(groupId));
            if (shard == null) {
                // The image names this broker before this manager has seen it; NOT_COORDINATOR would
                // make AdminClient give up, so answer the retriable error.
                throw new CoordinatorNotAvailableException("The coordinator is not available: its partition is opening.");
            }
            if (!shard.loaded) {
                throw new CoordinatorLoadInProgressException("The coordinator is loading group " + groupId + ".");
            }
        }
        return p.leader();
    }

    /**
     * The loaded shard holding {@code groupId}, or the error a request for it should answer.
     */
    private OffsetsShard shardOf(String groupId) {
        OffsetsShard shard = shards.get(partitionFor(groupId));
        if (shard == null) {
            throw new NotCoordinatorException("This broker is not the coordinator of group " + groupId + ".");
        }
        if (!shard.loaded) {
            throw new CoordinatorLoadInProgressException("The coordinator is loading group " + groupId + ".");
        }
        return shard;
    }

    /** Throws NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS unless this broker can serve {@code groupId} now. */
    @Override
    public void checkCoordinator(String groupId) {
        shardOf(groupId);
    }

    /** Whether this broker can serve {@code groupId} now (its shard is loaded here). */
    public boolean coordinates(String groupId) {
        OffsetsShard shard = shards.get(partitionFor(groupId));
        return shard != null && shard.loaded;
    }

    /** Whether the offsets store knows the group: a durable commit created it and nothing deleted it since. */
    public boolean groupExists(String groupId) {
        return shardOf(groupId).hasGroup(groupId);
    }

    /** The groups the offsets store knows, in every loaded shard. */
    public Set<String> groupIds() {
        Set<String> out = new HashSet<>();
        for (OffsetsShard shard : shards.values()) {
            if (shard.loaded) {
                out.addAll(shard.groupIds());
            }
        }
        return out;
    }

    /** Kafka refuses to create it until enough brokers exist; here fewer live brokers get fewer replicas. */
    private void createTopic(MetadataImage image) {
        if (!creating.compareAndSet(false, true)) {
            return;
        }
        short rf = (short) Math.max(1, Math.min(replicationFactor, image.cluster().liveBrokers().size()));
        log.debug("Creating {} with {} partitions (replication factor {})", TOPIC, configuredPartitions, rf);
        NewTopic t = new NewTopic(TOPIC, configuredPartitions, rf, Map.of(),
                Map.of("cleanup.policy", "compact"));
        controller.createTopics(List.of(t), false).whenComplete((results, error) -> {
            creating.set(false);
            if (error != null) {
                log.warn("Could not create {}: {}", TOPIC, error.toString());
            } else if (!results.get(0).error().isSuccess()
                    && results.get(0).error().error() != org.apache.kafka.common.protocol.Errors.TOPIC_ALREADY_EXISTS) {
                log.warn("Could not create {}: {}", TOPIC, results.get(0).error());
            }
        });
    }

    // ---------------------------------------------------------------- reads and writes
    // Each fails with NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS (thrown) or the append's error
    // (thrown, or failing the future); each future completes once the write is durable.

    /** Writes {@code offsets} of one group as one batch. A commit of nothing writes nothing. */
    public CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        return shardOf(groupId).commit(groupId, offsets, nowMs);
    }

    /**
     * The committed offsets of {@code groupId}: of {@code wanted} (a missing one is absent from the
     * answer), or every one when {@code wanted} is null. Empty for an unknown group.
     */
    public Map<TopicPartition, CommittedOffset> fetch(String groupId, List<TopicPartition> wanted) {
        return shardOf(groupId).fetch(groupId, wanted);
    }

    /** Tombstones the group's offsets of {@code partitions} (OffsetDelete). */
    public CompletableFuture<Void> deleteOffsets(String groupId, Collection<TopicPartition> partitions, long nowMs) {
        return shardOf(groupId).deleteOffsets(groupId, partitions, nowMs);
    }

    /** Tombstones every offset of the group and its metadata, classic or consumer group (DeleteGroups). */
    public CompletableFuture<Void> deleteGroup(String groupId, long nowMs) {
        return shardOf(groupId).deleteGroup(groupId, nowMs);
    }

    /**
     * Tombstones the group's metadata if it has no offsets left (expiry).
     *
     * @throws org.apache.kafka.common.errors.GroupNotEmptyException when it has
     */
    public CompletableFuture<Void> deleteGroupWithoutOffsets(String groupId, long nowMs) {
        return shardOf(groupId).deleteGroupWithoutOffsets(groupId, nowMs);
    }

    /** Tombstones the offsets of {@code groupId} that {@code rules} say have outlived {@code retentionMs}. */
    OffsetsShard.Expiry expire(String groupId, OffsetRules rules, long retentionMs, long nowMs) {
        return shardOf(groupId).expire(groupId, rules, retentionMs, nowMs);
    }

    @Override
    public CompletableFuture<Void> storeGroup(String groupId, GroupMetadata metadata, long nowMs) {
        return shardOf(groupId).storeGroup(groupId, metadata, nowMs);
    }

    @Override
    public CompletableFuture<Void> storeConsumerGroup(String groupId, StoredConsumerGroup group, long nowMs) {
        return shardOf(groupId).storeConsumerGroup(groupId, group, nowMs);
    }

    // ---------------------------------------------------------------- shards

    @Override
    public void onImage(MetadataImage previous, MetadataImage next) {
        if (closed) {
            return;
        }
        TopicImage topic = next.topics().byName().get(TOPIC);
        if (topic != null) {
            topicPartitions = topic.partitions().size();
        }
        for (OffsetsShard shard : shards.values()) {
            Partition now = topic == null ? null : partitions.get(new TopicPartition(TOPIC, shard.index));
            if (now != shard.partition) {
                shards.remove(shard.index, shard);
                shard.unloaded = true;
                int index = shard.index;
                loadListeners.forEach(l -> l.onUnloaded(groupId -> partitionFor(groupId) == index));
                log.debug("Unloaded {}-{}: this broker no longer leads it", TOPIC, shard.index);
            }
        }
        if (topic == null) {
            return;
        }
        deleteOffsetsOfDeletedTopics(previous, next);
        for (Integer index : topic.partitions().keySet()) {
            Partition p = partitions.get(new TopicPartition(TOPIC, index));
            if (p != null && !shards.containsKey(index)) {
                OffsetsShard shard = new OffsetsShard(index, p);
                shards.put(index, shard);
                loader.execute(() -> load(shard));
            }
        }
    }

    /**
     * Kafka's rule: a deleted topic's committed offsets go with it, so that groups no longer list
     * it and a topic created again under its name starts from the reset policy, not from the old
     * positions. A name whose topic id changed between the images was deleted too. Shards still
     * loading miss it, as in Kafka.
     */
    private void deleteOffsetsOfDeletedTopics(MetadataImage previous, MetadataImage next) {
        Set<String> deleted = new HashSet<>();
        for (TopicImage before : previous.topics().byId().values()) {
            if (next.topics().get(before.id()) == null) {
                deleted.add(before.name());
            }
        }
        if (deleted.isEmpty()) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        for (OffsetsShard shard : shards.values()) {
            if (!shard.loaded) {
                continue;
            }
            try {
                shard.deleteOffsetsOfTopics(deleted, nowMs).whenComplete((count, error) -> {
                    if (error != null) {
                        log.warn("Could not delete the committed offsets of deleted topics {} in {}-{}: {}", deleted,
                                TOPIC, shard.index, error.toString());
                    } else if (count > 0) {
                        // The controller's "Deleted topic" line is the one a healthy run shows
                        log.debug("Deleted {} committed offsets of deleted topics {} in {}-{}", count, deleted, TOPIC,
                                shard.index);
                    }
                });
            } catch (RuntimeException e) {
                log.warn("Could not delete the committed offsets of deleted topics {} in {}-{}: {}", deleted, TOPIC,
                        shard.index, e.toString());
            }
        }
    }

    private void load(OffsetsShard shard) {
        long start = System.nanoTime();
        try {
            OffsetsShard.Loaded groups = shard.load(() -> shard.unloaded || closed);
            if (shard.unloaded || closed) {
                return;
            }
            int index = shard.index;
            for (GroupLoadListener l : loadListeners) {
                l.onLoaded(groupId -> partitionFor(groupId) == index, groups.classicGroups(),
                        groups.consumerGroups());
            }
            shard.loaded = true;
            if (shard.groupCount() > 0 || !groups.classicGroups().isEmpty() || !groups.consumerGroups().isEmpty()) {
                log.debug("Loaded {}-{}: offsets of {} groups, {} classic and {} consumer groups in {} ms", TOPIC,
                        shard.index, shard.groupCount(), groups.classicGroups().size(), groups.consumerGroups().size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!closed && !shard.unloaded) {
                // The shard stays LOADING (clients retry); the next leadership change retries the load.
                log.error("Loading {}-{} failed: {}", TOPIC, shard.index, e.toString());
                shards.remove(shard.index, shard);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        loader.shutdownNow();
        try {
            loader.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
