package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * I/O errors other than a full disk: the directory of the failing log goes offline with all its logs,
 * the other directory carries on, and the next open brings the logs back. A full disk leaves the log
 * online. Faults are injected at {@link FailurePoint}s (a real failing disk is in DiskFaultIT).
 */
class LogDirFailureTest {

    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition B0 = new TopicPartition("b", 0);
    private static final TopicPartition B1 = new TopicPartition("b", 1);

    @TempDir
    Path tmp;

    @AfterEach
    void disarm() {
        FailurePoint.disarmAll();
    }

    @Test
    void anIoErrorTakesTheWholeDirectoryOfflineWhileTheOtherServesAndAReopenBringsItBack() {
        // Given logs in two directories: a-0 in the first, b-0 in the second, b-1 in the first
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        LogManager manager = LogManager.open(List.of(first, second), Map.of());
        Log a0 = manager.getOrCreate(A0, Uuid.randomUuid(), LogConfig.defaults());
        Log b0 = manager.getOrCreate(B0, Uuid.randomUuid(), LogConfig.defaults());
        Log b1 = manager.getOrCreate(B1, Uuid.randomUuid(), LogConfig.defaults());
        assertThat(b0.dir().getParent()).isEqualTo(second);
        b0.appendAsLeader(batch("b0-before"), 0, NOW);
        a0.appendAsLeader(batch("a0-before"), 0, NOW);
        b0.flush(1);

        // When an append to b-0 hits an I/O error
        FailurePoint.APPEND.arm(1);
        assertThatThrownBy(() -> b0.appendAsLeader(batch("b0-lost"), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("Input/output error");

        // Then the second directory is offline: its log refuses reads and writes and gets no new logs
        assertThat(manager.isOffline(second)).isTrue();
        assertThat(manager.isOffline(first)).isFalse();
        assertThat(b0.isOffline()).isTrue();
        assertThatThrownBy(() -> b0.read(0, 1024, Long.MAX_VALUE, true)).isInstanceOf(KafkaStorageException.class);
        assertThatThrownBy(() -> b0.appendAsLeader(batch("b0-after"), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("offline");
        Log c0 = manager.getOrCreate(new TopicPartition("c", 0), Uuid.randomUuid(), LogConfig.defaults());
        assertThat(c0.dir().getParent()).isEqualTo(first);
        // and the first directory carries on: appends, reads and checkpoints
        a0.appendAsLeader(batch("a0-after"), 0, NOW);
        b1.appendAsLeader(batch("b1"), 0, NOW);
        manager.checkpoint();
        assertThat(consumeAll(a0)).containsExactly("a0-before", "a0-after");
        manager.close();
        assertThat(Files.exists(first.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isTrue();
        assertThat(Files.exists(second.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isFalse();

        // When the directories are opened again (the disk is healthy)
        try (LogManager reopened = LogManager.open(List.of(first, second), Map.of())) {
            // Then b-0 is back with what it held before the error
            Log back = reopened.get(B0).orElseThrow();
            assertThat(back.isOffline()).isFalse();
            assertThat(consumeAll(back)).containsExactly("b0-before");
            back.appendAsLeader(batch("b0-again"), 0, NOW);
            assertThat(consumeAll(back)).containsExactly("b0-before", "b0-again");
        }
    }

    @Test
    void aFullDiskLeavesTheLogAndItsDirectoryOnline() {
        // Given
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(A0, Uuid.randomUuid(), LogConfig.defaults());
        log.appendAsLeader(batch("before"), 0, NOW);

        // When
        FailurePoint.APPEND.armDiskFull(1);
        assertThatThrownBy(() -> log.appendAsLeader(batch("refused"), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("No space left on device");

        // Then
        assertThat(manager.isOffline(tmp)).isFalse();
        log.appendAsLeader(batch("after"), 0, NOW);
        assertThat(consumeAll(log)).containsExactly("before", "after");
        manager.close();
    }
}
