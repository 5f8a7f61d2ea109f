package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.LeaderBalance;
import io.letterbox.metadata.image.PartitionImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

/**
 * ElectLeaders (preferred and unclean) and the automatic leader rebalance, on a real single-voter metadata
 * log with brokers 1, 2 and 3; the rebalance runs on a manual clock.
 */
class PreferredLeaderElectionTest extends ControllerFixture {
    private void create(String name, int partitions, Map<String, String> configs) throws Exception {
        Map<Integer, List<Integer>> assignment = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            assignment.put(i, List.of(1, 2, 3));
        }
        CreateTopicResult r = get(controller.createTopics(
                List.of(new NewTopic(name, -1, (short) -1, assignment, configs)), false)).get(0);
        assertThat(r.error().error()).isEqualTo(Errors.NONE);
    }

    private PartitionImage partition(String name, int index) {
        return node.image().topics().get(name).partition(index);
    }

    /** Broker 1 fails and returns: 2 leads, and 1 is back in the ISR (as its catch-up would put it). */
    private void moveLeadershipAwayFromBroker1(String name, int partitions) throws Exception {
        get(controller.setFenced(1, true));
        get(controller.setFenced(1, false));
        for (int i = 0; i < partitions; i++) {
            PartitionImage p = partition(name, i);
            assertThat(p.leader()).isEqualTo(2);
            ApiError rejoin = get(controller.alterPartition(new IsrChange(
                    node.image().topics().get(name).id(), i, 2, p.leaderEpoch(), p.partitionEpoch(), List.of(2, 3, 1))));
            assertThat(rejoin.error()).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void preferredElectionGivesTheFirstReplicaBackItsLeadership() throws Exception {
        create("t", 1, Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        // Nothing to do while the preferred replica leads
        assertThat(get(controller.electLeaders(ElectionType.PREFERRED, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.ELECTION_NOT_NEEDED);
        get(controller.setFenced(1, true));
        // Fenced, the preferred replica cannot lead
        assertThat(get(controller.electLeaders(ElectionType.PREFERRED, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        get(controller.setFenced(1, false));
        // Live but not yet back in the ISR, it cannot either
        assertThat(get(controller.electLeaders(ElectionType.PREFERRED, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        PartitionImage p = partition("t", 0);
        get(controller.alterPartition(new IsrChange(node.image().topics().get("t").id(), 0, 2, p.leaderEpoch(),
                p.partitionEpoch(), List.of(2, 3, 1))));
        int epochBefore = partition("t", 0).leaderEpoch();
        // Back in the ISR, it leads again in a new leader epoch
        assertThat(get(controller.electLeaders(ElectionType.PREFERRED, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.NONE);
        assertThat(partition("t", 0).leader()).isEqualTo(1);
        assertThat(partition("t", 0).leaderEpoch()).isEqualTo(epochBefore + 1);
        assertThat(partition("t", 0).isr()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void unknownPartitionsAreReportedAndAllPartitionsLeaveOutThoseNeedingNothing() throws Exception {
        create("a", 2, Map.of());
        create("b", 1, Map.of());
        TopicPartition missingTopic = new TopicPartition("nope", 0);
        TopicPartition missingPartition = new TopicPartition("a", 5);
        Map<TopicPartition, ApiError> unknown = get(controller.electLeaders(ElectionType.PREFERRED,
                List.of(missingTopic, missingPartition)));
        assertThat(unknown.get(missingTopic).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(unknown.get(missingPartition).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        // Every partition led by its preferred replica: an empty answer
        assertThat(get(controller.electLeaders(ElectionType.PREFERRED, null))).isEmpty();
        moveLeadershipAwayFromBroker1("a", 2);
        // b-0 lost its leader too, but 1 is not back in its ISR: reported, not elected
        Map<TopicPartition, ApiError> all = get(controller.electLeaders(ElectionType.PREFERRED, null));
        assertThat(all).containsOnlyKeys(new TopicPartition("a", 0), new TopicPartition("a", 1),
                new TopicPartition("b", 0));
        assertThat(all.get(new TopicPartition("a", 0)).error()).isEqualTo(Errors.NONE);
        assertThat(all.get(new TopicPartition("a", 1)).error()).isEqualTo(Errors.NONE);
        assertThat(all.get(new TopicPartition("b", 0)).error()).isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        assertThat(partition("a", 0).leader()).isEqualTo(1);
        assertThat(partition("a", 1).leader()).isEqualTo(1);
    }

    @Test
    void uncleanElectionGivesALeaderlessPartitionAnyLiveReplicaEvenWhenTheTopicForbidsIt() throws Exception {
        create("u", 1, Map.of());
        TopicPartition tp = new TopicPartition("u", 0);
        assertThat(get(controller.electLeaders(ElectionType.UNCLEAN, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.ELECTION_NOT_NEEDED);
        get(controller.setFenced(1, true));
        get(controller.setFenced(2, true));
        get(controller.setFenced(3, true));
        assertThat(partition("u", 0).leader()).isEqualTo(-1);
        assertThat(get(controller.electLeaders(ElectionType.UNCLEAN, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        // 2 returns: out of the ISR (3 was its last member), so only an unclean election lets it lead
        get(controller.setFenced(2, false));
        assertThat(partition("u", 0).leader()).isEqualTo(-1);
        assertThat(get(controller.electLeaders(ElectionType.UNCLEAN, List.of(tp))).get(tp).error())
                .isEqualTo(Errors.NONE);
        assertThat(partition("u", 0).leader()).isEqualTo(2);
        assertThat(partition("u", 0).isr()).containsExactly(2);
    }

    @Test
    void theRebalanceMovesLeadershipsBackOncePerIntervalAndOnlyBeyondThePercentage() throws Exception {
        create("r", 4, Map.of());
        moveLeadershipAwayFromBroker1("r", 4);
        AtomicLong clock = new AtomicLong(1_000);
        // 100% of broker 1's preferred partitions are led elsewhere: above any percentage below 100
        LeaderRebalancer strict = new LeaderRebalancer(new LeaderBalance(true, 300_000, 100), clock::get);
        strict.startLeading();
        clock.addAndGet(300_000);
        assertThat(get(strict.maybeRebalance(controller))).isZero();
        assertThat(partition("r", 0).leader()).isEqualTo(2);

        LeaderRebalancer rebalancer = new LeaderRebalancer(new LeaderBalance(true, 300_000, 10), clock::get);
        rebalancer.startLeading();
        clock.addAndGet(299_999);
        // Not yet due
        assertThat(get(rebalancer.maybeRebalance(controller))).isZero();
        assertThat(partition("r", 0).leader()).isEqualTo(2);
        clock.addAndGet(1);
        assertThat(get(rebalancer.maybeRebalance(controller))).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(partition("r", i).leader()).isEqualTo(1);
        }
        // Imbalanced again right away: the next check waits for the next interval
        moveLeadershipAwayFromBroker1("r", 4);
        clock.addAndGet(1_000);
        assertThat(get(rebalancer.maybeRebalance(controller))).isZero();
        clock.addAndGet(300_000);
        assertThat(get(rebalancer.maybeRebalance(controller))).isEqualTo(4);
        assertThat(partition("r", 3).leader()).isEqualTo(1);
    }

    @Test
    void aDisabledRebalanceNeverMoves() throws Exception {
        create("d", 1, Map.of());
        moveLeadershipAwayFromBroker1("d", 1);
        AtomicLong clock = new AtomicLong();
        LeaderRebalancer off = new LeaderRebalancer(new LeaderBalance(false, 1, 0), clock::get);
        off.startLeading();
        clock.addAndGet(10_000);
        assertThat(get(off.maybeRebalance(controller))).isZero();
        assertThat(partition("d", 0).leader()).isEqualTo(2);
    }
}
