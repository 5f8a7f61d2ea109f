package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogManagerTest {

    private static final TopicPartition TP = new TopicPartition("orders", 3);

    @TempDir
    Path tmp;

    @Test
    void aSecondManagerOnTheSameDirectoryIsRefused() {
        // Given
        try (LogManager first = LogManager.open(List.of(tmp), Map.of())) {

            // When / Then
            assertThatThrownBy(() -> LogManager.open(List.of(tmp), Map.of()))
                    .isInstanceOf(LogDirLockedException.class)
                    .hasMessageContaining("Another Letterbox process is using " + tmp.toAbsolutePath())
                    .hasMessageContaining(".lock")
                    .hasMessageContaining("log.dirs");
            assertThat(first.logs()).isEmpty();
        }
        // and after the first one closed, the directory is free again
        LogManager.open(List.of(tmp), Map.of()).close();
    }

    @Test
    void aPartlyLockedSetOfDirectoriesReleasesTheLocksItTook() {
        // Given
        Path free = tmp.resolve("free");
        Path busy = tmp.resolve("busy");
        try (LogManager holder = LogManager.open(List.of(busy), Map.of())) {

            // When
            assertThatThrownBy(() -> LogManager.open(List.of(free, busy), Map.of()))
                    .isInstanceOf(LogDirLockedException.class);

            // Then
            LogManager.open(List.of(free), Map.of()).close();
            assertThat(holder.logDirs()).containsExactly(busy.toAbsolutePath());
        }
    }

    @Test
    void logsAreFoundAgainAfterACleanRestart() throws Exception {
        // Given
        Uuid topicId = Uuid.randomUuid();
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, topicId, LogConfig.defaults());
        log.appendAsLeader(batch("a", "b"), 5, NOW);
        assertThat(Files.exists(tmp.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isFalse();

        // When
        manager.close();
        boolean markerAfterClose = Files.exists(tmp.resolve(LogManager.CLEAN_SHUTDOWN_FILE));
        LogManager reopened = LogManager.open(List.of(tmp), Map.of());

        // Then
        assertThat(markerAfterClose).isTrue();
        assertThat(Files.exists(tmp.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isFalse();
        Log again = reopened.get(TP).orElseThrow();
        assertThat(again.topicId()).isEqualTo(topicId);
        assertThat(again.logEndOffset()).isEqualTo(2);
        assertThat(again.flushedOffset()).isEqualTo(2);
        assertThat(again.latestEpoch()).hasValue(5);
        assertThat(consumeAll(again)).containsExactly("a", "b");
        assertThat(Files.readString(again.dir().resolve("partition.metadata")))
                .isEqualTo("version: 0\ntopic_id: " + topicId + "\n");
        reopened.close();
    }

    @Test
    void aCleanRestartKeepsTheEpochOfAnEmptyLogWithoutRewritingItsCheckpoint() throws Exception {
        // Given an empty log whose leader epoch 4 starts at its end, offset 0
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        log.assignEpochStartOffset(4);
        Path checkpoint = log.dir().resolve(LeaderEpochCache.FILE_NAME);
        Object fileKey = Files.readAttributes(checkpoint, BasicFileAttributes.class).fileKey();
        manager.close();

        // When it restarts after a clean shutdown
        LogManager reopened = LogManager.open(List.of(tmp), Map.of());

        // Then the epoch is still known and its file is the same one (an atomic rewrite makes a new inode)
        Log again = reopened.get(TP).orElseThrow();
        assertThat(again.epochEntries()).containsExactly(Map.entry(4, 0L));
        assertThat(Files.readAttributes(checkpoint, BasicFileAttributes.class).fileKey()).isEqualTo(fileKey);
        reopened.close();
    }

    @Test
    void closeWritesCheckpointsInKafkaFormat() throws Exception {
        // Given
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        log.appendAsLeader(batch("a", "b", "c"), 0, NOW);
        log.updateHighWatermark(3);
        log.deleteRecordsBefore(1);

        // When
        manager.close();

        // Then
        assertThat(Files.readString(tmp.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))).isEqualTo("0\n1\norders 3 3\n");
        assertThat(Files.readString(tmp.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT))).isEqualTo("0\n1\norders 3 1\n");
    }

    @Test
    void deleteRemovesTheDirectoryAndLeftoversAreCleanedAtOpen() throws Exception {
        // Given
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        log.appendAsLeader(batch("a"), 0, NOW);
        Path dir = log.dir();
        Path leftover = Files.createDirectories(tmp.resolve("orders-9.0123456789abcdef-delete"));
        Files.writeString(leftover.resolve("00000000000000000000.log"), "old");

        // When
        manager.delete(TP);

        // Then
        assertThat(Files.exists(dir)).isFalse();
        assertThat(manager.get(TP)).isEmpty();
        manager.close();
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            assertThat(Files.exists(leftover)).isFalse();
            assertThat(reopened.logs()).isEmpty();
        }
    }

    @Test
    void partitionsAreSpreadOverLogDirectories() {
        // Given
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (LogManager manager = LogManager.open(List.of(a, b), Map.of())) {

            // When
            for (int p = 0; p < 4; p++) {
                manager.getOrCreate(new TopicPartition("t", p), Uuid.randomUuid(), LogConfig.defaults());
            }

            // Then
            assertThat(manager.logs()).extracting(l -> l.dir().getParent())
                    .containsOnly(a.toAbsolutePath(), b.toAbsolutePath());
            assertThat(manager.logs().stream().filter(l -> l.dir().getParent().equals(a.toAbsolutePath())))
                    .hasSize(2);
        }
    }

    @Test
    void partitionsAreFoundInTheirDirectoryAfterRestartsAndNewOnesGoWhereTheFewestAre() throws Exception {
        // Given: five partitions over two directories, with records
        Path a = tmp.resolve("a").toAbsolutePath();
        Path b = tmp.resolve("b").toAbsolutePath();
        Map<TopicPartition, Path> placed = new java.util.HashMap<>();
        LogManager manager = LogManager.open(List.of(a, b), Map.of());
        for (int p = 0; p < 5; p++) {
            Log log = manager.getOrCreate(new TopicPartition("t", p), Uuid.randomUuid(), LogConfig.defaults());
            log.appendAsLeader(batch("v" + p), 0, NOW);
            placed.put(log.topicPartition(), log.dir().getParent());
        }
        manager.close();

        // When: reopened after a clean shutdown, then after a crash
        LogManager reopened = LogManager.open(List.of(a, b), Map.of());
        Map<TopicPartition, Path> afterClean = new java.util.HashMap<>();
        reopened.logs().forEach(l -> afterClean.put(l.topicPartition(), l.dir().getParent()));
        Log sixth = reopened.getOrCreate(new TopicPartition("t", 5), Uuid.randomUuid(), LogConfig.defaults());
        reopened.crash();
        try (LogManager afterCrash = LogManager.open(List.of(a, b), Map.of())) {

            // Then
            assertThat(afterClean).isEqualTo(placed);
            assertThat(placed.values().stream().filter(a::equals)).hasSize(3);
            assertThat(sixth.dir().getParent()).isEqualTo(b);
            assertThat(afterCrash.logs()).hasSize(6).allSatisfy(l -> assertThat(consumeAll(l))
                    .containsExactlyElementsOf(l.topicPartition().partition() < 5
                            ? List.of("v" + l.topicPartition().partition()) : List.of()));
            assertThat(Files.readString(a.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))).doesNotContain("t 1 ");
            assertThat(Files.readString(b.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))).contains("t 1 1")
                    .doesNotContain("t 0 ");
        }
    }

    @Test
    void getOrCreateReturnsTheSameLogAndRefusesAnotherTopicId() {
        // Given
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of())) {
            Uuid id = Uuid.randomUuid();
            Log log = manager.getOrCreate(TP, id, LogConfig.defaults());
            LogConfig changed = LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "100000"), Map.of());

            // When
            Log same = manager.getOrCreate(TP, id, changed);

            // Then
            assertThat(same).isSameAs(log);
            assertThat(same.config().segmentBytes()).isEqualTo(100000);
            assertThatThrownBy(() -> manager.getOrCreate(TP, Uuid.randomUuid(), changed))
                    .isInstanceOf(InconsistentTopicIdException.class);
            assertThatThrownBy(() -> manager.getOrCreate(new TopicPartition("../evil", 0), id, changed))
                    .isInstanceOf(InvalidTopicException.class);
        }
    }

    @Test
    void topicDefaultsApplyAndBadDefaultsAreRefused() {
        // Given / When
        try (LogManager manager = LogManager.open(List.of(tmp), Map.of(LogConfig.SEGMENT_BYTES, "2048"))) {

            // Then
            assertThat(manager.defaultConfig().segmentBytes()).isEqualTo(2048);
            assertThat(manager.topicDefaults()).containsEntry(LogConfig.SEGMENT_BYTES, "2048");
        }
        assertThatThrownBy(() -> LogManager.open(List.of(tmp), Map.of(LogConfig.SEGMENT_BYTES, "1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("segment.bytes");
        LogManager.open(List.of(tmp), Map.of()).close();
    }

    @Test
    void closeIsQuickForManyPartitions() {
        // Given
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        for (int p = 0; p < 200; p++) {
            Log log = manager.getOrCreate(new TopicPartition("many", p), Uuid.randomUuid(), LogConfig.defaults());
            log.appendAsLeader(TestBatches.idempotent(p, (short) 0, 0, "v"), 0, NOW);
        }

        // When
        manager.close();

        // Then: every partition comes back with its data and producer state
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {
            assertThat(reopened.logs()).hasSize(200);
            assertThat(reopened.logs()).allSatisfy(l -> {
                assertThat(l.logEndOffset()).isEqualTo(1);
                assertThat(l.producerEpoch(l.topicPartition().partition())).hasValue(0);
            });
        }
    }
}
