package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static org.assertj.core.api.Assertions.assertThat;

/** Crash leftovers on disk: a half-written batch, garbage, a flipped bit, broken indexes. */
class TornTailRecoveryTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path tmp;

    /** Writes {@code count} batches, crashes, and returns the active segment file. */
    private Path writeAndCrash(int count, Map<String, String> overrides) {
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.of(overrides, Map.of()));
        for (int i = 0; i < count; i++) {
            log.appendAsLeader(batch("v" + i), 0, NOW);
        }
        Path active = Segment.logFile(log.dir(), log.segmentBaseOffsets().get(log.segmentCount() - 1));
        manager.crash();
        return active;
    }

    private static List<String> expected(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("v" + i);
        }
        return values;
    }

    @Test
    void aBatchCutInTheMiddleIsDroppedAndAppendsContinueAfterTheLastWholeBatch() throws IOException {
        // Given
        Path segment = writeAndCrash(10, Map.of());
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 7);
        }

        // When
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Log log = manager.get(TP).orElseThrow();

            // Then
            assertThat(log.logEndOffset()).isEqualTo(9);
            assertThat(consumeAll(log)).containsExactlyElementsOf(expected(9));
            assertThat(Files.size(segment)).isLessThan(size - 7);
            LogAppendInfo next = log.appendAsLeader(batch("after"), 0, NOW);
            assertThat(next.firstOffset()).isEqualTo(9);
            assertThat(consumeAll(log)).endsWith("v8", "after");
        }
    }

    @Test
    void garbageAfterTheLastBatchIsCutOff() throws IOException {
        // Given
        Path segment = writeAndCrash(5, Map.of());
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap("this is not a record batch, just noise from a torn write".getBytes()));
        }

        // When
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Log log = manager.get(TP).orElseThrow();

            // Then
            assertThat(Files.size(segment)).isEqualTo(size);
            assertThat(log.logEndOffset()).isEqualTo(5);
            assertThat(log.appendAsLeader(batch("v5"), 0, NOW).firstOffset()).isEqualTo(5);
            assertThat(consumeAll(log)).containsExactlyElementsOf(expected(6));
        }
    }

    @Test
    void aBatchWithABadCrcEndsTheLog() throws IOException {
        // Given: flip a byte inside the 4th batch's records
        Path segment = writeAndCrash(6, Map.of());
        int batchSize = (int) (Files.size(segment) / 6);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = 3L * batchSize + batchSize - 2;
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x7F)).rewind();
            ch.write(one, at);
        }

        // When
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Log log = manager.get(TP).orElseThrow();

            // Then
            assertThat(log.logEndOffset()).isEqualTo(3);
            assertThat(consumeAll(log)).containsExactlyElementsOf(expected(3));
        }
    }

    @Test
    void segmentsAfterACorruptOneAreDeleted() throws IOException {
        // Given: several segments, the first one damaged in the middle
        Path last = writeAndCrash(30, Map.of(LogConfig.SEGMENT_BYTES, "600"));
        Path dir = last.getParent();
        Path first = Segment.logFile(dir, 0);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(first) - 1);
        }

        // When
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Log log = manager.get(TP).orElseThrow();

            // Then
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(Files.exists(last)).isFalse();
            assertThat(consumeAll(log)).containsExactlyElementsOf(expected((int) log.logEndOffset()));
            assertThat(log.appendAsLeader(batch("next"), 0, NOW).firstOffset()).isEqualTo(log.logEndOffset() - 1);
        }
    }

    @Test
    void dataBelowTheRecoveryPointIsNotRescanned() throws IOException {
        // Given: a flushed and checkpointed first segment, then more data and a crash
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(batch("v" + i), 0, NOW);
        }
        log.roll();
        log.appendAsLeader(batch("v5"), 0, NOW);
        log.flush(log.logEndOffset());
        manager.checkpoint();
        Path dir = log.dir();
        manager.crash();
        String recovery = Files.readString(tmp.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
        // a tail of zeros on the first segment: below the recovery point, so it is not scanned (nor cut)
        Path first = Segment.logFile(dir, 0);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(20));
        }
        long firstSize = Files.size(first);

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.get(TP).orElseThrow();

            // Then
            assertThat(recovery).isEqualTo("0\n1\norders 0 6\n");
            assertThat(again.flushedOffset()).isEqualTo(6);
            assertThat(Files.size(first)).isEqualTo(firstSize);
            assertThat(again.logEndOffset()).isEqualTo(6);
            assertThat(consumeAll(again)).containsExactlyElementsOf(expected(6));
            assertThat(Files.exists(dir.resolve("00000000000000000005.snapshot"))).isTrue();
        }
    }

    @Test
    void aMissingOrCorruptIndexIsRebuiltAndLookupsStayRight() throws IOException {
        // Given: a dense index over two segments, closed cleanly
        Map<String, String> overrides = Map.of(LogConfig.INDEX_INTERVAL_BYTES, "64");
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.of(overrides, Map.of()));
        for (int i = 0; i < 50; i++) {
            log.appendAsLeader(batch(NOW + i, "v" + i), 0, NOW);
        }
        log.roll();
        for (int i = 50; i < 100; i++) {
            log.appendAsLeader(batch(NOW + i, "v" + i), 0, NOW);
        }
        Path dir = log.dir();
        manager.close();
        Path oldIndex = dir.resolve("00000000000000000000.index");
        Path activeIndex = dir.resolve("00000000000000000050.index");
        Path oldTimeIndex = dir.resolve("00000000000000000000.timeindex");
        assertThat(Files.size(oldIndex)).isGreaterThan(16);
        Files.delete(oldIndex);
        Files.write(activeIndex, new byte[] {1, 2, 3});
        Files.write(oldTimeIndex, new byte[24]);

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.get(TP).orElseThrow();
            again.updateConfig(LogConfig.of(overrides, Map.of()));

            // Then
            for (long offset = 0; offset < 100; offset += 9) {
                assertThat(TestBatches.values(again.read(offset, 1, Long.MAX_VALUE, true).records()))
                        .containsExactly("v" + offset);
            }
            assertThat(again.offsetForTimestamp(NOW + 33)).get().extracting(t -> t.offset).isEqualTo(33L);
            assertThat(again.appendAsLeader(batch("v100"), 0, NOW).firstOffset()).isEqualTo(100);
            assertThat(Files.size(oldIndex)).isPositive().isEqualTo(Files.size(oldIndex) / 8 * 8);
            assertThat(Files.size(activeIndex) % OffsetIndex.ENTRY_SIZE).isZero();
        }
    }

    @Test
    void aCrashWhileRollingThatLeftTheNewSegmentWithoutIndexesIsRecovered() throws IOException {
        // Given: a crash between creating a new segment's .log and its index files
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.of(Map.of(), Map.of()));
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(batch("v" + i), 0, NOW);
        }
        log.roll();
        Path dir = log.dir();
        manager.crash();
        Files.delete(dir.resolve("00000000000000000005.timeindex"));
        Files.delete(dir.resolve("00000000000000000005.index"));

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            Log again = reopened.get(TP).orElseThrow();

            // Then
            assertThat(again.logEndOffset()).isEqualTo(5);
            assertThat(again.appendAsLeader(batch("v5"), 0, NOW).firstOffset()).isEqualTo(5);
            assertThat(consumeAll(again)).containsExactlyElementsOf(expected(6));
            assertThat(dir.resolve("00000000000000000005.timeindex")).exists();
        }
    }
}
