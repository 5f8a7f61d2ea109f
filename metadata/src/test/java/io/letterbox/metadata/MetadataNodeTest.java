package io.letterbox.metadata;

import static io.letterbox.metadata.Nodes.broker;
import static io.letterbox.metadata.Nodes.config;
import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.controller.ConfigOp;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.controller.TopicRef;
import io.letterbox.metadata.image.MetadataImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataNodeTest {
    @TempDir
    Path dir;

    @Test
    void firstStartRecordsAClusterIdThatRestartsKeep() throws Exception {
        String clusterId;
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            clusterId = node.image().clusterId();
            assertThat(clusterId).hasSize(22);
            assertThat(org.apache.kafka.common.Uuid.fromString(clusterId).toString()).isEqualTo(clusterId);
            assertThat(node.isLeader()).isTrue();
        }
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            assertThat(node.image().clusterId()).isEqualTo(clusterId);
        }
        try (MetadataNode other = MetadataNode.start(config(dir.resolve("other")))) {
            assertThat(other.image().clusterId()).isNotEqualTo(clusterId);
        }
    }

    @Test
    void restartRestoresTheWholeImage() throws Exception {
        // Given a node with brokers (one fenced), topics, configs, a deleted topic and producer ids
        MetadataImage before;
        long firstBlock;
        try (MetadataNode node = Nodes.startWithBrokers(dir, 3)) {
            get(node.controller().createTopics(List.of(
                    new NewTopic("orders", 6, (short) 1, Map.of(), Map.of("retention.ms", "1000")),
                    NewTopic.of("payments", 3, (short) 1),
                    NewTopic.of("doomed", 1, (short) 1)), false));
            get(node.controller().deleteTopics(List.of(TopicRef.byName("doomed"))));
            get(node.controller().setFenced(2, true));
            get(node.controller().incrementalAlterConfigs(Map.of(
                    new ConfigResource(ConfigResource.Type.BROKER, ""),
                    List.of(new ConfigOp("num.partitions", AlterConfigOp.OpType.SET, "3")),
                    new ConfigResource(ConfigResource.Type.BROKER, "2"),
                    List.of(new ConfigOp("log.cleaner.threads", AlterConfigOp.OpType.SET, "2"))), false));
            firstBlock = get(node.controller().allocateProducerIds(1000));
            before = node.image();
        }
        // When
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            // Then
            assertThat(node.image()).isEqualTo(before);
            assertThat(node.image().topics().get("orders").configs()).containsEntry("retention.ms", "1000");
            assertThat(node.image().topics().get("doomed")).isNull();
            assertThat(node.image().cluster().liveBrokers()).containsOnlyKeys(1, 3);
            long secondBlock = get(node.controller().allocateProducerIds(1000));
            assertThat(secondBlock).isEqualTo(firstBlock + 1000);
        }
    }

    @Test
    void restartWithoutSnapshotReplaysTheLog() throws Exception {
        MetadataImage before;
        try (MetadataNode node = Nodes.startWithBrokers(dir, 1)) {
            for (int i = 0; i < 10; i++) {
                get(node.controller().createTopics(List.of(NewTopic.of("t" + i, 2, (short) 1)), false));
            }
            before = node.image();
        }
        // Remove the snapshot taken on close: the log alone must rebuild the image.
        List<Path> snapshots;
        try (Stream<Path> files = Files.walk(dir)) {
            snapshots = files.filter(p -> p.getFileName().toString().startsWith("snapshot.")).toList();
        }
        assertThat(snapshots).isNotEmpty();
        for (Path p : snapshots) {
            Files.delete(p);
        }
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            assertThat(node.image()).isEqualTo(before);
        }
    }

    @Test
    void snapshotsAreTakenAsTheLogGrowsAndRestartUsesThem() throws Exception {
        // Given a snapshot every 5 entries
        MetadataConfig config = config(dir).withSnapshotEveryEntries(5);
        MetadataImage before;
        try (MetadataNode node = MetadataNode.start(config)) {
            get(node.controller().registerBroker(broker(1)));
            for (int i = 0; i < 23; i++) {
                get(node.controller().createTopics(List.of(NewTopic.of("t" + i, 1, (short) 1)), false));
            }
            // Then snapshots exist before any close (at most 2 retained once Ratis' purge settles)
            List<Path> snapshots = settledSnapshotFiles();
            assertThat(snapshots).isNotEmpty().hasSizeLessThanOrEqualTo(2);
            get(node.controller().deleteTopics(List.of(TopicRef.byName("t3"))));
            before = node.image();
        }
        // When restarted: image from the newest snapshot plus the log after it
        try (MetadataNode node = MetadataNode.start(config)) {
            assertThat(node.image()).isEqualTo(before);
            assertThat(node.image().topics().size()).isEqualTo(22);
        }
    }

    /** Snapshot files once Ratis is done writing and purging them (it does so in the background). */
    private List<Path> settledSnapshotFiles() throws Exception {
        List<Path> last = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Stream<Path> files = Files.walk(dir)) {
                last = files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
                if (!last.isEmpty() && last.size() <= 2) {
                    return last;
                }
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                // a file vanished under the walk: the purge is running
            }
            Thread.sleep(20);
        }
        return last;
    }

    @Test
    void restartOnAnotherPortWorks() throws Exception {
        int first = freePort();
        MetadataImage before;
        try (MetadataNode node = MetadataNode.start(config(dir).withRpcPort(first))) {
            assertThat(node.rpcAddress().getPort()).isEqualTo(first);
            get(node.controller().registerBroker(broker(1)));
            get(node.controller().createTopics(List.of(NewTopic.of("a", 1, (short) 1)), false));
            before = node.image();
        }
        int second = freePort();
        try (MetadataNode node = MetadataNode.start(config(dir).withRpcPort(second))) {
            assertThat(node.rpcAddress().getPort()).isEqualTo(second);
            assertThat(node.image()).isEqualTo(before);
            // and it still writes
            get(node.controller().createTopics(List.of(NewTopic.of("b", 1, (short) 1)), false));
            assertThat(node.image().topics().get("b")).isNotNull();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void listenersSeeEveryImageInOrder() throws Exception {
        try (MetadataNode node = Nodes.startWithBrokers(dir, 1)) {
            MetadataImage current = node.image();
            List<MetadataImage[]> seen = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();

            // When a listener is added, it first gets (EMPTY, current) before addListener returns
            node.addListener((previous, next) -> {
                seen.add(new MetadataImage[] {previous, next});
                threads.add(Thread.currentThread().getName());
            });
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)[0]).isSameAs(MetadataImage.EMPTY);
            assertThat(seen.get(0)[1]).isEqualTo(current);

            // and then each change, before the controller's future completes
            for (int i = 0; i < 5; i++) {
                get(node.controller().createTopics(List.of(NewTopic.of("t" + i, 1, (short) 1)), false));
                assertThat(seen.get(seen.size() - 1)[1].topics().get("t" + i)).isNotNull();
            }
            assertThat(seen).hasSize(6);
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i)[0]).isSameAs(seen.get(i - 1)[1]);
                assertThat(seen.get(i)[1].offset()).isGreaterThan(seen.get(i)[0].offset());
            }
            assertThat(threads).containsOnly("letterbox-metadata-publisher");
            assertThat(seen.get(seen.size() - 1)[1]).isSameAs(node.image());
        }
    }

    @Test
    void aThrowingListenerDoesNotStopOthers() throws Exception {
        try (MetadataNode node = Nodes.startWithBrokers(dir, 1)) {
            List<Long> offsets = new ArrayList<>();
            node.addListener((previous, next) -> {
                if (previous != MetadataImage.EMPTY) {
                    throw new IllegalStateException("listener bug (expected by the test)");
                }
            });
            node.addListener((previous, next) -> offsets.add(next.offset()));
            get(node.controller().createTopics(List.of(NewTopic.of("x", 1, (short) 1)), false));
            assertThat(offsets).hasSize(2);
        }
    }

    @Test
    void startAndCloseAreQuick() throws Exception {
        // Speed is reported, not asserted: the figures go to the test output.
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            MetadataNode node = MetadataNode.start(config(dir));
            long t1 = System.nanoTime();
            node.close();
            long t2 = System.nanoTime();
            System.out.printf("metadata node start-up %d ms (reported %d ms), close %d ms%n",
                    (t1 - t0) / 1_000_000, node.startupTime().toMillis(), (t2 - t1) / 1_000_000);
            assertThat(node.startupTime()).isPositive();
        }
    }

    @Test
    void closeIsIdempotentAndLaterOperationsFail() throws Exception {
        MetadataNode node = MetadataNode.start(config(dir));
        node.close();
        node.close();
        assertThat(node.controller().allocateProducerIds(10))
                .failsWithin(java.time.Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(org.apache.kafka.common.errors.NotControllerException.class);
    }
}
