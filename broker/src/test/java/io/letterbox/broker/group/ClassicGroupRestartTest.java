package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.ClassicGroup.State;

/**
 * A classic coordinator over a real {@code __consumer_offsets}, restarted: what a completed
 * rebalance, an emptied group and a replaced static member stored comes back when the partitions
 * load again, and the restored group behaves as Kafka's does after a coordinator failover.
 */
class ClassicGroupRestartTest {

    private static final int SESSION_MS = 1000;
    private static final String G = ConsumerMembers.GROUP;

    @TempDir
    Path dir;

    private OffsetsTopicFixture topic;
    private ClassicGroupCoordinator coordinator;
    private ConsumerMembers members;

    private void open() {
        topic = OffsetsTopicFixture.open(dir);
        // An initial delay gathers the members of a new generation, as consumers started together are.
        coordinator = new ClassicGroupCoordinator(new ClassicGroupCoordinator.Limits(100, 10_000, 10, 200),
                topic.offsets());
        topic.offsets().addLoadListener(coordinator);
        topic.load();
        members = new ConsumerMembers(coordinator, SESSION_MS);
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

    private GroupMembership membership() {
        return coordinator.membership(new SimpleGroupMembership());
    }

    @Test
    void aStableGroupComesBackStableItsMembersCarryOnAndOneThatIsGoneIsRemoved() throws Exception {
        // Given a Stable generation of two consumers
        open();
        List<JoinGroupResponseData> joined = members.stable(2, "orders");
        String a = joined.get(0).memberId();
        int generation = joined.get(0).generationId();

        // When the coordinator restarts
        restart();

        // Then the group is Stable at its generation with both members and their assignments
        assertThat(coordinator.stateOf(G)).isEqualTo(State.STABLE);
        DescribedGroup described = coordinator.describe(G);
        assertThat(described.members()).hasSize(2);
        assertThat(new String(described.members().get(0).memberAssignment()))
                .isEqualTo("for " + described.members().get(0).memberId());
        // a member that comes back heartbeats and commits at its generation; a wrong one is refused
        assertThat(members.heartbeat(a, generation)).isEqualTo(Errors.NONE);
        membership().validateOffsetCommit(G, true, generation, a, null, (short) 8);
        assertThatThrownBy(() -> membership().validateOffsetCommit(G, true, generation + 1, a, null, (short) 8))
                .isInstanceOf(IllegalGenerationException.class);
        assertThatThrownBy(() -> membership().validateOffsetCommit(G, true, -1, "", null, (short) 8))
                .isInstanceOf(UnknownMemberIdException.class);

        // And the member that never comes back is removed after its session timeout
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Errors seen = Errors.NONE;
        while (seen == Errors.NONE && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = members.heartbeat(a, generation);
        }
        assertThat(seen).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData rejoined = coordinator.join(members.joinRequest(a, null, "consumer",
                ConsumerMembers.subscription("orders")), "c", "/127.0.0.1", true).get(10, TimeUnit.SECONDS);
        assertThat(rejoined.generationId()).isEqualTo(generation + 1);
        assertThat(rejoined.members()).extracting(m -> m.memberId()).containsExactly(a);
    }

    @Test
    void anEmptyGroupComesBackEmptyAndTheNextGenerationFollowsItsOwn() throws Exception {
        // Given a group whose members all left: Empty at generation 2
        open();
        List<JoinGroupResponseData> joined = members.stable(2, "orders");
        coordinator.leave(G, joined.stream().map(j -> new MemberIdentity().setMemberId(j.memberId())).toList());
        assertThat(coordinator.stateOf(G)).isEqualTo(State.EMPTY);

        // When the coordinator restarts
        restart();

        // Then it is Empty, still a consumer group, and the old members are unknown
        assertThat(coordinator.stateOf(G)).isEqualTo(State.EMPTY);
        assertThat(coordinator.describe(G).protocolType()).isEqualTo("consumer");
        assertThat(coordinator.list(java.util.Set.of("empty"))).extracting(g -> g.groupId()).containsExactly(G);
        assertThatThrownBy(() -> membership().validateOffsetCommit(G, true, 1, joined.get(0).memberId(), null,
                (short) 9)).isInstanceOf(UnknownMemberIdException.class);
        // a new member starts generation 3
        assertThat(members.stable(1, "orders").get(0).generationId()).isEqualTo(3);
    }

    @Test
    void aStaticMembersNewIdSurvivesARestartAndTheOldOneStaysFenced() throws Exception {
        // Given a Stable group of one static member "i1"
        open();
        byte[] metadata = ConsumerMembers.subscription("orders");
        JoinGroupResponseData first = coordinator.join(members.joinRequest("", "i1", "consumer", metadata), "c",
                "/127.0.0.1", true).get(10, TimeUnit.SECONDS);
        members.syncAll(List.of(first));

        // When "i1" restarts (same metadata: a new member id, no rebalance), then the coordinator does
        JoinGroupResponseData again = coordinator.join(members.joinRequest("", "i1", "consumer", metadata), "c",
                "/127.0.0.1", true).get(10, TimeUnit.SECONDS);
        assertThat(again.memberId()).isNotEqualTo(first.memberId());
        restart();

        // Then the new id is the member's, and the old one is fenced
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(G).setGenerationId(1)
                .setMemberId(again.memberId()).setGroupInstanceId("i1"))).isEqualTo(Errors.NONE);
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(G).setGenerationId(1)
                .setMemberId(first.memberId()).setGroupInstanceId("i1"))).isEqualTo(Errors.FENCED_INSTANCE_ID);
    }
}
