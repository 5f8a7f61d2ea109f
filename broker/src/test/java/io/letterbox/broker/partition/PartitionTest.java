package io.letterbox.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.FailurePoint;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.storage.log.LogAppendInfo;
import io.letterbox.storage.log.LogManager;

/** The high watermark promise on real files: durable first, then readable and acknowledged. */
class PartitionTest {

    @TempDir
    Path dir;

    private LogManager logs;
    private final List<Long> moves = new CopyOnWriteArrayList<>();

    private Partition partition(boolean flushOnAck) {
        logs = LogManager.open(List.of(dir), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        LogConfig config = LogConfig.of(Map.of("flush.on.ack", Boolean.toString(flushOnAck)), Map.of());
        return new Partition(tp, Uuid.randomUuid(), 1, new PartitionImage(new int[] {1}, new int[] {1}, 1, 0, 0),
                logs.getOrCreate(tp, Uuid.randomUuid(), config), logs.groupCommit(), p -> moves.add(p.highWatermark()),
                change -> CompletableFuture.failedFuture(new IllegalStateException("single replica")), 0L);
    }

    private static MemoryRecords batch(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes()));
    }

    @AfterEach
    void close() {
        FailurePoint.disarmAll();
        logs.close();
    }

    @Test
    void aBatchCutByAFailedFsyncIsNeverAcknowledgedEvenOnceItsOffsetHoldsAnotherBatch() throws Exception {
        // Given a batch whose fsync finds the disk full: the log cuts it again
        Partition p = partition(true);
        FailurePoint.FSYNC.armDiskFull(1);
        LogAppendInfo cut = p.appendAsLeader(batch("cut"), System.currentTimeMillis());
        CompletableFuture<Void> waitingBefore = p.awaitHighWatermark(cut);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.log().logEndOffset() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(p.log().logEndOffset()).isZero();

        // When the next batch takes the same offset and is acknowledged
        LogAppendInfo next = p.appendAsLeader(batch("next"), System.currentTimeMillis());
        p.awaitHighWatermark(next).get(5, TimeUnit.SECONDS);

        // Then the cut batch's acknowledgement fails, whether it was waiting already or asked for now
        assertThat(next.firstOffset()).isEqualTo(cut.firstOffset());
        for (CompletableFuture<Void> ack : List.of(waitingBefore, p.awaitHighWatermark(cut))) {
            assertThat(ack).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(KafkaStorageException.class);
        }
    }

    @Test
    void withFlushOnAckTheHighWatermarkWaitsForFsync() throws Exception {
        Partition p = partition(true);
        LogAppendInfo info = p.appendAsLeader(batch("a"), System.currentTimeMillis());
        // acks=all completes once the batch is fsynced, and then the consumer may read it
        p.awaitHighWatermark(info.lastOffset() + 1).get(5, TimeUnit.SECONDS);
        assertThat(p.log().flushedOffset()).isGreaterThanOrEqualTo(1);
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThat(moves).contains(1L);
    }

    @Test
    void withoutFlushOnAckTheHighWatermarkFollowsTheLogEnd() {
        Partition p = partition(false);
        p.appendAsLeader(batch("a"), System.currentTimeMillis());
        p.appendAsLeader(batch("b"), System.currentTimeMillis());
        assertThat(p.highWatermark()).isEqualTo(2);
        assertThat(p.awaitHighWatermark(2)).isDone();
    }

    @Test
    void aWaiterForALaterOffsetIsNotCompletedEarly() throws Exception {
        Partition p = partition(true);
        var later = p.awaitHighWatermark(2);
        p.appendAsLeader(batch("a"), System.currentTimeMillis());
        p.awaitHighWatermark(1).get(5, TimeUnit.SECONDS);
        assertThat(later).isNotDone();
        p.appendAsLeader(batch("b"), System.currentTimeMillis());
        later.get(5, TimeUnit.SECONDS);
        assertThat(p.highWatermark()).isEqualTo(2);
    }
}
