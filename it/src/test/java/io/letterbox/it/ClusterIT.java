package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import io.letterbox.it.support.ThreeNodeCluster;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes configured as Kafka KRaft nodes (node.id, process.roles, controller.quorum.voters,
 * a CONTROLLER listener) form one cluster with no format step: every broker is described with a
 * controller, partitions spread across the brokers, clients reach every partition through any
 * bootstrap broker (a misdirected Produce is told the leader, KIP-951), and a broker killed with
 * SIGKILL is fenced (its closed port tells the controller it crashed) while the two others keep
 * the metadata quorum and lead its replicated partitions; restarted, it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int NODES = 3;
    private static final long SESSION_TIMEOUT_MS = 4_000;
    private static ThreeNodeCluster cluster;
    private static List<BrokerProcess> brokers;
    private static String voters;

    @BeforeAll
    static void startCluster() {
        cluster = new ThreeNodeCluster("cluster", id -> Map.of(
                "broker.rack", "rack" + id,
                "broker.heartbeat.interval.ms", "1000",
                "broker.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS),
                "offsets.topic.num.partitions", "6")).start();
        brokers = cluster.nodes();
        voters = cluster.voters();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String bootstrap() {
        return cluster.bootstrap();
    }

    private static Set<Integer> describedBrokers(Admin admin) {
        return get(admin.describeCluster().nodes()).stream().map(Node::id).collect(Collectors.toSet());
    }

    private static Set<Integer> leaders(Admin admin, String topic) {
        TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        return d.partitions().stream().map(TopicPartitionInfo::leader).map(Node::id).collect(Collectors.toSet());
    }

    @Test
    @Order(1)
    void everyBrokerIsDescribedWithItsRackAndAController() {
        try (Admin admin = ItSupport.admin(bootstrap())) {
            await("three brokers described", () -> describedBrokers(admin).equals(Set.of(1, 2, 3)));
            Collection<Node> nodes = get(admin.describeCluster().nodes());
            assertThat(nodes).allSatisfy(n -> {
                assertThat(n.rack()).isEqualTo("rack" + n.id());
                assertThat(n.port()).isEqualTo(brokers.get(n.id() - 1).port());
            });
            assertThat(get(admin.describeCluster().controller()).id()).isIn(1, 2, 3);
            // Every node names the same cluster id and the same controller.
            Set<String> clusterIds = new HashSet<>();
            for (BrokerProcess b : brokers) {
                try (Admin single = ItSupport.admin(b.bootstrap())) {
                    clusterIds.add(get(single.describeCluster().clusterId()));
                }
            }
            assertThat(clusterIds).hasSize(1);
        }
    }

    @Test
    @Order(2)
    void partitionsSpreadAndClientsReachThemThroughAnyBroker() throws Exception {
        String topic = ItSupport.uniqueTopic("spread");
        try (Admin admin = ItSupport.admin(brokers.get(1).bootstrap())) {
            ItSupport.createTopic(admin, topic, 6, Map.of());
            assertThat(leaders(admin, topic)).containsExactlyInAnyOrder(1, 2, 3);
        }
        int records = 600;
        try (KafkaProducer<String, String> producer = ItSupport.producer(brokers.get(0).bootstrap())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "v#" + i));
            }
            producer.flush();
        }
        Map<String, Object> group = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "cluster-group-" + topic,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> read;
        try (KafkaConsumer<String, String> consumer = ItSupport.consumer(brokers.get(2).bootstrap(), group)) {
            consumer.subscribe(List.of(topic));
            read = ItSupport.poll(consumer, records, Duration.ofSeconds(60));
            consumer.commitSync();
        }
        assertThat(read).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(records);
        assertThat(read).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2, 3, 4, 5);
        ItSupport.assertPerKeyOrder(read);
    }

    @Test
    @Order(3)
    void aProduceToAnotherBrokerNamesTheLeaderAndItsEndpoint() {
        String topic = ItSupport.uniqueTopic("redirect");
        TopicPartitionInfo partition;
        try (Admin admin = ItSupport.admin(bootstrap())) {
            ItSupport.createTopic(admin, topic, 1, Map.of());
            partition = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().get(0);
        }
        int leader = partition.leader().id();
        BrokerProcess other = brokers.get(leader % NODES);
        try (RawConnection raw = new RawConnection(other.bootstrap())) {
            // The admin asked one node; this one may not have applied the topic's record yet
            await("broker " + (leader % NODES + 1) + " knows " + topic, () -> raw.topicError(topic) == Errors.NONE);
            ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(15_000)
                    .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                            new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                                            MemoryRecords.withRecords(Compression.NONE,
                                                    new SimpleRecord("misdirected".getBytes())))))).iterator()));
            short version = raw.version(ApiKeys.PRODUCE, RawConnection.PRODUCE_VERSION_CAP);
            assertThat(version).isGreaterThanOrEqualTo((short) 10);
            ProduceResponse response = raw.send(new ProduceRequest(data, version));
            ProduceResponseData.PartitionProduceResponse answer =
                    response.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
            assertThat(answer.currentLeader().leaderId()).isEqualTo(leader);
            assertThat(answer.currentLeader().leaderEpoch()).isZero();
            assertThat(response.data().nodeEndpoints()).singleElement().satisfies(e -> {
                assertThat(e.nodeId()).isEqualTo(leader);
                assertThat(e.port()).isEqualTo(brokers.get(leader - 1).port());
                assertThat(e.rack()).isEqualTo("rack" + leader);
            });
        }
    }

    @Test
    @Order(4)
    void replicationFactorAboveTheBrokerCountIsRefused() {
        try (Admin admin = ItSupport.admin(bootstrap())) {
            ExecutionException e;
            e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic(ItSupport.uniqueTopic("rf4"), 1, (short) 4)))
                            .all().get());
            assertThat(e.getCause()).isInstanceOf(InvalidReplicationFactorException.class)
                    .hasMessageContaining("only 3 broker(s)");
        }
    }

    @Test
    @Order(5)
    void aKilledControllerIsFencedTheOthersCarryOnAndItComesBack() {
        int killed;
        try (Admin admin = ItSupport.admin(bootstrap())) {
            killed = get(admin.describeCluster().controller()).id();
        }
        BrokerProcess victim = brokers.get(killed - 1);
        victim.kill();
        long killedAt = System.nanoTime();
        Set<Integer> survivors = new HashSet<>(Set.of(1, 2, 3));
        survivors.remove(killed);
        try (Admin admin = ItSupport.admin(bootstrap())) {
            await("broker " + killed + " fenced", Duration.ofSeconds(30), () -> describedBrokers(admin).equals(survivors));
            System.out.printf("ClusterIT: controller %d killed, fenced after %d ms (session timeout %d ms)%n", killed,
                    Duration.ofNanos(System.nanoTime() - killedAt).toMillis(), SESSION_TIMEOUT_MS);
            // The new controller fenced it without waiting out the session: its port refused the probe
            assertThat(survivors.stream().map(id -> brokers.get(id - 1).output()).collect(Collectors.joining()))
                    .contains("Broker " + killed + " sent no heartbeat for over " + SESSION_TIMEOUT_MS / 3
                            + " ms and refuses connections");
            assertThat(get(admin.describeCluster().controller()).id()).isIn(survivors);
            // __consumer_offsets has three replicas: the partitions it led fail over to the survivors
            await("__consumer_offsets led by the survivors", () -> {
                TopicDescription offsets = get(admin.describeTopics(List.of("__consumer_offsets")).allTopicNames())
                        .get("__consumer_offsets");
                return offsets.partitions().stream().allMatch(p -> p.leader() != null
                        && survivors.contains(p.leader().id()) && p.isr().stream().noneMatch(n -> n.id() == killed));
            });
            String topic = ItSupport.uniqueTopic("two-of-three");
            ItSupport.createTopic(admin, topic, 4, Map.of());
            assertThat(leaders(admin, topic)).isEqualTo(survivors);
        }
        long restartAt = System.nanoTime();
        victim.start();
        try (Admin admin = ItSupport.admin(bootstrap())) {
            await("broker " + killed + " back", () -> describedBrokers(admin).equals(Set.of(1, 2, 3)));
            System.out.printf("ClusterIT: broker %d described again %d ms after its restart began%n", killed,
                    Duration.ofNanos(System.nanoTime() - restartAt).toMillis());
            String topic = ItSupport.uniqueTopic("after-restart");
            ItSupport.createTopic(admin, topic, 6, Map.of());
            assertThat(leaders(admin, topic)).containsExactlyInAnyOrder(1, 2, 3);
        }
    }

    @Test
    @Order(6)
    void aVoterWithoutTheControllerRoleIsRefusedAtStartWithOneLine() {
        int port = ItSupport.freePort();
        BrokerProcess brokerOnly = BrokerProcess.builder("cluster-broker-only").port(port)
                .override("node.id", "3")
                .override("process.roles", "broker")
                .override("controller.listener.names", "CONTROLLER")
                .override("controller.quorum.voters", voters)
                .build();
        try {
            BrokerProcess.Outcome outcome = brokerOnly.startExpectingExit(Duration.ofSeconds(30));
            assertThat(outcome.started()).as("output:%n%s", outcome.output()).isFalse();
            assertThat(outcome.exitCode()).as("output:%n%s", outcome.output()).isNotNull().isNotZero();
            List<String> lines = outcome.output().lines().filter(l -> !l.startsWith("# ")).toList();
            assertThat(lines).singleElement().asString()
                    .contains("node.id 3 is a voter, so process.roles must contain controller");
        } finally {
            brokerOnly.close();
        }
    }
}
