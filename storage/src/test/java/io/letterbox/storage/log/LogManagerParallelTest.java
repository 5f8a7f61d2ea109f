package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The work LogManager does on many logs at once: creating a topic's logs, and loading beside other work. */
class LogManagerParallelTest {

    @TempDir
    Path tmp;

    private static Map<TopicPartition, Integer> partitions(String topic, int count, int epoch) {
        Map<TopicPartition, Integer> epochs = new LinkedHashMap<>();
        for (int p = 0; p < count; p++) {
            epochs.put(new TopicPartition(topic, p), epoch);
        }
        return epochs;
    }

    @Test
    void aTopicsLogsAreCreatedTogetherInOrderWithTheirFirstEpochAndSpreadOverDirectories() throws Exception {
        // Given
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Uuid topicId = Uuid.randomUuid();
        Map<TopicPartition, Integer> epochs = partitions("orders", 50, 3);
        List<Log> created;
        try (LogManager manager = LogManager.open(List.of(a, b), Map.of())) {

            // When
            created = manager.getOrCreate(epochs, topicId, LogConfig.defaults());

            // Then
            assertThat(created).extracting(Log::topicPartition).containsExactlyElementsOf(epochs.keySet());
            assertThat(created).allSatisfy(log -> {
                assertThat(log.topicId()).isEqualTo(topicId);
                assertThat(log.latestEpoch()).isEqualTo(OptionalInt.of(3));
            });
            assertThat(created).filteredOn(l -> l.dir().getParent().equals(a.toAbsolutePath())).hasSize(25);
            assertThat(manager.getOrCreate(epochs, topicId, LogConfig.defaults())).containsExactlyElementsOf(created);
            created.get(7).appendAsLeader(batch("x"), 3, NOW);
        }
        // and after a crash-free restart the epochs and data are where they were written
        try (LogManager reopened = LogManager.open(List.of(a, b), Map.of())) {
            assertThat(reopened.partitions()).containsExactlyInAnyOrderElementsOf(epochs.keySet());
            Log seventh = reopened.get(new TopicPartition("orders", 7)).orElseThrow();
            assertThat(seventh.epochEntries()).containsExactly(Map.entry(3, 0L));
            assertThat(consumeAll(seventh)).containsExactly("x");
        }
    }

    @Test
    void anExistingLogIsKeptAndOnlyTheMissingOnesAreCreated() {
        // Given
        Uuid topicId = Uuid.randomUuid();
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Log first = manager.getOrCreate(new TopicPartition("orders", 0), topicId, LogConfig.defaults());
            first.appendAsLeader(batch("kept"), -1, NOW);

            // When
            List<Log> all = manager.getOrCreate(partitions("orders", 4, 0), topicId, LogConfig.defaults());

            // Then
            assertThat(all.get(0)).isSameAs(first);
            assertThat(first.latestEpoch()).isEmpty();
            assertThat(first.logEndOffset()).isEqualTo(1);
            assertThat(all.subList(1, 4)).allSatisfy(l -> assertThat(l.latestEpoch()).isEqualTo(OptionalInt.of(0)));
        }
    }

    @Test
    void whenOneLogCannotBeCreatedNoneOfTheTopicsIs() throws Exception {
        // Given: a file where partition 5's directory would go
        Files.writeString(tmp.resolve("orders-5"), "not a directory");
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {

            // When / Then
            assertThatThrownBy(() -> manager.getOrCreate(partitions("orders", 10, 0), Uuid.randomUuid(),
                    LogConfig.defaults())).isInstanceOf(KafkaStorageException.class).hasMessageContaining("orders-5");
            assertThat(manager.partitions()).isEmpty();
            // and, as after any I/O error but a full disk, the directory is offline (Kafka does the same)
            assertThatThrownBy(() -> manager.getOrCreate(partitions("other", 2, 0), Uuid.randomUuid(),
                    LogConfig.defaults())).isInstanceOf(KafkaStorageException.class).hasMessageContaining("offline");
        }
    }

    @Test
    void workAlongsideTheLoadRunsWithTheDirectoriesLockedAndItsFailureLeavesThemCleanlyClosed() {
        // Given: a log with data
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            manager.getOrCreate(new TopicPartition("orders", 0), Uuid.randomUuid(), LogConfig.defaults())
                    .appendAsLeader(batch("a", "b"), -1, NOW);
        }
        AtomicReference<Throwable> secondOpen = new AtomicReference<>();

        // When: the work alongside finds the directory locked, then fails
        assertThatThrownBy(() -> LogManager.open(List.of(tmp), Map.of(), Time.SYSTEM, 2, null, () -> {
            try {
                LogManager.open(List.of(tmp), Map.of()).close();
            } catch (RuntimeException e) {
                secondOpen.set(e);
            }
            throw new IllegalStateException("metadata failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("metadata failed");

        // Then: the lock was held meanwhile; now it is released, and the logs closed cleanly
        assertThat(secondOpen.get()).isInstanceOf(LogDirLockedException.class);
        assertThat(Files.exists(tmp.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isTrue();
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            assertThat(reopened.get(new TopicPartition("orders", 0)).orElseThrow().logEndOffset()).isEqualTo(2);
        }
    }
}
