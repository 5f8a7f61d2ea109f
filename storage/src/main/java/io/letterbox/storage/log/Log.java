package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;
import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.producer.BatchMetadata;
import io.letterbox.storage.producer.ProducerStateEntry;
import io.letterbox.storage.producer.ProducerStateManager;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The log of one partition, in directory {@code <logDir>/<topic>-<partition>/}:
 *
 * <pre>
 * 00000000000000000000.log        batches as received (magic v2), baseOffset/leader epoch patched
 * 00000000000000000000.index      sparse offset index        (see {@link OffsetIndex})
 * 00000000000000000000.timeindex  sparse time index          (see {@link TimeIndex})
 * 00000000000000001234.log ...    next segment, named after its first offset
 * 00000000000000001234.snapshot   producer state below 1234 (see {@link ProducerStateManager})
 * leader-epoch-checkpoint         epoch -> start offset      (see {@link LeaderEpochCache})
 * partition.metadata              topic id                   (see {@link PartitionMetadata})
 * </pre>
 *
 * <p>Writes: {@link #appendAsLeader} validates batches in place, assigns offsets and writes the bytes in
 * one write; "done" when it returns means written to the page cache and visible to {@link #read}. It is
 * durable only once {@link #flush} (or a {@link GroupCommit} round) has covered it; {@link #flushedOffset()}
 * tells how far that is. Log start offset changes, epoch changes, truncation and producer snapshots are
 * durable when the call returns.
 *
 * <p>Retention ({@link #enforceRetention}), DeleteRecords and truncation retire whole segments: the log
 * start offset moves first (durably), then the segment list is replaced without them, then their files
 * are renamed with the {@value Segment#DELETED_SUFFIX} suffix and handed to the {@link SegmentDeleter},
 * which closes and removes them after {@code file.delete.delay.ms}.
 *
 * <p>Compaction ({@link LogCleaner}) rewrites closed segments beside the log and swaps each in with
 * {@link #replaceWithCleaned}, which retires the old ones the same way; leftovers of a crash mid-swap
 * ({@code .cleaned}, {@code .swap}) are resolved at open by {@link SegmentSwap}.
 *
 * <p>Thread-safety: appends, roll, truncation and segment deletion are serialized by one write lock.
 * Reads run concurrently with them and only see whole batches: the new log end offset is published
 * (volatile) after the bytes and the segment size. The segment list is an immutable map replaced in
 * one volatile write, and each read works on the one it took first, so it never sees a list with some
 * of a deletion's segments gone and others not; a segment it took stays readable until the deleter's
 * delay has passed. {@link #flush} uses its own lock so an fsync runs while appends continue;
 * truncation, deletion and close take both (flush lock first).
 */
public final class Log implements Closeable {

    static final Logger LOG = LoggerFactory.getLogger(Log.class);

    /** Told when the log start offset moved, so the owner can persist it before the call returns. */
    interface LogStartOffsetListener {
        void onLogStartOffsetChanged(Log log) throws IOException;
    }

    /** Told when an I/O error other than a full disk hit the log: its log directory is failing. */
    interface LogDirFailureListener {
        void onLogDirFailure(Log log, IOException cause);
    }

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Time time;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochCache;
    private final SegmentDeleter deleter;
    /** Base offset -> segment, ascending; never empty once loaded; replaced whole, never changed in place. */
    private volatile NavigableMap<Long, Segment> segments = Collections.emptyNavigableMap();
    private final Object writeLock = new Object();
    private final Object flushLock = new Object();
    private volatile LogStartOffsetListener listener;
    private volatile LogDirFailureListener dirFailureListener;
    private volatile Uuid topicId;
    private volatile LogConfig config;
    private volatile Segment active;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile long highWatermark;
    private volatile long flushedOffset;
    private volatile boolean closed;
    /** Set when the log directory failed: every read and write answers KafkaStorageException from then on. */
    private volatile boolean offline;
    /** True from an append refused for a full disk until the next one that succeeds (one log line each way). */
    private boolean outOfSpace;
    /** How often the log was truncated; an acknowledgement waiting for an offset is void once it moves. */
    private volatile long truncations;

    private Log(Path dir, TopicPartition tp, Uuid topicId, LogConfig config, Time time, SegmentDeleter deleter,
                List<String> fileNames) throws IOException {
        this.dir = dir;
        this.topicPartition = tp;
        this.topicId = topicId;
        this.config = config;
        this.time = time;
        this.deleter = deleter;
        this.producerState = new ProducerStateManager(dir, fileNames);
        this.epochCache = new LeaderEpochCache(dir);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, scanning every segment as after a crash. The
     * directory name must be {@code <topic>-<partition>}. Segments it deletes are removed at once.
     */
    public static Log open(Path dir, Uuid topicId, LogConfig config, Time time) {
        return open(dir, topicId, config, time, 0L, 0L, false, null, SegmentDeleter.IMMEDIATE);
    }

    /**
     * Opens the log; with {@code cleanShutdown} nothing is scanned, otherwise every segment from the
     * one holding {@code recoveryPoint} is walked batch by batch, the CRC of each batch at or past the
     * recovery point checked, and a torn or corrupt tail cut off. Files of segments deleted before a
     * crash ({@value Segment#DELETED_SUFFIX}) are removed.
     */
    static Log open(Path dir, Uuid topicId, LogConfig config, Time time, long recoveryPoint,
                    long logStartCheckpoint, boolean cleanShutdown, LogStartOffsetListener listener,
                    SegmentDeleter deleter) {
        TopicPartition tp = parseTopicPartition(dir.getFileName().toString());
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            Uuid stored = PartitionMetadata.read(dir);
            Uuid effective = topicId;
            if (!stored.equals(Uuid.ZERO_UUID)) {
                if (!topicId.equals(Uuid.ZERO_UUID) && !topicId.equals(stored)) {
                    throw new InconsistentTopicIdException("Log " + dir + " belongs to topic id " + stored
                            + ", not " + topicId);
                }
                effective = stored;
            } else if (!topicId.equals(Uuid.ZERO_UUID)) {
                PartitionMetadata.write(dir, topicId);
            }
            // One listing serves the whole load: on a broker with many partitions, each costs.
            List<String> fileNames = SegmentSwap.recoverLeftovers(dir);
            Log log = new Log(dir, tp, effective, config, time, deleter, fileNames);
            log.listener = listener;
            log.load(fileNames, recoveryPoint, logStartCheckpoint, cleanShutdown);
            return log;
        } catch (IOException e) {
            throw new KafkaStorageException("Could not open log " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Parses a directory name {@code <topic>-<partition>}. */
    static TopicPartition parseTopicPartition(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1) {
            throw new IllegalArgumentException("Not a partition directory name: " + dirName);
        }
        try {
            int partition = Integer.parseInt(dirName.substring(dash + 1));
            if (partition < 0) {
                throw new IllegalArgumentException("Not a partition directory name: " + dirName);
            }
            return new TopicPartition(dirName.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a partition directory name: " + dirName, e);
        }
    }

    private long jitter() {
        long max = config.segmentJitterMs();
        return max <= 0 ? 0 : ThreadLocalRandom.current().nextLong(max);
    }

    private void load(List<String> fileNames, long recoveryPoint, long logStartCheckpoint, boolean cleanShutdown)
            throws IOException {
        List<Long> bases = new ArrayList<>();
        for (String name : fileNames) {
            if (name.endsWith(AtomicFile.TMP_SUFFIX) || name.endsWith(Segment.DELETED_SUFFIX)) {
                Files.deleteIfExists(dir.resolve(name));
            } else if (name.endsWith(".log") && name.length() == 24) {
                bases.add(Long.parseLong(name.substring(0, 20)));
            }
        }
        bases.sort(Comparator.naturalOrder());
        long now = time.milliseconds();
        int interval = config.indexIntervalBytes();
        TreeMap<Long, Segment> loaded = new TreeMap<>();
        for (long base : bases) {
            loaded.put(base, Segment.open(dir, base, now, jitter()));
        }
        if (loaded.isEmpty()) {
            long start = Math.max(0L, logStartCheckpoint);
            loaded.put(start, Segment.create(dir, start, now, jitter()));
        }
        if (cleanShutdown) {
            loaded.lastEntry().getValue().ensureLoaded(interval);
        } else {
            Long from = loaded.floorKey(recoveryPoint);
            if (from == null) {
                from = loaded.firstKey();
            }
            boolean[] epochsChanged = {false};
            Segment.BatchVisitor visitor = h -> {
                if (h.partitionLeaderEpoch() >= 0 && epochCache.assign(h.partitionLeaderEpoch(), h.baseOffset(), false)) {
                    epochsChanged[0] = true;
                }
            };
            List<Segment> toRecover = new ArrayList<>(loaded.tailMap(from, true).values());
            for (int i = 0; i < toRecover.size(); i++) {
                Segment seg = toRecover.get(i);
                int truncated = seg.recover(interval, recoveryPoint, visitor);
                if (truncated > 0) {
                    LOG.warn("Recovered {}: cut {} bytes of torn or corrupt data after offset {}", seg.logFile(),
                            truncated, seg.nextOffset());
                    for (Segment later : toRecover.subList(i + 1, toRecover.size())) {
                        LOG.warn("Deleting {} which follows a corrupt segment", later.logFile());
                        loaded.remove(later.baseOffset());
                        later.delete();
                    }
                    break;
                }
            }
            if (epochsChanged[0]) {
                epochCache.persistNow();
            }
        }
        segments = Collections.unmodifiableNavigableMap(loaded);
        active = loaded.lastEntry().getValue();
        logEndOffset = active.nextOffset();
        logStartOffset = Math.min(Math.max(logStartCheckpoint, segments.firstKey()), logEndOffset);
        highWatermark = logStartOffset;
        flushedOffset = cleanShutdown ? logEndOffset : Math.min(Math.max(recoveryPoint, logStartOffset), logEndOffset);
        if (!cleanShutdown) {
            // Epochs whose records were lost with a torn tail. After a clean shutdown none are: an epoch
            // that starts at the log end (a leader that has not written yet) stays, unrewritten.
            epochCache.truncateFromEnd(logEndOffset);
        }
        epochCache.truncateFromStart(logStartOffset);
        rebuildProducerState();
    }

    /** Loads the newest producer snapshot not above the log end and replays the batches after it. */
    private void rebuildProducerState() throws IOException {
        long end = logEndOffset;
        producerState.deleteSnapshotsAfter(end);
        long snapshot = producerState.loadLatestSnapshot(end);
        NavigableMap<Long, Segment> view = segments;
        long from = snapshot < 0 ? view.firstKey() : snapshot;
        if (from >= end) {
            return;
        }
        Long key = view.floorKey(from);
        int interval = config.indexIntervalBytes();
        for (Segment seg : view.tailMap(key == null ? view.firstKey() : key, true).values()) {
            seg.ensureLoaded(interval);
            HeaderScanner scanner = new HeaderScanner(seg.channel(), seg.offsetIndex().lookup(from), seg.size());
            BatchHeader h;
            while ((h = scanner.peek()) != null) {
                if (h.baseOffset() >= from && h.hasProducerId() && !h.isControl()) {
                    producerState.replay(h.producerId(), h.producerEpoch(), h.baseSequence(),
                            DefaultRecordBatch.incrementSequence(h.baseSequence(), h.lastOffsetDelta()),
                            h.baseOffset(), h.lastOffset(), h.maxTimestamp());
                }
                scanner.skip(h.sizeInBytes());
            }
        }
    }

    // ---------------------------------------------------------------- append

    /**
     * Validates {@code records} in place, assigns offsets from the log end, stamps {@code leaderEpoch}
     * (and the append time on LogAppendTime topics) and writes them in one write.
     *
     * @throws InvalidRecordException        magic other than 2, empty batch, control batch, bad offsets
     * @throws CorruptRecordException        size fields inconsistent with the buffer, or CRC mismatch
     * @throws RecordTooLargeException       a batch larger than max.message.bytes
     * @throws InvalidTimestampException     a CreateTime timestamp outside the allowed window
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException   idempotence sequence gap
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException stale producer epoch
     * @throws KafkaStorageException         the write failed
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch, long nowMs) {
        LogConfig cfg = config;
        ByteBuffer buf = records.buffer();
        List<Integer> positions = validateStructure(buf, cfg.maxMessageBytes());
        List<MutableRecordBatch> batches = new ArrayList<>(positions.size());
        for (MutableRecordBatch b : records.batches()) {
            batches.add(b);
        }
        if (batches.size() != positions.size()) {
            throw new CorruptRecordException("Record batches of " + topicPartition + " could not be parsed");
        }
        BatchHeader[] headers = new BatchHeader[batches.size()];
        for (int i = 0; i < batches.size(); i++) {
            int at = positions.get(i);
            headers[i] = BatchHeader.parse(buf, at, at - buf.position());
            validateBatch(batches.get(i), headers[i], cfg, nowMs);
        }
        synchronized (writeLock) {
            ensureOpen();
            ProducerStateManager.Pending pending = producerState.prepare();
            long next = logEndOffset;
            for (BatchHeader h : headers) {
                long first = next;
                long last = next + h.lastOffsetDelta();
                if (h.hasProducerId()) {
                    int lastSeq = DefaultRecordBatch.incrementSequence(h.baseSequence(), h.lastOffsetDelta());
                    BatchMetadata dup = pending.check(h.producerId(), h.producerEpoch(), h.baseSequence(), lastSeq);
                    if (dup != null) {
                        return new LogAppendInfo(dup.firstOffset(), dup.lastOffset(),
                                cfg.logAppendTime() ? dup.timestamp() : -1L, logStartOffset, true, truncations);
                    }
                    pending.add(h.producerId(), h.producerEpoch(), new BatchMetadata(h.baseSequence(), lastSeq,
                            first, last, cfg.logAppendTime() ? nowMs : h.maxTimestamp()));
                }
                next = last + 1;
            }
            long firstOffset = logEndOffset;
            next = firstOffset;
            long maxTimestamp = -1L;
            for (int i = 0; i < batches.size(); i++) {
                MutableRecordBatch b = batches.get(i);
                next += headers[i].lastOffsetDelta();
                b.setLastOffset(next);
                next++;
                b.setPartitionLeaderEpoch(leaderEpoch);
                if (cfg.logAppendTime()) {
                    b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
                }
                int at = positions.get(i);
                headers[i] = BatchHeader.parse(buf, at, at - buf.position());
                maxTimestamp = Math.max(maxTimestamp, headers[i].maxTimestamp());
            }
            try {
                // The epoch goes first: once the bytes are written nothing may fail, or the log end
                // would stay behind bytes already in the segment.
                if (leaderEpoch >= 0) {
                    epochCache.assign(leaderEpoch, firstOffset, true);
                }
                if (active.shouldRoll(records.sizeInBytes(), maxTimestamp, next - 1, nowMs, cfg.segmentBytes(),
                        rollMs(cfg), cfg.segmentIndexBytes())) {
                    roll(nowMs);
                }
                active.append(records, headers, cfg.indexIntervalBytes());
            } catch (IOException e) {
                throw appendFailure(e);
            }
            pending.commit();
            logEndOffset = next;
            if (outOfSpace) {
                outOfSpace = false;
                LOG.info("Appends to {} succeed again: {} has free space", topicPartition, dir.getParent());
            }
            return new LogAppendInfo(firstOffset, next - 1, cfg.logAppendTime() ? nowMs : -1L, logStartOffset, false,
                    truncations);
        }
    }

    /**
     * Appends batches fetched from the partition's leader exactly as they are: offsets, leader epochs and
     * timestamps are the leader's. Only the structure and each batch's CRC are checked. The epochs the
     * batches carry extend the leader epoch cache and their producers' sequences the producer state, so
     * this replica can lead with both. "Done" as for {@link #appendAsLeader}: in the page cache.
     *
     * @return the first and last offsets appended, or null for an empty {@code records}
     * @throws CorruptRecordException  a bad size field or CRC
     * @throws InvalidRecordException  a batch that does not start at the log end, or offsets going back
     * @throws KafkaStorageException   the write failed
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records) {
        ByteBuffer buf = records.buffer();
        if (!buf.hasRemaining()) {
            return null;
        }
        LogConfig cfg = config;
        // The leader took these batches; max.message.bytes is its check, not the follower's.
        List<Integer> positions = validateStructure(buf, Integer.MAX_VALUE);
        BatchHeader[] headers = new BatchHeader[positions.size()];
        int i = 0;
        for (MutableRecordBatch b : records.batches()) {
            if (!b.isValid()) {
                throw new CorruptRecordException("A replicated batch of " + topicPartition + " failed its CRC check");
            }
            int at = positions.get(i);
            headers[i++] = BatchHeader.parse(buf, at, at - buf.position());
        }
        synchronized (writeLock) {
            ensureOpen();
            long next = logEndOffset;
            long maxTimestamp = -1L;
            ProducerStateManager.Pending pending = producerState.prepare();
            for (BatchHeader h : headers) {
                if (h.baseOffset() != next) {
                    throw new InvalidRecordException("A replicated batch of " + topicPartition + " starts at "
                            + h.baseOffset() + ", expected " + next);
                }
                long last = h.baseOffset() + h.lastOffsetDelta();
                if (h.hasProducerId()) {
                    int lastSeq = DefaultRecordBatch.incrementSequence(h.baseSequence(), h.lastOffsetDelta());
                    pending.add(h.producerId(), h.producerEpoch(), new BatchMetadata(h.baseSequence(), lastSeq,
                            h.baseOffset(), last, h.maxTimestamp()));
                }
                maxTimestamp = Math.max(maxTimestamp, h.maxTimestamp());
                next = last + 1;
            }
            long firstOffset = headers[0].baseOffset();
            try {
                for (BatchHeader h : headers) {
                    epochCache.assign(h.partitionLeaderEpoch(), h.baseOffset(), true);
                }
                if (active.shouldRoll(records.sizeInBytes(), maxTimestamp, next - 1, time.milliseconds(),
                        cfg.segmentBytes(), rollMs(cfg), cfg.segmentIndexBytes())) {
                    roll(time.milliseconds());
                }
                active.append(records, headers, cfg.indexIntervalBytes());
            } catch (IOException e) {
                throw appendFailure(e);
            }
            pending.commit();
            logEndOffset = next;
            return new LogAppendInfo(firstOffset, next - 1, -1L, logStartOffset, false, truncations);
        }
    }

    /** Walks the size fields of every batch; returns the absolute buffer index of each batch. */
    private List<Integer> validateStructure(ByteBuffer buf, int maxBatchBytes) {
        int pos = buf.position();
        int end = buf.limit();
        if (pos == end) {
            throw new InvalidRecordException("Produce to " + topicPartition + " carries no record batch");
        }
        List<Integer> positions = new ArrayList<>(1);
        while (pos < end) {
            if (end - pos < BatchHeader.MAGIC_OFFSET + 1) {
                throw new CorruptRecordException("Truncated record batch header at byte " + (pos - buf.position())
                        + " for " + topicPartition);
            }
            byte magic = buf.get(pos + BatchHeader.MAGIC_OFFSET);
            if (magic != RecordBatch.MAGIC_VALUE_V2) {
                throw new InvalidRecordException("Record batch magic " + magic + " for " + topicPartition
                        + " is not supported; only magic v2 batches are accepted");
            }
            long size = buf.getInt(pos + BatchHeader.LENGTH_OFFSET) + (long) BatchHeader.LOG_OVERHEAD;
            if (size < BatchHeader.SIZE) {
                throw new CorruptRecordException("Record batch size " + size + " for " + topicPartition
                        + " is smaller than the batch header");
            }
            if (size > end - pos) {
                throw new CorruptRecordException("Record batch size " + size + " for " + topicPartition
                        + " exceeds the " + (end - pos) + " bytes left in the request");
            }
            if (size > maxBatchBytes) {
                throw new RecordTooLargeException("Record batch of " + size + " bytes for " + topicPartition
                        + " exceeds max.message.bytes " + maxBatchBytes);
            }
            positions.add(pos);
            pos += (int) size;
        }
        return positions;
    }

    private void validateBatch(MutableRecordBatch batch, BatchHeader h, LogConfig cfg, long nowMs) {
        if (!batch.isValid()) {
            throw new CorruptRecordException("Record batch for " + topicPartition + " failed its CRC check");
        }
        if (h.recordCount() <= 0 || h.lastOffsetDelta() != h.recordCount() - 1) {
            throw new InvalidRecordException("Record batch for " + topicPartition + " has " + h.recordCount()
                    + " records and last offset delta " + h.lastOffsetDelta());
        }
        if (h.isControl()) {
            throw new InvalidRecordException("Clients may not produce control batches (" + topicPartition + ")");
        }
        if (cfg.cleanupPolicy().contains(LogConfig.CLEANUP_POLICY_COMPACT)) {
            for (Record r : batch) {
                if (!r.hasKey()) {
                    throw new InvalidRecordException("Compacted topic cannot accept message without key in "
                            + topicPartition);
                }
            }
        }
        if (!cfg.logAppendTime()) {
            long earliest = nowMs - cfg.timestampBeforeMaxMs();
            long latest = cfg.timestampAfterMaxMs() > Long.MAX_VALUE - nowMs ? Long.MAX_VALUE
                    : nowMs + cfg.timestampAfterMaxMs();
            long min = Math.min(h.baseTimestamp(), h.maxTimestamp());
            if (min < earliest || h.maxTimestamp() > latest) {
                throw new InvalidTimestampException("Timestamp " + (min < earliest ? min : h.maxTimestamp())
                        + " of a batch for " + topicPartition + " is outside [" + earliest + ", " + latest
                        + "] (message.timestamp.before.max.ms / after.max.ms)");
            }
        }
    }

    /** segment.ms, or max.compaction.lag.ms if sooner on a compacted topic (KIP-354: the cleaner needs it closed). */
    private static long rollMs(LogConfig cfg) {
        return cfg.cleanupPolicy().contains(LogConfig.CLEANUP_POLICY_COMPACT)
                ? Math.min(cfg.segmentMs(), cfg.maxCompactionLagMs()) : cfg.segmentMs();
    }

    /** Starts a new active segment at the log end (writer only). */
    private void roll(long nowMs) throws IOException {
        Segment old = active;
        long base = logEndOffset;
        if (old.baseOffset() == base) {
            return;
        }
        old.onBecomeInactive();
        producerState.writeSnapshot(base);
        Segment created = Segment.create(dir, base, nowMs, jitter());
        replaceSegments(List.of(), created);
        active = created;
        LOG.debug("Rolled {} at offset {}", topicPartition, base);
    }

    /** Forces a new segment even if the active one is not full (no-op if it is empty). */
    public void roll() {
        synchronized (writeLock) {
            ensureOpen();
            try {
                roll(time.milliseconds());
            } catch (IOException e) {
                throw storageFailure("Roll of " + topicPartition, e);
            }
        }
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads whole batches starting with the one holding {@code fetchOffset}, at most {@code maxBytes}
     * (unless {@code minOneMessage} and the first batch alone is larger), never a batch reaching
     * {@code maxOffsetExclusive} or the log end. Crosses to the next segment only if the current one has
     * nothing at or after {@code fetchOffset}. The records returned stay readable for
     * {@code file.delete.delay.ms} even if their segment is deleted meanwhile.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     */
    public LogReadInfo read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        ensureOnline();
        long end = logEndOffset;
        long start = logStartOffset;
        if (fetchOffset < start || fetchOffset > end) {
            throw new OffsetOutOfRangeException("Fetch offset " + fetchOffset + " is out of range for "
                    + topicPartition + ": log start " + start + ", log end " + end);
        }
        long bound = Math.min(maxOffsetExclusive, end);
        if (fetchOffset >= bound) {
            return new LogReadInfo(MemoryRecords.EMPTY, start, end);
        }
        int interval = config.indexIntervalBytes();
        NavigableMap<Long, Segment> view = segments;
        try {
            Map.Entry<Long, Segment> entry = view.floorEntry(fetchOffset);
            if (entry == null) {
                // The segments holding it were deleted after the log start was read.
                throw new OffsetOutOfRangeException("Fetch offset " + fetchOffset + " is out of range for "
                        + topicPartition + ": log start is now " + logStartOffset);
            }
            while (entry != null) {
                Segment seg = entry.getValue();
                seg.ensureLoaded(interval);
                Records records = seg.read(fetchOffset, maxBytes, bound, minOneMessage);
                if (records != null) {
                    return new LogReadInfo(records, start, end);
                }
                entry = view.higherEntry(entry.getKey());
            }
            return new LogReadInfo(MemoryRecords.EMPTY, start, end);
        } catch (IOException e) {
            throw readFailure(fetchOffset, e);
        }
    }

    private RuntimeException readFailure(long offset, IOException e) {
        if (e instanceof ClosedChannelException && offset < logStartOffset) {
            return new OffsetOutOfRangeException("Offset " + offset + " of " + topicPartition
                    + " was deleted while being read; log start is now " + logStartOffset);
        }
        if (e instanceof ClosedChannelException && closed) {
            return new KafkaStorageException("Log " + topicPartition + " is closed", e);
        }
        return storageFailure("Read of " + topicPartition, e);
    }

    /** First record with timestamp >= {@code timestamp} (ListOffsets by time), if any. */
    public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long timestamp) {
        long end = logEndOffset;
        long start = logStartOffset;
        int interval = config.indexIntervalBytes();
        try {
            for (Segment seg : segments.values()) {
                seg.ensureLoaded(interval);
                if (seg.maxTimestamp() < timestamp) {
                    continue;
                }
                long from = Math.max(seg.timeIndex().lookup(timestamp), start);
                BatchHeader h = seg.findBatch(from, seg.size());
                if (h == null) {
                    continue;
                }
                for (RecordBatch batch : seg.slice(h.position()).batches()) {
                    if (batch.baseOffset() >= end) {
                        break;
                    }
                    if (batch.lastOffset() < from || batch.maxTimestamp() < timestamp) {
                        continue;
                    }
                    for (Record r : batch) {
                        if (r.offset() >= from && r.offset() < end && r.timestamp() >= timestamp) {
                            return Optional.of(new FileRecords.TimestampAndOffset(r.timestamp(), r.offset(),
                                    epochOf(batch)));
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw readFailure(start, e);
        }
    }

    /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP), first one if several; empty log: none. */
    public Optional<FileRecords.TimestampAndOffset> maxTimestampAndOffset() {
        int interval = config.indexIntervalBytes();
        long end = logEndOffset;
        try {
            Segment best = null;
            for (Segment seg : segments.values()) {
                seg.ensureLoaded(interval);
                if (seg.size() > 0 && (best == null || seg.maxTimestamp() > best.maxTimestamp())) {
                    best = seg;
                }
            }
            if (best == null || best.baseOffset() >= end) {
                return Optional.empty();
            }
            long ts = best.maxTimestamp();
            long offset = best.offsetOfMaxTimestamp();
            BatchHeader h = best.findBatch(offset, best.size());
            if (h != null) {
                for (RecordBatch batch : best.slice(h.position()).batches()) {
                    for (Record r : batch) {
                        if (r.timestamp() == ts) {
                            return Optional.of(new FileRecords.TimestampAndOffset(ts, r.offset(), epochOf(batch)));
                        }
                    }
                    break;
                }
            }
            return Optional.of(new FileRecords.TimestampAndOffset(ts, offset, Optional.empty()));
        } catch (IOException e) {
            throw readFailure(logStartOffset, e);
        }
    }

    private static Optional<Integer> epochOf(RecordBatch batch) {
        int epoch = batch.partitionLeaderEpoch();
        return epoch >= 0 ? Optional.of(epoch) : Optional.empty();
    }

    // ---------------------------------------------------------------- flush

    /**
     * Fsyncs everything below {@code upToOffsetExclusive} (capped at the log end): the data of the
     * segments holding it, the indexes of rolled ones, and the directory if a segment file is new. Done
     * means durable; {@link #flushedOffset()} then is at least that offset. Runs concurrently with appends.
     *
     * @throws KafkaStorageException if an fsync fails
     */
    public void flush(long upToOffsetExclusive) {
        synchronized (flushLock) {
            ensureOpen();
            long target = Math.min(upToOffsetExclusive, logEndOffset);
            long flushed = flushedOffset;
            if (target <= flushed) {
                return;
            }
            try {
                NavigableMap<Long, Segment> view = segments;
                Long from = view.floorKey(Math.max(flushed - 1, 0));
                if (from == null) {
                    from = view.firstKey();
                }
                List<Segment> dataOnly = new ArrayList<>();
                for (Segment seg : view.subMap(from, true, target, false).values()) {
                    boolean isActive = seg == active;
                    seg.flush(isActive);
                    if (isActive) {
                        dataOnly.add(seg);
                    }
                    if (seg.needsDirectorySync()) {
                        AtomicFile.fsyncDirectory(dir);
                        seg.directorySynced();
                    }
                }
                for (Segment seg : dataOnly) {
                    if (seg != active) {
                        seg.flush(false);
                    }
                }
            } catch (IOException e) {
                KafkaStorageException failure = storageFailure("Flush of " + topicPartition, e);
                if (!offline) {
                    discardUnflushed();
                }
                throw failure;
            }
            flushedOffset = target;
        }
    }

    /** What a file system sync would make durable of this log: see {@link #fileSystemSyncTarget}. */
    record SyncTarget(long offset, long truncations) {
    }

    /**
     * The offset a file system sync begun now would make this log durable below, when that is all
     * {@link #flush} would do: everything from the flushed offset up to {@code upToOffsetExclusive} (capped
     * at the log end) lies in the active segment, whose directory entry is already durable. Null when
     * {@link #flush} must run instead (a rolled segment's indexes or a new file's directory entry).
     * Pass the result to {@link #fileSystemSynced} once the sync is done. Null too when the log is
     * closed or offline: {@link #flush} reports that.
     */
    SyncTarget fileSystemSyncTarget(long upToOffsetExclusive) {
        synchronized (flushLock) {
            Segment current = active;
            Long from = segments.floorKey(Math.max(flushedOffset - 1, 0));
            if (closed || offline || from == null || from != current.baseOffset() || current.needsDirectorySync()) {
                return null;
            }
            return new SyncTarget(Math.min(upToOffsetExclusive, logEndOffset), truncations);
        }
    }

    /** A file system sync begun after {@link #fileSystemSyncTarget} returned {@code target} is done. */
    void fileSystemSynced(SyncTarget target) {
        synchronized (flushLock) {
            // A truncation in between may have cut what the target covered: it stays unflushed.
            if (!closed && !offline && target.truncations() == truncations && target.offset() > flushedOffset) {
                flushedOffset = target.offset();
            }
        }
    }

    /**
     * After a failed fsync (caller holds the flush lock): cuts the batches it covered that nobody may
     * read yet, so they are never acknowledged later by a successful fsync of what follows them.
     * Readable batches (below the high watermark, e.g. without flush.on.ack) stay.
     */
    private void discardUnflushed() {
        long keep = Math.max(flushedOffset, highWatermark);
        if (keep >= logEndOffset) {
            return;
        }
        LOG.warn("Discarding offsets {}..{} of {}: their fsync failed; no consumer has read them and no acks=all "
                + "producer was told they were written", keep, logEndOffset - 1, topicPartition);
        try {
            truncateTo(keep);
        } catch (KafkaStorageException e) {
            LOG.warn("Could not discard the unflushed tail of {}: {}", topicPartition, e.getMessage());
        }
    }

    /** Everything below this offset is fsynced (the recovery point). */
    public long flushedOffset() {
        return flushedOffset;
    }

    /** Durably writes the producer state at the log end (done at clean shutdown), if it changed. */
    public void writeProducerSnapshot() {
        synchronized (writeLock) {
            ensureOpen();
            try {
                long end = logEndOffset;
                if (producerState.isDirty() || !producerState.snapshotOffsets().contains(end)) {
                    producerState.writeSnapshot(end);
                }
            } catch (IOException e) {
                throw storageFailure("Producer snapshot of " + topicPartition, e);
            }
        }
    }

    // ---------------------------------------------------------------- delete / truncate

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} and deletes the segments entirely
     * below it (files removed after {@code file.delete.delay.ms}). The new start offset is durable when
     * this returns.
     *
     * @return the new log start offset
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        synchronized (flushLock) {
            synchronized (writeLock) {
                ensureOpen();
                if (offset > highWatermark) {
                    throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before "
                            + offset + ": above the high watermark " + highWatermark);
                }
                if (offset <= logStartOffset) {
                    return logStartOffset;
                }
                try {
                    if (offset == logEndOffset && active.size() > 0) {
                        roll(time.milliseconds());
                    }
                    moveLogStartOffset(offset);
                    retire(segmentsBelow(offset));
                } catch (IOException e) {
                    throw storageFailure("DeleteRecords on " + topicPartition, e);
                }
                return offset;
            }
        }
    }

    /**
     * Retention: deletes, oldest first, closed segments wholly below the high watermark that are wholly
     * below the log start offset or, when {@code cleanup.policy} contains {@code delete}, past
     * {@code retention.ms} (largest timestamp older than {@code nowMs - retention.ms}; -1 keeps forever)
     * or not needed to keep the log within {@code retention.bytes} (-1: no limit). Stops at the first
     * segment that stays, so only a prefix goes; never the active segment. The log start offset moves to
     * the first remaining segment, durably, before the segments leave the list; their files are removed
     * after {@code file.delete.delay.ms}.
     *
     * @return the number of segments deleted
     * @throws KafkaStorageException if a segment cannot be read or the new log start cannot be persisted
     */
    public int enforceRetention(long nowMs) {
        synchronized (flushLock) {
            synchronized (writeLock) {
                ensureOpen();
                LogConfig cfg = config;
                boolean delete = cfg.cleanupPolicy().contains(LogConfig.CLEANUP_POLICY_DELETE);
                long retentionMs = cfg.retentionMs();
                long retentionBytes = cfg.retentionBytes();
                NavigableMap<Long, Segment> view = segments;
                long excessBytes = retentionBytes < 0 ? 0 : sizeInBytes() - retentionBytes;
                List<Segment> expired = new ArrayList<>();
                long newStart = logStartOffset;
                try {
                    for (Segment seg : view.values()) {
                        Long next = view.higherKey(seg.baseOffset());
                        if (next == null || next > highWatermark) {
                            break;
                        }
                        boolean belowStart = next <= logStartOffset;
                        boolean overSize = delete && retentionBytes >= 0 && excessBytes >= seg.size();
                        if (!belowStart && !overSize && !(delete && retentionMs >= 0
                                && isOlderThan(seg, nowMs - retentionMs, cfg))) {
                            break;
                        }
                        excessBytes -= seg.size();
                        expired.add(seg);
                        newStart = Math.max(newStart, next);
                    }
                    if (expired.isEmpty()) {
                        return 0;
                    }
                    if (newStart > logStartOffset) {
                        moveLogStartOffset(newStart);
                    }
                    retire(expired);
                } catch (IOException e) {
                    throw storageFailure("Retention on " + topicPartition, e);
                }
                LOG.debug("Retention deleted {} segments of {}; log start is now {}", expired.size(), topicPartition,
                        logStartOffset);
                return expired.size();
            }
        }
    }

    private static boolean isOlderThan(Segment seg, long limitMs, LogConfig cfg) throws IOException {
        seg.ensureLoaded(cfg.indexIntervalBytes());
        return seg.largestTimestamp() < limitMs;
    }

    /** Segments wholly below {@code offset}, ascending. */
    private List<Segment> segmentsBelow(long offset) {
        NavigableMap<Long, Segment> view = segments;
        List<Segment> below = new ArrayList<>();
        for (Segment seg : view.values()) {
            Long next = view.higherKey(seg.baseOffset());
            if (next == null || next > offset) {
                break;
            }
            below.add(seg);
        }
        return below;
    }

    /** Moves the log start offset up; it and the epochs it drops are durable on return (writer only). */
    private void moveLogStartOffset(long offset) throws IOException {
        logStartOffset = offset;
        epochCache.truncateFromStart(offset);
        LogStartOffsetListener l = listener;
        if (l != null) {
            l.onLogStartOffsetChanged(this);
        }
    }

    /** Takes segments out of the list, renames their files and schedules their removal (writer only). */
    private void retire(List<Segment> retired) throws IOException {
        if (retired.isEmpty()) {
            return;
        }
        replaceSegments(retired, null);
        for (Segment seg : retired) {
            seg.renameForDeletion();
        }
        scheduleDeletion(retired);
    }

    private void scheduleDeletion(List<Segment> retired) {
        long delayMs = config.fileDeleteDelayMs();
        for (Segment seg : retired) {
            deleter.deleteLater(seg, delayMs);
        }
    }

    /** Publishes a new segment list without {@code removed} and with {@code added} if not null (writer only). */
    private void replaceSegments(Collection<Segment> removed, Segment added) {
        TreeMap<Long, Segment> next = new TreeMap<>(segments);
        for (Segment seg : removed) {
            next.remove(seg.baseOffset(), seg);
        }
        if (added != null) {
            next.put(added.baseOffset(), added);
        }
        segments = Collections.unmodifiableNavigableMap(next);
    }

    /**
     * Removes every batch from the one holding {@code offset} onwards (replication truncation). Below the
     * log start the log is emptied and restarts at {@code offset}. Durable for the segment files' sizes
     * once flushed; epochs and producer state are rebuilt and persisted before returning.
     */
    public void truncateTo(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot truncate " + topicPartition + " to negative offset " + offset);
        }
        synchronized (flushLock) {
            synchronized (writeLock) {
                ensureOpen();
                if (offset >= logEndOffset) {
                    return;
                }
                truncations++;
                try {
                    int interval = config.indexIntervalBytes();
                    if (offset < logStartOffset) {
                        restartAt(offset);
                    } else {
                        Segment target = segments.floorEntry(offset).getValue();
                        retire(List.copyOf(segments.tailMap(target.baseOffset(), false).values()));
                        target.ensureLoaded(interval);
                        target.truncateTo(offset, interval);
                        active = target;
                    }
                    logEndOffset = active.nextOffset();
                    highWatermark = Math.min(highWatermark, logEndOffset);
                    flushedOffset = Math.min(flushedOffset, logEndOffset);
                    epochCache.truncateFromEnd(logEndOffset);
                    rebuildProducerState();
                } catch (IOException e) {
                    throw storageFailure("Truncation of " + topicPartition, e);
                }
            }
        }
    }

    /**
     * The leader found this replica's log diverging from its own (KIP-320): its epoch {@code leaderEpoch}
     * ends at {@code leaderEndOffset}. Truncates to where both logs still agree: the smaller of that
     * offset and the end of the same epoch here. Another fetch checks again from the new end.
     *
     * @return the log end offset after truncation
     */
    public long truncateToDivergence(int leaderEpoch, long leaderEndOffset) {
        EpochEndOffset own = endOffsetForEpoch(leaderEpoch);
        long target = own.epoch() == leaderEpoch ? Math.min(own.endOffset(), leaderEndOffset) : leaderEndOffset;
        truncateTo(Math.min(Math.max(target, 0), logEndOffset));
        // An epoch this replica started as leader but wrote nothing in diverges with no record to cut:
        // it goes too, or the next fetch would name it again.
        synchronized (writeLock) {
            ensureOpen();
            try {
                epochCache.truncateFromEnd(Math.max(target, logStartOffset));
            } catch (IOException e) {
                throw storageFailure("Persisting the leader epochs of " + topicPartition, e);
            }
        }
        return logEndOffset;
    }

    /**
     * Empties the log and starts it again at {@code offset}: a follower whose leader's log now starts past
     * this log's end (retention removed what it lacks). Durable on return, as {@link #truncateTo}.
     */
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot restart " + topicPartition + " at negative offset " + offset);
        }
        synchronized (flushLock) {
            synchronized (writeLock) {
                ensureOpen();
                truncations++;
                try {
                    restartAt(offset);
                    logEndOffset = offset;
                    highWatermark = offset;
                    flushedOffset = offset;
                    rebuildProducerState();
                } catch (IOException e) {
                    throw storageFailure("Restarting " + topicPartition + " at " + offset, e);
                }
            }
        }
    }

    /** Replaces every segment with an empty one at {@code offset}, the new log start (both locks held). */
    private void restartAt(long offset) throws IOException {
        List<Segment> all = List.copyOf(segments.values());
        // Renamed before the new segment is created: it may have the same base offset.
        for (Segment seg : all) {
            seg.renameForDeletion();
        }
        Segment created = Segment.create(dir, offset, time.milliseconds(), jitter());
        replaceSegments(all, created);
        scheduleDeletion(all);
        active = created;
        logStartOffset = offset;
        epochCache.clear();
        producerState.deleteSnapshotsAfter(-1L);
        LogStartOffsetListener l = listener;
        if (l != null) {
            l.onLogStartOffsetChanged(this);
        }
    }

    // ---------------------------------------------------------------- compaction

    /** The current segment list (immutable) and the active segment, for the cleaner. */
    NavigableMap<Long, Segment> segmentMap() {
        return segments;
    }

    Segment activeSegment() {
        return active;
    }

    /**
     * Swaps a cleaned segment (fsynced, files named {@value Segment#SWAP_SUFFIX}) in for the consecutive
     * closed segments it was cleaned from: their files are renamed {@value Segment#DELETED_SUFFIX} and
     * removed after {@code file.delete.delay.ms}, so reads holding them finish; {@code cleaned} gets the
     * live names. Readers wait for nothing: the list is replaced in one volatile write.
     *
     * @param sizes the size of each old segment when cleaning began
     * @return false (and nothing changed) if retention, truncation, close or a disk failure changed those
     *         segments meanwhile
     * @throws KafkaStorageException if a rename fails; the log goes offline and the next open finishes
     *         the swap
     */
    boolean replaceWithCleaned(List<Segment> old, int[] sizes, Segment cleaned) {
        synchronized (flushLock) {
            synchronized (writeLock) {
                NavigableMap<Long, Segment> view = segments;
                for (int i = 0; i < old.size(); i++) {
                    Segment seg = old.get(i);
                    if (closed || offline || seg == active || view.get(seg.baseOffset()) != seg
                            || seg.size() != sizes[i]) {
                        return false;
                    }
                }
                try {
                    // Old files go first: a crash from here on finds the .swap and finishes the swap at open.
                    for (Segment seg : old) {
                        seg.renameForDeletion();
                    }
                    cleaned.renameTo("");
                    AtomicFile.fsyncDirectory(dir);
                } catch (IOException e) {
                    throw storageFailure("Swap of a cleaned segment into " + topicPartition, e);
                }
                replaceSegments(old, cleaned);
                scheduleDeletion(old);
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- epochs and producers

    public OptionalInt latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** OffsetForLeaderEpoch: see {@link EpochEndOffset}; {@link EpochEndOffset#UNDEFINED} if unknown. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochCache.endOffsetFor(epoch, logEndOffset);
    }

    /** Epoch -> start offset, ascending. */
    public Map<Integer, Long> epochEntries() {
        return epochCache.entries();
    }

    /** Records that {@code epoch} starts at the current log end (on becoming leader), durably. */
    public void assignEpochStartOffset(int epoch) {
        synchronized (writeLock) {
            ensureOpen();
            try {
                epochCache.assign(epoch, logEndOffset, true);
            } catch (IOException e) {
                throw storageFailure("Persisting the leader epoch of " + topicPartition, e);
            }
        }
    }

    public Optional<ProducerStateEntry> producerState(long producerId) {
        return producerState.entry(producerId);
    }

    public OptionalInt producerEpoch(long producerId) {
        return producerState.entry(producerId).map(e -> OptionalInt.of(e.epoch())).orElse(OptionalInt.empty());
    }

    public OptionalInt lastSequence(long producerId) {
        return producerState.entry(producerId).filter(e -> e.lastSeq() >= 0)
                .map(e -> OptionalInt.of(e.lastSeq())).orElse(OptionalInt.empty());
    }

    // ---------------------------------------------------------------- state

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Sets the high watermark, clamped to [log start, log end]. Starts at the log start offset on open. */
    public void updateHighWatermark(long hw) {
        synchronized (writeLock) {
            highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
        }
    }

    public long sizeInBytes() {
        long total = 0;
        for (Segment seg : segments.values()) {
            total += seg.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Base offsets of the segments, ascending. */
    public List<Long> segmentBaseOffsets() {
        return List.copyOf(segments.keySet());
    }

    public Path dir() {
        return dir;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    /** Records the topic id if the log had none yet (durably); a different id is refused. */
    void assignTopicId(Uuid id) {
        if (id.equals(Uuid.ZERO_UUID) || id.equals(topicId)) {
            return;
        }
        if (!topicId.equals(Uuid.ZERO_UUID)) {
            throw new InconsistentTopicIdException("Log " + dir + " belongs to topic id " + topicId + ", not " + id);
        }
        ensureOpen();
        try {
            PartitionMetadata.write(dir, id);
        } catch (IOException e) {
            throw storageFailure("Writing partition.metadata in " + dir, e);
        }
        topicId = id;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("Log " + topicPartition + " is closed");
        }
        ensureOnline();
    }

    private void ensureOnline() {
        if (offline) {
            throw new KafkaStorageException("Log directory " + dir.getParent() + " of " + topicPartition
                    + " is offline after an I/O error");
        }
    }

    /**
     * The exception for a failed disk operation. A full disk leaves the log online (the operation was
     * undone; it works again once space is freed); any other I/O error means the directory is failing:
     * the log goes offline and the owner is told, so the other logs of the directory follow.
     */
    private KafkaStorageException storageFailure(String action, IOException e) {
        KafkaStorageException failure = new KafkaStorageException(action + " failed: " + e.getMessage(), e);
        if (StorageFaults.isOutOfFiles(e)) {
            warnOutOfFiles(e);
        } else if (!StorageFaults.isOutOfSpace(e) && !closed && !offline) {
            markOffline();
            LogDirFailureListener l = dirFailureListener;
            if (l != null) {
                l.onLogDirFailure(this, e);
            } else {
                LOG.error("Log {} is offline after an I/O error: {}", topicPartition, e.toString());
            }
        }
        return failure;
    }

    /** When the last out-of-file-descriptors warning was logged (any log): at most one a minute. */
    private static final AtomicLong outOfFilesWarnedMs = new AtomicLong(Long.MIN_VALUE);

    private static void warnOutOfFiles(IOException e) {
        long now = System.currentTimeMillis();
        long last = outOfFilesWarnedMs.get();
        if (now - last >= 60_000 && outOfFilesWarnedMs.compareAndSet(last, now)) {
            LOG.warn("The broker is out of file descriptors ({}): operations that open a file fail with"
                    + " KAFKA_STORAGE_ERROR until some are freed. The logs stay online; raise the limit"
                    + " (ulimit -n, LimitNOFILE=) for many partitions", e.getMessage());
        }
    }

    /** A failed append (writer only): reported once per stretch of full disk, then as any storage failure. */
    private KafkaStorageException appendFailure(IOException e) {
        if (StorageFaults.isOutOfSpace(e) && !outOfSpace) {
            outOfSpace = true;
            LOG.warn("Log directory {} is full: appends to {} answer KAFKA_STORAGE_ERROR until space is freed ({})",
                    dir.getParent(), topicPartition, e.getMessage());
        }
        return storageFailure("Append to " + topicPartition, e);
    }

    /** Takes the log offline: its directory failed. Reads and writes fail from now on; files stay as they are. */
    void markOffline() {
        offline = true;
    }

    /** True once the log's directory failed; only a restart with the directory healthy brings it back. */
    public boolean isOffline() {
        return offline;
    }

    void setDirFailureListener(LogDirFailureListener listener) {
        this.dirFailureListener = listener;
    }

    /** How many times the log was truncated; see {@link LogAppendInfo#truncations()}. */
    public long truncations() {
        return truncations;
    }

    boolean isClosed() {
        return closed;
    }

    /** Releases the files without flushing or writing anything. */
    @Override
    public void close() {
        synchronized (flushLock) {
            synchronized (writeLock) {
                if (closed) {
                    return;
                }
                closed = true;
                for (Segment seg : segments.values()) {
                    try {
                        seg.close();
                    } catch (IOException e) {
                        LOG.warn("Closing {} failed", seg, e);
                    }
                }
            }
        }
    }

    /** Closes the log and removes its directory. */
    public void delete() {
        close();
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            throw new KafkaStorageException("Could not delete " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public String toString() {
        return "Log(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset + ", hw="
                + highWatermark + ", flushed=" + flushedOffset + ", segments=" + segments.size() + ")";
    }
}
