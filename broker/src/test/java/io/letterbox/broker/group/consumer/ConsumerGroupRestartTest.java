package io.letterbox.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetsTopicFixture;
import io.letterbox.metadata.image.ClusterImage;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.image.TopicsImage;

/**
 * A consumer group coordinator over a real {@code __consumer_offsets}, restarted: groups come back
 * as they were stored, members that return carry on at their epoch, the others are fenced after
 * their session, and a deleted group stays deleted.
 */
class ConsumerGroupRestartTest {

    private static final String G = "g";
    private static final String TOPIC = "t";
    private static final Uuid TOPIC_ID = new Uuid(42, 42);
    private static final int SESSION_MS = 1000;
    private static final MetadataImage IMAGE = image();

    @TempDir
    Path dir;

    private OffsetsTopicFixture topic;
    private ConsumerGroupCoordinator coordinator;

    private void open() {
        topic = OffsetsTopicFixture.open(dir);
        coordinator = new ConsumerGroupCoordinator(new ConsumerGroupCoordinator.Config(SESSION_MS, 100, 10,
                List.of(new UniformAssignor())), () -> IMAGE, topic.offsets()::checkCoordinator, id -> false,
                topic.offsets());
        topic.offsets().addLoadListener(coordinator);
        topic.load();
    }

    private void restart() {
        coordinator.close();
        topic.close();
        open();
    }

    @AfterEach
    void close() {
        coordinator.close();
        topic.close();
    }

    private static MetadataImage image() {
        Map<Integer, PartitionImage> parts = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            parts.put(p, new PartitionImage(new int[] {1}, new int[] {1}, 1, 0, 0));
        }
        TopicImage t = new TopicImage(TOPIC, TOPIC_ID, parts, Map.of());
        return new MetadataImage(1, "c", ClusterImage.EMPTY,
                new TopicsImage(Map.of(TOPIC, t), Map.of(TOPIC_ID, t)), Map.of(), 0);
    }

    /** A consumer that takes each assignment at once and reports what it owns in every heartbeat. */
    private final class Member {
        final String memberId;
        int epoch;
        List<Integer> owned = List.of();

        Member(String memberId) {
            this.memberId = memberId;
        }

        ConsumerGroupHeartbeatResponseData join() {
            return send(new ConsumerGroupHeartbeatRequestData().setGroupId(G).setMemberId(memberId).setMemberEpoch(0)
                    .setRebalanceTimeoutMs(60_000).setSubscribedTopicNames(List.of(TOPIC))
                    .setTopicPartitions(new ArrayList<>()));
        }

        ConsumerGroupHeartbeatResponseData heartbeat() {
            return send(new ConsumerGroupHeartbeatRequestData().setGroupId(G).setMemberId(memberId)
                    .setMemberEpoch(epoch).setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData
                            .TopicPartitions().setTopicId(TOPIC_ID).setPartitions(new ArrayList<>(owned)))));
        }

        ConsumerGroupHeartbeatResponseData leave() {
            return send(new ConsumerGroupHeartbeatRequestData().setGroupId(G).setMemberId(memberId)
                    .setMemberEpoch(-1));
        }

        private ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData r) {
            ConsumerGroupHeartbeatResponseData out = coordinator.heartbeat(r, "client-" + memberId, "/127.0.0.1",
                    (short) 1).join();
            if (out.errorCode() == Errors.NONE.code() && r.memberEpoch() >= 0) {
                epoch = out.memberEpoch();
                if (out.assignment() != null) {
                    owned = out.assignment().topicPartitions().isEmpty() ? List.of()
                            : List.copyOf(out.assignment().topicPartitions().get(0).partitions());
                }
            }
            return out;
        }
    }

    private DescribedGroup describe() {
        return coordinator.describeConsumerGroup(G);
    }

    @Test
    void membersComeBackAndCarryOnWhileOneThatDoesNotReturnIsFenced() throws Exception {
        // Given a Stable group of two members that went through a rebalance
        open();
        Member a = new Member("a");
        Member b = new Member("b");
        a.join();
        b.join();
        for (int i = 0; i < 20 && !"Stable".equals(describe().groupState()); i++) {
            a.heartbeat();
            b.heartbeat();
        }
        DescribedGroup before = describe();
        assertThat(before.groupState()).isEqualTo("Stable");
        assertThat(a.owned).hasSize(3);

        // When the coordinator restarts
        restart();

        // Then the group is as it was: epochs, members, subscriptions, assignments and targets
        assertThat(describe()).isEqualTo(before);
        // and a member that returns carries on at its epoch, without a rebalance
        ConsumerGroupHeartbeatResponseData answer = a.heartbeat();
        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.memberEpoch()).isEqualTo(before.groupEpoch());
        assertThat(describe().groupEpoch()).isEqualTo(before.groupEpoch());

        // And the member that never comes back is fenced after its session timeout
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (describe().members().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            a.heartbeat();
        }
        assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly("a");
        assertThat(describe().groupEpoch()).isEqualTo(before.groupEpoch() + 1);
    }

    @Test
    void anEmptyGroupComesBackAsAnEmptyConsumerGroupAtItsEpoch() {
        // Given a group whose only member left
        open();
        Member a = new Member("a");
        a.join();
        a.leave();
        int epoch = describe().groupEpoch();

        // When the coordinator restarts
        restart();

        // Then it is listed as an Empty consumer group, at its epoch
        assertThat(coordinator.list(Set.of())).singleElement().satisfies(g -> {
            assertThat(g.groupId()).isEqualTo(G);
            assertThat(g.groupType()).isEqualTo("consumer");
            assertThat(g.groupState()).isEqualTo("Empty");
        });
        assertThat(describe().groupEpoch()).isEqualTo(epoch);
        assertThat(describe().members()).isEmpty();
    }

    @Test
    void aDeletedGroupStaysDeleted() throws Exception {
        // Given an empty group deleted through DeleteGroups
        open();
        Member a = new Member("a");
        a.join();
        a.leave();
        new GroupRegistry(topic.offsets(), List.of(coordinator)).delete(G, System.currentTimeMillis()).get();

        // When the coordinator restarts
        restart();

        // Then it is gone, and a heartbeat for it is told to rejoin
        assertThat(coordinator.contains(G)).isFalse();
        assertThat(coordinator.list(Set.of())).isEmpty();
        assertThat(a.heartbeat().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }
}
