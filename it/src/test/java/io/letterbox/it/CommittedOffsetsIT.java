package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker keeps a group's committed offsets: a consumer using {@code assign()} and
 * {@code commitSync} (no group membership) commits, a new consumer of the same group resumes
 * exactly there, also after a clean restart and after {@code kill -9}; AdminClient lists the
 * offsets; the simple-group error answers match Kafka's.
 */
class CommittedOffsetsIT {

    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 10;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("committed-offsets");

    @Test
    void newConsumerResumesAtCommittedOffsetsAndAdminListsThem() {
        // Given a topic with records and a group that committed part of each partition
        String topic = topicWithRecords();
        String group = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> committed = commitPartOfEachPartition(topic, group);

        // Then a new consumer of the group resumes exactly there
        assertResumesAt(topic, group, committed);

        // And AdminClient lists the same offsets and metadata
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            Map<TopicPartition, OffsetAndMetadata> listed = get(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata());
            assertThat(listed).isEqualTo(committed);
        }

        // And a read_committed consumer, which asks for stable offsets only, sees them too
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                group, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            assertThat(c.committed(committed.keySet(), Duration.ofSeconds(30))).isEqualTo(committed);
        }
    }

    @Test
    void laterCommitsReplaceEarlierOnes() {
        String topic = topicWithRecords();
        String group = uniqueGroup();
        commitPartOfEachPartition(topic, group);
        TopicPartition tp0 = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = groupConsumer(group)) {
            c.assign(List.of(tp0));
            c.commitSync(Map.of(tp0, new OffsetAndMetadata(9, "later")));
        }
        try (KafkaConsumer<String, String> c = groupConsumer(group)) {
            assertThat(c.committed(java.util.Set.of(tp0)).get(tp0)).isEqualTo(new OffsetAndMetadata(9, "later"));
        }
    }

    @Test
    void committedOffsetsSurviveACleanRestart() {
        BROKER.broker().assumeCanRestart();
        String topic = topicWithRecords();
        String group = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> committed = commitPartOfEachPartition(topic, group);

        // When the broker stops cleanly and starts again on the same directory
        BROKER.broker().restart();

        // Then the group resumes where it committed
        assertResumesAt(topic, group, committed);
    }

    @Test
    void committedOffsetsSurviveKillDashNine() {
        BROKER.broker().assumeCanKill();
        String topic = topicWithRecords();
        String group = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> committed = commitPartOfEachPartition(topic, group);

        // When the broker is killed right after the acknowledged commits, and started again
        BROKER.broker().killAndRestart();

        // Then no acknowledged commit is lost
        assertResumesAt(topic, group, committed);
    }

    @Test
    void aDeletedTopicsOffsetsGoWithItAndANewTopicOfItsNameStartsAfresh() {
        // Given a group that committed part of each partition of a topic
        String topic = topicWithRecords();
        String group = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> committed = commitPartOfEachPartition(topic, group);
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            // When the topic is deleted
            get(admin.deleteTopics(List.of(topic)).all());

            // Then the group's offsets of it go with it, as in Kafka
            ItSupport.await("the deleted topic's offsets gone", () -> get(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()).isEmpty());
            ItSupport.await("the name free again", () -> !get(admin.listTopics().names()).contains(topic));
        }

        // And a topic created again under the name is read from its start, not from the old positions
        topicWithRecords(topic);
        try (KafkaConsumer<String, String> c = groupConsumer(group)) {
            c.assign(committed.keySet());
            assertThat(c.committed(committed.keySet(), Duration.ofSeconds(30))).containsOnlyKeys(committed.keySet())
                    .allSatisfy((tp, offset) -> assertThat(offset).isNull());
            assertThat(ItSupport.poll(c, PARTITIONS * PER_PARTITION, ItSupport.DEADLINE))
                    .hasSize(PARTITIONS * PER_PARTITION);
        }
    }

    @Test
    void simpleGroupErrorsMatchKafka() {
        String topic = topicWithRecords();
        String missing = uniqueGroup();
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            awaitCoordinator(raw, missing);
            short v = raw.version(ApiKeys.OFFSET_COMMIT, (short) 9);
            assertThat(v).isEqualTo((short) 9);

            // A generation for a group that does not exist: GROUP_ID_NOT_FOUND in v9, ILLEGAL_GENERATION before
            assertThat(commit(raw, (short) 9, missing, 3, "m-1", topic)).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(commit(raw, (short) 8, missing, 3, "m-1", topic)).isEqualTo(Errors.ILLEGAL_GENERATION);

            // A simple commit creates the group; then a member or generation is unknown
            assertThat(commit(raw, (short) 8, missing, -1, "", topic)).isEqualTo(Errors.NONE);
            assertThat(commit(raw, (short) 8, missing, 3, "m-1", topic)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(raw, (short) 9, missing, 0, "m-1", topic)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            // Unknown partitions; the empty group id is a group like any other (Kafka 4.1 accepts it too)
            assertThat(commit(raw, (short) 8, missing, -1, "", "no-such-topic-" + UUID.randomUUID()))
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(commit(raw, (short) 8, "", -1, "", topic)).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void transactionCoordinatorIsRefusedClearly() {
        ItSupport.assumeLetterboxBehaviour("Kafka has a transaction coordinator");
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // Transactions have no coordinator yet: INVALID_REQUEST, as Kafka answers a key type it does not serve
            FindCoordinatorResponse txn = raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType(CoordinatorType.TRANSACTION.id()).setCoordinatorKeys(List.of("tx")))
                    .build((short) 4));
            assertThat(Errors.forCode(txn.data().coordinators().get(0).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        }
    }

    @Test
    void offsetFetchAnswersEveryVersionAndBatches() {
        String topic = topicWithRecords();
        String group = uniqueGroup();
        String other = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> committed = commitPartOfEachPartition(topic, group);
        TopicPartition tp1 = new TopicPartition(topic, 1);
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            awaitCoordinator(raw, other);
            for (short v = 1; v <= 7; v++) {
                // require_stable from v7: no transactions, so every offset is stable, never UNSTABLE_OFFSET_COMMIT
                OffsetFetchRequestData data = new OffsetFetchRequestData().setGroupId(group).setRequireStable(v >= 7)
                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(topic)
                                .setPartitionIndexes(List.of(1))));
                OffsetFetchResponse r = raw.send(OffsetFetchRequest.Builder.forTopicNames(data, false).build(v));
                var p = r.data().topics().get(0).partitions().get(0);
                assertThat(p.committedOffset()).as("v%d", v).isEqualTo(committed.get(tp1).offset());
                assertThat(p.metadata()).as("v%d", v).isEqualTo(committed.get(tp1).metadata());
                assertThat(Errors.forCode(p.errorCode())).as("v%d", v).isEqualTo(Errors.NONE);
            }
            // v8+: two groups at once, all topics of one (null), nothing committed in the other
            OffsetFetchRequestData batched = new OffsetFetchRequestData().setRequireStable(true).setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(null),
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(other).setTopics(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic)
                                    .setPartitionIndexes(List.of(0))))));
            OffsetFetchResponse r = raw.send(OffsetFetchRequest.Builder.forTopicNames(batched, false).build((short) 9));
            var first = r.data().groups().get(0);
            assertThat(first.errorCode()).isZero();
            assertThat(first.topics()).hasSize(1);
            assertThat(first.topics().get(0).partitions()).hasSize(PARTITIONS);
            var second = r.data().groups().get(1);
            assertThat(second.errorCode()).isZero();
            assertThat(second.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(-1L);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String uniqueGroup() {
        return "group-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A topic of {@value #PARTITIONS} partitions with {@value #PER_PARTITION} records each, "p-i". */
    private static String topicWithRecords() {
        return topicWithRecords(uniqueTopic("committed"));
    }

    private static String topicWithRecords(String topic) {
        createTopic(BROKER.bootstrap(), topic, PARTITIONS, Map.of());
        try (KafkaProducer<String, String> producer = producer(BROKER.bootstrap())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    get(producer.send(new ProducerRecord<>(topic, p, "k", p + "-" + i)));
                }
            }
        }
        return topic;
    }

    private static KafkaConsumer<String, String> groupConsumer(String group) {
        return consumer(BROKER.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, group));
    }

    /** Reads partition p up to offset p + 3 with assign(), commits that with metadata, returns what it committed. */
    private static Map<TopicPartition, OffsetAndMetadata> commitPartOfEachPartition(String topic, String group) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        try (KafkaConsumer<String, String> c = groupConsumer(group)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            c.assign(tps);
            List<ConsumerRecord<String, String>> read = ItSupport.poll(c, PARTITIONS * PER_PARTITION, ItSupport.DEADLINE);
            assertThat(read).hasSize(PARTITIONS * PER_PARTITION);
            for (TopicPartition tp : tps) {
                committed.put(tp, new OffsetAndMetadata(tp.partition() + 3, "processed by " + group));
            }
            c.commitSync(committed, Duration.ofSeconds(30));
        }
        return committed;
    }

    private static void assertResumesAt(String topic, String group, Map<TopicPartition, OffsetAndMetadata> committed) {
        try (KafkaConsumer<String, String> c = groupConsumer(group)) {
            c.assign(committed.keySet());
            assertThat(c.committed(committed.keySet(), Duration.ofSeconds(30))).isEqualTo(committed);
            int expected = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                assertThat(c.position(e.getKey(), Duration.ofSeconds(30))).as("position of %s", e.getKey())
                        .isEqualTo(e.getValue().offset());
                expected += PER_PARTITION - (int) e.getValue().offset();
            }
            List<ConsumerRecord<String, String>> read = ItSupport.poll(c, expected, ItSupport.DEADLINE);
            assertThat(read).hasSize(expected);
            for (ConsumerRecord<String, String> r : read) {
                assertThat(r.offset()).isGreaterThanOrEqualTo(committed.get(new TopicPartition(topic, r.partition())).offset());
            }
        }
    }

    private static void awaitCoordinator(RawConnection raw, String group) {
        Supplier<FindCoordinatorResponseData.Coordinator> find = () -> {
            FindCoordinatorResponse r = raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of(group))).build((short) 4));
            return r.data().coordinators().get(0);
        };
        ItSupport.await("a coordinator for " + group, () -> find.get().errorCode() == Errors.NONE.code());
    }

    private static Errors commit(RawConnection raw, short version, String group, int generation, String member,
            String topic) {
        OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(member)
                .setTopics(List.of(new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)))));
        OffsetCommitResponse r = raw.send(OffsetCommitRequest.Builder.forTopicNames(data).build(version));
        return Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
    }
}
