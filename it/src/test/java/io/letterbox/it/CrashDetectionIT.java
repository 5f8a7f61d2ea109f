package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The controller tells a crashed broker from a slow one (issue 7), on three combined nodes with a
 * 30 s session timeout: a broker paused with SIGSTOP for longer than a third of its session (when
 * the controller starts probing it) stays registered, since its port still accepts; a partition
 * leader killed with SIGKILL refuses the probe and is fenced and replaced long before its session
 * would have ended.
 */
class CrashDetectionIT {
    private static final long SESSION_MS = 30_000;

    @Test
    void aKilledBrokerIsFencedLongBeforeItsSessionEndsAndAPausedOneIsNot() throws Exception {
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("crash", Map.of(
                "broker.heartbeat.interval.ms", "1000",
                "broker.session.timeout.ms", String.valueOf(SESSION_MS))).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            String topic = ItSupport.uniqueTopic("crash");
            get(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all());
            await("three live brokers and a full ISR", () -> {
                TopicPartitionInfo p = PartitionZero.describe(admin, topic);
                return p != null && p.leader() != null && p.isr().size() == 3;
            });

            // Given a broker other than the active controller, paused with SIGSTOP for 14 s (the controller
            // starts probing it after 10 s of silence)
            int controller = get(admin.describeCluster().controller()).id();
            int paused = controller == 1 ? 2 : 1;
            try (Admin others = ItSupport.admin(bootstrapWithout(cluster, paused))) {
                signal(cluster.node(paused), "STOP");
                long resumeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(14);
                try {
                    // Then it stays registered all along
                    while (System.nanoTime() < resumeAt) {
                        assertThat(get(others.describeCluster().nodes())).extracting(Node::id)
                                .as("live brokers while node %d is paused", paused).contains(paused);
                        ItSupport.sleep(500);
                    }
                } finally {
                    signal(cluster.node(paused), "CONT");
                }
            }
            assertThat(allOutput(cluster)).doesNotContain("Fencing broker " + paused);

            // When the partition's leader is killed with SIGKILL
            int killed = PartitionZero.describe(admin, topic).leader().id();
            try (Admin survivors = ItSupport.admin(bootstrapWithout(cluster, killed));
                 KafkaProducer<String, String> producer = ItSupport.producer(bootstrapWithout(cluster, killed),
                         PartitionZero.ACKS_ALL_RETRYING)) {
                long killedAt = System.nanoTime();
                cluster.node(killed).kill();

                // Then another replica leads within 25 s (the session timeout alone would take 28-30 s),
                // because the controller found the killed broker's port closed
                await("a new leader", Duration.ofSeconds(40), () -> {
                    TopicPartitionInfo p = PartitionZero.describe(survivors, topic);
                    return p != null && p.leader() != null && p.leader().id() != killed;
                });
                long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                System.out.printf("CrashDetectionIT: node %d killed, new leader after %d ms%n", killed, failoverMs);
                assertThat(failoverMs).as("kill to new leader, ms").isLessThan(25_000);
                assertThat(allOutput(cluster)).contains("Broker " + killed + " sent no heartbeat for over 10000 ms"
                        + " and refuses connections");
                // And acks=all writes go on with the two in-sync replicas left
                assertThat(get(producer.send(new ProducerRecord<>(topic, 0, "k", "after the kill"))).offset())
                        .isGreaterThanOrEqualTo(0);
                assertThat(get(survivors.describeCluster().nodes())).extracting(Node::id).doesNotContain(killed);
            }
        }
    }

    private static String bootstrapWithout(ThreeNodeCluster cluster, int nodeId) {
        return cluster.nodes().stream().filter(n -> n != cluster.node(nodeId)).map(BrokerProcess::bootstrap)
                .collect(Collectors.joining(","));
    }

    private static String allOutput(ThreeNodeCluster cluster) {
        return cluster.nodes().stream().map(BrokerProcess::output).collect(Collectors.joining("\n"));
    }

    private static void signal(BrokerProcess node, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(node.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", signal).isTrue();
    }
}
