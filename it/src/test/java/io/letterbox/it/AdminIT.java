package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.assumeLetterboxBehaviour;
import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.kafkaPeer;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.RawConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The AdminClient against one broker: topics, partitions, configs, offsets, records and log dirs. */
class AdminIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("admin");

    private Admin admin;

    @BeforeEach
    void connect() {
        admin = io.letterbox.it.support.ItSupport.admin(BROKER.bootstrap());
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    // ---- CreateTopics, Metadata, DescribeTopics ---------------------------------------------------

    @Test
    void aCreatedTopicIsListedAndDescribedWithItsIdAndConfigs() {
        // When a two-partition topic is created with configs
        String topic = uniqueTopic("created");
        CreateTopicsResult created = admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)
                .configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete"))));
        get(created.all());

        // Then the answer carries its id and settings
        Uuid id = get(created.topicId(topic));
        assertThat(id).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(get(created.numPartitions(topic))).isEqualTo(2);
        assertThat(get(created.replicationFactor(topic))).isEqualTo(1);

        // And it is listed, described with the same id and a leader per partition, and keeps its configs
        await("topic listed", () -> get(admin.listTopics().names()).contains(topic));
        TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        assertThat(d.topicId()).isEqualTo(id);
        assertThat(d.partitions()).hasSize(2).allSatisfy(p -> {
            assertThat(p.leader()).isNotNull();
            assertThat(p.replicas()).containsExactly(p.leader());
            assertThat(p.isr()).containsExactly(p.leader());
        });
        Config config = topicConfig(topic);
        assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
    }

    @Test
    void describeTopicsByIdFindsTheTopic() {
        String topic = uniqueTopic("by-id");
        createTopic(admin, topic, 1, Map.of());
        Uuid id = describe(topic).topicId();

        Map<Uuid, TopicDescription> byId = get(admin.describeTopics(TopicCollection.ofTopicIds(List.of(id)))
                .allTopicIds());

        assertThat(byId.get(id).name()).isEqualTo(topic);
    }

    @Test
    void validateOnlyCreatesNothing() {
        String topic = uniqueTopic("validate-only");

        get(admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)),
                new CreateTopicsOptions().validateOnly(true)).all());

        assertThat(get(admin.listTopics().names())).doesNotContain(topic);
        assertThat(failureOf(admin.describeTopics(List.of(topic)).allTopicNames()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountIsRejected() {
        String topic = uniqueTopic("rf3");

        Throwable failure = failureOf(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all());

        assertThat(failure).isInstanceOf(InvalidReplicationFactorException.class);
        assertThat(get(admin.listTopics().names())).doesNotContain(topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad name!", "slash/in/name", "..", "this-name-is-far-too-long-"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void anInvalidTopicNameIsRejected(String name) {
        Throwable failure = failureOf(admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all());

        assertThat(failure).isInstanceOf(InvalidTopicException.class);
        assertThat(get(admin.listTopics().names())).doesNotContain(name);
    }

    @Test
    void creatingAnExistingTopicIsRejectedAndChangesNothing() {
        String topic = uniqueTopic("exists");
        createTopic(admin, topic, 2, Map.of());

        Throwable failure = failureOf(admin.createTopics(List.of(new NewTopic(topic, 5, (short) 1))).all());

        assertThat(failure).isInstanceOf(TopicExistsException.class);
        assertThat(describe(topic).partitions()).hasSize(2);
    }

    // ---- DeleteTopics -------------------------------------------------------------------------

    @Test
    void topicsAreDeletedByNameAndById() {
        // Given two topics with data
        String byName = uniqueTopic("delete-by-name");
        String byId = uniqueTopic("delete-by-id");
        createTopic(admin, byName, 1, Map.of());
        createTopic(admin, byId, 1, Map.of());
        produce(byName, 3);
        produce(byId, 3);
        Uuid id = describe(byId).topicId();

        // When one is deleted by name and the other by id
        get(admin.deleteTopics(List.of(byName)).all());
        get(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all());

        // Then neither is listed nor described any more
        await("deleted topics gone", () -> {
            Set<String> names = get(admin.listTopics().names());
            return !names.contains(byName) && !names.contains(byId);
        });
        assertThat(failureOf(admin.describeTopics(List.of(byName)).allTopicNames()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        // And deleting an unknown topic is an error
        assertThat(failureOf(admin.deleteTopics(List.of(uniqueTopic("never-existed"))).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void aDeletedTopicCanBeCreatedAgainEmpty() {
        String topic = uniqueTopic("recreated");
        createTopic(admin, topic, 1, Map.of());
        produce(topic, 5);
        Uuid oldId = describe(topic).topicId();

        get(admin.deleteTopics(List.of(topic)).all());
        await("topic gone", () -> !get(admin.listTopics().names()).contains(topic));
        await("topic created again", () -> {
            try {
                get(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all());
                return true;
            } catch (TopicExistsException stillBeingDeleted) {
                return false;
            }
        });

        assertThat(describe(topic).topicId()).isNotEqualTo(oldId);
        assertThat(readAll(BROKER.bootstrap(), topic)).isEmpty();
    }

    // ---- CreatePartitions ---------------------------------------------------------------------

    @Test
    void partitionsCanBeAddedButNotRemoved() {
        String topic = uniqueTopic("grow");
        createTopic(admin, topic, 1, Map.of());

        get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all());

        await("three partitions", () -> describe(topic).partitions().size() == 3);
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            await("the producer sees partition 2", () -> p.partitionsFor(topic).size() == 3);
            RecordMetadata m = get(p.send(new ProducerRecord<>(topic, 2, "k", "to the new partition")));
            assertThat(m.partition()).isEqualTo(2);
        }
        assertThat(failureOf(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all()))
                .isInstanceOf(InvalidPartitionsException.class);
    }

    // ---- DescribeCluster ------------------------------------------------------------------------

    @Test
    void theClusterIsOneNodeAtTheBootstrapAddress() {
        DescribeClusterResult cluster = admin.describeCluster();

        Collection<Node> nodes = get(cluster.nodes());
        assertThat(nodes).hasSize(1);
        Node node = nodes.iterator().next();
        assertThat(node.port()).isEqualTo(Integer.parseInt(BROKER.bootstrap().split(":")[1]));
        assertThat(get(cluster.clusterId())).isNotBlank();
        assertThat(get(cluster.controller())).isNotNull();
    }

    /** Without an authorizer, Kafka's answer to every ACL call: security is off, not an unknown API. */
    @Test
    void aclCallsSaySecurityIsDisabled() {
        AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));

        assertThat(failureOf(admin.describeAcls(AclBindingFilter.ANY).values()))
                .isInstanceOf(SecurityDisabledException.class).hasMessageContaining("No Authorizer");
        assertThat(failureOf(admin.createAcls(List.of(binding)).all())).isInstanceOf(SecurityDisabledException.class);
        assertThat(failureOf(admin.deleteAcls(List.of(AclBindingFilter.ANY)).all()))
                .isInstanceOf(SecurityDisabledException.class);
    }

    // ---- DescribeQuorum -------------------------------------------------------------------------

    /** What {@code kafka-metadata-quorum.sh describe} shows: a quorum of one that leads itself. */
    @Test
    void theMetadataQuorumIsTheOneNodeLeadingItself() {
        createTopic(admin, uniqueTopic("quorum"), 1, Map.of());

        QuorumInfo quorum = get(admin.describeMetadataQuorum().quorumInfo());

        assertThat(quorum.voters()).hasSize(1);
        QuorumInfo.ReplicaState self = quorum.voters().get(0);
        assertThat(self.replicaId()).isEqualTo(quorum.leaderId());
        assertThat(quorum.observers()).isEmpty();
        assertThat(quorum.leaderEpoch()).isPositive();
        assertThat(quorum.highWatermark()).isPositive();
        assertThat(self.logEndOffset()).isGreaterThanOrEqualTo(quorum.highWatermark());
        assertThat(self.lastFetchTimestamp().orElse(-1)).isPositive();
        assertThat(self.lastCaughtUpTimestamp().orElse(-1)).isPositive();
        assertThat(quorum.nodes()).containsKey(quorum.leaderId());
    }

    @Test
    void describeQuorumOfAnotherPartitionIsUnknownTopicOrPartition() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            short version = raw.version(ApiKeys.DESCRIBE_QUORUM);
            DescribeQuorumResponse response = raw.send(new DescribeQuorumRequest.Builder(
                    DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 1))).build(version));

            assertThat(response.data().topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    // ---- DescribeConfigs, AlterConfigs, IncrementalAlterConfigs ---------------------------------

    @Test
    void brokerConfigsAreDescribed() {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodeId()));

        Config config = get(admin.describeConfigs(List.of(broker)).all()).get(broker);

        assertThat(Long.parseLong(config.get("message.max.bytes").value())).isPositive();
        assertThat(Integer.parseInt(config.get("num.partitions").value())).isPositive();
        assertThat(config.get("auto.create.topics.enable").value()).isIn("true", "false");
        assertThat(config.get("log.dirs")).isNotNull();
    }

    @Test
    void topicConfigsAreSetAndRemovedIncrementally() {
        // Given a topic without overrides
        String topic = uniqueTopic("incremental");
        createTopic(admin, topic, 1, Map.of());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertThat(topicConfig(topic).get("retention.ms").source()).isNotEqualTo(
                ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        // When retention.ms is set
        alter(resource, new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET));

        // Then it is described as a topic override
        await("retention.ms set", () -> "86400000".equals(topicConfig(topic).get("retention.ms").value()));
        assertThat(topicConfig(topic).get("retention.ms").source())
                .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        // When it is deleted, the default is back
        alter(resource, new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE));
        await("retention.ms back to its default", () -> topicConfig(topic).get("retention.ms").source()
                != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void anInvalidOrUnknownTopicConfigIsRejectedAndChangesNothing() {
        String topic = uniqueTopic("bad-config");
        createTopic(admin, topic, 1, Map.of("retention.ms", "3600000"));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        Throwable badValue = failureOf(admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "not-a-number"), AlterConfigOp.OpType.SET))))
                .all());
        Throwable unknownKey = failureOf(admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))).all());
        Throwable badAtCreation = failureOf(admin.createTopics(List.of(new NewTopic(uniqueTopic("bad-create"), 1,
                (short) 1).configs(Map.of("cleanup.policy", "sometimes")))).all());

        assertThat(badValue).isInstanceOf(InvalidConfigurationException.class);
        assertThat(unknownKey).isInstanceOf(InvalidConfigurationException.class);
        assertThat(badAtCreation).isInstanceOf(InvalidConfigurationException.class);
        assertThat(topicConfig(topic).get("retention.ms").value()).isEqualTo("3600000");
    }

    @Test
    void appendAndSubtractStartFromTheDefaultOfAKeyNotOverridden() throws Exception {
        // Given a topic that keeps the default cleanup.policy (delete)
        String topic = uniqueTopic("append");
        createTopic(admin, topic, 1, Map.of());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        // When compact is appended, then delete subtracted
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)))).all().get();
        String appended = topicConfig(topic).get("cleanup.policy").value();
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT)))).all().get();

        // Then both start from the value the topic had, as Kafka does
        assertThat(appended).isEqualTo("delete,compact");
        assertThat(topicConfig(topic).get("cleanup.policy").value()).isEqualTo("compact");
    }

    /** Issue 3 asks for INVALID_CONFIG; Kafka 4.1 answers INVALID_REQUEST for a broker resource. */
    @Test
    void anInvalidBrokerConfigValueIsRejected() {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodeId()));

        Throwable badValue = failureOf(admin.incrementalAlterConfigs(Map.of(broker, List.of(
                new AlterConfigOp(new ConfigEntry("log.retention.ms", "not-a-number"), AlterConfigOp.OpType.SET))))
                .all());

        assertThat(badValue.getMessage()).contains("log.retention.ms");
        if (!kafkaPeer()) {
            assertThat(badValue).isInstanceOf(InvalidConfigurationException.class);
        }
    }

    /** Issue 3 asks for this; Kafka 4.1 accepts unknown broker keys (custom plugin configs). */
    @Test
    void anUnknownBrokerConfigKeyIsRejected() {
        assumeLetterboxBehaviour("Kafka accepts unknown broker config keys");
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodeId()));

        Throwable unknownKey = failureOf(admin.incrementalAlterConfigs(Map.of(broker, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.broker.config", "1"), AlterConfigOp.OpType.SET))))
                .all());

        assertThat(unknownKey).isInstanceOf(InvalidConfigurationException.class);
        assertThat(unknownKey.getMessage()).contains("no.such.broker.config");
    }

    /** The legacy AlterConfigs API (key 33), which the Java AdminClient no longer calls: sent raw. */
    @Test
    void legacyAlterConfigsReplacesTopicConfigsAndRejectsBadValues() {
        String topic = uniqueTopic("legacy-alter");
        createTopic(admin, topic, 1, Map.of());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            short version = raw.version(ApiKeys.ALTER_CONFIGS);

            AlterConfigsResponse ok = raw.send(new AlterConfigsRequest.Builder(Map.of(resource,
                    new AlterConfigsRequest.Config(List.of(
                            new AlterConfigsRequest.ConfigEntry("retention.ms", "7200000")))), false).build(version));
            AlterConfigsResponse bad = raw.send(new AlterConfigsRequest.Builder(Map.of(resource,
                    new AlterConfigsRequest.Config(List.of(
                            new AlterConfigsRequest.ConfigEntry("retention.ms", "soon")))), false).build(version));

            assertThat(ok.errors().get(resource).error()).isEqualTo(Errors.NONE);
            assertThat(bad.errors().get(resource).error()).isEqualTo(Errors.INVALID_CONFIG);
            assertThat(bad.errors().get(resource).message()).isNotBlank();
        }
        await("retention.ms set by AlterConfigs", () ->
                "7200000".equals(topicConfig(topic).get("retention.ms").value()));
    }

    // ---- ListOffsets, DeleteRecords, DescribeLogDirs -------------------------------------------

    @Test
    void offsetsAreListedByEarliestLatestTimestampAndMaxTimestamp() {
        // Given ten records one second apart, the sixth with the highest timestamp
        String topic = uniqueTopic("list-offsets");
        createTopic(admin, topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        long t0 = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < 10; i++) {
                long ts = i == 5 ? t0 + 30_000 : t0 + i * 1_000L;
                get(p.send(new ProducerRecord<>(topic, 0, ts, "k", "v" + i)));
            }
        }

        // Then each kind of lookup finds its offset
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(offset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        ListOffsetsResultInfo byTime = offset(tp, OffsetSpec.forTimestamp(t0 + 3_500));
        assertThat(byTime.offset()).isEqualTo(4);
        assertThat(byTime.timestamp()).isEqualTo(t0 + 4_000);
        ListOffsetsResultInfo max = offset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(5);
        assertThat(max.timestamp()).isEqualTo(t0 + 30_000);
        assertThat(offset(tp, OffsetSpec.forTimestamp(t0 + 31_000)).offset()).isEqualTo(-1);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() {
        // Given ten records
        String topic = uniqueTopic("delete-records");
        createTopic(admin, topic, 1, Map.of());
        produce(topic, 10);
        TopicPartition tp = new TopicPartition(topic, 0);

        // When records before offset 4 are deleted
        long low = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp))
                .lowWatermark();

        // Then the earliest offset is 4 and reading from the beginning starts there
        assertThat(low).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        List<ConsumerRecord<String, String>> read = readAll(BROKER.bootstrap(), topic);
        assertThat(read).extracting(ConsumerRecord::offset).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(read).extracting(ConsumerRecord::value).containsExactly("v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void logDirsListTheTopicsPartitionsWithTheirSize() {
        String topic = uniqueTopic("log-dirs");
        createTopic(admin, topic, 2, Map.of());
        produce(topic, 20);
        int node = nodeId();

        Map<String, LogDirDescription> dirs = get(admin.describeLogDirs(List.of(node)).allDescriptions()).get(node);

        assertThat(dirs).isNotEmpty();
        List<ReplicaInfo> replicas = new ArrayList<>();
        dirs.values().forEach(d -> {
            assertThat(d.error()).isNull();
            d.replicaInfos().forEach((tp, info) -> {
                if (tp.topic().equals(topic)) {
                    replicas.add(info);
                }
            });
        });
        assertThat(replicas).hasSize(2);
        assertThat(replicas.stream().mapToLong(ReplicaInfo::size).sum()).isPositive();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private int nodeId() {
        return get(admin.describeCluster().nodes()).iterator().next().id();
    }

    private TopicDescription describe(String topic) {
        return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    }

    private Config topicConfig(String topic) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return get(admin.describeConfigs(List.of(r)).all()).get(r);
    }

    private void alter(ConfigResource resource, AlterConfigOp op) {
        get(admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all());
    }

    private ListOffsetsResultInfo offset(TopicPartition tp, OffsetSpec spec) {
        return get(admin.listOffsets(Map.of(tp, spec)).partitionResult(tp));
    }

    private static void produce(String topic, int count) {
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < count; i++) {
                get(p.send(new ProducerRecord<>(topic, "k", "v" + i)));
            }
        }
    }
}
