package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static io.letterbox.storage.log.TestBatches.config;
import static io.letterbox.storage.log.TestBatches.consumeAll;
import static io.letterbox.storage.log.TestBatches.openLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A log on a real, small tmpfs that fills up: the append that does not fit is refused whole (no half
 * batch in the file, nothing readable, log end unchanged), the log stays online and readable, and once
 * space is freed appends work again with everything earlier intact.
 */
class DiskFullTest {

    @TempDir
    Path tmp;

    private Tmpfs tmpfs;
    private Log log;

    @AfterEach
    void unmount() throws Exception {
        if (log != null) {
            log.close();
        }
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    @Test
    void anAppendThatFindsTheDiskFullLeavesNoHalfBatchAndAppendsWorkOnceSpaceIsFreed() throws Exception {
        // Given a log on a 2 MiB tmpfs, beside a 256 KiB file that can be deleted later
        tmpfs = Tmpfs.mount(tmp.resolve("mnt"), "size=2m");
        Path filler = tmpfs.dir().resolve("filler");
        Files.write(filler, new byte[256 * 1024]);
        log = openLog(tmpfs.dir(), LogConfig.defaults());

        // When 7000-byte batches (not a multiple of a page, so the write stops mid-batch) go in until one fails
        List<String> appended = new ArrayList<>();
        KafkaStorageException failure = null;
        for (int i = 0; i < 1000 && failure == null; i++) {
            String value = i + "-" + "v".repeat(7000);
            try {
                log.appendAsLeader(batch(value), 0, NOW);
                appended.add(value);
            } catch (KafkaStorageException e) {
                failure = e;
            }
        }

        // Then: refused for space; the file holds exactly the whole batches; the log is online and readable
        assertThat(failure).isNotNull().hasMessageContaining("No space left on device");
        assertThat(log.isOffline()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(appended.size());
        assertThat(Files.size(Segment.logFile(log.dir(), 0))).isEqualTo(log.sizeInBytes());
        assertThat(consumeAll(log)).containsExactlyElementsOf(appended);
        assertThatThrownBy(() -> log.appendAsLeader(batch("still full " + "v".repeat(7000)), 0, NOW))
                .isInstanceOf(KafkaStorageException.class);
        assertThat(log.logEndOffset()).isEqualTo(appended.size());

        // When space is freed
        Files.delete(filler);
        LogAppendInfo after = log.appendAsLeader(batch("after"), 0, NOW);
        appended.add("after");

        // Then the next append takes the next offset, and a recovery of the whole log (CRCs checked) cuts nothing
        assertThat(after.firstOffset()).isEqualTo(appended.size() - 1);
        long size = log.sizeInBytes();
        log.close();
        log = openLog(tmpfs.dir(), LogConfig.defaults());
        assertThat(log.sizeInBytes()).isEqualTo(size);
        assertThat(consumeAll(log)).containsExactlyElementsOf(appended);
    }

    @Test
    void anAppendWhoseIndexWriteFindsTheDiskFullIsUndoneWithItsData() throws Exception {
        // Given a log indexing every batch (the first batch has no entry: position 0 is implied), whose
        // indexes reach their files every WRITE_BATCH entries
        tmpfs = Tmpfs.mount(tmp.resolve("mnt"), "size=2m");
        log = openLog(tmpfs.dir(), config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "0")));
        log.appendAsLeader(batch("first"), 0, NOW);
        int appends = 1;
        // Appended up to the batch whose entry makes the indexes write, at a moment when that batch fits in
        // the last page of the .log file (so only the index write needs a new page)
        for (int cycle = 0; ; cycle++) {
            assertThat(cycle).as("a write moment with room in the log's last page").isLessThan(64 * OffsetIndex.WRITE_BATCH);
            long slack = (4096 - log.sizeInBytes() % 4096) % 4096;
            if (appends % OffsetIndex.WRITE_BATCH == 0 && slack >= 256) {
                break;
            }
            log.appendAsLeader(batch("n" + appends), 0, NOW);
            appends++;
        }
        long indexBefore = Files.size(log.dir().resolve(Segment.fileName(0, ".index")));
        long timeIndexBefore = Files.size(log.dir().resolve(Segment.fileName(0, ".timeindex")));
        long sizeBefore = log.sizeInBytes();
        Path filler = tmpfs.dir().resolve("filler");
        tmpfs.fill(filler);

        // When that batch's bytes fit but the index write needs a new page
        assertThatThrownBy(() -> log.appendAsLeader(batch("full"), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("No space left on device");

        // Then the data and both index files are as before the append, and the log stays online
        assertThat(log.isOffline()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(appends);
        assertThat(Files.size(Segment.logFile(log.dir(), 0))).isEqualTo(sizeBefore);
        assertThat(Files.size(log.dir().resolve(Segment.fileName(0, ".index")))).isEqualTo(indexBefore);
        assertThat(Files.size(log.dir().resolve(Segment.fileName(0, ".timeindex")))).isEqualTo(timeIndexBefore);

        // When space is freed, the batch goes in and the index file holds every entry
        Files.delete(filler);
        assertThat(log.appendAsLeader(batch("full"), 0, NOW).firstOffset()).isEqualTo(appends);
        assertThat(Files.size(log.dir().resolve(Segment.fileName(0, ".index"))))
                .isEqualTo((long) appends * OffsetIndex.ENTRY_SIZE);
        List<String> all = consumeAll(log);
        assertThat(all).hasSize(appends + 1).startsWith("first").endsWith("full");

        // And a clean reopen reads the same indexes back
        log.close();
        log = openLog(tmpfs.dir(), config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "0")));
        assertThat(consumeAll(log)).isEqualTo(all);
    }

    @Test
    void aRollThatFindsTheDiskFullLeavesTheLogAsItWasAndRollsOnceSpaceIsFreed() throws Exception {
        // Given a segment that the next 8000-byte batch does not fit in, on a disk full to the last page
        tmpfs = Tmpfs.mount(tmp.resolve("mnt"), "size=2m");
        log = openLog(tmpfs.dir(), config(Map.of(LogConfig.SEGMENT_BYTES, "20000")));
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String value = i + "-" + "v".repeat(8000);
            log.appendAsLeader(batch(value), 0, NOW);
            appended.add(value);
        }
        List<String> filesBefore = files(log.dir());
        Path filler = tmpfs.dir().resolve("filler");
        tmpfs.fill(filler);

        // When the append needs a new segment
        assertThatThrownBy(() -> log.appendAsLeader(batch("2-" + "v".repeat(8000)), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("No space left on device");

        // Then: no new segment, no stray file, nothing moved
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.isOffline()).isFalse();
        assertThat(files(log.dir())).containsExactlyElementsOf(filesBefore);
        assertThat(consumeAll(log)).containsExactlyElementsOf(appended);

        // When space is freed, the same append rolls and lands at the next offset
        Files.delete(filler);
        String value = "2-" + "v".repeat(8000);
        assertThat(log.appendAsLeader(batch(value), 0, NOW).firstOffset()).isEqualTo(2);
        appended.add(value);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
        assertThat(consumeAll(log)).containsExactlyElementsOf(appended);
    }

    @Test
    void aRollThatCannotCreateTheNewSegmentsFilesLeavesNoHalfSegmentBehind() throws Exception {
        // Given a full segment on a tmpfs with two inodes left: enough for the producer snapshot and
        // the new segment's .log file, not for its index
        tmpfs = Tmpfs.mount(tmp.resolve("mnt"), "size=2m,nr_inodes=64");
        log = openLog(tmpfs.dir(), config(Map.of(LogConfig.SEGMENT_BYTES, "20000")));
        log.appendAsLeader(batch("0-" + "v".repeat(15000)), 0, NOW);
        List<String> filesBefore = files(log.dir());
        List<Path> inodes = tmpfs.fillInodes(tmpfs.dir());
        Files.delete(inodes.get(0));
        Files.delete(inodes.get(1));

        // When the next append needs a new segment
        assertThatThrownBy(() -> log.appendAsLeader(batch("1-" + "v".repeat(8000)), 0, NOW))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining("No space left on device");

        // Then the half-created segment is gone (only the producer snapshot at its offset stays), nothing moved
        List<String> expected = new ArrayList<>(filesBefore);
        expected.add(Segment.fileName(1, ".snapshot"));
        assertThat(files(log.dir())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(1);

        // When inodes are freed, the roll happens
        for (Path inode : inodes.subList(2, inodes.size())) {
            Files.delete(inode);
        }
        assertThat(log.appendAsLeader(batch("1-" + "v".repeat(8000)), 0, NOW).firstOffset()).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 1L);
        assertThat(consumeAll(log)).containsExactly("0-" + "v".repeat(15000), "1-" + "v".repeat(8000));
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
