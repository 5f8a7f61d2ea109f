package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.Test;

/**
 * A partition is moved to another broker with {@code Admin.alterPartitionReassignments} while an idempotent
 * acks=all producer writes to it: the new replica copies the data and takes over, the old broker's log
 * directory goes, and every acknowledged record is read back from the new replica. A reassignment to a
 * broker that is down stays listed in progress until it is cancelled, which puts the partition back.
 */
class ReassignmentIT {


    /** The partition directories of {@code topic} under a broker's data directory. */
    private static List<Path> partitionDirs(Path dataDir, String topic) throws Exception {
        try (Stream<Path> found = Files.walk(dataDir, 3)) {
            return found.filter(p -> p.getFileName().toString().equals(topic + "-0")).toList();
        }
    }

    @Test
    void aPartitionMovesToAnotherBrokerWhileProducingAndLosesNothing() throws Exception {
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("reassign", Map.of(
                "broker.heartbeat.interval.ms", "500",
                "replica.fetch.backoff.ms", "200",
                "offsets.topic.num.partitions", "1")).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            String topic = ItSupport.uniqueTopic("reassign");
            TopicPartition tp = new TopicPartition(topic, 0);
            PartitionZero.createOn(admin, topic, 1);
            assertThat(get(admin.listPartitionReassignments().reassignments())).isEmpty();

            AckedStream stream;
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(), PartitionZero.ACKS_ALL_RETRYING)) {
                stream = PartitionZero.stream(producer, topic);
                await("records acknowledged before the move", () -> stream.ackedCount() >= 2_000);
                assertThat(partitionDirs(cluster.node(1).dataDir(), topic)).hasSize(1);
                // When the partition is moved from 1 to 2
                get(admin.alterPartitionReassignments(Map.of(tp,
                        Optional.of(new NewPartitionReassignment(List.of(2))))).all());
                long movedAt = System.nanoTime();
                // Then 2 catches up and takes over: the reassignment completes with 2 as the only replica
                await("the move to 2 completed", Duration.ofSeconds(60),
                        () -> PartitionZero.replicas(admin, topic).equals(List.of(2))
                        && get(admin.listPartitionReassignments().reassignments()).isEmpty());
                System.out.printf("ReassignmentIT: moved with %d records acknowledged, completed in %d ms%n",
                        stream.ackedCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - movedAt));
                assertThat(PartitionZero.describe(admin, topic).leader().id()).isEqualTo(2);
                assertThat(PartitionZero.describe(admin, topic).isr()).extracting(Node::id).containsExactly(2);
                // And the producer goes on, now acknowledged by 2
                int ackedAfterMove = stream.ackedCount();
                await("records acknowledged after the move", () -> stream.ackedCount() >= ackedAfterMove + 500);
                stream.stop();
                producer.flush();
            }
            // And broker 1 no longer holds the partition's log
            await("broker 1's log of the partition deleted", () -> {
                try {
                    return partitionDirs(cluster.node(1).dataDir(), topic).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            // And nothing is left to cancel
            Throwable cancel = ItSupport.failureOf(admin.alterPartitionReassignments(Map.of(tp, Optional.empty()))
                    .all());
            assertThat(cancel).isInstanceOf(NoReassignmentInProgressException.class);
            // And every acknowledged record is read back, from 2
            stream.assertEveryAcknowledgedRecordIn(ItSupport.readAll(cluster.bootstrap(), topic));
            System.out.printf("ReassignmentIT: %d records acknowledged and read back across the move%n",
                    stream.ackedCount());

            // Given a reassignment that cannot finish: its new replica's broker is down
            cluster.node(3).kill();
            get(admin.alterPartitionReassignments(Map.of(tp,
                    Optional.of(new NewPartitionReassignment(List.of(2, 3))))).all());
            // Then it is listed as in progress, 3 being added
            await("the reassignment to 2, 3 listed", () -> {
                var ongoing = get(admin.listPartitionReassignments(Set.of(tp)).reassignments()).get(tp);
                return ongoing != null && ongoing.addingReplicas().equals(List.of(3))
                        && ongoing.replicas().equals(List.of(2, 3));
            });
            // When it is cancelled, the partition is back on 2 alone and still serves
            get(admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all());
            await("the reassignment cancelled",
                    () -> PartitionZero.replicas(admin, topic).equals(List.of(2))
                    && get(admin.listPartitionReassignments().reassignments()).isEmpty());
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(), PartitionZero.ACKS_ALL_RETRYING)) {
                get(producer.send(new ProducerRecord<>(topic, 0, "k", "after-cancel")));
            }
        }
    }
}
