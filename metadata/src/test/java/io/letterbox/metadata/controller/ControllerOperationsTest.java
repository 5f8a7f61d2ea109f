package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.broker;
import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.Nodes;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

class ControllerOperationsTest extends ControllerFixture {
    Uuid create(String name, int partitions, int replicas, Map<String, String> configs) throws Exception {
        CreateTopicResult r = get(controller.createTopics(
                List.of(new NewTopic(name, partitions, (short) replicas, Map.of(), configs)), false)).get(0);
        assertThat(r.error()).isEqualTo(ApiError.NONE);
        return r.topicId();
    }

    static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    static ConfigResource broker(String name) {
        return new ConfigResource(ConfigResource.Type.BROKER, name);
    }

    // ------------------------------------------------------------- deleteTopics

    @Test
    void deleteByNameAndById() throws Exception {
        Uuid a = create("a", 1, 1, Map.of());
        Uuid b = create("b", 2, 1, Map.of());
        create("c", 1, 1, Map.of());

        List<DeleteTopicResult> results = get(controller.deleteTopics(List.of(TopicRef.byName("a"), TopicRef.byId(b))));

        assertThat(results).containsExactly(
                new DeleteTopicResult("a", a, ApiError.NONE),
                new DeleteTopicResult("b", b, ApiError.NONE));
        assertThat(node.image().topics().byName()).containsOnlyKeys("c");
        // the name can be used again, with a new id
        assertThat(create("a", 1, 1, Map.of())).isNotEqualTo(a);
    }

    @Test
    void deleteErrors() throws Exception {
        create("x", 1, 1, Map.of());
        Uuid unknownId = Uuid.randomUuid();
        List<DeleteTopicResult> results = get(controller.deleteTopics(List.of(
                TopicRef.byName("nope"), TopicRef.byId(unknownId), new TopicRef("x", unknownId), new TopicRef(null, null),
                TopicRef.byName("x"), TopicRef.byName("x"))));

        assertThat(results.get(0).error().error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(results.get(1).error().error()).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        assertThat(results.get(2).error().error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(3).error().error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(4).error()).isEqualTo(new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."));
        assertThat(results.get(5).error().error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(node.image().topics().get("x")).isNotNull();
    }

    @Test
    void deleteWithNothingToDoWritesNothing() throws Exception {
        MetadataImage before = node.image();
        get(controller.deleteTopics(List.of(TopicRef.byName("ghost"))));
        assertThat(node.image()).isSameAs(before);
    }

    // ------------------------------------------------------------- createPartitions

    @Test
    void growsATopicWithItsReplicationFactor() throws Exception {
        create("grow", 2, 1, Map.of());
        List<ApiError> results = get(controller.createPartitions(List.of(new NewPartitions("grow", 5, null)), false));
        assertThat(results).containsExactly(ApiError.NONE);
        TopicImage topic = node.image().topics().get("grow");
        assertThat(topic.numPartitions()).isEqualTo(5);
        for (int p = 2; p < 5; p++) {
            assertThat(topic.partition(p).replicas()).hasSize(1);
            assertThat(topic.partition(p).leader()).isEqualTo(topic.partition(p).replicas()[0]);
            assertThat(topic.partition(p).isr()).containsExactly(topic.partition(p).replicas());
        }
    }

    @Test
    void growsWithGivenAssignments() throws Exception {
        create("manual", 1, 1, Map.of());
        List<ApiError> results = get(controller.createPartitions(
                List.of(new NewPartitions("manual", 3, List.of(List.of(3), List.of(2)))), false));
        assertThat(results).containsExactly(ApiError.NONE);
        assertThat(node.image().topics().get("manual").partition(1).replicas()).containsExactly(3);
        assertThat(node.image().topics().get("manual").partition(2).replicas()).containsExactly(2);
    }

    @Test
    void createPartitionsErrors() throws Exception {
        create("three", 3, 1, Map.of());
        create("one", 1, 1, Map.of());
        List<ApiError> results = get(controller.createPartitions(List.of(
                new NewPartitions("three", 2, null),
                new NewPartitions("one", 1, null),
                new NewPartitions("missing", 4, null),
                new NewPartitions("three", 9, null)), false));
        assertThat(results.get(0).error()).isEqualTo(Errors.INVALID_REQUEST); // duplicate "three"
        assertThat(results.get(1)).isEqualTo(new ApiError(Errors.INVALID_PARTITIONS, "Topic already has 1 partition(s)."));
        assertThat(results.get(2).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(results.get(3).error()).isEqualTo(Errors.INVALID_REQUEST);

        assertThat(get(controller.createPartitions(List.of(new NewPartitions("three", 2, null)), false)))
                .containsExactly(new ApiError(Errors.INVALID_PARTITIONS,
                        "Topic currently has 3 partitions, which is higher than the requested 2."));
        assertThat(get(controller.createPartitions(List.of(new NewPartitions("three", 5, List.of(List.of(1)))), false)))
                .containsExactly(new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."));
        assertThat(get(controller.createPartitions(List.of(new NewPartitions("three", 4, List.of(List.of(9)))), false)))
                .extracting(ApiError::error).containsExactly(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(node.image().topics().get("three").numPartitions()).isEqualTo(3);
    }

    @Test
    void createPartitionsValidateOnlyWritesNothing() throws Exception {
        create("v", 1, 1, Map.of());
        MetadataImage before = node.image();
        assertThat(get(controller.createPartitions(List.of(new NewPartitions("v", 4, null)), true)))
                .containsExactly(ApiError.NONE);
        assertThat(node.image()).isSameAs(before);
    }

    // ------------------------------------------------------------- configs

    @Test
    void incrementalAlterTopicConfigs() throws Exception {
        create("cfg", 1, 1, Map.of("retention.ms", "10", "cleanup.policy", "delete", "keep", "1"));

        Map<ConfigResource, ApiError> results = get(controller.incrementalAlterConfigs(Map.of(topic("cfg"), List.of(
                new ConfigOp("retention.ms", OpType.SET, "20"),
                new ConfigOp("keep", OpType.DELETE, null),
                new ConfigOp("cleanup.policy", OpType.APPEND, "compact,delete"),
                new ConfigOp("follower.replication.throttled.replicas", OpType.APPEND, "0:1,0:2"))), false));

        assertThat(results).containsExactly(Map.entry(topic("cfg"), ApiError.NONE));
        assertThat(node.image().topics().get("cfg").configs()).containsOnly(
                Map.entry("retention.ms", "20"),
                Map.entry("cleanup.policy", "delete,compact"),
                Map.entry("follower.replication.throttled.replicas", "0:1,0:2"));

        get(controller.incrementalAlterConfigs(Map.of(topic("cfg"), List.of(
                new ConfigOp("cleanup.policy", OpType.SUBTRACT, "delete"),
                new ConfigOp("follower.replication.throttled.replicas", OpType.SUBTRACT, "0:1"))), false));
        assertThat(node.image().topics().get("cfg").configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("follower.replication.throttled.replicas", "0:2");
    }

    @Test
    void brokerConfigsForTheClusterDefaultAndOneBroker() throws Exception {
        Map<ConfigResource, List<ConfigOp>> changes = new LinkedHashMap<>();
        changes.put(broker(""), List.of(new ConfigOp("num.partitions", OpType.SET, "6")));
        changes.put(broker("2"), List.of(new ConfigOp("log.cleaner.threads", OpType.SET, "4")));
        changes.put(broker("7"), List.of(new ConfigOp("a", OpType.SET, "1")));
        changes.put(broker("two"), List.of(new ConfigOp("a", OpType.SET, "1")));
        changes.put(new ConfigResource(ConfigResource.Type.GROUP, "g"), List.of(new ConfigOp("a", OpType.SET, "1")));

        Map<ConfigResource, ApiError> results = get(controller.incrementalAlterConfigs(changes, false));

        assertThat(results.get(broker(""))).isEqualTo(ApiError.NONE);
        assertThat(results.get(broker("2"))).isEqualTo(ApiError.NONE);
        assertThat(results.get(broker("7")).error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(broker("two")).error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(new ConfigResource(ConfigResource.Type.GROUP, "g")).error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(node.image().brokerConfigs()).containsOnly(
                Map.entry("", Map.of("num.partitions", "6")),
                Map.entry("2", Map.of("log.cleaner.threads", "4")));
    }

    @Test
    void configErrors() throws Exception {
        create("cfg", 1, 1, Map.of("retention.ms", "10"));
        Map<ConfigResource, List<ConfigOp>> changes = new LinkedHashMap<>();
        changes.put(topic("missing"), List.of(new ConfigOp("retention.ms", OpType.SET, "1")));
        changes.put(topic("cfg"), List.of(new ConfigOp("retention.ms", OpType.SET, "-1")));
        changes.put(broker(""), List.of(new ConfigOp("num.partitions", OpType.SET, "x")));
        changes.put(broker("1"), List.of(
                new ConfigOp("a", OpType.SET, "1"), new ConfigOp("a", OpType.DELETE, null)));
        changes.put(broker("3"), List.of(new ConfigOp("a", OpType.SET, null)));

        Map<ConfigResource, ApiError> results = get(controller.incrementalAlterConfigs(changes, false));

        assertThat(results.get(topic("missing")).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(results.get(topic("cfg"))).isEqualTo(new ApiError(Errors.INVALID_CONFIG,
                "Invalid value -1 for configuration retention.ms: must be a non-negative number."));
        assertThat(results.get(broker("")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(results.get(broker("1")).error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results.get(broker("3")).error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(node.image().topics().get("cfg").configs()).containsOnly(Map.entry("retention.ms", "10"));
        assertThat(node.image().brokerConfigs()).isEmpty();
    }

    @Test
    void configValidateOnlyWritesNothing() throws Exception {
        create("cfg", 1, 1, Map.of());
        MetadataImage before = node.image();
        Map<ConfigResource, ApiError> results = get(controller.incrementalAlterConfigs(
                Map.of(topic("cfg"), List.of(new ConfigOp("retention.ms", OpType.SET, "5"))), true));
        assertThat(results).containsExactly(Map.entry(topic("cfg"), ApiError.NONE));
        Map<ConfigResource, ApiError> replaced = get(controller.replaceConfigs(
                Map.of(broker(""), Map.of("num.partitions", "2")), true));
        assertThat(replaced).containsExactly(Map.entry(broker(""), ApiError.NONE));
        assertThat(node.image()).isSameAs(before);
    }

    @Test
    void replaceConfigsReplacesTheWholeSet() throws Exception {
        create("legacy", 1, 1, Map.of("retention.ms", "10", "segment.ms", "100"));
        Map<ConfigResource, ApiError> results = get(controller.replaceConfigs(
                Map.of(topic("legacy"), Map.of("retention.ms", "99", "cleanup.policy", "compact")), false));
        assertThat(results).containsExactly(Map.entry(topic("legacy"), ApiError.NONE));
        assertThat(node.image().topics().get("legacy").configs())
                .containsOnly(Map.entry("retention.ms", "99"), Map.entry("cleanup.policy", "compact"));

        assertThat(get(controller.replaceConfigs(Map.of(topic("legacy"), Map.of("retention.ms", "-3")), false))
                .get(topic("legacy")).error()).isEqualTo(Errors.INVALID_CONFIG);
        Map<String, String> withNull = new HashMap<>();
        withNull.put("retention.ms", null);
        assertThat(get(controller.replaceConfigs(Map.of(topic("legacy"), withNull), false))
                .get(topic("legacy")).error()).isEqualTo(Errors.INVALID_REQUEST);

        get(controller.replaceConfigs(Map.of(topic("legacy"), Map.of()), false));
        assertThat(node.image().topics().get("legacy").configs()).isEmpty();
    }

    // ------------------------------------------------------------- producer ids

    @Test
    void producerIdBlocksNeverOverlap() throws Exception {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(controller.allocateProducerIds(100));
        }
        List<Long> firsts = new ArrayList<>();
        for (CompletableFuture<Long> f : futures) {
            firsts.add(get(f));
        }
        assertThat(firsts).doesNotHaveDuplicates();
        firsts.sort(null);
        for (int i = 1; i < firsts.size(); i++) {
            assertThat(firsts.get(i) - firsts.get(i - 1)).isGreaterThanOrEqualTo(100);
        }
        assertThat(node.image().nextProducerId()).isEqualTo(firsts.get(firsts.size() - 1) + 100);
    }

    @Test
    void invalidProducerIdBlockSize() {
        assertThat(controller.allocateProducerIds(0)).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(InvalidRequestException.class);
    }

    // ------------------------------------------------------------- brokers

    @Test
    void reRegistrationReplacesTheBroker() throws Exception {
        BrokerRegistration again = Nodes.broker(2);
        get(controller.registerBroker(again));
        assertThat(node.image().cluster().broker(2)).isEqualTo(again);
        assertThat(node.image().cluster().brokers()).containsOnlyKeys(1, 2, 3);

        MetadataImage before = node.image();
        get(controller.registerBroker(again));
        assertThat(node.image()).as("an identical registration writes nothing").isSameAs(before);

        assertThat(controller.registerBroker(broker(-1))).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(InvalidRequestException.class);
    }

    static BrokerRegistration broker(int id) {
        return Nodes.broker(id);
    }
}
