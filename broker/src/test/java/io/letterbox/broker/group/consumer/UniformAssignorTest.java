package io.letterbox.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.consumer.AssignmentSpec.SubscribedTopic;

/** The uniform assignor: balanced, complete, disjoint, deterministic, and sticky. */
class UniformAssignorTest {

    private static final SubscribedTopic A = new SubscribedTopic(new Uuid(0, 1), "a", 6);
    private static final SubscribedTopic B = new SubscribedTopic(new Uuid(0, 2), "b", 3);

    private final UniformAssignor assignor = new UniformAssignor();

    private static AssignmentSpec spec(Map<String, Set<Uuid>> members, Map<String, Assignment> previous,
            SubscribedTopic... topics) {
        Map<Uuid, SubscribedTopic> byId = new HashMap<>();
        for (SubscribedTopic t : topics) {
            byId.put(t.id(), t);
        }
        return new AssignmentSpec(new TreeMap<>(members), previous, previous, byId);
    }

    /** Every partition of the topics exactly once, and nothing else. */
    private static void assertCompleteAndDisjoint(Map<String, Assignment> out, SubscribedTopic... topics) {
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (Assignment a : out.values()) {
            a.forEach((t, p) -> assertThat(seen.add(t + "-" + p)).as("%s-%s given twice", t, p).isTrue());
            total += a.size();
        }
        int expected = 0;
        for (SubscribedTopic t : topics) {
            expected += t.numPartitions();
        }
        assertThat(total).isEqualTo(expected);
    }

    @Test
    void threeMembersShareSixPartitionsTwoEach() {
        Set<Uuid> sub = Set.of(A.id());
        Map<String, Assignment> out = assignor.assign(spec(Map.of("m1", sub, "m2", sub, "m3", sub), Map.of(), A));

        assertCompleteAndDisjoint(out, A);
        assertThat(out.values()).allSatisfy(a -> assertThat(a.size()).isEqualTo(2));
    }

    @Test
    void theSameInputGivesTheSameAssignment() {
        Set<Uuid> sub = Set.of(A.id(), B.id());
        Map<String, Set<Uuid>> members = Map.of("m1", sub, "m2", sub, "m3", sub, "m4", sub);

        assertThat(assignor.assign(spec(members, Map.of(), A, B))).isEqualTo(assignor.assign(spec(members, Map.of(), A, B)));
    }

    @Test
    void aJoiningMemberTakesOnlyWhatBalanceNeedsFromTheOthers() {
        // Given two members that hold three partitions each
        Set<Uuid> sub = Set.of(A.id());
        Map<String, Assignment> before = assignor.assign(spec(Map.of("m1", sub, "m2", sub), Map.of(), A));

        // When a third joins
        Map<String, Assignment> after = assignor.assign(spec(Map.of("m1", sub, "m2", sub, "m3", sub), before, A));

        // Then each old member keeps two of its three, and the newcomer gets the two that moved
        assertCompleteAndDisjoint(after, A);
        assertThat(after.get("m1").size()).isEqualTo(2);
        assertThat(after.get("m1").isSubsetOf(before.get("m1"))).isTrue();
        assertThat(after.get("m2").isSubsetOf(before.get("m2"))).isTrue();
        assertThat(after.get("m3").size()).isEqualTo(2);
    }

    @Test
    void whenAMemberLeavesTheOthersKeepWhatTheyHadAndShareItsPartitions() {
        Set<Uuid> sub = Set.of(A.id());
        Map<String, Assignment> before = assignor.assign(spec(Map.of("m1", sub, "m2", sub, "m3", sub), Map.of(), A));

        Map<String, Assignment> after = assignor.assign(spec(Map.of("m1", sub, "m3", sub), before, A));

        assertCompleteAndDisjoint(after, A);
        assertThat(before.get("m1").isSubsetOf(after.get("m1"))).isTrue();
        assertThat(before.get("m3").isSubsetOf(after.get("m3"))).isTrue();
        assertThat(after.get("m1").size()).isEqualTo(3);
    }

    @Test
    void membersGetOnlyTopicsTheySubscribeToAndTheLoadIsSpreadAsFarAsSubscriptionsAllow() {
        // m1 reads a and b, m2 only a, m3 only b: 9 partitions, 3 each is possible
        Map<String, Assignment> out = assignor.assign(spec(Map.of("m1", Set.of(A.id(), B.id()),
                "m2", Set.of(A.id()), "m3", Set.of(B.id())), Map.of(), A, B));

        assertCompleteAndDisjoint(out, A, B);
        assertThat(out.get("m2").partitions().keySet()).containsOnly(A.id());
        assertThat(out.get("m3").partitions().keySet()).containsOnly(B.id());
        assertThat(out.values()).allSatisfy(a -> assertThat(a.size()).isEqualTo(3));
    }

    @Test
    void partitionsOfGoneTopicsAndUnsubscribedTopicsLeaveThePreviousAssignmentAndNewPartitionsAreSpread() {
        Set<Uuid> sub = Set.of(A.id());
        Assignment stale = Assignment.of(Map.of(A.id(), List.of(0, 1, 2), B.id(), List.of(0), new Uuid(9, 9), List.of(0)));
        SubscribedTopic grown = new SubscribedTopic(A.id(), "a", 8);

        Map<String, Assignment> out = assignor.assign(spec(Map.of("m1", sub, "m2", sub), Map.of("m1", stale),
                grown, B));

        assertCompleteAndDisjoint(Map.of("m1", out.get("m1"), "m2", out.get("m2")), grown);
        assertThat(out.get("m1").partitions().keySet()).containsOnly(A.id());
        assertThat(out.get("m1").size()).isEqualTo(4);
        assertThat(out.get("m1").isSubsetOf(Assignment.of(Map.of(A.id(), List.of(0, 1, 2, 3, 4, 5, 6, 7))))).isTrue();
        assertThat(Assignment.of(Map.of(A.id(), List.of(0, 1, 2))).isSubsetOf(out.get("m1"))).isTrue();
    }

    @Test
    void partitionsAMemberDoesNotOwnYetAreTheFirstToMove() {
        // Given m1's target has all six, but it owns only 3-5 so far (0-2 just came from a member that left)
        Set<Uuid> sub = Set.of(A.id());
        Assignment all = Assignment.of(Map.of(A.id(), List.of(0, 1, 2, 3, 4, 5)));
        Assignment owned = Assignment.of(Map.of(A.id(), List.of(3, 4, 5)));
        Map<Uuid, SubscribedTopic> topics = Map.of(A.id(), A);

        // When m2 joins
        Map<String, Assignment> out = assignor.assign(new AssignmentSpec(new TreeMap<>(Map.of("m1", sub, "m2", sub)),
                Map.of("m1", all), Map.of("m1", owned), topics));

        // Then m2 gets the partitions m1 never had, and m1 revokes nothing
        assertThat(out.get("m1")).isEqualTo(owned);
        assertThat(out.get("m2")).isEqualTo(Assignment.of(Map.of(A.id(), List.of(0, 1, 2))));
    }

    @Test
    void aMemberWithoutSubscribedTopicsGetsNothing() {
        Map<String, Assignment> out = assignor.assign(spec(Map.of("m1", Set.of(A.id()), "m2", Set.of()), Map.of(), A));

        assertThat(out.get("m1").size()).isEqualTo(6);
        assertThat(out.get("m2")).isEqualTo(Assignment.EMPTY);
    }
}
