package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.DuplicateSequenceException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.letterbox.storage.log.TestBatches.TOPIC_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Log compaction on real files: what the cleaner keeps, when, and what a crash mid-swap leaves. */
class CompactionTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path tmp;

    private final ManualTime time = new ManualTime(System.currentTimeMillis());
    private final List<Log> logs = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        logs.forEach(Log::close);
    }

    /** A clock that moves only when told. */
    static final class ManualTime implements Time {
        private long ms;

        ManualTime(long ms) {
            this.ms = ms;
        }

        @Override
        public synchronized long milliseconds() {
            return ms;
        }

        @Override
        public synchronized long nanoseconds() {
            return TimeUnit.MILLISECONDS.toNanos(ms);
        }

        @Override
        public synchronized void sleep(long sleepMs) {
            ms += sleepMs;
        }
    }

    record Rec(long offset, String key, String value) {
    }

    private Log open(String dirName, Map<String, String> overrides) {
        Map<String, String> cfg = new HashMap<>(Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01"));
        cfg.putAll(overrides);
        Log log = Log.open(tmp.resolve(dirName), TOPIC_ID, LogConfig.of(cfg, Map.of()), time);
        logs.add(log);
        return log;
    }

    private Log open(Map<String, String> overrides) {
        return open("orders-0", overrides);
    }

    private static MemoryRecords keyed(long timestamp, Compression compression, String... keyValues) {
        SimpleRecord[] records = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            String value = keyValues[2 * i + 1];
            records[i] = new SimpleRecord(timestamp, bytes(keyValues[2 * i]), value == null ? null : bytes(value));
        }
        return MemoryRecords.withRecords(compression, records);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Appends {@code rounds} updates of keys k0..k{keys-1}, one batch per update, rolling every {@code perSegment}. */
    private Map<String, Long> writeUpdates(Log log, int keys, int rounds, int perSegment) {
        Map<String, Long> latest = new LinkedHashMap<>();
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < keys; k++) {
                LogAppendInfo info = log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "k" + k,
                        "v" + r), 0, time.milliseconds());
                latest.put("k" + k, info.firstOffset());
                if (++n % perSegment == 0) {
                    log.roll();
                }
            }
        }
        return latest;
    }

    /** Every record from the log start to the end, following offsets across segments and gaps. */
    private static List<Rec> records(Log log) {
        List<Rec> all = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            Records records = log.read(offset, 1024 * 1024, Long.MAX_VALUE, true).records();
            long next = offset;
            for (RecordBatch batch : records.batches()) {
                for (Record r : batch) {
                    if (r.offset() >= offset) {
                        all.add(new Rec(r.offset(), string(r.key()), string(r.value())));
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return all;
    }

    private LogCleaner cleanerOf(Log... cleanable) {
        return new LogCleaner(new LogCleaner.Config(1, 10, 1 << 20, Double.MAX_VALUE), () -> List.of(cleanable), time);
    }

    private Cleaner cleaner(long dedupeBytes) {
        return new Cleaner(new OffsetMap(dedupeBytes), new Throttler(Double.MAX_VALUE, 300, time), time, () -> false);
    }

    @Test
    void keepsTheLatestRecordPerKeyAtItsOffsetAndLeavesTheActiveSegmentAlone() {
        // Given: 10 keys updated 20 times, 25 batches per segment, then 3 more in the active segment
        Log log = open(Map.of());
        Map<String, Long> latest = writeUpdates(log, 10, 20, 25);
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "k0", "active-1"), 0, time.milliseconds());
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "k0", "active-2"), 0, time.milliseconds());
        log.updateHighWatermark(log.logEndOffset());
        long activeBase = log.activeSegment().baseOffset();
        List<Rec> activeBefore = records(log).stream().filter(r -> r.offset() >= activeBase).toList();
        long end = log.logEndOffset();

        // When
        boolean cleaned = cleanerOf(log).cleanFilthiest(cleaner(1 << 20));

        // Then: one record per key below the active segment, at the offset it was written at
        assertThat(cleaned).isTrue();
        List<Rec> after = records(log);
        List<Rec> closed = after.stream().filter(r -> r.offset() < activeBase).toList();
        assertThat(closed).extracting(Rec::key).doesNotHaveDuplicates().hasSize(10);
        for (Rec r : closed) {
            assertThat(r.offset()).isEqualTo(latest.get(r.key()));
            assertThat(r.value()).isEqualTo("v19");
        }
        assertThat(after).extracting(Rec::offset).isSorted();
        assertThat(after.stream().filter(r -> r.offset() >= activeBase).toList()).isEqualTo(activeBefore);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.activeSegment().baseOffset()).isEqualTo(activeBase);
        // Small cleaned segments were merged into fewer
        assertThat(log.segmentCount()).isLessThan(8);
    }

    @Test
    void theCleanedLogReadsTheSameAfterReopening() {
        Log log = open(Map.of());
        writeUpdates(log, 5, 10, 7);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        cleanerOf(log).cleanFilthiest(cleaner(1 << 20));
        List<Rec> cleaned = records(log);
        log.close();

        Log reopened = open(Map.of());
        reopened.updateHighWatermark(reopened.logEndOffset());

        assertThat(records(reopened)).isEqualTo(cleaned);
        assertThat(reopened.logEndOffset()).isEqualTo(50);
    }

    @Test
    void tombstonesStayForDeleteRetentionMsAfterTheirFirstCleaningThenGo() {
        // Given: a and b written, then a deleted; delete.retention.ms = 1 h
        Log log = open(Map.of(LogConfig.DELETE_RETENTION_MS, Long.toString(HOUR)));
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "a", "1", "b", "1"), 0, time.milliseconds());
        log.roll();
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "a", null), 0, time.milliseconds());
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        LogCleaner logCleaner = cleanerOf(log);
        Cleaner cleaner = cleaner(1 << 20);

        // When: cleaned now, then again just before the horizon
        assertThat(logCleaner.cleanFilthiest(cleaner)).isTrue();
        List<Rec> first = records(log);
        time.sleep(HOUR - 1);
        boolean beforeHorizon = logCleaner.cleanFilthiest(cleaner);

        // Then: the tombstone stays (the older value of a is gone), and nothing was due
        assertThat(first).containsExactly(new Rec(1, "b", "1"), new Rec(2, "a", null));
        assertThat(beforeHorizon).isFalse();

        // When: the horizon has passed, the cleaner picks the log up by itself
        time.sleep(1);
        assertThat(logCleaner.cleanFilthiest(cleaner)).isTrue();

        // Then
        assertThat(records(log)).containsExactly(new Rec(1, "b", "1"));
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void recordsYoungerThanMinCompactionLagAreNotCleaned() {
        // Given: an old segment and a young one, both updating k
        Log log = open(Map.of(LogConfig.MIN_COMPACTION_LAG_MS, Long.toString(HOUR)));
        long now = time.milliseconds();
        log.appendAsLeader(keyed(now - 2 * HOUR, Compression.NONE, "k", "old1"), 0, now);
        log.appendAsLeader(keyed(now - 2 * HOUR, Compression.NONE, "k", "old2"), 0, now);
        log.roll();
        log.appendAsLeader(keyed(now - 60_000, Compression.NONE, "k", "young"), 0, now);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());

        // When
        cleanerOf(log).cleanFilthiest(cleaner(1 << 20));

        // Then: the old segment was cleaned on its own; the young one's record did not remove old2
        assertThat(records(log)).containsExactly(new Rec(1, "k", "old2"), new Rec(2, "k", "young"));
    }

    @Test
    void aLogBelowMinCleanableDirtyRatioIsLeftAloneUntilMaxCompactionLag() {
        // Given: a cleaned log with a little new dirt, ratio 0.9 required
        Log log = open(Map.of(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.9",
                LogConfig.MAX_COMPACTION_LAG_MS, Long.toString(HOUR)));
        writeUpdates(log, 20, 1, 100);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        LogCleaner logCleaner = cleanerOf(log);
        Cleaner cleaner = cleaner(1 << 20);
        assertThat(logCleaner.cleanFilthiest(cleaner)).isTrue();
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "k0", "new"), 0, time.milliseconds());
        log.roll();
        log.updateHighWatermark(log.logEndOffset());

        // Then: 1 dirty batch against 20 clean ones is not enough
        assertThat(logCleaner.grabFilthiest(time.milliseconds())).isNull();

        // When: the dirty record gets older than max.compaction.lag.ms
        time.sleep(HOUR + 1);

        // Then
        assertThat(logCleaner.cleanFilthiest(cleaner)).isTrue();
        assertThat(records(log)).filteredOn(r -> r.key().equals("k0")).containsExactly(new Rec(20, "k0", "new"));
    }

    @Test
    void theLastBatchOfEachProducerStaysSoItsSequencesSurviveARestart() throws IOException {
        // Given: producer 7 writes k three times (sequences 0, 1, 2), then a plain write supersedes k
        Log log = open(Map.of());
        for (int seq = 0; seq < 3; seq++) {
            log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, seq,
                    new SimpleRecord(time.milliseconds(), bytes("k"), bytes("p" + seq))), 0, time.milliseconds());
        }
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "k", "plain"), 0, time.milliseconds());
        log.roll();
        log.updateHighWatermark(log.logEndOffset());

        // When: cleaned, and the log reopened (producer state rebuilt from the segments)
        cleanerOf(log).cleanFilthiest(cleaner(1 << 20));
        List<Rec> cleaned = records(log);
        List<Long> producerBatches = new ArrayList<>();
        for (RecordBatch b : log.read(0, 1 << 20, Long.MAX_VALUE, true).records().batches()) {
            if (b.hasProducerId()) {
                producerBatches.add(b.lastOffset());
            }
        }
        log.close();
        Files.list(tmp.resolve("orders-0")).filter(p -> p.toString().endsWith(".snapshot")).forEach(p -> p.toFile().delete());
        Log reopened = open(Map.of());

        // Then: only k's latest value is left, yet the producer's last (now empty) batch is there
        assertThat(cleaned).containsExactly(new Rec(3, "k", "plain"));
        assertThat(producerBatches).containsExactly(2L);
        assertThat(reopened.lastSequence(7L)).hasValue(2);
        assertThatThrownBy(() -> reopened.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L,
                (short) 0, 5, new SimpleRecord(time.milliseconds(), bytes("k"), bytes("gap"))), 0, time.milliseconds()))
                .isInstanceOf(org.apache.kafka.common.errors.OutOfOrderSequenceException.class);
        LogAppendInfo next = reopened.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L,
                (short) 0, 3, new SimpleRecord(time.milliseconds(), bytes("k"), bytes("p3"))), 0, time.milliseconds());
        assertThat(next.firstOffset()).isEqualTo(4);
    }

    @Test
    void compressedBatchesAreRecompressedWithTheirCodec() {
        // Given: gzip and lz4 batches with superseded keys
        Log log = open(Map.of());
        log.appendAsLeader(keyed(time.milliseconds(), Compression.gzip().build(), "a", "1", "b", "1", "c", "1"), 0,
                time.milliseconds());
        log.appendAsLeader(keyed(time.milliseconds(), Compression.lz4().build(), "a", "2", "d", "1"), 0,
                time.milliseconds());
        log.appendAsLeader(keyed(time.milliseconds(), Compression.NONE, "b", "2"), 0, time.milliseconds());
        log.roll();
        log.updateHighWatermark(log.logEndOffset());

        // When
        cleanerOf(log).cleanFilthiest(cleaner(1 << 20));

        // Then
        List<CompressionType> codecs = new ArrayList<>();
        for (RecordBatch b : log.read(0, 1 << 20, Long.MAX_VALUE, true).records().batches()) {
            codecs.add(b.compressionType());
            assertThat(b.isValid()).isTrue();
        }
        assertThat(codecs).containsExactly(CompressionType.GZIP, CompressionType.LZ4, CompressionType.NONE);
        assertThat(records(log)).containsExactly(new Rec(2, "c", "1"), new Rec(3, "a", "2"), new Rec(4, "d", "1"),
                new Rec(5, "b", "2"));
    }

    @Test
    void aCompactedTopicRefusesRecordsWithoutKey() {
        Log log = open(Map.of());

        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(time.milliseconds(), null, bytes("v"))), 0, time.milliseconds()))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("without key");
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void aCleanedFileLeftByACrashIsDeletedAndTheOldSegmentsKept() throws IOException {
        // Given: a crash while the cleaner was writing 0.log.cleaned
        Log log = open(Map.of());
        writeUpdates(log, 3, 4, 5);
        List<Rec> before = records(log);
        log.close();
        Path dir = tmp.resolve("orders-0");
        Files.write(dir.resolve(Segment.fileName(0, ".log.cleaned")), new byte[] {1, 2, 3});
        Files.write(dir.resolve(Segment.fileName(0, ".index.cleaned")), new byte[8]);

        // When
        Log reopened = open(Map.of());

        // Then
        assertThat(records(reopened)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".cleaned"));
        }
    }

    @Test
    void aSwapFileLeftByACrashFinishesTheSwapWhateverStepTheCrashInterrupted() throws IOException {
        for (int step = 0; step < 3; step++) {
            // Given: the same log cleaned in one copy, and in another copy a crash just before the swap
            Path cleanDir = tmp.resolve("clean" + step);
            Path crashDir = tmp.resolve("crash" + step);
            Log log = open("clean" + step + "/orders-0", Map.of());
            writeUpdates(log, 4, 6, 6);
            log.roll();
            log.close();
            copy(cleanDir.resolve("orders-0"), crashDir.resolve("orders-0"));
            log = open("clean" + step + "/orders-0", Map.of());
            log.updateHighWatermark(log.logEndOffset());
            Cleaner cleaner = cleaner(1 << 20);
            LogToClean target = LogToClean.measure(log, 0, time.milliseconds());
            List<List<Segment>> groups = Cleaner.groupSegments(log.segmentMap(), target.firstUncleanableOffset(),
                    log.config().segmentBytes());
            assertThat(groups).hasSize(1);
            List<Long> oldBases = groups.get(0).stream().map(Segment::baseOffset).toList();
            cleaner.clean(target);
            List<Rec> expected = records(log);
            log.close();
            Path crashed = crashDir.resolve("orders-0");
            for (String ext : new String[] {".log", ".index", ".timeindex"}) {
                Files.copy(cleanDir.resolve("orders-0").resolve(Segment.fileName(0, ext)),
                        crashed.resolve(Segment.fileName(0, ext + Segment.SWAP_SUFFIX)));
            }
            // step 0: no old segment renamed yet; 1: the first renamed .deleted; 2: all renamed
            for (int i = 0; i < Math.min(step == 2 ? oldBases.size() : step, oldBases.size()); i++) {
                for (String ext : new String[] {".log", ".index", ".timeindex"}) {
                    Path f = crashed.resolve(Segment.fileName(oldBases.get(i), ext));
                    if (Files.exists(f)) {
                        Files.move(f, f.resolveSibling(f.getFileName() + Segment.DELETED_SUFFIX));
                    }
                }
            }

            // When
            Log recovered = open("crash" + step + "/orders-0", Map.of());
            recovered.updateHighWatermark(recovered.logEndOffset());

            // Then: the cleaned log, nothing more, nothing less
            assertThat(records(recovered)).as("crash at step %d", step).isEqualTo(expected);
            try (Stream<Path> files = Files.list(crashed)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.endsWith(Segment.SWAP_SUFFIX) || n.endsWith(Segment.DELETED_SUFFIX));
            }
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void aLogWhoseKeysDoNotFitIsMarkedUncleanableAndTheOthersAreStillCleaned() {
        // Given: a 16-entry dedupe map; one log with 40 keys in a segment, one with 2 keys
        Log big = open("big-0", Map.of());
        writeUpdates(big, 40, 1, 100);
        big.roll();
        big.updateHighWatermark(big.logEndOffset());
        Log small = open("small-0", Map.of());
        writeUpdates(small, 2, 3, 100);
        small.roll();
        small.updateHighWatermark(small.logEndOffset());
        LogCleaner logCleaner = cleanerOf(big, small);
        Cleaner cleaner = cleaner(16 * OffsetMap.BYTES_PER_ENTRY);

        // When: a few rounds
        for (int round = 0; round < 3; round++) {
            logCleaner.cleanFilthiest(cleaner);
        }

        // Then
        assertThat(records(small)).hasSize(2);
        assertThat(records(big)).hasSize(40);
        assertThat(logCleaner.grabFilthiest(time.milliseconds())).isNull();
    }

    @Test
    void theCheckpointRecordsWhereTheDirtySectionStartsAcrossRestarts() {
        Log log = open(Map.of());
        writeUpdates(log, 3, 3, 100);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        cleanerOf(log).cleanFilthiest(cleaner(1 << 20));

        LogCleaner restarted = cleanerOf(log);

        assertThat(restarted.checkpointOf(log)).isEqualTo(9);
        assertThat(restarted.grabFilthiest(time.milliseconds())).isNull();
        assertThat(tmp.resolve(LogCleaner.CHECKPOINT_FILE)).content().contains("orders 0 9");
    }

    @Test
    void aCleaningAskedToStopLeavesTheLogAsItWasAndNoCleanedFiles() throws IOException {
        // Given: a dirty log and a cleaner told to stop at its fifth check
        Log log = open(Map.of());
        writeUpdates(log, 5, 10, 10);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        List<Rec> before = records(log);
        int[] checks = {0};
        Cleaner stopping = new Cleaner(new OffsetMap(1 << 20), new Throttler(Double.MAX_VALUE, 300, time), time,
                () -> ++checks[0] >= 5);

        // When / Then
        assertThatThrownBy(() -> stopping.clean(LogToClean.measure(log, 0, time.milliseconds())))
                .isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(records(log)).isEqualTo(before);
        try (Stream<Path> files = Files.list(log.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(Segment.CLEANED_SUFFIX) || n.endsWith(Segment.SWAP_SUFFIX));
        }
    }

    @Test
    void retentionRemovingSegmentsDuringACleaningMakesItGiveUpThoseAndKeepTheLogWhole() throws IOException {
        // Given: compact,delete with 1 h retention; two old segments, then recent ones
        Log log = open(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete", LogConfig.RETENTION_MS, Long.toString(HOUR)));
        long now = time.milliseconds();
        for (int i = 0; i < 2; i++) {
            log.appendAsLeader(keyed(now - 2 * HOUR, Compression.NONE, "k", "old" + i), 0, now);
            log.roll();
        }
        log.appendAsLeader(keyed(now, Compression.NONE, "k", "new", "j", "1"), 0, now);
        log.roll();
        log.updateHighWatermark(log.logEndOffset());
        LogToClean target = LogToClean.measure(log, 0, now);
        // Retention runs on another thread while the cleaner is at its first check
        boolean[] retentionRan = {false};
        Cleaner cleaner = new Cleaner(new OffsetMap(1 << 20), new Throttler(Double.MAX_VALUE, 300, time), time, () -> {
            if (!retentionRan[0]) {
                retentionRan[0] = true;
                Thread retention = new Thread(() -> log.enforceRetention(now));
                retention.start();
                try {
                    retention.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return false;
        });

        // When
        Cleaner.Result result = cleaner.clean(target);

        // Then: the swap of the retired segments was refused, nothing is lost, and the next round cleans
        assertThat(retentionRan[0]).isTrue();
        assertThat(result.nextDirtyOffset()).isZero();
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(records(log)).containsExactly(new Rec(2, "k", "new"), new Rec(3, "j", "1"));
        try (Stream<Path> files = Files.list(log.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(Segment.CLEANED_SUFFIX) || n.endsWith(Segment.SWAP_SUFFIX));
        }
        assertThat(cleanerOf(log).cleanFilthiest(cleaner(1 << 20))).isTrue();
        assertThat(records(log)).containsExactly(new Rec(2, "k", "new"), new Rec(3, "j", "1"));
    }

    @Test
    void aSwapIsRefusedForSegmentsRetiredOrChangedSinceTheCleaningBegan() throws IOException {
        // Given: two closed segments, the first then removed by DeleteRecords
        Log log = open(Map.of());
        writeUpdates(log, 2, 2, 2);
        log.updateHighWatermark(log.logEndOffset());
        Segment first = log.segmentMap().firstEntry().getValue();
        Segment second = log.segmentMap().higherEntry(first.baseOffset()).getValue();
        int firstSize = first.size();
        log.deleteRecordsBefore(second.baseOffset());

        // When / Then: a swap for the retired one, or with a stale size, changes nothing
        Segment cleaned = Segment.createCleaned(log.dir(), first.baseOffset(), time.milliseconds());
        cleaned.renameTo(Segment.SWAP_SUFFIX);
        assertThat(log.replaceWithCleaned(List.of(first), new int[] {firstSize}, cleaned)).isFalse();
        assertThat(log.replaceWithCleaned(List.of(second), new int[] {second.size() + 1}, cleaned)).isFalse();
        cleaned.delete();
        assertThat(log.segmentMap().firstEntry().getValue()).isSameAs(second);
        assertThat(records(log)).extracting(Rec::value).containsExactly("v1", "v1");
    }

    @Test
    void theThrottlerSleepsWhatBringsAPeriodBackToTheRate() {
        // Given: 1000 bytes/s, checked every 100 ms
        Throttler throttler = new Throttler(1000, 100, time);
        long start = time.nanoseconds();
        long ms = TimeUnit.MILLISECONDS.toNanos(1);

        // Then: within a period nothing; 1000 bytes in 200 ms sleep 800 ms; then at the rate nothing
        assertThat(throttler.record(500, start + 50 * ms)).isZero();
        assertThat(throttler.record(500, start + 200 * ms)).isEqualTo(800 * ms);
        assertThat(throttler.record(100, start + 1100 * ms)).isZero();
        assertThat(new Throttler(Double.MAX_VALUE, 100, time).record(1L << 40, start + 200 * ms)).isZero();
    }
}
