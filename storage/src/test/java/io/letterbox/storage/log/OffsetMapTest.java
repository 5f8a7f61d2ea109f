package io.letterbox.storage.log;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The cleaner's key -> latest offset map: growth, updates, and refusing new keys when full. */
class OffsetMapTest {

    private static ByteBuffer key(String k) {
        return ByteBuffer.wrap(k.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void growsPastItsInitialTableAndKeepsEveryLatestOffset() {
        // Given a 1 MiB map (43 690 slots' worth)
        OffsetMap map = new OffsetMap(1 << 20);

        // When 5000 keys are put twice, the second time with higher offsets
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5000; i++) {
                assertThat(map.put(key("key-" + i), round * 10_000L + i)).isTrue();
            }
        }

        // Then
        assertThat(map.size()).isEqualTo(5000);
        for (int i = 0; i < 5000; i++) {
            assertThat(map.get(key("key-" + i))).isEqualTo(10_000L + i);
        }
        assertThat(map.get(key("absent"))).isEqualTo(-1L);
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(key("key-1"))).isEqualTo(-1L);
    }

    @Test
    void refusesANewKeyWhenFullButStillUpdatesKnownOnes() {
        // Given a map of 16 slots, 14 of them usable
        OffsetMap map = new OffsetMap(16 * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < map.capacity(); i++) {
            assertThat(map.put(key("k" + i), i)).isTrue();
        }

        // Then
        assertThat(map.capacity()).isEqualTo(14);
        assertThat(map.put(key("one-more"), 100)).isFalse();
        assertThat(map.put(key("k3"), 200)).isTrue();
        assertThat(map.get(key("k3"))).isEqualTo(200);
        assertThat(map.get(key("one-more"))).isEqualTo(-1);
    }
}
