package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.Nodes;
import io.letterbox.metadata.image.PartitionImage;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

/**
 * Leaders and ISRs as brokers come and go, and leaders' ISR change requests, on a real single-voter
 * metadata log with three registered brokers. Fencing is driven by hand, so no clock is involved.
 */
class LeaderElectionTest extends ControllerFixture {
    private Uuid create(String name, List<Integer> replicas, Map<String, String> configs) throws Exception {
        CreateTopicResult r = get(controller.createTopics(
                List.of(new NewTopic(name, -1, (short) -1, Map.of(0, replicas), configs)), false)).get(0);
        assertThat(r.error().error()).isEqualTo(Errors.NONE);
        return r.topicId();
    }

    private PartitionImage partition(String name) {
        return node.image().topics().get(name).partition(0);
    }

    @Test
    void aFencedLeaderIsReplacedByTheFirstLiveInSyncReplicaAndLeavesTheIsr() throws Exception {
        create("t", List.of(1, 2, 3), Map.of());
        // When the leader is fenced
        get(controller.setFenced(1, true));
        // Then the next replica in order leads in a new epoch, and 1 is out of the ISR
        PartitionImage p = partition("t");
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        assertThat(p.isr()).containsExactly(2, 3);
        // When the others go too, the last member stays in the ISR and the partition has no leader
        get(controller.setFenced(2, true));
        get(controller.setFenced(3, true));
        p = partition("t");
        assertThat(p.leader()).isEqualTo(-1);
        assertThat(p.isr()).containsExactly(3);
        // When 1 (out of the ISR) comes back, it is not elected: it may lack acknowledged records
        get(controller.setFenced(1, false));
        assertThat(partition("t").leader()).isEqualTo(-1);
        // When 3 comes back, it leads again
        get(controller.setFenced(3, false));
        p = partition("t");
        assertThat(p.leader()).isEqualTo(3);
        assertThat(p.isr()).containsExactly(3);
    }

    @Test
    void uncleanElectionTakesAnyLiveReplica() throws Exception {
        create("u", List.of(1, 2), Map.of("unclean.leader.election.enable", "true"));
        get(controller.setFenced(2, true));
        get(controller.setFenced(1, true));
        assertThat(partition("u").isr()).containsExactly(1);
        // When 2, out of the ISR, comes back to a topic allowing unclean election
        get(controller.setFenced(2, false));
        PartitionImage p = partition("u");
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(2);
    }

    @Test
    void aRestartedLeaderHandsOverWhereAnotherInSyncReplicaCan() throws Exception {
        create("shared", List.of(1, 2), Map.of());
        create("alone", List.of(1), Map.of());
        // When broker 1 registers with a new incarnation (a restart)
        get(controller.registerBroker(Nodes.broker(1)));
        // Then it no longer leads the replicated partition, and keeps the one only it holds
        assertThat(partition("shared").leader()).isEqualTo(2);
        assertThat(partition("shared").isr()).containsExactly(2);
        assertThat(partition("alone").leader()).isEqualTo(1);
        assertThat(partition("alone").leaderEpoch()).isZero();
    }

    @Test
    void theLeaderChangesTheIsrInItsEpochsOnly() throws Exception {
        Uuid id = create("isr", List.of(1, 2, 3), Map.of());
        // When the leader shrinks the ISR in the current epochs
        ApiError shrink = get(controller.alterPartition(new IsrChange(id, 0, 1, 0, 0, List.of(1, 2))));
        // Then it is written, with a new partition epoch and the same leader epoch
        assertThat(shrink.error()).isEqualTo(Errors.NONE);
        PartitionImage p = partition("isr");
        assertThat(p.isr()).containsExactly(1, 2);
        assertThat(p.partitionEpoch()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isZero();
        // A stale partition epoch, an old leader epoch, a non-leader, and an empty or leaderless ISR are refused
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 1, 0, 0, List.of(1, 2, 3)))).error())
                .isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 2, 0, 1, List.of(2)))).error())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 1, 0, 1, List.of()))).error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 1, 0, 1, List.of(2)))).error())
                .isEqualTo(Errors.INVALID_REQUEST);
        get(controller.setFenced(1, true));
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 1, 0, 2, List.of(1, 2, 3)))).error())
                .isEqualTo(Errors.FENCED_LEADER_EPOCH);
        // A fenced broker cannot be added back
        assertThat(partition("isr").leader()).isEqualTo(2);
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 2, 1, 2, List.of(2, 1)))).error())
                .isEqualTo(Errors.INELIGIBLE_REPLICA);
        // while a live one can
        assertThat(get(controller.alterPartition(new IsrChange(id, 0, 2, 1, 2, List.of(2, 3)))).error())
                .isEqualTo(Errors.NONE);
        assertThat(partition("isr").isr()).containsExactly(2, 3);
    }
}
