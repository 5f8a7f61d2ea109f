package io.letterbox.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.consumer.AssignmentSpec.SubscribedTopic;

/** The range assignor: contiguous ranges per topic, the first members one more, co-partitioned. */
class RangeAssignorTest {

    private static final SubscribedTopic A = new SubscribedTopic(new Uuid(0, 1), "a", 7);
    private static final SubscribedTopic B = new SubscribedTopic(new Uuid(0, 2), "b", 7);
    private static final SubscribedTopic C = new SubscribedTopic(new Uuid(0, 3), "c", 2);

    private final RangeAssignor assignor = new RangeAssignor();

    private Map<String, Assignment> assign(Map<String, Set<Uuid>> members, SubscribedTopic... topics) {
        Map<Uuid, SubscribedTopic> byId = new java.util.HashMap<>();
        for (SubscribedTopic t : topics) {
            byId.put(t.id(), t);
        }
        return assignor.assign(new AssignmentSpec(new TreeMap<>(members), Map.of(), Map.of(), byId));
    }

    @Test
    void eachMemberGetsAContiguousRangeTheFirstOnesOneMore() {
        Set<Uuid> sub = Set.of(A.id());

        Map<String, Assignment> out = assign(Map.of("m1", sub, "m2", sub, "m3", sub), A);

        assertThat(out.get("m1")).isEqualTo(Assignment.of(Map.of(A.id(), List.of(0, 1, 2))));
        assertThat(out.get("m2")).isEqualTo(Assignment.of(Map.of(A.id(), List.of(3, 4))));
        assertThat(out.get("m3")).isEqualTo(Assignment.of(Map.of(A.id(), List.of(5, 6))));
    }

    @Test
    void topicsWithEqualPartitionCountsAreCoPartitioned() {
        Set<Uuid> sub = Set.of(A.id(), B.id());

        Map<String, Assignment> out = assign(Map.of("m1", sub, "m2", sub), A, B);

        for (Assignment a : out.values()) {
            assertThat(a.partitions().get(A.id())).isEqualTo(a.partitions().get(B.id()));
        }
    }

    @Test
    void aTopicIsSplitOnlyAmongItsSubscribersAndSurplusMembersGetNothing() {
        Map<String, Assignment> out = assign(Map.of("m1", Set.of(A.id(), C.id()), "m2", Set.of(C.id()),
                "m3", Set.of(C.id())), A, C);

        assertThat(out.get("m1")).isEqualTo(Assignment.of(Map.of(A.id(), List.of(0, 1, 2, 3, 4, 5, 6), C.id(), List.of(0))));
        assertThat(out.get("m2")).isEqualTo(Assignment.of(Map.of(C.id(), List.of(1))));
        assertThat(out.get("m3")).isEqualTo(Assignment.EMPTY);
    }
}
