package io.letterbox.storage.producer;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProducerStateManagerTest {

    @TempDir
    Path dir;

    @Test
    void sequencesWrapToZeroAfterIntegerMax() throws Exception {
        // Given: a producer whose last batch ended at sequence Integer.MAX_VALUE
        ProducerStateManager state = new ProducerStateManager(dir);
        state.replay(7L, (short) 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 10, 11, 0L);

        // When / Then
        assertThat(state.prepare().check(7L, (short) 0, 0, 4)).isNull();
        assertThatThrownBy(() -> state.prepare().check(7L, (short) 0, 1, 4))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(state.prepare().check(7L, (short) 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE))
                .isEqualTo(new BatchMetadata(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 10, 11, 0L));
    }

    @Test
    void pendingChangesAreInvisibleUntilCommitted() throws Exception {
        // Given
        ProducerStateManager state = new ProducerStateManager(dir);
        ProducerStateManager.Pending pending = state.prepare();

        // When
        assertThat(pending.check(1L, (short) 0, 0, 1)).isNull();
        pending.add(1L, (short) 0, new BatchMetadata(0, 1, 0, 1, 5L));
        boolean visibleBefore = state.entry(1L).isPresent();
        // a second batch of the same request is checked against the pending state
        assertThat(pending.check(1L, (short) 0, 2, 2)).isNull();
        pending.commit();

        // Then
        assertThat(visibleBefore).isFalse();
        assertThat(state.entry(1L)).get().extracting(ProducerStateEntry::lastSeq).isEqualTo(1);
    }

    @Test
    void snapshotRoundTripsAndACorruptSnapshotFallsBackToAnOlderOne() throws Exception {
        // Given
        ProducerStateManager state = new ProducerStateManager(dir);
        state.replay(1L, (short) 3, 0, 4, 0, 4, 100L);
        state.writeSnapshot(5);
        state.replay(1L, (short) 3, 5, 9, 5, 9, 200L);
        state.replay(2L, (short) 0, 0, 0, 10, 10, 300L);
        state.writeSnapshot(11);
        Path newest = ProducerStateManager.snapshotFile(dir, 11);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 0x55;
        Files.write(newest, bytes);

        // When
        ProducerStateManager reloaded = new ProducerStateManager(dir);
        long loadedAt = reloaded.loadLatestSnapshot(100);

        // Then
        assertThat(loadedAt).isEqualTo(5);
        assertThat(reloaded.entry(1L)).get().satisfies(e -> {
            assertThat(e.epoch()).isEqualTo((short) 3);
            assertThat(e.batches()).containsExactly(new BatchMetadata(0, 4, 0, 4, 100L));
        });
        assertThat(reloaded.entry(2L)).isEmpty();
    }

    @Test
    void snapshotsAboveATruncationPointAreDeleted() throws Exception {
        // Given
        ProducerStateManager state = new ProducerStateManager(dir);
        state.writeSnapshot(10);
        state.writeSnapshot(20);

        // When
        state.deleteSnapshotsAfter(15);

        // Then
        assertThat(state.snapshotOffsets()).containsExactly(10L);
    }
}
