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
import java.util.stream.Stream;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static io.letterbox.storage.log.TestBatches.openLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention by time and size: which segments go, and where the log start moves. */
class RetentionTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path tmp;

    private Log log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    /**
     * One segment per timestamp, each holding one record (offset i in segment i), the last one active;
     * everything below the high watermark.
     */
    private Log segmentsWithTimestamps(Map<String, String> overrides, long... timestamps) {
        Log l = openLog(tmp, LogConfig.of(overrides, Map.of()));
        for (int i = 0; i < timestamps.length; i++) {
            if (i > 0) {
                l.roll();
            }
            l.appendAsLeader(batch(timestamps[i], "v" + i), 0, NOW);
        }
        l.updateHighWatermark(l.logEndOffset());
        return l;
    }

    @Test
    void closedSegmentsPastRetentionMsGoAndTheLogStartMovesToTheFirstKeptOne() {
        // Given: segments 3 h, 2 h, 30 min old and now, with retention.ms = 1 h
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)),
                NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR / 2, NOW);

        // When
        int deleted = log.enforceRetention(NOW);

        // Then
        assertThat(deleted).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(2L, 3L);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(consumeAll(log)).containsExactly("v2", "v3");
        assertThat(segmentFiles()).containsExactlyInAnyOrder("00000000000000000002.log", "00000000000000000002.index",
                "00000000000000000002.timeindex", "00000000000000000003.log", "00000000000000000003.index",
                "00000000000000000003.timeindex");
        assertThatThrownBy(() -> log.read(1, 1000, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.enforceRetention(NOW)).as("a second pass finds nothing").isZero();
    }

    @Test
    void theActiveSegmentStaysEvenWhenEverythingIsPastRetention() {
        // Given
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)),
                NOW - 5 * HOUR, NOW - 4 * HOUR, NOW - 3 * HOUR);

        // When
        int deleted = log.enforceRetention(NOW);

        // Then
        assertThat(deleted).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(2L);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(consumeAll(log)).containsExactly("v2");
        assertThat(log.appendAsLeader(batch("v3"), 0, NOW).firstOffset()).isEqualTo(3);
    }

    @Test
    void onlyAnOldPrefixGoesAndANewerSegmentInBetweenStopsIt() {
        // Given: a recent segment between two old ones
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)),
                NOW - 3 * HOUR, NOW, NOW - 3 * HOUR, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void retentionMsMinusOneKeepsForever() {
        // Given
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, "-1"), 0L, 1L, NOW - 100 * 24 * HOUR, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isZero();
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void theDefaultRetentionIsSevenDays() {
        // Given
        log = segmentsWithTimestamps(Map.of(), NOW - 8 * 24 * HOUR, NOW - 6 * 24 * HOUR, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(1);
    }

    @Test
    void aTopicWithoutTheDeletePolicyKeepsItsSegments() {
        // Given
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, "1", LogConfig.RETENTION_BYTES, "1",
                LogConfig.CLEANUP_POLICY, "compact"), NOW - 3 * HOUR, NOW - 2 * HOUR, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isZero();
        assertThat(log.segmentCount()).isEqualTo(3);
    }

    @Test
    void compactAndDeleteAppliesRetention() {
        // Given
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR),
                LogConfig.CLEANUP_POLICY, "compact,delete"), NOW - 3 * HOUR, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isEqualTo(1);
    }

    @Test
    void segmentsAtOrAboveTheHighWatermarkStay() {
        // Given: all old, but the high watermark inside the second segment
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)),
                NOW - 3 * HOUR, NOW - 3 * HOUR, NOW - 3 * HOUR, NOW);
        log.updateHighWatermark(1);

        // When
        int deleted = log.enforceRetention(NOW);

        // Then: only segment 0 lies wholly below offset 1
        assertThat(deleted).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void retentionBytesDeletesTheOldestSegmentsUntilTheRestFits() {
        // Given: four segments of equal size, retention.bytes = 2.5 of them
        log = openLog(tmp, LogConfig.defaults());
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                log.roll();
            }
            log.appendAsLeader(batch("x".repeat(1000)), 0, NOW);
        }
        log.updateHighWatermark(log.logEndOffset());
        long segmentSize = log.sizeInBytes() / 4;
        log.updateConfig(LogConfig.of(Map.of(LogConfig.RETENTION_BYTES, Long.toString(segmentSize * 5 / 2)), Map.of()));

        // When
        int deletedAtTwoAndAHalf = log.enforceRetention(NOW);
        log.updateConfig(LogConfig.of(Map.of(LogConfig.RETENTION_BYTES, Long.toString(segmentSize)), Map.of()));
        int deletedAtOne = log.enforceRetention(NOW);

        // Then: 4 -> 3 segments (3 > 2.5, but 2 would be below), then only the active one is left
        assertThat(deletedAtTwoAndAHalf).isEqualTo(1);
        assertThat(deletedAtOne).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(3L);
        assertThat(log.sizeInBytes()).isEqualTo(segmentSize);
        assertThat(log.logStartOffset()).isEqualTo(3);
    }

    @Test
    void retentionBytesMinusOneIsUnlimited() {
        // Given
        log = segmentsWithTimestamps(Map.of(LogConfig.RETENTION_BYTES, "-1"), NOW, NOW, NOW);

        // When / Then
        assertThat(log.enforceRetention(NOW)).isZero();
    }

    @Test
    void segmentsBelowALogStartMovedByDeleteRecordsGoWhateverThePolicy() {
        // Given: a compacted topic whose log start moved past two segments before a crash removed them
        TopicPartition tp = new TopicPartition("orders", 0);
        LogConfig compacted = LogConfig.of(Map.of(LogConfig.CLEANUP_POLICY, "compact"), Map.of());
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log l = manager.getOrCreate(tp, Uuid.randomUuid(), compacted);
        for (int i = 0; i < 3; i++) {
            l.appendAsLeader(batch("v" + i), 0, NOW);
            l.roll();
        }
        manager.close();
        String checkpoint = "0\n1\norders 0 2\n";
        writeString(tmp.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT), checkpoint);

        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.getOrCreate(tp, Uuid.ZERO_UUID, compacted);
            again.updateHighWatermark(again.logEndOffset());
            assertThat(again.segmentBaseOffsets()).containsExactly(0L, 1L, 2L, 3L);

            // When
            int deleted = again.enforceRetention(NOW);

            // Then
            assertThat(deleted).isEqualTo(2);
            assertThat(again.segmentBaseOffsets()).containsExactly(2L, 3L);
            assertThat(again.logStartOffset()).isEqualTo(2);
        }
    }

    @Test
    void theNewLogStartIsCheckpointedBeforeRetentionReturns() throws Exception {
        // Given
        TopicPartition tp = new TopicPartition("orders", 0);
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log l = manager.getOrCreate(tp, Uuid.randomUuid(),
                LogConfig.of(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)), Map.of()));
        l.appendAsLeader(batch(NOW - 2 * HOUR, "old"), 0, NOW);
        l.roll();
        l.appendAsLeader(batch(NOW, "new"), 0, NOW);
        l.updateHighWatermark(2);

        // When
        l.enforceRetention(NOW);
        String checkpoint = Files.readString(tmp.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT));
        manager.crash();

        // Then
        assertThat(checkpoint).isEqualTo("0\n1\norders 0 1\n");
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.get(tp).orElseThrow();
            assertThat(again.logStartOffset()).isEqualTo(1);
            assertThat(again.segmentBaseOffsets()).containsExactly(1L);
        }
    }

    /** Names of the segment files (log and indexes, deleted ones too) in the log directory. */
    private List<String> segmentFiles() {
        try (Stream<Path> files = Files.list(log.dir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".log") || n.contains(".index") || n.contains(".timeindex")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeString(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
