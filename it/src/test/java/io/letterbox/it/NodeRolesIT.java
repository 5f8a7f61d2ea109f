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
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Nodes of each KRaft role in one cluster: 1 and 2 are broker and controller, 3 is a controller
 * alone, 4 a broker alone. The controller serves no clients and holds no partition; the broker
 * alone follows the metadata log without voting, is described, leads partitions and carries
 * data; killed and restarted, it catches up on what the others wrote meanwhile.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeRolesIT {
    private static final KraftNodes NODES = new KraftNodes(4, List.of(1, 2, 3));
    private static BrokerProcess combined1;
    private static BrokerProcess combined2;
    private static BrokerProcess controllerOnly;
    private static BrokerProcess brokerOnly;

    @BeforeAll
    static void startCluster() {
        combined1 = NODES.node("roles-combined1", 1, KraftNodes.COMBINED).build();
        combined2 = NODES.node("roles-combined2", 2, KraftNodes.COMBINED).build();
        controllerOnly = NODES.node("roles-controller3", 3, KraftNodes.CONTROLLER).build();
        brokerOnly = NODES.node("roles-broker4", 4, KraftNodes.BROKER).build();
        KraftNodes.startTogether(List.of(combined1, combined2, controllerOnly));
        brokerOnly.start();
    }

    @AfterAll
    static void stopCluster() {
        for (BrokerProcess p : new BrokerProcess[] {brokerOnly, combined1, combined2, controllerOnly}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static Set<Integer> describedBrokers(Admin admin) {
        return get(admin.describeCluster().nodes()).stream().map(Node::id).collect(Collectors.toSet());
    }

    @Test
    @Order(1)
    void onlyBrokersAreDescribedAndTheControllerIsAVoter() {
        assertThat(controllerOnly.banner()).hasValueSatisfying(l -> assertThat(l).contains("controller started on"));
        try (Admin admin = ItSupport.admin(brokerOnly.bootstrap())) {
            await("brokers 1, 2, 4 described", () -> describedBrokers(admin).equals(Set.of(1, 2, 4)));
            // Clients are named a broker as controller, even when the controller-only node leads
            assertThat(get(admin.describeCluster().controller()).id()).isIn(1, 2, 4);
            assertThat(get(admin.describeCluster().clusterId()))
                    .isEqualTo(clusterIdSeenBy(combined1.bootstrap()));
        }
    }

    private static String clusterIdSeenBy(String bootstrap) {
        try (Admin admin = ItSupport.admin(bootstrap)) {
            return get(admin.describeCluster().clusterId());
        }
    }

    @Test
    @Order(2)
    void aClientGetsNothingFromTheControllerAlone() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + NODES.controllerPort(3));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        assertThat(controllerOnly.isAlive()).isTrue();
    }

    @Test
    @Order(3)
    void dataFlowsThroughTheBrokerAlone() throws Exception {
        String topic = ItSupport.uniqueTopic("roles");
        try (Admin admin = ItSupport.admin(brokerOnly.bootstrap())) {
            ItSupport.createTopic(admin, topic, 6, Map.of());
            TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
            Set<Integer> leaders = d.partitions().stream().map(TopicPartitionInfo::leader).map(Node::id)
                    .collect(Collectors.toSet());
            assertThat(leaders).containsExactlyInAnyOrder(1, 2, 4);
        }
        int records = 300;
        try (KafkaProducer<String, String> producer = ItSupport.producer(brokerOnly.bootstrap())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "v#" + i));
            }
            producer.flush();
        }
        List<ConsumerRecord<String, String>> read;
        try (KafkaConsumer<String, String> consumer = ItSupport.consumer(brokerOnly.bootstrap(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "roles-" + topic))) {
            consumer.subscribe(List.of(topic));
            read = ItSupport.poll(consumer, records, Duration.ofSeconds(60));
            consumer.commitSync();
        }
        assertThat(read).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(records);
        ItSupport.assertPerKeyOrder(read);
    }

    /** {@code kafka-metadata-quorum.sh describe --status / --replication}, asked of a broker alone and of a voter. */
    @Test
    @Order(4)
    void theQuorumIsDescribedFromAnyNodeWithTheBrokerAloneAsObserver() {
        for (BrokerProcess node : List.of(brokerOnly, combined1)) {
            try (Admin admin = ItSupport.admin(node.bootstrap())) {
                await("every member caught up, as " + node.bootstrap() + " describes it", () -> {
                    QuorumInfo q = get(admin.describeMetadataQuorum().quorumInfo());
                    return ids(q.voters()).equals(List.of(1, 2, 3)) && ids(q.observers()).equals(List.of(4))
                            && java.util.stream.Stream.concat(q.voters().stream(), q.observers().stream())
                                    .allMatch(r -> r.logEndOffset() >= q.highWatermark()
                                            && r.lastCaughtUpTimestamp().isPresent());
                });
                QuorumInfo quorum = get(admin.describeMetadataQuorum().quorumInfo());
                assertThat(quorum.leaderId()).isIn(1, 2, 3);
                assertThat(quorum.highWatermark()).isPositive();
                assertThat(quorum.voters()).allSatisfy(v -> assertThat(v.lastFetchTimestamp()).isPresent());
                assertThat(quorum.nodes().keySet()).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(quorum.nodes().get(3).endpoints())
                        .anySatisfy(e -> assertThat(e.port()).isEqualTo(NODES.controllerPort(3)));
            }
        }
    }

    private static List<Integer> ids(List<QuorumInfo.ReplicaState> replicas) {
        return replicas.stream().map(QuorumInfo.ReplicaState::replicaId).sorted().toList();
    }

    @Test
    @Order(5)
    void theBrokerAloneCatchesUpAfterAKill() {
        brokerOnly.kill();
        String topic = ItSupport.uniqueTopic("while-down");
        // Not waiting for leaders: a partition placed on broker 4 before the controller noticed its crash
        // has none until it is back
        try (Admin admin = ItSupport.admin(combined1.bootstrap())) {
            get(admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all());
        }
        brokerOnly.start();
        // Asked directly: an AdminClient may ask another node
        try (RawConnection raw = new RawConnection(brokerOnly.bootstrap())) {
            await("the restarted broker knows " + topic, () -> raw.topicError(topic) == Errors.NONE);
        }
        try (Admin admin = ItSupport.admin(brokerOnly.bootstrap())) {
            await("broker 4 described again", () -> describedBrokers(admin).equals(Set.of(1, 2, 4)));
            await(topic + " led on every partition", () -> get(admin.describeTopics(List.of(topic)).allTopicNames())
                    .get(topic).partitions().stream().allMatch(p -> p.leader() != null));
        }
    }
}
