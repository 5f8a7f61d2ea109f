package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.KraftNodes;
import io.letterbox.it.support.RawConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Losing controller voters (issue 7): in a cluster of three combined nodes, one voter killed
 * with SIGKILL leaves a quorum (topics are created, data flows); a second one killed leaves no
 * quorum: metadata changes stop with REQUEST_TIMED_OUT (what a Kafka broker answers when the
 * forwarded request gets no controller answer in time), the surviving broker still serves what
 * was acknowledged, and once both are back a topic can be created again.
 */
class ControllerQuorumIT {
    private static final KraftNodes NODES = new KraftNodes(3, List.of(1, 2, 3));
    private static final List<BrokerProcess> VOTERS = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        for (int id = 1; id <= 3; id++) {
            VOTERS.add(NODES.node("quorum-node" + id, id, KraftNodes.COMBINED).build());
        }
        KraftNodes.startTogether(VOTERS);
    }

    @AfterAll
    static void stopCluster() {
        VOTERS.forEach(BrokerProcess::close);
    }

    private static BrokerProcess node(int id) {
        return VOTERS.get(id - 1);
    }

    private static String bootstrap() {
        return VOTERS.stream().filter(BrokerProcess::isAlive).map(BrokerProcess::bootstrap)
                .collect(Collectors.joining(","));
    }

    private static Set<Integer> describedBrokers(Admin admin) {
        return get(admin.describeCluster().nodes()).stream().map(Node::id).collect(Collectors.toSet());
    }

    @Test
    void oneVoterLostKeepsTheClusterWorkingTwoStopMetadataChangesUntilTheyReturn() throws Exception {
        // Given acknowledged records in a topic with a partition on every node
        String before = ItSupport.uniqueTopic("before");
        ItSupport.createTopic(bootstrap(), before, 3, Map.of());
        produce(before, 90);

        // When the active controller is killed
        int first;
        try (Admin admin = ItSupport.admin(bootstrap())) {
            first = get(admin.describeCluster().controller()).id();
        }
        node(first).kill();
        Set<Integer> two = new HashSet<>(Set.of(1, 2, 3));
        two.remove(first);

        // Then the other two elect a controller, fence the dead broker, create a topic and carry data
        String during = ItSupport.uniqueTopic("one-lost");
        try (Admin admin = ItSupport.admin(bootstrap())) {
            await("broker " + first + " fenced", Duration.ofSeconds(30), () -> describedBrokers(admin).equals(two));
            assertThat(get(admin.describeCluster().controller()).id()).isIn(two);
            ItSupport.createTopic(admin, during, 2, Map.of());
        }
        produce(during, 40);
        assertThat(ItSupport.readAll(bootstrap(), during)).hasSize(40);

        // When a second voter is killed, leaving one of three
        int second = two.stream().min(Integer::compare).orElseThrow();
        int survivor = two.stream().max(Integer::compare).orElseThrow();
        node(second).kill();

        // Then a metadata change gets REQUEST_TIMED_OUT within the request's timeout
        try (RawConnection raw = new RawConnection(node(survivor).bootstrap())) {
            long start = System.nanoTime();
            CreateTopicsResponse response = raw.send(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                    .setTimeoutMs(2_000)
                    .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                            new CreateTopicsRequestData.CreatableTopic().setName(ItSupport.uniqueTopic("no-quorum"))
                                    .setNumPartitions(1).setReplicationFactor((short) 1)).iterator())))
                    .build(raw.version(ApiKeys.CREATE_TOPICS)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            CreateTopicsResponseData.CreatableTopicResult result = response.data().topics().iterator().next();
            assertThat(Errors.forCode(result.errorCode())).as("%s", result).isEqualTo(Errors.REQUEST_TIMED_OUT);
            assertThat(tookMs).isBetween(1_500L, 10_000L);
        }
        // and DescribeQuorum names no leader: NOT_LEADER_OR_FOLLOWER, which clients retry
        try (RawConnection raw = new RawConnection(node(survivor).bootstrap())) {
            await("DescribeQuorum answered NOT_LEADER_OR_FOLLOWER", Duration.ofSeconds(30), () -> {
                DescribeQuorumResponse response = raw.send(new DescribeQuorumRequest.Builder(
                        DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 0)))
                        .build(raw.version(ApiKeys.DESCRIBE_QUORUM)));
                return response.data().topics().get(0).partitions().get(0).errorCode()
                        == Errors.NOT_LEADER_OR_FOLLOWER.code();
            });
        }
        // and an AdminClient gives up with a timeout rather than a success
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node(survivor).bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(ItSupport.uniqueTopic("no-quorum"), 1,
                    (short) 1))).all().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        // and what the survivor acknowledged stays readable from it
        List<ConsumerRecord<String, String>> kept = readPartitionsLedBy(survivor, before);
        assertThat(kept).isNotEmpty().extracting(ConsumerRecord::value).doesNotHaveDuplicates();

        // When both come back, the cluster recovers: every broker described, a topic created again
        List<BrokerProcess> back = List.of(node(first), node(second));
        KraftNodes.startTogether(back);
        try (Admin admin = ItSupport.admin(bootstrap())) {
            await("all three described", () -> describedBrokers(admin).equals(Set.of(1, 2, 3)));
            ItSupport.createTopic(admin, ItSupport.uniqueTopic("recovered"), 3, Map.of());
        }
        assertThat(ItSupport.readAll(bootstrap(), before)).hasSize(90);
        assertThat(ItSupport.readAll(bootstrap(), during)).hasSize(40);
    }

    private static void produce(String topic, int records) {
        try (KafkaProducer<String, String> producer = ItSupport.producer(bootstrap())) {
            for (int i = 0; i < records; i++) {
                get(producer.send(new ProducerRecord<>(topic, "key-" + i, "v#" + i)));
            }
        }
    }

    /** Reads the partitions of {@code topic} that broker {@code id} leads, from that broker alone. */
    private static List<ConsumerRecord<String, String>> readPartitionsLedBy(int id, String topic) {
        List<TopicPartition> led;
        try (Admin admin = ItSupport.admin(node(id).bootstrap())) {
            led = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().stream()
                    .filter(pi -> pi.leader() != null && pi.leader().id() == id)
                    .map(TopicPartitionInfo::partition).map(n -> new TopicPartition(topic, n)).toList();
        }
        assertThat(led).isNotEmpty();
        try (KafkaConsumer<String, String> consumer = ItSupport.consumer(node(id).bootstrap())) {
            consumer.assign(led);
            consumer.seekToBeginning(led);
            Map<TopicPartition, Long> end = consumer.endOffsets(led, Duration.ofSeconds(30));
            long expected = end.values().stream().mapToLong(Long::longValue).sum();
            return ItSupport.poll(consumer, (int) expected, Duration.ofSeconds(30));
        }
    }
}
