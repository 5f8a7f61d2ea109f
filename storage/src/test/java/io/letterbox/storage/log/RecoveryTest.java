package io.letterbox.storage.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up recovery: what a clean shutdown and a recovery point spare from scanning, and the
 * directories' logs opening in parallel.
 */
class RecoveryTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger logLogger = (Logger) LoggerFactory.getLogger(Log.class);
    private final Logger managerLogger = (Logger) LoggerFactory.getLogger(LogManager.class);
    private Level managerLevel;

    @BeforeEach
    void captureLogs() {
        events.start();
        logLogger.addAppender(events);
        managerLogger.addAppender(events);
        managerLevel = managerLogger.getLevel();
        managerLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void releaseLogs() {
        logLogger.detachAppender(events);
        managerLogger.detachAppender(events);
        managerLogger.setLevel(managerLevel);
    }

    @Test
    void afterACleanShutdownNothingIsScanned() throws IOException {
        // Given: a clean shutdown, then a flipped byte in the last batch
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(batch("v" + i), 0, NOW);
        }
        Path segment = Segment.logFile(log.dir(), 0);
        manager.close();
        corruptValue(segment, "v4");

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {

            // Then: the batch was not checked, so it is still there, as written
            Log again = reopened.get(TP).orElseThrow();
            assertThat(again.logEndOffset()).isEqualTo(5);
            assertThat(consumeAll(again)).containsExactly("v0", "v1", "v2", "v3", "w4");
        }
        assertThat(messages()).noneMatch(m -> m.contains("Loaded") || m.contains("Recovered"));
    }

    @Test
    void afterACrashOnlyBatchesPastTheRecoveryPointAreChecked() throws IOException {
        // Given: segment 0 holds 0-4, segment 5 holds 5-14, and everything below 10 was fsynced and
        // checkpointed before the crash
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        Log log = manager.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
        for (int i = 0; i < 15; i++) {
            if (i == 5) {
                log.roll();
            }
            log.appendAsLeader(batch("v" + i), 0, NOW);
            if (i == 9) {
                log.flush(10);
                manager.checkpoint();
            }
        }
        Path dir = log.dir();
        manager.crash();
        // a flipped byte in an older segment, one in the recovery point's segment below it, one above it
        corruptValue(Segment.logFile(dir, 0), "v2");
        corruptValue(Segment.logFile(dir, 5), "v7");
        corruptValue(Segment.logFile(dir, 5), "v12");

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of())) {

            // Then: only the corruption past the recovery point was found, and the log cut there
            Log again = reopened.get(TP).orElseThrow();
            assertThat(again.logEndOffset()).isEqualTo(12);
            assertThat(consumeAll(again)).containsExactly("v0", "v1", "w2", "v3", "v4", "v5", "v6", "w7", "v8",
                    "v9", "v10", "v11");
        }
        assertThat(messages()).anyMatch(m -> m.startsWith("Recovered") && m.contains("after offset 12"));
        assertThat(messages()).anyMatch(m -> m.startsWith("Loaded 1 partitions from " + tmp.toAbsolutePath())
                && m.endsWith("after an unclean shutdown"));
    }

    @Test
    void partitionsOfADirectoryRecoverInParallel() throws IOException {
        // Given: 40 partitions with a torn tail each after a crash, each enough work (400 KB of CRCs) that
        // one thread cannot finish them all before the others start
        int partitions = 40;
        LogManager manager = LogManager.open(List.of(tmp), Map.of());
        List<Path> tails = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            Log log = manager.getOrCreate(new TopicPartition("many", p), Uuid.randomUuid(), LogConfig.defaults());
            for (int i = 0; i < 100; i++) {
                log.appendAsLeader(batch("x".repeat(4000)), 0, NOW);
            }
            tails.add(Segment.logFile(log.dir(), 0));
        }
        manager.crash();
        for (Path tail : tails) {
            Files.write(tail, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        }

        // When
        try (LogManager reopened = LogManager.open(List.of(tmp), Map.of(), Time.SYSTEM, 4, null)) {

            // Then: every log was cut back to its 100 batches, on more than one recovery thread
            assertThat(reopened.logs()).hasSize(partitions).allSatisfy(l -> assertThat(l.logEndOffset()).isEqualTo(100));
        }
        Set<String> threads = events.list.stream().filter(e -> e.getFormattedMessage().startsWith("Recovered"))
                .map(ILoggingEvent::getThreadName).collect(Collectors.toSet());
        assertThat(threads).allMatch(t -> t.startsWith("letterbox-recovery-0-")).hasSizeGreaterThan(1);
        assertThat(messages()).filteredOn(m -> m.startsWith("Loaded")).hasSize(1);
    }

    @Test
    void eachDirectoryReportsItsOwnUncleanRecovery() {
        // Given
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LogManager manager = LogManager.open(List.of(a, b), Map.of());
        for (int p = 0; p < 4; p++) {
            manager.getOrCreate(new TopicPartition("t", p), Uuid.randomUuid(), LogConfig.defaults())
                    .appendAsLeader(batch("v"), 0, NOW);
        }
        manager.crash();

        // When
        LogManager.open(List.of(a, b), Map.of(), Time.SYSTEM, 2, null).close();

        // Then
        assertThat(messages()).filteredOn(m -> m.startsWith("Loaded")).hasSize(2)
                .anyMatch(m -> m.startsWith("Loaded 2 partitions from " + a.toAbsolutePath() + " in "))
                .anyMatch(m -> m.startsWith("Loaded 2 partitions from " + b.toAbsolutePath() + " in "));
    }

    private List<String> messages() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Changes the first byte of {@code value} inside the batch holding it ('v' becomes 'w'): a CRC mismatch. */
    private static void corruptValue(Path segment, String value) throws IOException {
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (FileRecords records = FileRecords.open(segment.toFile())) {
            for (FileChannelRecordBatch batch : records.batches()) {
                ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
                records.readInto(bytes, batch.position());
                byte[] array = bytes.array();
                int at = lastIndexOf(array, needle);
                if (at >= 0 && at + needle.length == array.length - 1) {
                    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(new byte[] {'w'}), batch.position() + at);
                    }
                    return;
                }
            }
        }
        throw new AssertionError("no batch ends with value " + value + " in " + segment);
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
