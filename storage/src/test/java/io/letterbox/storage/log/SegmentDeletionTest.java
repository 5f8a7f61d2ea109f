package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;

/** Deleted segments are renamed at once and removed after file.delete.delay.ms, at shutdown, or at the next open. */
class SegmentDeletionTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path tmp;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() throws InterruptedException {
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private LogManager open() {
        return LogManager.open(List.of(tmp), Map.of(), Time.SYSTEM, 1, scheduler);
    }

    /** An old segment (offsets 0-1) and an active one (offset 2) with retention.ms = 1 h. */
    private static Log oldAndNew(LogManager manager, long fileDeleteDelayMs) {
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.of(Map.of(LogConfig.RETENTION_MS,
                Long.toString(HOUR), LogConfig.FILE_DELETE_DELAY_MS, Long.toString(fileDeleteDelayMs)), Map.of()));
        log.appendAsLeader(batch(NOW - 2 * HOUR, "old-0", "old-1"), 0, NOW);
        log.roll();
        log.appendAsLeader(batch(NOW, "new"), 0, NOW);
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    @Test
    void aDeletedSegmentIsRenamedAtOnceAndRemovedAfterTheDelay() {
        try (LogManager manager = open()) {
            // Given
            Log log = oldAndNew(manager, 200);

            // When
            log.enforceRetention(NOW);
            List<String> rightAfter = segmentFiles(log.dir());

            // Then
            assertThat(rightAfter).contains("00000000000000000000.log.deleted", "00000000000000000000.index.deleted",
                    "00000000000000000000.timeindex.deleted").doesNotContain("00000000000000000000.log");
            awaitUntil(() -> segmentFiles(log.dir()).stream().noneMatch(n -> n.endsWith(Segment.DELETED_SUFFIX)));
            assertThat(segmentFiles(log.dir())).containsExactlyInAnyOrder("00000000000000000002.log",
                    "00000000000000000002.index", "00000000000000000002.timeindex");
        }
    }

    @Test
    void aReadThatBeganBeforeTheDeletionStillReturnsItsRecords() {
        LogManager manager = open();
        Log log = oldAndNew(manager, 60_000);
        Records inFlight = log.read(0, 1024 * 1024, Long.MAX_VALUE, true).records();

        // When
        log.enforceRetention(NOW);

        // Then: the records handed out before still read from the renamed file; the files go at shutdown
        assertThat(values(inFlight)).containsExactly("old-0", "old-1");
        assertThat(segmentFiles(log.dir())).contains("00000000000000000000.log.deleted");
        manager.close();
        assertThat(segmentFiles(log.dir())).noneMatch(n -> n.endsWith(Segment.DELETED_SUFFIX));
    }

    @Test
    void filesLeftByACrashBeforeTheDelayAreRemovedAtTheNextOpen() {
        // Given
        LogManager manager = open();
        Log log = oldAndNew(manager, 60_000);
        log.enforceRetention(NOW);
        Path dir = log.dir();
        manager.crash();
        assertThat(segmentFiles(dir)).contains("00000000000000000000.log.deleted");

        // When
        try (LogManager reopened = open()) {

            // Then
            Log again = reopened.get(TP).orElseThrow();
            assertThat(segmentFiles(dir)).noneMatch(n -> n.endsWith(Segment.DELETED_SUFFIX));
            assertThat(again.segmentBaseOffsets()).containsExactly(2L);
            assertThat(again.logStartOffset()).isEqualTo(2);
        }
    }

    @Test
    void readersRacingRetentionSeeEitherWholeRecordsOrOffsetOutOfRange() throws Exception {
        // Given: a writer that keeps rolling segments of old records, and retention running meanwhile
        try (LogManager manager = open()) {
            Log log = manager.getOrCreate(TP, Uuid.randomUuid(),
                    LogConfig.of(Map.of(LogConfig.RETENTION_MS, Long.toString(HOUR)), Map.of()));
            int segments = 300;
            AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    long start = log.logStartOffset();
                    try {
                        Records records = log.read(start, 1024, Long.MAX_VALUE, true).records();
                        List<Long> offsets = TestBatches.offsets(records);
                        List<String> values = values(records);
                        for (int i = 0; i < offsets.size(); i++) {
                            if (!values.get(i).equals("v" + offsets.get(i))) {
                                throw new AssertionError("offset " + offsets.get(i) + " holds " + values.get(i));
                            }
                        }
                        reads.incrementAndGet();
                    } catch (OffsetOutOfRangeException expected) {
                        // deleted after the log start was read: a consumer resets
                    } catch (Throwable t) {
                        readerFailure.compareAndSet(null, t);
                        return;
                    }
                }
            }, "racing-reader");
            reader.start();

            // When
            for (int i = 0; i < segments; i++) {
                log.appendAsLeader(batch(NOW - 2 * HOUR, "v" + i), 0, NOW);
                log.roll();
                log.updateHighWatermark(log.logEndOffset());
                log.enforceRetention(NOW);
            }
            done.set(true);
            reader.join(10_000);

            // Then
            assertThat(readerFailure.get()).isNull();
            assertThat(reads.get()).isPositive();
            assertThat(log.segmentBaseOffsets()).containsExactly((long) segments);
        }
    }

    private static List<String> segmentFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".log") || n.contains(".index") || n.contains(".timeindex")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
