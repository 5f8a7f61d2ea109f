package io.letterbox.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.consumer.MemberAssignment.State;

/** One member's steps towards its target: revoke first, then take only free partitions. */
class MemberAssignmentTest {

    private static final Uuid T = new Uuid(0, 7);

    private final Map<Integer, String> owners = new HashMap<>();

    private static Assignment parts(Integer... ps) {
        return Assignment.of(Map.of(T, List.of(ps)));
    }

    private MemberAssignment.Owners owners() {
        return (topic, p) -> owners.get(p);
    }

    @Test
    void aNewMemberGetsFreePartitionsAtTheTargetEpochAndWaitsForOwnedOnes() {
        owners.put(2, "other");

        MemberAssignment next = MemberAssignment.NEW.reconcile("me", 3, parts(0, 1, 2), Assignment.EMPTY, owners());

        assertThat(next.epoch()).isEqualTo(3);
        assertThat(next.assigned()).isEqualTo(parts(0, 1));
        assertThat(next.state()).isEqualTo(State.UNRELEASED_PARTITIONS);

        // When the other member releases partition 2, the next heartbeat gets it
        owners.remove(2);
        MemberAssignment after = next.reconcile("me", 3, parts(0, 1, 2), null, owners());
        assertThat(after.assigned()).isEqualTo(parts(0, 1, 2));
        assertThat(after.state()).isEqualTo(State.STABLE);
        assertThat(after.previousEpoch()).isEqualTo(0);
    }

    @Test
    void aShrinkingTargetIsRevokedFirstAndTheEpochMovesOnlyOnceTheMemberConfirms() {
        MemberAssignment stable = new MemberAssignment(2, 1, State.STABLE, parts(0, 1, 2, 3), Assignment.EMPTY);

        // The target at epoch 3 keeps 0 and 1 and adds 4
        MemberAssignment revoking = stable.reconcile("me", 3, parts(0, 1, 4), null, owners());
        assertThat(revoking.state()).isEqualTo(State.UNREVOKED_PARTITIONS);
        assertThat(revoking.epoch()).isEqualTo(2);
        assertThat(revoking.assigned()).isEqualTo(parts(0, 1));
        assertThat(revoking.pendingRevocation()).isEqualTo(parts(2, 3));

        // A heartbeat that does not say what it owns, or still owns a revoked partition, changes nothing
        assertThat(revoking.reconcile("me", 3, parts(0, 1, 4), null, owners())).isSameAs(revoking);
        assertThat(revoking.reconcile("me", 3, parts(0, 1, 4), parts(0, 1, 3), owners())).isSameAs(revoking);

        // Once it reports only what it keeps, it reaches epoch 3 with the new partition
        MemberAssignment moved = revoking.reconcile("me", 3, parts(0, 1, 4), parts(0, 1), owners());
        assertThat(moved.state()).isEqualTo(State.STABLE);
        assertThat(moved.epoch()).isEqualTo(3);
        assertThat(moved.previousEpoch()).isEqualTo(2);
        assertThat(moved.assigned()).isEqualTo(parts(0, 1, 4));
        assertThat(moved.pendingRevocation()).isEqualTo(Assignment.EMPTY);
    }

    @Test
    void aStableMemberAtTheTargetEpochStaysAsItIs() {
        MemberAssignment stable = new MemberAssignment(4, 3, State.STABLE, parts(0), Assignment.EMPTY);

        assertThat(stable.reconcile("me", 4, parts(0), parts(0), owners())).isSameAs(stable);
    }

    @Test
    void aMemberWaitingForPartitionsFollowsATargetThatMovedOn() {
        owners.put(1, "other");
        MemberAssignment waiting = MemberAssignment.NEW.reconcile("me", 2, parts(0, 1), Assignment.EMPTY, owners());
        assertThat(waiting.state()).isEqualTo(State.UNRELEASED_PARTITIONS);

        // The target at epoch 3 no longer gives it partition 1 but takes 0 away too
        MemberAssignment next = waiting.reconcile("me", 3, parts(5), null, owners());

        assertThat(next.state()).isEqualTo(State.UNREVOKED_PARTITIONS);
        assertThat(next.pendingRevocation()).isEqualTo(parts(0));
        assertThat(next.epoch()).isEqualTo(2);
    }
}
