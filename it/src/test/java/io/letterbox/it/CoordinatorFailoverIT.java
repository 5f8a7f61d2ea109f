package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer group whose coordinator's broker is killed with SIGKILL (issue 7), with either group
 * protocol: three combined nodes, {@code __consumer_offsets} at its default replication factor (3
 * with three brokers), two members consuming a replicated topic and committing after each poll while
 * a producer keeps writing. The coordinator moves with its offsets partition's leadership, the group
 * keeps consuming and committing, the new coordinator answers every offset committed before the kill
 * (or a later one), no member is sent back before such an offset, and every produced record is
 * consumed. Apache Kafka 4.1.1 passes it too (-Dit.broker.cmd=kafka-cluster-node-as-letterbox, with
 * offsets.topic.replication.factor=3 added, as that launcher sets 1); with the consumer protocol both
 * brokers may fail one member's commit at the move (CommitFailedException), which the next commit
 * repairs.
 */
class CoordinatorFailoverIT {
    private static final int PARTITIONS = 4;

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void theGroupKeepsConsumingAndKeepsItsCommittedOffsetsWhenItsCoordinatorIsKilled(String protocol)
            throws Exception {
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("coordinator", Map.of(
                "broker.heartbeat.interval.ms", "500",
                "broker.session.timeout.ms", "2500",
                "offsets.topic.num.partitions", "3",
                "group.initial.rebalance.delay.ms", "0")).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            // Given a replicated topic, written to all along by an acks=all producer
            String topic = ItSupport.uniqueTopic("coordinated");
            get(admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all());
            String bootstrap = cluster.bootstrap();
            String group = "g-" + topic;
            List<CommittingMember> members = new ArrayList<>();
            int killed = 0;
            try (KafkaProducer<String, String> producer = ItSupport.producer(bootstrap, PartitionZero.ACKS_ALL_RETRYING)) {
                // ten records in flight: the stream runs at the cluster's acks=all pace
                AckedStream stream = new AckedStream(producer, 10, 20_000,
                        seq -> new ProducerRecord<>(topic, "k" + seq % 16, "v#" + seq), m -> { });

                // And a group of two members that commit what each poll returned
                for (int i = 0; i < 2; i++) {
                    members.add(new CommittingMember(bootstrap, topic, group, protocol, i));
                }
                await("both members consume and commit, 300 records acknowledged", () -> stream.ackedCount() > 300
                        && members.stream().allMatch(m -> !m.committed.isEmpty()));
                assertThat(get(admin.describeTopics(List.of("__consumer_offsets")).allTopicNames())
                        .get("__consumer_offsets").partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));

                // When the group's coordinator is killed with SIGKILL
                killed = coordinator(admin, group);
                Map<Integer, Long> committedBeforeKill = highestCommitted(members);
                long killedAt = System.nanoTime();
                cluster.node(killed).kill();
                int oldCoordinator = killed;

                // Then another broker coordinates the group and answers at least the offsets committed before the kill
                await("a new coordinator", () -> {
                    try {
                        return coordinator(admin, group) != oldCoordinator;
                    } catch (AssertionError | RuntimeException notYet) {
                        return false;
                    }
                });
                Map<Integer, Long> answered = committedOffsets(admin, group);
                committedBeforeKill.forEach((p, offset) ->
                        assertThat(answered.get(p)).as("committed offset of partition %d", p).isNotNull()
                                .isGreaterThanOrEqualTo(offset));

                // And the group keeps consuming and committing
                await("a commit after the kill", () -> members.stream().anyMatch(m -> m.lastCommitAt.get() > killedAt));
                int ackedAtResume = stream.ackedCount();
                await("300 more records acknowledged", () -> stream.ackedCount() > ackedAtResume + 300);
                stream.stop();
                producer.flush();
                List<ConsumerRecord<String, String>> written = ItSupport.readAll(bootstrap, topic);
                stream.assertEveryAcknowledgedRecordIn(written);
                await("every record consumed at least once", () -> members.stream().flatMap(m -> m.consumed.stream())
                        .map(Consumed::value).collect(Collectors.toSet()).containsAll(
                                written.stream().map(ConsumerRecord::value).toList()));
                Map<Integer, Long> ends = endOffsets(admin, topic);
                await("committed offsets at the end of every partition", () -> committedOffsets(admin, group).equals(ends));
                for (CommittingMember m : members) {
                    assertThat(m.consumed).filteredOn(c -> c.at() > killedAt)
                            .allSatisfy(c -> assertThat(c.offset()).as("offset consumed in partition %d after the kill",
                                    c.partition()).isGreaterThanOrEqualTo(committedBeforeKill.getOrDefault(c.partition(), 0L)));
                }
                System.out.printf("CoordinatorFailoverIT %s: coordinator %d killed; %d records, commit failures %s%n",
                        protocol, oldCoordinator, written.size(), members.stream().map(m -> m.commitFailures).toList());
            } finally {
                members.forEach(CommittingMember::close);
                if (killed != 0) {
                    cluster.node(killed).start();
                    await("three brokers again", () -> get(admin.describeCluster().nodes()).size() == 3);
                }
            }
        }
    }

    private static int coordinator(Admin admin, String group) {
        return get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)).coordinator().id();
    }

    private static Map<Integer, Long> highestCommitted(List<CommittingMember> members) {
        Map<Integer, Long> highest = new HashMap<>();
        members.forEach(m -> m.committed.forEach((p, o) -> highest.merge(p, o, Math::max)));
        return highest;
    }

    private static Map<Integer, Long> committedOffsets(Admin admin, String group) {
        Map<Integer, Long> offsets = new HashMap<>();
        get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())
                .forEach((tp, o) -> offsets.put(tp.partition(), o.offset()));
        return offsets;
    }

    private static Map<Integer, Long> endOffsets(Admin admin, String topic) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        get(admin.listOffsets(latest).all()).forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /** One record as a member polled it, with when ({@link System#nanoTime()}). */
    private record Consumed(int partition, long offset, String value, long at) {
    }

    /**
     * A group member on its own thread: polls, then commits the offsets after what the poll returned
     * with commitSync, remembering per partition the highest offset a commitSync succeeded with.
     */
    private static final class CommittingMember implements AutoCloseable {
        final Set<Consumed> consumed = ConcurrentHashMap.newKeySet();
        final Map<Integer, Long> committed = new ConcurrentHashMap<>();
        final AtomicLong lastCommitAt = new AtomicLong();
        final List<String> commitFailures = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private final Thread thread;
        private volatile Throwable died;

        CommittingMember(String bootstrap, String topic, String group, String protocol, int index) {
            Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100));
            if (protocol.equals("classic")) {
                // the consumer protocol takes these from the broker
                config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
                config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
            }
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = ItSupport.consumer(bootstrap, config)) {
                    consumer.subscribe(List.of(topic));
                    while (running) {
                        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                        long at = System.nanoTime();
                        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                        for (ConsumerRecord<String, String> r : records) {
                            consumed.add(new Consumed(r.partition(), r.offset(), r.value(), at));
                            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        }
                        if (!next.isEmpty()) {
                            commit(consumer, next);
                        }
                    }
                } catch (Throwable t) {
                    died = t;
                }
            }, "member-" + index);
            thread.start();
        }

        private void commit(KafkaConsumer<String, String> consumer, Map<TopicPartition, OffsetAndMetadata> next) {
            try {
                consumer.commitSync(next);
                next.forEach((tp, o) -> committed.merge(tp.partition(), o.offset(), Math::max));
                lastCommitAt.set(System.nanoTime());
            } catch (KafkaException e) {
                // a rebalance or the coordinator move: the records come again, at least once
                commitFailures.add(e.getClass().getSimpleName());
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(40_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(died).as("member thread failure").isNull();
        }
    }
}
