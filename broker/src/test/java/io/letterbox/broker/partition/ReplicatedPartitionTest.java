package io.letterbox.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.metadata.controller.IsrChange;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.LogAppendInfo;
import io.letterbox.storage.log.LogManager;

/**
 * A leader with followers, on real files: the high watermark waits for every in-sync replica,
 * followers leave and rejoin the ISR through (recorded) controller requests, and acks=all honours
 * min.insync.replicas. Followers are played by their fetch positions.
 */
class ReplicatedPartitionTest {
    private static final Uuid TOPIC_ID = Uuid.fromString("cmVwbGljYXRlZC10b3BpYw");

    @TempDir
    Path dir;
    private LogManager logs;
    private final List<IsrChange> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        logs.close();
    }

    private Partition leader(PartitionImage image, long nowMs) {
        logs = LogManager.open(List.of(dir), Map.of());
        TopicPartition tp = new TopicPartition("r", 0);
        LogConfig config = LogConfig.of(Map.of("flush.on.ack", "false", "min.insync.replicas", "2"), Map.of());
        return new Partition(tp, TOPIC_ID, 1, image, logs.getOrCreate(tp, TOPIC_ID, config), logs.groupCommit(),
                p -> { }, change -> {
                    requests.add(change);
                    return CompletableFuture.completedFuture(ApiError.NONE);
                }, nowMs);
    }

    private static MemoryRecords batch(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    @Test
    void theHighWatermarkWaitsForEveryInSyncReplica() throws Exception {
        // Given a leader with two in-sync followers
        Partition p = leader(new PartitionImage(new int[] {1, 2, 3}, new int[] {1, 2, 3}, 1, 0, 0), 0);
        LogAppendInfo appended = p.appendAsLeader(batch("a", "b", "c"), 0);
        CompletableFuture<Void> ack = p.awaitHighWatermark(appended);
        // When only one follower has fetched past the batch
        p.recordFollowerFetch(2, 3, 10);
        p.recordFollowerFetch(3, 1, 10);
        // Then the high watermark is what both hold, and the ack waits
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThat(ack).isNotDone();
        // When the other catches up, the batch is acknowledged
        p.recordFollowerFetch(3, 3, 20);
        assertThat(p.highWatermark()).isEqualTo(3);
        ack.get(5, TimeUnit.SECONDS);
        // and a fetch from a broker that is no replica is told apart
        assertThat(p.recordFollowerFetch(9, 3, 20)).isFalse();
    }

    @Test
    void aLaggingFollowerLeavesTheIsrAndRejoinsOnceCaughtUp() {
        Partition p = leader(new PartitionImage(new int[] {1, 2, 3}, new int[] {1, 2, 3}, 1, 0, 0), 0);
        p.appendAsLeader(batch("a", "b"), 0);
        p.recordFollowerFetch(2, 2, 900);
        p.recordFollowerFetch(3, 0, 900);
        // When follower 3 has not caught up for longer than the lag time
        p.shrinkIsr(1_000, 500);
        // Then the leader asks to drop it, in its epochs, and asks only once while that is pending
        assertThat(requests).containsExactly(new IsrChange(TOPIC_ID, 0, 1, 0, 0, List.of(1, 2)));
        p.shrinkIsr(1_100, 500);
        assertThat(requests).hasSize(1);
        // When the image carries the smaller ISR, the high watermark no longer waits for 3
        p.update(new PartitionImage(new int[] {1, 2, 3}, new int[] {1, 2}, 1, 0, 1), 1_200);
        assertThat(p.highWatermark()).isEqualTo(2);
        // When 3 catches up to the high watermark, the leader asks to add it back
        p.recordFollowerFetch(3, 2, 1_300);
        assertThat(requests).last().isEqualTo(new IsrChange(TOPIC_ID, 0, 1, 0, 1, List.of(1, 2, 3)));
    }

    @Test
    void acksAllNeedsMinInsyncReplicas() throws Exception {
        Partition p = leader(new PartitionImage(new int[] {1, 2, 3}, new int[] {1, 2}, 1, 0, 0), 0);
        // An ISR of two meets min.insync.replicas=2; the batch is appended and waits for follower 2
        p.checkEnoughReplicas();
        LogAppendInfo appended = p.appendAsLeader(batch("a"), 0);
        CompletableFuture<Void> ack = p.awaitHighWatermark(appended);
        // When the ISR shrinks to the leader alone before the follower fetched it
        p.update(new PartitionImage(new int[] {1, 2, 3}, new int[] {1}, 1, 0, 1), 10);
        // Then the batch is under the high watermark but not acknowledged, and new acks=all writes are refused
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThatThrownBy(() -> ack.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotEnoughReplicasAfterAppendException.class);
        assertThatThrownBy(p::checkEnoughReplicas).isInstanceOf(NotEnoughReplicasException.class);
    }

    @Test
    void aWaitingAckIsToldNotLeaderWhenLeadershipMovesAway() throws Exception {
        Partition p = leader(new PartitionImage(new int[] {1, 2, 3}, new int[] {1, 2, 3}, 1, 0, 0), 0);
        CompletableFuture<Void> ack = p.awaitHighWatermark(p.appendAsLeader(batch("a"), 0));
        // When this broker stops leading (a reassignment or an election) before the followers fetched it
        p.close(new NotLeaderOrFollowerException("leadership moved"));
        // Then the producer is told to find the new leader, not that the disk failed
        assertThatThrownBy(() -> ack.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotLeaderOrFollowerException.class);
    }
}
