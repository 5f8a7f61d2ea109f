package io.letterbox.broker.group;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.broker.replication.ReplicaFetchers;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.TopicRecord;
import io.letterbox.storage.log.LogManager;

/**
 * A real {@code __consumer_offsets} on files for tests: the logs in {@code dir}, a partition
 * manager leading every partition on node 1, and a {@link GroupMetadataManager} over them. Open
 * it, register listeners (a coordinator) with {@link #offsets()}, then {@link #load()}; closing
 * and opening again on the same directory is a broker restart. Not thread-safe.
 */
public final class OffsetsTopicFixture implements AutoCloseable {

    public static final int PARTITIONS = 3;
    private static final Uuid TOPIC_ID = Uuid.fromString("Z3JvdXBzLW9mZnNldHMtMA");

    private final LogManager logs;
    private final PartitionManager partitions;
    private final GroupMetadataManager offsets;
    private MetadataImage image = MetadataImage.EMPTY;
    private long imageOffset;

    private OffsetsTopicFixture(Path dir) {
        BrokerConfig config = BrokerConfig.parse(Map.of("log.dirs", dir.toString()));
        logs = LogManager.open(List.of(dir), config.topicDefaults(Map.of()));
        partitions = new PartitionManager(1, config, logs, p -> { },
                new ReplicaFetchers(1, config.replication(), () -> MetadataImage.EMPTY,
                        io.letterbox.broker.replication.ReplicationThrottles.of(1, config.replication())),
                change -> CompletableFuture.failedFuture(new IllegalStateException("single replica")));
        // No controller: the topic exists from the first image on, so nothing creates it.
        offsets = new GroupMetadataManager(1, PARTITIONS, (short) 1, partitions, null);
    }

    /** The logs in {@code dir}, not loaded yet. */
    public static OffsetsTopicFixture open(Path dir) {
        return new OffsetsTopicFixture(dir);
    }

    public GroupMetadataManager offsets() {
        return offsets;
    }

    /** Makes node 1 the leader of every partition and waits until all are loaded. */
    public OffsetsTopicFixture load() {
        List<MetadataRecord> records = new ArrayList<>(List.of(new ClusterIdRecord("letterbox-test-cluster-0"),
                new TopicRecord(GroupMetadataManager.TOPIC, TOPIC_ID),
                new ConfigRecord(ConfigResource.Type.TOPIC, GroupMetadataManager.TOPIC, "cleanup.policy", "compact")));
        for (int p = 0; p < PARTITIONS; p++) {
            records.add(new PartitionRecord(TOPIC_ID, p, List.of(1), List.of(1), 1, 0, 0));
        }
        publish(records);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!allLoaded()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(GroupMetadataManager.TOPIC + " did not load within 10 s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return this;
    }

    /** Publishes an image with {@code records} applied to the last one, as the metadata log would. */
    public void publish(List<MetadataRecord> records) {
        MetadataImage next = new MetadataDelta(image).replayAll(records).apply(++imageOffset);
        partitions.onImage(image, next);
        offsets.onImage(image, next);
        image = next;
    }

    private boolean allLoaded() {
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; covered.size() < PARTITIONS; i++) {
            String probe = "probe-" + i;
            if (!offsets.coordinates(probe)) {
                return false;
            }
            covered.add(offsets.partitionFor(probe));
        }
        return true;
    }

    @Override
    public void close() {
        offsets.close();
        logs.close();
    }
}
