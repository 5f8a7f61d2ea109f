package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
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
import static io.letterbox.storage.log.TestBatches.idempotent;
import static io.letterbox.storage.log.TestBatches.openLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DeleteRecords, truncation and the leader epoch cache. */
class LogMaintenanceTest {

    @TempDir
    Path tmp;

    private Log log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    /** Three segments: offsets 0-1, 2-3, 4-5. */
    private Log threeSegments() {
        Log l = openLog(tmp, LogConfig.defaults());
        for (int s = 0; s < 3; s++) {
            l.appendAsLeader(batch("v" + 2 * s), 0, NOW);
            l.appendAsLeader(batch("v" + (2 * s + 1)), 0, NOW);
            if (s < 2) {
                l.roll();
            }
        }
        return l;
    }

    @Test
    void deleteRecordsMovesTheStartAndRemovesWholeSegmentsBelowIt() {
        // Given
        log = threeSegments();
        log.updateHighWatermark(6);

        // When
        long start = log.deleteRecordsBefore(3);

        // Then
        assertThat(start).isEqualTo(3);
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.segmentBaseOffsets()).containsExactly(2L, 4L);
        assertThat(Files.exists(log.dir().resolve("00000000000000000000.log"))).isFalse();
        assertThatThrownBy(() -> log.read(2, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(consumeAll(log)).startsWith("v3").endsWith("v5");
        assertThat(log.appendAsLeader(batch("v6"), 0, NOW).logStartOffset()).isEqualTo(3);
    }

    @Test
    void deleteRecordsIsBoundedByTheHighWatermark() {
        // Given
        log = threeSegments();
        log.updateHighWatermark(4);

        // When / Then
        assertThatThrownBy(() -> log.deleteRecordsBefore(5)).isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("high watermark 4");
        assertThat(log.deleteRecordsBefore(1)).isEqualTo(1);
        assertThat(log.deleteRecordsBefore(0)).isEqualTo(1);
    }

    @Test
    void deletingEverythingLeavesAnEmptyLogThatStillAppends() {
        // Given
        log = threeSegments();
        log.updateHighWatermark(6);

        // When
        log.deleteRecordsBefore(6);

        // Then
        assertThat(log.segmentBaseOffsets()).containsExactly(6L);
        assertThat(log.sizeInBytes()).isZero();
        assertThat(log.appendAsLeader(batch("v6"), 0, NOW).firstOffset()).isEqualTo(6);
    }

    @Test
    void theNewLogStartSurvivesACrash() {
        // Given
        TopicPartition tp = new TopicPartition("orders", 0);
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log l = manager.getOrCreate(tp, Uuid.randomUuid(), LogConfig.defaults());
        l.appendAsLeader(batch("a", "b", "c"), 0, NOW);
        l.updateHighWatermark(3);
        l.deleteRecordsBefore(2);
        manager.crash();

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.get(tp).orElseThrow();

            // Then
            assertThat(again.logStartOffset()).isEqualTo(2);
            assertThat(again.highWatermark()).isEqualTo(2);
        }
    }

    @Test
    void truncateToDropsEverythingFromTheOffsetAcrossSegments() {
        // Given
        log = threeSegments();
        log.updateHighWatermark(6);

        // When
        log.truncateTo(3);

        // Then
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
        assertThat(consumeAll(log)).containsExactly("v0", "v1", "v2");
        assertThat(log.appendAsLeader(batch("new"), 0, NOW).firstOffset()).isEqualTo(3);
        assertThat(consumeAll(log)).containsExactly("v0", "v1", "v2", "new");
    }

    @Test
    void truncationForgetsProducerBatchesThatWereCut() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(idempotent(1L, (short) 0, 0, "a"), 0, NOW);
        log.appendAsLeader(idempotent(1L, (short) 0, 1, "b"), 0, NOW);

        // When
        log.truncateTo(1);

        // Then: sequence 1 is no longer a duplicate, it is appended again at offset 1
        LogAppendInfo again = log.appendAsLeader(idempotent(1L, (short) 0, 1, "b"), 0, NOW);
        assertThat(again.duplicate()).isFalse();
        assertThat(again.firstOffset()).isEqualTo(1);
    }

    @Test
    void leaderEpochsAnswerOffsetForLeaderEpochAsKafkaDoes() {
        // Given: epoch 2 wrote 0-1, epoch 4 wrote 2-4, epoch 7 wrote 5
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a", "b"), 2, NOW);
        log.appendAsLeader(batch("c", "d", "e"), 4, NOW);
        log.appendAsLeader(batch("f"), 7, NOW);

        // When / Then
        assertThat(log.latestEpoch()).hasValue(7);
        assertThat(log.endOffsetForEpoch(7)).isEqualTo(new EpochEndOffset(7, 6));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 5));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(4, 5));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 2));
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 0));
        assertThat(log.endOffsetForEpoch(8)).isEqualTo(EpochEndOffset.UNDEFINED);
    }

    @Test
    void leaderEpochsArePersistedAndFollowTruncation() throws Exception {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a"), 1, NOW);
        log.appendAsLeader(batch("b"), 3, NOW);
        log.appendAsLeader(batch("c"), 5, NOW);

        // When
        log.truncateTo(2);
        log.close();
        String file = Files.readString(tmp.resolve("orders-0/leader-epoch-checkpoint"));
        log = openLog(tmp, LogConfig.defaults());

        // Then
        assertThat(file).isEqualTo("0\n2\n1 0\n3 1\n");
        assertThat(log.epochEntries()).containsExactly(Map.entry(1, 0L), Map.entry(3, 1L));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 2));
    }

    @Test
    void leaderEpochsAreRebuiltFromBatchesWhenTheCheckpointIsLost() throws Exception {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a"), 1, NOW);
        log.appendAsLeader(batch("b"), 3, NOW);
        log.close();
        Files.delete(tmp.resolve("orders-0/leader-epoch-checkpoint"));

        // When
        log = openLog(tmp, LogConfig.defaults());

        // Then
        assertThat(log.epochEntries()).containsExactly(Map.entry(1, 0L), Map.entry(3, 1L));
    }
}
