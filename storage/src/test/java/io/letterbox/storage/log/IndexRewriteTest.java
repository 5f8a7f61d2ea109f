package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

/**
 * Recovery rewrites a segment's indexes in place instead of truncating them first: whatever the old
 * files held (the same entries, more, or garbage), the result is exactly the rebuilt index.
 */
class IndexRewriteTest {

    private static final LogConfig EVERY_BATCH_INDEXED = LogConfig.of(Map.of("index.interval.bytes", "1"), Map.of());

    @TempDir
    Path tmp;

    private Path dir;

    private List<String> writeBatches(int count) {
        dir = tmp.resolve("orders-0");
        List<String> values = new ArrayList<>();
        try (Log log = Log.open(dir, Uuid.randomUuid(), EVERY_BATCH_INDEXED, Time.SYSTEM)) {
            for (int i = 0; i < count; i++) {
                log.appendAsLeader(batch("v" + i), 0, NOW);
                values.add("v" + i);
            }
        }
        return values;
    }

    private Path index() {
        return dir.resolve(Segment.fileName(0, ".index"));
    }

    private Path timeIndex() {
        return dir.resolve(Segment.fileName(0, ".timeindex"));
    }

    private static String firstValue(Log log, long offset) {
        Record first = log.read(offset, 1, Long.MAX_VALUE, true).records().records().iterator().next();
        return StandardCharsets.UTF_8.decode(first.value()).toString();
    }

    @Test
    void recoveryLeavesTheSameIndexBytesWhenTheyWereRight() throws Exception {
        // Given
        List<String> values = writeBatches(20);
        byte[] before = Files.readAllBytes(index());
        byte[] timeBefore = Files.readAllBytes(timeIndex());

        // When: opened as after a crash (every segment recovered)
        try (Log log = Log.open(dir, Uuid.ZERO_UUID, EVERY_BATCH_INDEXED, Time.SYSTEM)) {

            // Then
            assertThat(Files.readAllBytes(index())).isEqualTo(before).hasSize(19 * OffsetIndex.ENTRY_SIZE);
            assertThat(Files.readAllBytes(timeIndex())).isEqualTo(timeBefore);
            assertThat(consumeAll(log)).containsExactlyElementsOf(values);
        }
    }

    @Test
    void entriesPastTheRebuiltOnesAreCutAndGarbageIsOverwritten() throws Exception {
        // Given: an index whose first entry is garbage and which goes on past the log's end
        List<String> values = writeBatches(10);
        byte[] right = Files.readAllBytes(index());
        try (FileChannel ch = FileChannel.open(index(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).putInt(-7).putInt(123456).flip(), 0);
            ByteBuffer extra = ByteBuffer.allocate(160);
            for (int i = 0; i < 20; i++) {
                extra.putInt(1000 + i).putInt(900_000 + i);
            }
            ch.write(extra.flip(), ch.size());
        }
        try (FileChannel ch = FileChannel.open(timeIndex(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(120), ch.size());
        }

        // When
        try (Log log = Log.open(dir, Uuid.ZERO_UUID, EVERY_BATCH_INDEXED, Time.SYSTEM)) {

            // Then
            assertThat(Files.readAllBytes(index())).isEqualTo(right);
            assertThat(Files.size(timeIndex()) % TimeIndex.ENTRY_SIZE).isZero();
            for (int offset = 0; offset < values.size(); offset++) {
                assertThat(firstValue(log, offset)).isEqualTo(values.get(offset));
            }
            // and appends after the rewrite index where the file ends
            log.appendAsLeader(batch("after"), 0, NOW);
            log.roll();
            assertThat(consumeAll(log)).endsWith("v9", "after");
        }
        try (Log reopened = Log.open(dir, Uuid.ZERO_UUID, EVERY_BATCH_INDEXED, Time.SYSTEM)) {
            assertThat(Files.size(index())).isEqualTo(right.length + OffsetIndex.ENTRY_SIZE);
            assertThat(consumeAll(reopened)).endsWith("v9", "after");
        }
    }
}
