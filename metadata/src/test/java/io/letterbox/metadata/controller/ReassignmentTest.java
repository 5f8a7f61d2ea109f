package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.image.PartitionImage;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

/**
 * Partition reassignment (KIP-455) through the controller, on a real single-voter metadata log with
 * brokers 1, 2 and 3: new replicas join, the leader's ISR requests complete the move, cancel reverts.
 */
class ReassignmentTest extends ControllerFixture {
    private Uuid create(String name, List<Integer> replicas) throws Exception {
        CreateTopicResult r = get(controller.createTopics(
                List.of(new NewTopic(name, -1, (short) -1, Map.of(0, replicas), Map.of())), false)).get(0);
        assertThat(r.error().error()).isEqualTo(Errors.NONE);
        return r.topicId();
    }

    private PartitionImage partition(String name) {
        return node.image().topics().get(name).partition(0);
    }

    private ApiError reassign(String topic, List<Integer> target) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<TopicPartition, List<Integer>> targets = new HashMap<>();
        targets.put(tp, target);
        return get(controller.alterPartitionReassignments(targets, true)).get(tp);
    }

    /** The leader's request to set the ISR, in the epochs it knows. */
    private ApiError setIsr(Uuid id, String topic, Integer... isr) throws Exception {
        PartitionImage p = partition(topic);
        return get(controller.alterPartition(new IsrChange(id, 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(),
                Arrays.asList(isr))));
    }

    @Test
    void aMovedPartitionKeepsItsOldReplicaUntilTheNewOneIsInSync() throws Exception {
        Uuid id = create("move", List.of(1));
        // When the partition on 1 is moved to 2
        assertThat(reassign("move", List.of(2)).error()).isEqualTo(Errors.NONE);
        // Then 2 is added while 1 still leads and is being removed
        PartitionImage p = partition("move");
        assertThat(p.replicas()).containsExactly(2, 1);
        assertThat(p.addingReplicas()).containsExactly(2);
        assertThat(p.removingReplicas()).containsExactly(1);
        assertThat(p.isr()).containsExactly(1);
        assertThat(p.leader()).isEqualTo(1);
        // When the leader adds the caught-up 2 to the ISR
        assertThat(setIsr(id, "move", 1, 2).error()).isEqualTo(Errors.NONE);
        // Then the move completes: only 2 is left, and it leads in a new epoch
        p = partition("move");
        assertThat(p.reassigning()).isFalse();
        assertThat(p.replicas()).containsExactly(2);
        assertThat(p.isr()).containsExactly(2);
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        // And there is nothing left to cancel
        assertThat(reassign("move", null).error()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS);
    }

    @Test
    void aTargetAlreadyInSyncCompletesAtOnceAndTheLeaderKeepsLeadingIfItStays() throws Exception {
        create("shrink", List.of(1, 2, 3));
        assertThat(reassign("shrink", List.of(1, 3)).error()).isEqualTo(Errors.NONE);
        PartitionImage p = partition("shrink");
        assertThat(p.reassigning()).isFalse();
        assertThat(p.replicas()).containsExactly(1, 3);
        assertThat(p.isr()).containsExactly(1, 3);
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isZero();
        // The same replicas again: nothing to do
        int epoch = partition("shrink").partitionEpoch();
        assertThat(reassign("shrink", List.of(1, 3)).error()).isEqualTo(Errors.NONE);
        assertThat(partition("shrink").partitionEpoch()).isEqualTo(epoch);
    }

    @Test
    void cancelGoesBackToTheOriginalReplicas() throws Exception {
        Uuid id = create("cancel", List.of(1, 2));
        assertThat(reassign("cancel", List.of(3, 2)).error()).isEqualTo(Errors.NONE);
        assertThat(partition("cancel").replicas()).containsExactly(3, 2, 1);
        // 3 not yet in sync: the leader's ISR request leaves the reassignment going
        assertThat(setIsr(id, "cancel", 1, 2).error()).isEqualTo(Errors.NONE);
        assertThat(partition("cancel").reassigning()).isTrue();
        // When cancelled
        assertThat(reassign("cancel", null).error()).isEqualTo(Errors.NONE);
        PartitionImage p = partition("cancel");
        assertThat(p.reassigning()).isFalse();
        // (in the order of the merged list less the additions, as Kafka reverts)
        assertThat(p.replicas()).containsExactly(2, 1);
        assertThat(p.isr()).containsExactly(1, 2);
        assertThat(p.leader()).isEqualTo(1);
    }

    @Test
    void invalidTargetsAndUnknownPartitionsAreRefused() throws Exception {
        create("bad", List.of(1, 2));
        Map<TopicPartition, List<Integer>> targets = new LinkedHashMap<>();
        TopicPartition bad = new TopicPartition("bad", 0);
        targets.put(new TopicPartition("nope", 0), List.of(1));
        targets.put(new TopicPartition("bad", 3), List.of(1));
        Map<TopicPartition, ApiError> results = get(controller.alterPartitionReassignments(targets, true));
        assertThat(results.values()).extracting(ApiError::error)
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(reassign("bad", List.of()).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(reassign("bad", List.of(1, 1)).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(reassign("bad", List.of(1, 9)).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(reassign("bad", null).error()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS);
        // A different replica count when the request forbids it (KIP-860)
        assertThat(get(controller.alterPartitionReassignments(Map.of(bad, List.of(3)), false)).get(bad).error())
                .isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(partition("bad").replicas()).containsExactly(1, 2);
    }
}
