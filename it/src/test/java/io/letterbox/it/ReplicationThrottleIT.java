package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * Replication throttles as {@code kafka-reassign-partitions.sh --throttle} sets them: a rate on the
 * brokers (dynamic broker configs) and the replicas it applies to on the topic. A partition moved
 * under a throttle copies its data no faster than the rate, and all of it arrives.
 */
class ReplicationThrottleIT {
    private static final int RECORDS = 3072;
    private static final int RECORD_BYTES = 1024;
    private static final long RATE = 300_000;

    @Test
    void aThrottledMoveCopiesNoFasterThanTheRateAndLosesNothing() throws Exception {
        // Small windows and fetches, so that the rate shows within seconds rather than Kafka's 10 s of burst
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("throttle", Map.of(
                "replication.quota.window.num", "2",
                "replica.fetch.max.bytes", "65536",
                "replica.fetch.backoff.ms", "200",
                "broker.heartbeat.interval.ms", "500",
                "offsets.topic.num.partitions", "1")).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            // Given 3 MiB in a partition on broker 1 alone
            String topic = ItSupport.uniqueTopic("throttled");
            TopicPartition tp = new TopicPartition(topic, 0);
            PartitionZero.createOn(admin, topic, 1);
            String value = "v".repeat(RECORD_BYTES);
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(),
                    PartitionZero.ACKS_ALL_RETRYING)) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k" + i, value));
                }
                producer.flush();
            }
            // And the throttle kafka-reassign-partitions.sh --throttle sets: a rate on the sending and the
            // receiving broker, and on the topic, the sender's and the receiver's replica
            get(admin.incrementalAlterConfigs(Map.of(
                    broker(1), rates(RATE), broker(2), rates(RATE),
                    new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                            set("leader.replication.throttled.replicas", "0:1"),
                            set("follower.replication.throttled.replicas", "0:2")))).all());
            await("the rates in force on both brokers", () -> rateOf(admin, 1) == RATE && rateOf(admin, 2) == RATE);

            // When the partition moves to broker 2
            long tookMs = moveMs(admin, tp, 2);

            // Then it took at least most of the time the rate allows: 3 MiB at 300 kB/s is about 10 s
            long bytes = (long) RECORDS * RECORD_BYTES;
            System.out.printf("ReplicationThrottleIT: %d bytes moved in %d ms under %d B/s%n", bytes, tookMs, RATE);
            assertThat(tookMs).isGreaterThan(bytes * 1000 / RATE * 6 / 10);
            // And every record is on broker 2
            assertThat(ItSupport.readAll(cluster.bootstrap(), topic)).hasSize(RECORDS);

            // When the throttle is removed, as kafka-reassign-partitions.sh --verify does once the move is done,
            // then the same data moves back to broker 1 faster than the rate allowed
            get(admin.incrementalAlterConfigs(Map.of(
                    broker(1), List.of(delete("leader.replication.throttled.rate"),
                            delete("follower.replication.throttled.rate")),
                    broker(2), List.of(delete("leader.replication.throttled.rate"),
                            delete("follower.replication.throttled.rate")),
                    new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                            delete("leader.replication.throttled.replicas"),
                            delete("follower.replication.throttled.replicas")))).all());
            await("the rates lifted on both brokers", () -> rateOf(admin, 1) == Long.MAX_VALUE
                    && rateOf(admin, 2) == Long.MAX_VALUE);
            long backMs = moveMs(admin, tp, 1);
            System.out.printf("ReplicationThrottleIT: the same bytes moved back unthrottled in %d ms%n", backMs);
            assertThat(backMs).isLessThan(tookMs);
            assertThat(ItSupport.readAll(cluster.bootstrap(), topic)).hasSize(RECORDS);

            // And values Kafka refuses are refused: a negative rate, a malformed replica list
            assertThat(ItSupport.failureOf(admin.incrementalAlterConfigs(Map.of(broker(1), List.of(
                    set("leader.replication.throttled.rate", "-1")))).all()))
                    .isInstanceOf(InvalidConfigurationException.class);
            assertThat(ItSupport.failureOf(admin.incrementalAlterConfigs(Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                            set("leader.replication.throttled.replicas", "0-1")))).all()))
                    .isInstanceOf(InvalidConfigurationException.class);
        }
    }

    /** Moves partition 0 to {@code broker} alone; the milliseconds until the reassignment completed. */
    private static long moveMs(Admin admin, TopicPartition tp, int broker) {
        long start = System.nanoTime();
        get(admin.alterPartitionReassignments(Map.of(tp,
                Optional.of(new NewPartitionReassignment(List.of(broker))))).all());
        await("the move to " + broker + " completed", Duration.ofSeconds(120),
                () -> PartitionZero.replicas(admin, tp.topic()).equals(List.of(broker))
                        && get(admin.listPartitionReassignments().reassignments()).isEmpty());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static ConfigResource broker(int id) {
        return new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(id));
    }

    private static Collection<AlterConfigOp> rates(long rate) {
        return List.of(set("leader.replication.throttled.rate", Long.toString(rate)),
                set("follower.replication.throttled.rate", Long.toString(rate)));
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static AlterConfigOp delete(String key) {
        return new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE);
    }

    private static long rateOf(Admin admin, int broker) {
        ConfigEntry e = get(admin.describeConfigs(List.of(broker(broker))).all()).get(broker(broker))
                .get("leader.replication.throttled.rate");
        return e == null || e.value() == null ? -1 : Long.parseLong(e.value());
    }
}
