package io.letterbox.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.metadata.image.BrokerRegistration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {

    private static BrokerRegistration broker(int id, String rack) {
        return new BrokerRegistration(id, Uuid.randomUuid(), List.of(), rack);
    }

    @Test
    void leadersGoRoundRobinFromTheStart() {
        List<BrokerRegistration> brokers = List.of(broker(3, null), broker(1, null), broker(2, null));
        // When six single-replica partitions are placed from start 1
        List<List<Integer>> placed = ReplicaPlacement.place(brokers, 6, 1, 1);
        // Then each broker leads two, in id order from the second broker
        assertThat(placed).containsExactly(List.of(2), List.of(3), List.of(1), List.of(2), List.of(3), List.of(1));
    }

    @Test
    void consecutiveReplicasSitOnDifferentRacks() {
        // Given six brokers, two per rack, ids grouped by rack
        List<BrokerRegistration> brokers = List.of(broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"),
                broker(5, "c"), broker(6, "c"));
        Map<Integer, String> rackOf = new HashMap<>();
        brokers.forEach(b -> rackOf.put(b.id(), b.rack()));
        // Then the order alternates racks
        assertThat(ReplicaPlacement.rackAlternating(brokers)).containsExactly(1, 3, 5, 2, 4, 6);
        // And every partition's three replicas are on three racks, whatever the start
        for (int start = 0; start < 6; start++) {
            for (List<Integer> replicas : ReplicaPlacement.place(brokers, 12, 3, start)) {
                assertThat(replicas.stream().map(rackOf::get).distinct()).hasSize(3);
            }
        }
    }

    @Test
    void moreReplicasThanLiveBrokersIsRefused() {
        assertThatThrownBy(() -> ReplicaPlacement.place(List.of(broker(1, null), broker(2, null)), 1, 3, 0))
                .isInstanceOf(InvalidReplicationFactorException.class)
                .hasMessageContaining("only 2 broker(s)");
    }
}
