package io.letterbox.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThrottledReplicasTest {

    @Test
    void aListNamesExactlyItsPartitionBrokerPairs() {
        ThrottledReplicas r = ThrottledReplicas.parse("0:101, 0:102,1:101");
        assertThat(r.contains(0, 101)).isTrue();
        assertThat(r.contains(0, 102)).isTrue();
        assertThat(r.contains(1, 101)).isTrue();
        assertThat(r.contains(1, 102)).isFalse();
        assertThat(r.contains(2, 101)).isFalse();
    }

    @Test
    void aStarNamesEveryReplicaAndEmptyNone() {
        assertThat(ThrottledReplicas.parse("*").contains(7, 3)).isTrue();
        assertThat(ThrottledReplicas.parse(" ").contains(0, 1)).isFalse();
        assertThat(ThrottledReplicas.parse(null).contains(0, 1)).isFalse();
    }

    @Test
    void malformedEntriesAreRefusedWithTheExpectedForm() {
        for (String bad : new String[] {"0-1", "0:", ":1", "a:1", "0:1,*", "-1:2"}) {
            assertThatThrownBy(() -> ThrottledReplicas.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition:brokerId");
        }
    }
}
