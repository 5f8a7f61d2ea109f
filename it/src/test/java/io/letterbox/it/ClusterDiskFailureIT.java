package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.FaultyDisks;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A broker of a cluster whose log directory fails (issue 7): node 1 keeps its metadata on a healthy
 * directory and half its partitions on an ext4 image whose kernel error trigger makes every later
 * write fail (root only; skipped otherwise). Once it finds the disk failed it steps aside: the
 * controller fences it, every partition it led gets a new leader among the in-sync replicas, and an
 * acks=all stream goes on with every acknowledged record read back, well within the 60 s session
 * timeout that alone would never move them (its heartbeats do not touch the disk).
 */
class ClusterDiskFailureIT {
    private static final int PARTITIONS = 4;

    @Test
    void aBrokerWhoseLogDirectoryFailsHandsItsPartitionsToTheOthers() throws Exception {
        Path base = ItSupport.tempDir("step-aside");
        try (FaultyDisks.Ext4 disk = FaultyDisks.ext4(base.resolve("b.img"), base.resolve("b"), 64);
             ThreeNodeCluster cluster = new ThreeNodeCluster("step-aside", id -> {
                 Map<String, String> overrides = new HashMap<>(Map.of(
                         "broker.heartbeat.interval.ms", "1000",
                         "broker.session.timeout.ms", "60000"));
                 if (id == 1) {
                     overrides.put("log.dirs", base.resolve("a") + "," + disk.dir());
                 }
                 return overrides;
             }).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            // Given a topic whose partitions node 1 leads, spread over its two directories
            String topic = ItSupport.uniqueTopic("step-aside");
            Map<Integer, List<Integer>> assignment = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assignment.put(p, List.of(1, 2 + p % 2, 3 - p % 2));
            }
            get(admin.createTopics(List.of(new NewTopic(topic, assignment)
                    .configs(Map.of("min.insync.replicas", "2")))).all());
            await("a full ISR on every partition", () -> isr(admin, topic, 3));
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(),
                    PartitionZero.ACKS_ALL_RETRYING)) {
                AckedStream stream = new AckedStream(producer, 20, 50_000,
                        seq -> new ProducerRecord<>(topic, seq % PARTITIONS, "k", "v#" + seq), m -> { });
                await("200 records acknowledged", () -> stream.ackedCount() > 200);

                // When node 1's second directory fails under the stream
                disk.fail();

                // Then node 1 leads nothing within 30 s, and the stream goes on with the two other replicas
                await("new leaders for node 1's partitions", Duration.ofSeconds(30), () -> {
                    TopicDescription d = describe(admin, topic);
                    return d != null && d.partitions().stream()
                            .allMatch(p -> p.leader() != null && p.leader().id() != 1);
                });
                int ackedAtMove = stream.ackedCount();
                await("200 more records acknowledged", () -> stream.ackedCount() > ackedAtMove + 200);
                stream.stop();
                producer.flush();
                stream.assertEveryAcknowledgedRecordIn(ItSupport.readAll(cluster.bootstrap(), topic));
            }
            assertThat(cluster.node(1).isAlive()).isTrue();
            assertThat(cluster.node(1).output()).contains("This broker steps aside after its log directory "
                    + disk.dir() + " failed");
        }
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        } catch (AssertionError | RuntimeException e) {
            return null;
        }
    }

    private static boolean isr(Admin admin, String topic, int size) {
        TopicDescription d = describe(admin, topic);
        return d != null && d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == size);
    }
}
