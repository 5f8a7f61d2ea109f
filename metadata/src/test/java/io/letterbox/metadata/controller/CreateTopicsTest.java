package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.MetadataNode;
import io.letterbox.metadata.Nodes;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CreateTopicsTest {
    @TempDir
    Path dir;
    MetadataNode node;
    Controller controller;

    void start(int brokers) throws Exception {
        node = Nodes.startWithBrokers(dir, brokers);
        controller = node.controller();
    }

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
    }

    CreateTopicResult create(NewTopic topic) throws Exception {
        List<CreateTopicResult> results = get(controller.createTopics(List.of(topic), false));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Test
    void createsTopicWithPlacedPartitions() throws Exception {
        start(3);
        // When
        CreateTopicResult result = create(new NewTopic("orders", 6, (short) 1, Map.of(), Map.of("retention.ms", "60000")));
        // Then the result describes the topic
        assertThat(result.error().error()).isEqualTo(Errors.NONE);
        assertThat(result.name()).isEqualTo("orders");
        assertThat(result.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(result.numPartitions()).isEqualTo(6);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
        assertThat(result.configs()).containsExactly(Map.entry("retention.ms", "60000"));
        // and the image already holds it when the future completes
        TopicImage topic = node.image().topics().get("orders");
        assertThat(topic.id()).isEqualTo(result.topicId());
        assertThat(topic.configs()).containsExactly(Map.entry("retention.ms", "60000"));
        assertThat(topic.partitions()).containsOnlyKeys(0, 1, 2, 3, 4, 5);
        Map<Integer, Integer> leaders = new HashMap<>();
        for (PartitionImage p : topic.partitions().values()) {
            assertThat(p.replicas()).hasSize(1);
            assertThat(p.isr()).containsExactly(p.replicas());
            assertThat(p.leader()).isEqualTo(p.replicas()[0]);
            assertThat(p.leaderEpoch()).isZero();
            assertThat(p.partitionEpoch()).isZero();
            for (int r : p.replicas()) {
                assertThat(r).isBetween(1, 3);
            }
            leaders.merge(p.leader(), 1, Integer::sum);
        }
        // round-robin: leaders spread evenly over the three brokers
        assertThat(leaders).containsOnlyKeys(1, 2, 3).allSatisfy((broker, count) -> assertThat(count).isEqualTo(2));
    }

    @Test
    void placementStartsAtARotatingBroker() throws Exception {
        start(3);
        Set<Integer> firstLeaders = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            CreateTopicResult r = create(NewTopic.of("t" + i, 1, (short) 1));
            firstLeaders.add(node.image().topics().get(r.topicId()).partition(0).leader());
        }
        assertThat(firstLeaders).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void minusOneUsesTheDefaults() throws Exception {
        start(1);
        CreateTopicResult result = create(NewTopic.of("defaults", -1, (short) -1));
        assertThat(result.error()).isEqualTo(org.apache.kafka.common.requests.ApiError.NONE);
        assertThat(result.numPartitions()).isEqualTo(1);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
    }

    @Test
    void manualAssignment() throws Exception {
        start(3);
        CreateTopicResult result = create(new NewTopic("manual", -1, (short) -1,
                Map.of(0, List.of(3), 1, List.of(2)), Map.of()));
        assertThat(result.error().error()).isEqualTo(Errors.NONE);
        assertThat(result.numPartitions()).isEqualTo(2);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
        TopicImage topic = node.image().topics().get("manual");
        assertThat(topic.partition(0).replicas()).containsExactly(3);
        assertThat(topic.partition(0).leader()).isEqualTo(3);
        assertThat(topic.partition(1).replicas()).containsExactly(2);
    }

    @Test
    void replicasGoToDistinctBrokersAndAllStartInSync() throws Exception {
        start(3);
        CreateTopicResult placed = create(NewTopic.of("rf3", 4, (short) 3));
        CreateTopicResult manual = create(new NewTopic("manual2", -1, (short) -1, Map.of(0, List.of(3, 1)), Map.of()));
        assertThat(placed.error().error()).isEqualTo(Errors.NONE);
        assertThat(manual.error().error()).isEqualTo(Errors.NONE);
        for (PartitionImage p : node.image().topics().get("rf3").partitions().values()) {
            assertThat(p.replicas()).hasSize(3).doesNotHaveDuplicates();
            assertThat(p.isr()).containsExactly(p.replicas());
            assertThat(p.leader()).isEqualTo(p.replicas()[0]);
        }
        PartitionImage m = node.image().topics().get("manual2").partition(0);
        assertThat(m.replicas()).containsExactly(3, 1);
        assertThat(m.isr()).containsExactly(3, 1);
        assertThat(m.leader()).isEqualTo(3);
    }

    @Test
    void invalidManualAssignments() throws Exception {
        start(2);
        assertError(new NewTopic("m1", 2, (short) -1, Map.of(0, List.of(1)), Map.of()), Errors.INVALID_REQUEST,
                "A manual partition assignment was specified, but numPartitions was not set to -1.");
        assertError(new NewTopic("m2", -1, (short) 1, Map.of(0, List.of(1)), Map.of()), Errors.INVALID_REQUEST,
                "A manual partition assignment was specified, but replicationFactor was not set to -1.");
        assertError(new NewTopic("m3", -1, (short) -1, Map.of(0, List.of(1), 2, List.of(2)), Map.of()),
                Errors.INVALID_REPLICA_ASSIGNMENT, "partitions should be a consecutive 0-based integer sequence");
        assertError(new NewTopic("m4", -1, (short) -1, Map.of(0, List.of(1, 7)), Map.of()),
                Errors.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes broker 7, but no such broker is registered.");
        assertError(new NewTopic("m5", -1, (short) -1, Map.of(0, List.of(1, 1)), Map.of()),
                Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes the broker 1 more than once.");
        assertError(new NewTopic("m6", -1, (short) -1, Map.of(0, List.of()), Map.of()),
                Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list.");
        assertError(new NewTopic("m7", -1, (short) -1, Map.of(0, List.of(1), 1, List.of(1, 2)), Map.of()),
                Errors.INVALID_REPLICA_ASSIGNMENT, null);
        assertThat(node.image().topics().size()).isZero();
    }

    void assertError(NewTopic topic, Errors error, String message) throws Exception {
        CreateTopicResult result = create(topic);
        assertThat(result.error().error()).as(topic.name()).isEqualTo(error);
        if (message != null) {
            assertThat(result.error().message()).as(topic.name()).isEqualTo(message);
        }
        assertThat(result.topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(result.numPartitions()).isEqualTo(-1);
        assertThat(node.image().topics().get(topic.name())).isNull();
    }

    @Test
    void invalidNames() throws Exception {
        start(1);
        for (String name : List.of("", ".", "..", "has space", "slash/", "a".repeat(250), "ünï")) {
            CreateTopicResult result = create(NewTopic.of(name, 1, (short) 1));
            assertThat(result.error().error()).as("'%s'", name).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
            assertThat(result.error().message()).as("'%s'", name).isNotBlank();
        }
        assertThat(node.image().topics().size()).isZero();
    }

    @Test
    void existingTopic() throws Exception {
        start(1);
        Uuid id = create(NewTopic.of("exists", 1, (short) 1)).topicId();
        CreateTopicResult again = create(NewTopic.of("exists", 2, (short) 1));
        assertThat(again.error().error()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);
        assertThat(again.error().message()).isEqualTo("Topic 'exists' already exists.");
        assertThat(node.image().topics().get("exists").id()).isEqualTo(id);
        assertThat(node.image().topics().get("exists").numPartitions()).isEqualTo(1);
    }

    @Test
    void namesCollidingOnDotAndUnderscore() throws Exception {
        start(1);
        create(NewTopic.of("my.topic", 1, (short) 1));
        assertError(NewTopic.of("my_topic", 1, (short) 1), Errors.INVALID_TOPIC_EXCEPTION,
                "Topic 'my_topic' collides with existing topic: my.topic");
        // also within one request
        List<CreateTopicResult> results = get(controller.createTopics(List.of(
                NewTopic.of("x_y", 1, (short) 1), NewTopic.of("x.y", 1, (short) 1)), false));
        assertThat(results.get(0).error().error()).isEqualTo(Errors.NONE);
        assertThat(results.get(1).error().error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(node.image().topics().byName()).containsOnlyKeys("my.topic", "x_y");
    }

    @Test
    void invalidCounts() throws Exception {
        start(1);
        String partitions = "Number of partitions was set to an invalid non-positive value.";
        String replicas = "Replication factor must be larger than 0, or -1 to use the default value.";
        assertError(NewTopic.of("p0", 0, (short) 1), Errors.INVALID_PARTITIONS, partitions);
        assertError(NewTopic.of("p-2", -2, (short) 1), Errors.INVALID_PARTITIONS, partitions);
        assertError(NewTopic.of("r0", 1, (short) 0), Errors.INVALID_REPLICATION_FACTOR, replicas);
        assertError(NewTopic.of("r-2", 1, (short) -2), Errors.INVALID_REPLICATION_FACTOR, replicas);
    }

    @Test
    void replicationFactorAboveTheBrokerCount() throws Exception {
        start(1);
        assertError(NewTopic.of("big", 1, (short) 3), Errors.INVALID_REPLICATION_FACTOR,
                "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached"
                        + " because only 1 broker(s) are registered.");
    }

    @Test
    void noBrokersRegistered() throws Exception {
        start(0);
        assertError(NewTopic.of("lonely", 1, (short) 1), Errors.INVALID_REPLICATION_FACTOR,
                "Unable to replicate the partition 1 time(s): The target replication factor of 1 cannot be reached"
                        + " because only 0 broker(s) are registered.");
    }

    @Test
    void invalidConfigs() throws Exception {
        start(1);
        assertError(new NewTopic("c1", 1, (short) 1, Map.of(), Map.of("retention.ms", "-5")), Errors.INVALID_CONFIG,
                "Invalid value -5 for configuration retention.ms: must be a non-negative number.");
        assertError(new NewTopic("c2", 1, (short) 1, Map.of(), Map.of("bogus.key", "1")), Errors.INVALID_CONFIG,
                "Unknown configuration 'bogus.key'.");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("retention.ms", null);
        assertError(new NewTopic("c3", 1, (short) 1, Map.of(), withNull), Errors.INVALID_CONFIG,
                "Null value not supported for topic configs: retention.ms");
    }

    @Test
    void duplicateNamesInOneRequest() throws Exception {
        start(1);
        List<CreateTopicResult> results = get(controller.createTopics(List.of(
                NewTopic.of("dup", 1, (short) 1), NewTopic.of("ok", 1, (short) 1), NewTopic.of("dup", 2, (short) 1)),
                false));
        assertThat(results).extracting(CreateTopicResult::name).containsExactly("dup", "ok");
        assertThat(results.get(0).error().error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(0).error().message()).isEqualTo("Duplicate topic name.");
        assertThat(results.get(1).error().error()).isEqualTo(Errors.NONE);
        assertThat(node.image().topics().byName()).containsOnlyKeys("ok");
    }

    @Test
    void someSucceedSomeFailInOneRequest() throws Exception {
        start(2);
        List<CreateTopicResult> results = get(controller.createTopics(List.of(
                NewTopic.of("good1", 2, (short) 1), NewTopic.of("bad", 1, (short) 5), NewTopic.of("good2", 1, (short) 1)),
                false));
        assertThat(results).extracting(r -> r.error().error())
                .containsExactly(Errors.NONE, Errors.INVALID_REPLICATION_FACTOR, Errors.NONE);
        assertThat(node.image().topics().byName()).containsOnlyKeys("good1", "good2");
    }

    @Test
    void validateOnlyWritesNothing() throws Exception {
        start(1);
        MetadataImage before = node.image();
        List<CreateTopicResult> results = get(controller.createTopics(List.of(
                new NewTopic("dry", 4, (short) 1, Map.of(), Map.of("retention.ms", "5")),
                NewTopic.of("dry-bad", 1, (short) 9)), true));
        assertThat(results.get(0).error().error()).isEqualTo(Errors.NONE);
        assertThat(results.get(0).numPartitions()).isEqualTo(4);
        assertThat(results.get(0).topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(results.get(1).error().error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(node.image()).isSameAs(before);
        // and the name is still free
        assertThat(create(NewTopic.of("dry", 1, (short) 1)).error().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void concurrentCreatesOfOneNameLetExactlyOneWin() throws Exception {
        start(1);
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<List<CreateTopicResult>>>> submitted = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int partitions = i + 1;
                submitted.add(pool.submit(() -> {
                    go.await();
                    return controller.createTopics(List.of(NewTopic.of("race", partitions, (short) 1)), false);
                }));
            }
            go.countDown();
            List<Errors> errors = new ArrayList<>();
            Set<Uuid> ids = new HashSet<>();
            for (Future<CompletableFuture<List<CreateTopicResult>>> f : submitted) {
                CreateTopicResult r = get(f.get()).get(0);
                errors.add(r.error().error());
                if (r.error().error() == Errors.NONE) {
                    ids.add(r.topicId());
                }
            }
            assertThat(errors).filteredOn(e -> e == Errors.NONE).hasSize(1);
            assertThat(errors).filteredOn(e -> e == Errors.TOPIC_ALREADY_EXISTS).hasSize(threads - 1);
            assertThat(node.image().topics().get("race").id()).isEqualTo(ids.iterator().next());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pipelinedCreatesAreAllValidatedAgainstEachOther() throws Exception {
        // Many requests submitted without waiting: each must see the ones before it.
        start(1);
        List<CompletableFuture<List<CreateTopicResult>>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(controller.createTopics(List.of(NewTopic.of("p" + (i % 10), 1, (short) 1)), false));
        }
        int created = 0;
        for (CompletableFuture<List<CreateTopicResult>> f : futures) {
            if (get(f).get(0).error().error() == Errors.NONE) {
                created++;
            }
        }
        assertThat(created).isEqualTo(10);
        assertThat(node.image().topics().size()).isEqualTo(10);
        int[] counts = node.image().topics().byName().values().stream().mapToInt(TopicImage::numPartitions).toArray();
        assertThat(Arrays.stream(counts).sum()).isEqualTo(10);
    }
}
