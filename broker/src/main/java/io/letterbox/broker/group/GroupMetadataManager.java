package io.letterbox.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.MetadataListener;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.storage.log.LogAppendInfo;
import io.letterbox.storage.log.LogReadInfo;

/**
 * The group metadata manager: committed offsets of every group whose {@code __consumer_offsets}
 * partition this broker leads, in memory, backed by that partition's log.
 *
 * <p>Group {@code g} lives in partition {@code Utils.abs(g.hashCode()) % numPartitions} (Kafka's
 * rule, so the same group maps alike on both); the leader of that partition is its coordinator.
 * The topic is created compacted through the controller on first use. Records follow
 * {@link OffsetRecords}.
 *
 * <p>Life of a partition ("shard") here: when this broker becomes its leader, the shard is
 * LOADING while a loader thread waits for its whole log to be durable and replays it from the log
 * start, batch by batch; then LOADED. Requests for a loading shard get COORDINATOR_LOAD_IN_PROGRESS;
 * for a shard this broker does not lead, NOT_COORDINATOR. When leadership moves or the topic goes,
 * the shard and its groups are dropped.
 *
 * <p>A commit is "done" (its future completes) once its batch is below the partition's high
 * watermark: fsynced under {@code flush.on.ack}, as an acks=all produce. Memory is updated at that
 * moment, before the future completes, so a fetch after an acknowledged commit sees it; an entry
 * only moves forward in log order, so racing completions cannot reorder two commits.
 *
 * <p>Thread-safe: image changes arrive on the metadata publisher thread, loads run on one loader
 * thread, commits and fetches on network threads.
 */
public final class GroupMetadataManager implements MetadataListener, AutoCloseable {

    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private static final Logger log = LoggerFactory.getLogger(GroupMetadataManager.class);
    private static final int LOAD_READ_BYTES = 1 << 20;

    private final int nodeId;
    private final int configuredPartitions;
    private final short replicationFactor;
    private final PartitionManager partitions;
    private final Controller controller;
    private final ExecutorService loader;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile int topicPartitions;
    private volatile boolean closed;

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

    // ---------------------------------------------------------------- coordinator lookup

    /** The partition of {@code __consumer_offsets} that holds {@code groupId}. */
    public int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % topicPartitions;
    }

    /**
     * The node that coordinates {@code groupId}, for FindCoordinator. Creates the offsets topic on
     * first use.
     *
     * @throws CoordinatorNotAvailableException while the topic is being created or its partition has no leader
     * @throws CoordinatorLoadInProgressException while this broker loads the group's partition
     */
    public int coordinatorFor(MetadataImage image, String groupId) {
        TopicImage topic = image.topics().byName().get(TOPIC);
        if (topic == null) {
            createTopic();
            throw new CoordinatorNotAvailableException("The coordinator is not available: "
                    + TOPIC + " is being created.");
        }
        PartitionImage p = topic.partitions().get(partitionFor(groupId));
        if (p == null || p.leader() < 0) {
            throw new CoordinatorNotAvailableException("The coordinator is not available: no leader for its partition.");
        }
        if (p.leader() == nodeId) {
            // The image can name this broker a moment before the shard exists: not NOT_COORDINATOR,
            // which FindCoordinator callers (AdminClient) do not retry.
            Shard shard = shards.get(partitionFor(groupId));
            if (shard == null) {
                throw new CoordinatorNotAvailableException("The coordinator is becoming available.");
            }
            if (!shard.loaded) {
                throw new CoordinatorLoadInProgressException("The coordinator is loading group " + groupId + ".");
            }
        }
        return p.leader();
    }

    /**
     * The loaded shard holding {@code groupId}, or the error a commit or fetch should answer.
     */
    private Shard shardOf(String groupId) {
        Shard shard = shards.get(partitionFor(groupId));
        if (shard == null) {
            throw new NotCoordinatorException("This broker is not the coordinator of group " + groupId + ".");
        }
        if (!shard.loaded) {
            throw new CoordinatorLoadInProgressException("The coordinator is loading group " + groupId + ".");
        }
        return shard;
    }

    /** Throws NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS unless this broker can serve {@code groupId} now. */
    public void checkCoordinator(String groupId) {
        shardOf(groupId);
    }

    /** Whether the group exists here: it has committed offsets, or a simple commit created it. */
    public boolean groupExists(String groupId) {
        return shardOf(groupId).groups.containsKey(groupId);
    }

    private void createTopic() {
        if (!creating.compareAndSet(false, true)) {
            return;
        }
        log.info("Creating {} with {} partitions (replication factor {})", TOPIC, configuredPartitions,
                replicationFactor);
        NewTopic t = new NewTopic(TOPIC, configuredPartitions, replicationFactor, Map.of(),
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

    // ---------------------------------------------------------------- commit and fetch

    /**
     * Writes {@code offsets} of one group as one batch and completes once it is durable (see the
     * class comment). Fails with NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or the append's error.
     */
    public CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        Shard shard = shardOf(groupId);
        List<OffsetRecords.OffsetRecord> entries = new ArrayList<>(offsets.size());
        offsets.forEach((tp, v) -> entries.add(new OffsetRecords.OffsetRecord(groupId, tp, v)));
        if (entries.isEmpty()) {
            // Kafka creates the simple group even for a commit of nothing.
            shard.groups.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>());
            return CompletableFuture.completedFuture(null);
        }
        MemoryRecords records = OffsetRecords.batch(groupId, entries, nowMs);
        LogAppendInfo info = shard.partition.appendAsLeader(records, nowMs);
        long first = info.firstOffset();
        return shard.partition.awaitHighWatermark(info.lastOffset() + 1).thenRun(() -> {
            long logOffset = first;
            for (OffsetRecords.OffsetRecord e : entries) {
                shard.apply(e, logOffset++);
            }
        });
    }

    /**
     * The committed offsets of {@code groupId}: of {@code wanted} (a missing one is absent from the
     * answer), or every one when {@code wanted} is null. Empty for an unknown group.
     */
    public Map<TopicPartition, CommittedOffset> fetch(String groupId, List<TopicPartition> wanted) {
        Map<TopicPartition, Stored> group = shardOf(groupId).groups.get(groupId);
        Map<TopicPartition, CommittedOffset> out = new HashMap<>();
        if (group == null) {
            return out;
        }
        if (wanted == null) {
            group.forEach((tp, s) -> out.put(tp, s.value));
        } else {
            for (TopicPartition tp : wanted) {
                Stored s = group.get(tp);
                if (s != null) {
                    out.put(tp, s.value);
                }
            }
        }
        return out;
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
        for (Shard shard : shards.values()) {
            Partition now = topic == null ? null : partitions.get(new TopicPartition(TOPIC, shard.index));
            if (now != shard.partition) {
                shards.remove(shard.index, shard);
                shard.unloaded = true;
                log.info("Unloaded {}-{}: this broker no longer leads it", TOPIC, shard.index);
            }
        }
        if (topic == null) {
            return;
        }
        for (Integer index : topic.partitions().keySet()) {
            Partition p = partitions.get(new TopicPartition(TOPIC, index));
            if (p != null && !shards.containsKey(index)) {
                Shard shard = new Shard(index, p);
                shards.put(index, shard);
                loader.execute(() -> load(shard));
            }
        }
    }

    private void load(Shard shard) {
        long start = System.nanoTime();
        Partition p = shard.partition;
        try {
            long end = p.log().logEndOffset();
            // Replay only what is durable: after a crash the recovered tail is fsynced first.
            p.awaitHighWatermark(end).get(60, TimeUnit.SECONDS);
            long offset = p.log().logStartOffset();
            int records = 0;
            while (offset < end && !shard.unloaded && !closed) {
                LogReadInfo read = p.log().read(offset, LOAD_READ_BYTES, end, true);
                long before = offset;
                for (RecordBatch batch : read.records().batches()) {
                    offset = batch.nextOffset();
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    for (Record r : batch) {
                        OffsetRecords.OffsetRecord decoded;
                        try {
                            decoded = OffsetRecords.decode(r.key(), r.value());
                        } catch (OffsetRecords.CorruptOffsetRecordException e) {
                            log.error("Skipping record at {} of {}-{}: {}", r.offset(), TOPIC, shard.index, e.getMessage());
                            continue;
                        }
                        if (decoded != null) {
                            shard.apply(decoded, r.offset());
                            records++;
                        }
                    }
                }
                if (offset == before) {
                    break;
                }
            }
            shard.loaded = true;
            if (records > 0) {
                log.info("Loaded {}-{}: {} offset records of {} groups in {} ms", TOPIC, shard.index, records,
                        shard.groups.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
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

    /** An offset with the log offset of the record that wrote it. */
    private record Stored(CommittedOffset value, long logOffset) {
    }

    /** One partition of the offsets topic that this broker leads. */
    private static final class Shard {
        final int index;
        final Partition partition;
        final Map<String, Map<TopicPartition, Stored>> groups = new ConcurrentHashMap<>();
        volatile boolean loaded;
        volatile boolean unloaded;

        Shard(int index, Partition partition) {
            this.index = index;
            this.partition = partition;
        }

        /** Applies one record, unless a later record of the same key is already applied. */
        void apply(OffsetRecords.OffsetRecord r, long logOffset) {
            Map<TopicPartition, Stored> group = groups.computeIfAbsent(r.group(), g -> new ConcurrentHashMap<>());
            if (r.value() == null) {
                group.computeIfPresent(r.topicPartition(), (tp, old) -> old.logOffset < logOffset ? null : old);
                return;
            }
            group.merge(r.topicPartition(), new Stored(r.value(), logOffset),
                    (old, neu) -> old.logOffset < neu.logOffset ? neu : old);
        }
    }
}
