package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.config;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static io.letterbox.storage.log.TestBatches.offsets;
import static io.letterbox.storage.log.TestBatches.openLog;
import static io.letterbox.storage.log.TestBatches.readAll;
import static io.letterbox.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogAppendReadTest {

    @TempDir
    Path tmp;

    private Log log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void appendAssignsConsecutiveOffsetsAndReadReturnsTheRecords() {
        // Given
        log = openLog(tmp, LogConfig.defaults());

        // When
        LogAppendInfo first = log.appendAsLeader(batch("a", "b", "c"), 3, NOW);
        LogAppendInfo second = log.appendAsLeader(batch("d"), 3, NOW);

        // Then
        assertThat(first).isEqualTo(new LogAppendInfo(0, 2, -1, 0, false, 0));
        assertThat(second).isEqualTo(new LogAppendInfo(3, 3, -1, 0, false, 0));
        assertThat(log.logEndOffset()).isEqualTo(4);
        Records records = readAll(log);
        assertThat(records).isInstanceOf(FileRecords.class);
        assertThat(values(records)).containsExactly("a", "b", "c", "d");
        assertThat(offsets(records)).containsExactly(0L, 1L, 2L, 3L);
        for (RecordBatch b : records.batches()) {
            assertThat(b.partitionLeaderEpoch()).isEqualTo(3);
            assertThat(b.isValid()).isTrue();
        }
    }

    @Test
    void readFromTheMiddleOfABatchReturnsTheWholeBatch() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a", "b", "c"), 0, NOW);
        log.appendAsLeader(batch("d", "e"), 0, NOW);

        // When
        Records records = log.read(4, 1 << 20, Long.MAX_VALUE, false).records();

        // Then
        assertThat(TestBatches.batchBaseOffsets(records)).containsExactly(3L);
        assertThat(values(records)).containsExactly("d", "e");
    }

    @Test
    void rollsBySizeAndReadsFollowAcrossSegments() {
        // Given: room for about three 200-byte batches per segment
        log = openLog(tmp, config(Map.of(LogConfig.SEGMENT_BYTES, "700")));
        List<String> expected = new ArrayList<>();

        // When
        for (int i = 0; i < 20; i++) {
            String v = i + "-" + "x".repeat(150);
            expected.add(v);
            log.appendAsLeader(batch(v), 0, NOW);
        }

        // Then
        assertThat(log.segmentCount()).isGreaterThanOrEqualTo(6);
        assertThat(log.segmentBaseOffsets().get(1)).isGreaterThan(0L);
        assertThat(Files.exists(tmp.resolve("orders-0").resolve(String.format("%020d.log",
                log.segmentBaseOffsets().get(1))))).isTrue();
        assertThat(consumeAll(log)).containsExactlyElementsOf(expected);
    }

    @Test
    void aReadStopsAtTheEndOfItsSegment() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a"), 0, NOW);
        log.appendAsLeader(batch("b"), 0, NOW);
        log.roll();
        log.appendAsLeader(batch("c"), 0, NOW);

        // When
        Records fromFirst = log.read(0, 1 << 20, Long.MAX_VALUE, false).records();
        Records fromSecond = log.read(2, 1 << 20, Long.MAX_VALUE, false).records();

        // Then
        assertThat(values(fromFirst)).containsExactly("a", "b");
        assertThat(values(fromSecond)).containsExactly("c");
    }

    @Test
    void rollsByTimeOfTheFirstBatch() {
        // Given
        log = openLog(tmp, config(Map.of(LogConfig.SEGMENT_MS, "1000")));
        log.appendAsLeader(batch(NOW, "old"), 0, NOW);

        // When
        log.appendAsLeader(batch(NOW + 500, "young"), 0, NOW + 500);
        int beforeDeadline = log.segmentCount();
        log.appendAsLeader(batch(NOW + 1500, "late"), 0, NOW + 1500);

        // Then
        assertThat(beforeDeadline).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
    }

    @Test
    void sparseIndexFindsOffsetsInALargeSegment() throws Exception {
        // Given: an index entry roughly every other batch
        log = openLog(tmp, config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "100")));
        for (int i = 0; i < 300; i++) {
            log.appendAsLeader(batch("v" + i), 0, NOW);
        }

        // When / Then: every offset reads back as the batch holding it
        for (long offset = 0; offset < 300; offset += 7) {
            Records r = log.read(offset, 1, Long.MAX_VALUE, true).records();
            assertThat(values(r)).containsExactly("v" + offset);
        }
        assertThat(Files.size(tmp.resolve("orders-0/00000000000000000000.index"))).isGreaterThan(0L).isLessThan(4096L);
    }

    @Test
    void maxBytesLimitsWholeBatchesAndMinOneMessageReturnsAnOversizedFirstBatch() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        int size = batch("x".repeat(100)).sizeInBytes();
        log.appendAsLeader(batch("x".repeat(100)), 0, NOW);
        log.appendAsLeader(batch("y".repeat(100)), 0, NOW);

        // When
        Records oneFits = log.read(0, size + 10, Long.MAX_VALUE, false).records();
        Records noneFitsStrict = log.read(0, 10, Long.MAX_VALUE, false).records();
        Records noneFitsMinOne = log.read(0, 10, Long.MAX_VALUE, true).records();

        // Then
        assertThat(oneFits.sizeInBytes()).isEqualTo(size);
        assertThat(noneFitsStrict.sizeInBytes()).isZero();
        assertThat(noneFitsMinOne.sizeInBytes()).isEqualTo(size);
        assertThat(values(noneFitsMinOne)).containsExactly("x".repeat(100));
    }

    @Test
    void readNeverReturnsBatchesAtOrBeyondTheMaxOffset() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a", "b"), 0, NOW);
        log.appendAsLeader(batch("c", "d"), 0, NOW);
        log.updateHighWatermark(2);

        // When
        Records belowHw = log.read(0, 1 << 20, log.highWatermark(), false).records();
        Records atHw = log.read(2, 1 << 20, log.highWatermark(), false).records();

        // Then
        assertThat(values(belowHw)).containsExactly("a", "b");
        assertThat(atHw.sizeInBytes()).isZero();
    }

    @Test
    void readOutsideTheLogIsOutOfRange() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("a"), 0, NOW);

        // When / Then
        assertThat(log.read(1, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
        assertThatThrownBy(() -> log.read(2, 100, Long.MAX_VALUE, true))
                .isInstanceOf(OffsetOutOfRangeException.class).hasMessageContaining("log end 1");
        assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true))
                .isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() {
        // Given: timestamps 1000, 2000, ... across several segments and index entries
        log = openLog(tmp, config(Map.of(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "150",
                LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, String.valueOf(Long.MAX_VALUE))));
        for (int i = 1; i <= 40; i++) {
            log.appendAsLeader(batch(i * 1000L, "v" + i), 0, NOW);
        }

        // When / Then
        assertThat(log.segmentCount()).isGreaterThan(2);
        assertThat(log.offsetForTimestamp(0)).get().extracting(t -> t.offset).isEqualTo(0L);
        assertThat(log.offsetForTimestamp(1000)).get().extracting(t -> t.offset).isEqualTo(0L);
        assertThat(log.offsetForTimestamp(1001)).get().extracting(t -> t.offset).isEqualTo(1L);
        assertThat(log.offsetForTimestamp(25_000)).get().extracting(t -> t.offset, t -> t.timestamp)
                .containsExactly(24L, 25_000L);
        assertThat(log.offsetForTimestamp(39_999)).get().extracting(t -> t.offset).isEqualTo(39L);
        assertThat(log.offsetForTimestamp(40_001)).isEmpty();
        assertThat(log.offsetForTimestamp(25_000).get().leaderEpoch).contains(0);
    }

    @Test
    void offsetForTimestampLooksInsideBatches() {
        // Given: one batch with records at 10, 30, 20 ms
        log = openLog(tmp, LogConfig.defaults());
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new org.apache.kafka.common.record.internal.SimpleRecord(NOW + 10, "a".getBytes()),
                new org.apache.kafka.common.record.internal.SimpleRecord(NOW + 30, "b".getBytes()),
                new org.apache.kafka.common.record.internal.SimpleRecord(NOW + 20, "c".getBytes()));
        log.appendAsLeader(records, 0, NOW);

        // When / Then
        assertThat(log.offsetForTimestamp(NOW + 15)).get().extracting(t -> t.offset).isEqualTo(1L);
        assertThat(log.maxTimestampAndOffset()).get().extracting(t -> t.offset, t -> t.timestamp)
                .containsExactly(1L, NOW + 30);
    }

    @Test
    void maxTimestampAndOffsetSpansSegments() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch(NOW + 5, "a"), 0, NOW);
        log.appendAsLeader(batch(NOW + 50, "b"), 0, NOW);
        log.roll();
        log.appendAsLeader(batch(NOW + 7, "c"), 0, NOW);

        // When / Then
        assertThat(log.maxTimestampAndOffset()).get().extracting(t -> t.offset, t -> t.timestamp)
                .containsExactly(1L, NOW + 50);
    }

    @Test
    void logAppendTimeTopicsGetTheBrokerTimestamp() {
        // Given
        log = openLog(tmp, config(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")));

        // When
        LogAppendInfo info = log.appendAsLeader(batch(NOW - 99_000, "a", "b"), 0, NOW);

        // Then
        assertThat(info.logAppendTime()).isEqualTo(NOW);
        RecordBatch stored = readAll(log).batches().iterator().next();
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.maxTimestamp()).isEqualTo(NOW);
        assertThat(stored.isValid()).isTrue();
        assertThat(stored.iterator().next().timestamp()).isEqualTo(NOW);
    }

    @Test
    void corruptBatchIsRejectedAndNothingIsWritten() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("good"), 0, NOW);
        MemoryRecords bad = batch("payload");
        ByteBuffer buf = bad.buffer();
        int last = buf.limit() - 1;
        buf.put(last, (byte) (buf.get(last) ^ 0xFF));

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(bad, 0, NOW)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("CRC");
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(values(readAll(log))).containsExactly("good");
    }

    @Test
    void batchSizeFieldLargerThanTheBufferIsCorrupt() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        MemoryRecords full = batch("payload");
        ByteBuffer cut = full.buffer();
        cut.limit(cut.limit() - 3);
        MemoryRecords truncated = MemoryRecords.readableRecords(cut.slice());

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(truncated, 0, NOW)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("exceeds");
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void oversizedBatchIsRejected() {
        // Given
        log = openLog(tmp, config(Map.of(LogConfig.MAX_MESSAGE_BYTES, "500")));

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.sized(600), 0, NOW))
                .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("max.message.bytes 500");
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void oldMagicIsRejected() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                TestBatches.simple(NOW, "old"));

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(v1, 0, NOW)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("magic 1");
    }

    @Test
    void timestampsTooFarInTheFutureAreRejected() {
        // Given
        log = openLog(tmp, config(Map.of(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, "1000",
                LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "5000")));

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(batch(NOW + 2000, "future"), 0, NOW))
                .isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> log.appendAsLeader(batch(NOW - 6000, "past"), 0, NOW))
                .isInstanceOf(InvalidTimestampException.class);
        assertThat(log.appendAsLeader(batch(NOW + 500, "ok"), 0, NOW).firstOffset()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "lz4", "zstd", "snappy"})
    void compressedBatchesAreStoredAsReceived(String codec) {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("first"), 0, NOW);
        MemoryRecords sent = TestBatches.compressed(Compression.of(codec).build(), "a", "b", "c");
        byte[] original = new byte[sent.sizeInBytes()];
        sent.buffer().get(original);

        // When
        LogAppendInfo info = log.appendAsLeader(sent, 7, NOW);

        // Then: only baseOffset (bytes 0-7) and partitionLeaderEpoch (12-15) differ
        Records stored = log.read(info.firstOffset(), 1 << 20, Long.MAX_VALUE, false).records();
        byte[] onDisk = new byte[stored.sizeInBytes()];
        ByteBuffer buf = ByteBuffer.wrap(onDisk);
        try {
            ((FileRecords) stored).readInto(buf, 0);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(onDisk.length).isEqualTo(original.length);
        assertThat(java.util.Arrays.copyOfRange(onDisk, 16, onDisk.length))
                .isEqualTo(java.util.Arrays.copyOfRange(original, 16, original.length));
        assertThat(java.util.Arrays.copyOfRange(onDisk, 8, 12)).isEqualTo(java.util.Arrays.copyOfRange(original, 8, 12));
        RecordBatch b = stored.batches().iterator().next();
        assertThat(b.compressionType()).isEqualTo(CompressionType.forName(codec));
        assertThat(b.baseOffset()).isEqualTo(1L);
        assertThat(b.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(values(stored)).containsExactly("a", "b", "c");
    }

    @Test
    void aRequestWithSeveralBatchesIsAppendedAsOneWrite() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        MemoryRecords one = batch("a", "b");
        MemoryRecords two = batch("c");
        ByteBuffer both = ByteBuffer.allocate(one.sizeInBytes() + two.sizeInBytes());
        both.put(one.buffer()).put(two.buffer()).flip();

        // When
        LogAppendInfo info = log.appendAsLeader(MemoryRecords.readableRecords(both), 0, NOW);

        // Then
        assertThat(info.firstOffset()).isZero();
        assertThat(info.lastOffset()).isEqualTo(2);
        assertThat(TestBatches.batchBaseOffsets(readAll(log))).containsExactly(0L, 2L);
    }

    @Test
    void concurrentReadersOnlySeeWholeBatches() throws Exception {
        // Given
        log = openLog(tmp, config(Map.of(LogConfig.SEGMENT_BYTES, "4000")));
        Log target = log;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    long end = target.logEndOffset();
                    if (end > 0) {
                        List<Long> seen = offsets(target.read(0, Integer.MAX_VALUE, end, true).records());
                        if (!seen.isEmpty()) {
                            assertThat(seen.get(seen.size() - 1)).isLessThan(end);
                            assertThat(seen).isSortedAccordingTo(Long::compare);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();

        // When
        for (int i = 0; i < 500; i++) {
            log.appendAsLeader(batch("v" + i, "w" + i), 0, NOW);
        }
        done.set(true);
        reader.join();

        // Then
        assertThat(failure.get()).isNull();
        assertThat(consumeAll(log)).hasSize(1000);
    }
}
