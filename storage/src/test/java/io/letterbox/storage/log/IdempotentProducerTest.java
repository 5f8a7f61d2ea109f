package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.idempotent;
import static io.letterbox.storage.log.TestBatches.openLog;
import static io.letterbox.storage.log.TestBatches.readAll;
import static io.letterbox.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotentProducerTest {

    private static final long PID = 4242L;
    private static final short EPOCH = 0;

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
    void aRetriedBatchGetsTheOriginalOffsetsAndIsNotWrittenAgain() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(batch("other"), 0, NOW);
        LogAppendInfo original = log.appendAsLeader(idempotent(PID, EPOCH, 0, "a", "b"), 0, NOW);
        log.appendAsLeader(idempotent(PID, EPOCH, 2, "c"), 0, NOW);
        long sizeBefore = log.sizeInBytes();

        // When
        LogAppendInfo retry = log.appendAsLeader(idempotent(PID, EPOCH, 0, "a", "b"), 0, NOW);

        // Then
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(original.firstOffset()).isEqualTo(1);
        assertThat(retry.lastOffset()).isEqualTo(original.lastOffset()).isEqualTo(2);
        assertThat(log.sizeInBytes()).isEqualTo(sizeBefore);
        assertThat(values(readAll(log))).containsExactly("other", "a", "b", "c");
    }

    @Test
    void onlyTheLastFiveBatchesAreRecognisedAsDuplicates() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, "v" + seq), 0, NOW);
        }

        // When / Then
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 1, "v1"), 0, NOW).duplicate()).isTrue();
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, EPOCH, 0, "v0"), 0, NOW))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void aSequenceGapIsRejected() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, "a", "b"), 0, NOW);

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, EPOCH, 3, "d"), 0, NOW))
                .isInstanceOf(OutOfOrderSequenceException.class).hasMessageContaining("sequence 3");
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 2, "c"), 0, NOW).firstOffset()).isEqualTo(2);
    }

    @Test
    void anUnknownProducerMustStartAtSequenceZero() {
        // Given
        log = openLog(tmp, LogConfig.defaults());

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, EPOCH, 5, "a"), 0, NOW))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void olderEpochsAreFencedAndNewEpochsRestartAtZero() {
        // Given
        log = openLog(tmp, LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, (short) 1, 0, "a"), 0, NOW);

        // When / Then
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, (short) 0, 1, "stale"), 0, NOW))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, (short) 2, 1, "bad"), 0, NOW))
                .isInstanceOf(OutOfOrderSequenceException.class);
        log.appendAsLeader(idempotent(PID, (short) 2, 0, "b"), 0, NOW);
        assertThat(log.producerEpoch(PID)).hasValue(2);
        assertThat(log.lastSequence(PID)).hasValue(0);
    }

    @Test
    void producerStateSurvivesACleanRestart() {
        // Given
        TopicPartition tp = new TopicPartition("orders", 0);
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log first = manager.getOrCreate(tp, Uuid.randomUuid(), LogConfig.defaults());
        LogAppendInfo original = first.appendAsLeader(idempotent(PID, EPOCH, 0, "a", "b"), 0, NOW);
        manager.close();

        // When
        LogManager reopened = LogManager.open(List.of(tmp), Map.of());
        Log again = reopened.get(tp).orElseThrow();
        LogAppendInfo retry = again.appendAsLeader(idempotent(PID, EPOCH, 0, "a", "b"), 0, NOW);
        LogAppendInfo next = again.appendAsLeader(idempotent(PID, EPOCH, 2, "c"), 0, NOW);
        reopened.close();

        // Then
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(original.firstOffset());
        assertThat(next.firstOffset()).isEqualTo(2);
    }

    @Test
    void producerStateSurvivesACrash() {
        // Given: batches before and after a roll (which snapshots), then a crash without clean shutdown
        TopicPartition tp = new TopicPartition("orders", 0);
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log first = manager.getOrCreate(tp, Uuid.randomUuid(), LogConfig.defaults());
        first.appendAsLeader(idempotent(PID, EPOCH, 0, "a"), 0, NOW);
        first.roll();
        LogAppendInfo afterRoll = first.appendAsLeader(idempotent(PID, EPOCH, 1, "b"), 0, NOW);
        first.appendAsLeader(idempotent(PID + 1, EPOCH, 0, "other"), 0, NOW);
        manager.crash();

        // When
        LogManager reopened = LogManager.open(List.of(tmp), Map.of());
        Log again = reopened.get(tp).orElseThrow();

        // Then
        assertThat(again.appendAsLeader(idempotent(PID, EPOCH, 1, "b"), 0, NOW))
                .satisfies(r -> assertThat(r.duplicate()).isTrue())
                .satisfies(r -> assertThat(r.firstOffset()).isEqualTo(afterRoll.firstOffset()));
        assertThat(again.lastSequence(PID + 1)).hasValue(0);
        assertThatThrownBy(() -> again.appendAsLeader(idempotent(PID, EPOCH, 5, "gap"), 0, NOW))
                .isInstanceOf(OutOfOrderSequenceException.class);
        reopened.close();
    }
}
