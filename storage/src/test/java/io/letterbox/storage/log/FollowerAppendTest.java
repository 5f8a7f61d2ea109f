package io.letterbox.storage.log;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.idempotent;
import static io.letterbox.storage.log.TestBatches.offsets;
import static io.letterbox.storage.log.TestBatches.openLog;
import static io.letterbox.storage.log.TestBatches.readAll;
import static io.letterbox.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.storage.config.LogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's log on real files: it takes the leader's batches as they are, and after a leader change
 * truncates the tail the new leader never had, as the leader epochs tell (KIP-101/KIP-320).
 */
class FollowerAppendTest {
    @TempDir
    Path leaderDir;
    @TempDir
    Path followerDir;
    private Log leader;
    private Log follower;

    @AfterEach
    void close() {
        if (leader != null) {
            leader.close();
        }
        if (follower != null) {
            follower.close();
        }
    }

    /** The leader's bytes from {@code offset}, as a fetch response carries them. */
    private static MemoryRecords fetched(Log from, long offset) {
        Records records = from.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
        ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
        try {
            ((FileRecords) records).readInto(buf, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return MemoryRecords.readableRecords(buf);
    }

    @Test
    void keepsTheLeadersOffsetsEpochsAndProducerSequences() {
        // Given a leader with plain and idempotent batches in two epochs
        leader = openLog(leaderDir, LogConfig.defaults());
        follower = openLog(followerDir, LogConfig.defaults());
        leader.assignEpochStartOffset(0);
        leader.appendAsLeader(batch("a", "b"), 0, NOW);
        leader.appendAsLeader(idempotent(7L, (short) 0, 0, "c"), 0, NOW);
        leader.assignEpochStartOffset(2);
        leader.appendAsLeader(idempotent(7L, (short) 0, 1, "d", "e"), 2, NOW);

        // When the follower appends what it fetched
        LogAppendInfo info = follower.appendAsFollower(fetched(leader, 0));

        // Then it holds the same records at the same offsets, in the same epochs
        assertThat(info.firstOffset()).isZero();
        assertThat(info.lastOffset()).isEqualTo(4);
        assertThat(values(readAll(follower))).containsExactly("a", "b", "c", "d", "e");
        assertThat(offsets(readAll(follower))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(follower.epochEntries()).isEqualTo(Map.of(0, 0L, 2, 3L));
        assertThat(follower.lastSequence(7L)).hasValue(2);
        // and, leading next, it recognises the producer's retry as a duplicate
        LogAppendInfo retry = follower.appendAsLeader(idempotent(7L, (short) 0, 1, "d", "e"), 3, NOW);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(3);
    }

    @Test
    void truncatesTheTailTheNewLeaderNeverHad() {
        // Given an old leader that wrote 0..4 in epoch 0, of which the new leader had fetched 0..2
        follower = openLog(followerDir, LogConfig.defaults());
        follower.assignEpochStartOffset(0);
        follower.appendAsLeader(batch("a", "b", "c"), 0, NOW);
        follower.appendAsLeader(batch("lost-1", "lost-2"), 0, NOW);
        leader = openLog(leaderDir, LogConfig.defaults());
        leader.appendAsFollower(firstBatch(fetched(follower, 0)));
        // and the new leader wrote 3..4 in epoch 1
        leader.assignEpochStartOffset(1);
        leader.appendAsLeader(batch("x", "y"), 1, NOW);

        // When the old leader, now a follower, learns that its epoch 0 ends at 3 on the leader
        EpochEndOffset diverging = leader.endOffsetForEpoch(0);
        assertThat(diverging).isEqualTo(new EpochEndOffset(0, 3));
        long end = follower.truncateToDivergence(diverging.epoch(), diverging.endOffset());

        // Then it drops its unreplicated tail and continues from the leader
        assertThat(end).isEqualTo(3);
        follower.appendAsFollower(fetched(leader, end));
        assertThat(values(readAll(follower))).containsExactly("a", "b", "c", "x", "y");
        assertThat(follower.epochEntries()).isEqualTo(Map.of(0, 0L, 1, 3L));
        for (RecordBatch b : readAll(follower).batches()) {
            assertThat(b.partitionLeaderEpoch()).isEqualTo(b.baseOffset() < 3 ? 0 : 1);
        }
    }

    @Test
    void dropsAnEpochItLedWithoutWritingAnything() {
        // Given a replica that wrote 0..2 in epoch 0, then led epoch 1 without writing
        follower = openLog(followerDir, LogConfig.defaults());
        follower.assignEpochStartOffset(0);
        follower.appendAsLeader(batch("a", "b", "c"), 0, NOW);
        follower.assignEpochStartOffset(1);
        // and a leader with the same records, now in epoch 2
        leader = openLog(leaderDir, LogConfig.defaults());
        leader.appendAsFollower(fetched(follower, 0));
        leader.assignEpochStartOffset(2);
        // When the leader answers the replica's last epoch (1) with the largest it knows below it
        EpochEndOffset diverging = leader.endOffsetForEpoch(1);
        assertThat(diverging).isEqualTo(new EpochEndOffset(0, 3));
        long end = follower.truncateToDivergence(diverging.epoch(), diverging.endOffset());
        // Then no record goes, but epoch 1 does: the next fetch names epoch 0, on which both agree
        assertThat(end).isEqualTo(3);
        assertThat(follower.latestEpoch()).hasValue(0);
        assertThat(leader.endOffsetForEpoch(follower.latestEpoch().getAsInt()).endOffset()).isEqualTo(3);
    }

    @Test
    void anEmptyReplicaRestartsWhereTheLeadersLogNowStarts() {
        // Given a leader whose records below 2 were deleted, and a follower that never had any
        leader = openLog(leaderDir, LogConfig.defaults());
        follower = openLog(followerDir, LogConfig.defaults());
        for (String v : List.of("a", "b", "c", "d")) {
            leader.appendAsLeader(batch(v), 0, NOW);
        }
        leader.updateHighWatermark(4);
        leader.deleteRecordsBefore(2);
        // When the follower restarts at the leader's log start and fetches from there
        follower.truncateFullyAndStartAt(leader.logStartOffset());
        follower.appendAsFollower(fetched(leader, leader.logStartOffset()));
        // Then it holds what the leader still has, at the same offsets
        assertThat(follower.logStartOffset()).isEqualTo(2);
        assertThat(values(readAll(follower))).containsExactly("c", "d");
        assertThat(offsets(readAll(follower))).containsExactly(2L, 3L);
    }

    @Test
    void refusesAGapAndACorruptBatch() {
        leader = openLog(leaderDir, LogConfig.defaults());
        follower = openLog(followerDir, LogConfig.defaults());
        leader.appendAsLeader(batch("a"), 0, NOW);
        leader.appendAsLeader(batch("b"), 0, NOW);
        // A batch that does not start at the follower's log end
        assertThatThrownBy(() -> follower.appendAsFollower(fetched(leader, 1)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("expected 0");
        // A batch whose bytes changed on the way
        MemoryRecords corrupt = fetched(leader, 0);
        ByteBuffer buf = corrupt.buffer();
        buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x5a));
        assertThatThrownBy(() -> follower.appendAsFollower(corrupt)).isInstanceOf(CorruptRecordException.class);
        assertThat(follower.logEndOffset()).isZero();
    }

    private static MemoryRecords firstBatch(MemoryRecords records) {
        ByteBuffer buf = records.buffer().duplicate();
        buf.limit(buf.position() + records.batches().iterator().next().sizeInBytes());
        return MemoryRecords.readableRecords(buf.slice());
    }
}
