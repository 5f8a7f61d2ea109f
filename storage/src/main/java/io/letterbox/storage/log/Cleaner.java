package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;
import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetentionResult;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.BufferSupplier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Cleans one log, as Kafka's log cleaner does:
 *
 * <ol>
 * <li>builds the {@link OffsetMap} key -> latest offset over the dirty section (stopping at a segment
 *     boundary if the map fills: the rest waits for the next round);</li>
 * <li>rewrites every closed segment from the log start up to where the map ends, in groups of
 *     consecutive segments that fit in {@code segment.bytes} (a group keeps its first segment's base
 *     offset), keeping a record only if no later offset of its key is in the map. Offsets never change;
 *     only gaps appear. A batch keeps its producer id, epoch, base sequence, last offset and codec; a
 *     batch left empty is dropped unless it is its producer's last, which stays as an empty header so
 *     the producer's sequence state survives. Tombstones (null values) get a delete horizon (now +
 *     {@code delete.retention.ms}) stamped in their batch the first time they are cleaned and are
 *     dropped by the first round after it (KIP-534);</li>
 * <li>each group is written to {@code <base>.log.cleaned}, fsynced, renamed {@code .swap} and swapped
 *     in by {@link Log#replaceWithCleaned} (crash rules in {@link SegmentSwap}).</li>
 * </ol>
 *
 * <p>Thread-safety: not thread-safe; one per cleaner thread. Runs beside appends and reads of the same
 * log; it holds the log's lock only for each swap.
 */
final class Cleaner {

    private static final int INITIAL_READ_BUFFER = 256 * 1024;

    /** What a round did: where the next round's dirty section starts, and the earliest delete horizon kept. */
    record Result(long nextDirtyOffset, OptionalLong earliestDeleteHorizon, int segmentsCleaned, long bytesRead,
                  long bytesWritten) {
    }

    private final OffsetMap map;
    private final Throttler throttler;
    private final Time time;
    private final BooleanSupplier stopping;
    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer = ByteBuffer.allocate(INITIAL_READ_BUFFER);
    private ByteBuffer writeBuffer = ByteBuffer.allocate(INITIAL_READ_BUFFER);

    Cleaner(OffsetMap map, Throttler throttler, Time time, BooleanSupplier stopping) {
        this.map = map;
        this.throttler = throttler;
        this.time = time;
        this.stopping = stopping;
    }

    /**
     * Cleans {@code target.log()}.
     *
     * @throws CancellationException if stopping was asked meanwhile (nothing half done is left in the log)
     * @throws IllegalStateException if not even one dirty segment's keys fit in the map
     */
    Result clean(LogToClean target) throws IOException {
        Log log = target.log();
        LogConfig cfg = log.config();
        long now = time.milliseconds();
        Filter filter = new Filter(log, now, cfg.deleteRetentionMs());
        long read = 0;
        long written = 0;
        int cleaned = 0;
        try {
            long endOffset = buildOffsetMap(target);
            for (List<Segment> group : groupSegments(log.segmentMap(), endOffset, cfg.segmentBytes())) {
                long[] io = cleanGroup(log, group, filter, cfg);
                if (io == null) {
                    return gaveUp(target, filter, cleaned, read, written);
                }
                read += io[0];
                written += io[1];
                cleaned += group.size();
            }
            return new Result(endOffset, filter.earliestHorizon(), cleaned, read, written);
        } catch (ClosedChannelException e) {
            if (log.isClosed()) {
                throw e;
            }
            // Retention or truncation deleted a segment it was reading.
            return gaveUp(target, filter, cleaned, read, written);
        }
    }

    /** The log changed under the cleaner (retention, truncation): the next round starts from the same place. */
    private static Result gaveUp(LogToClean target, Filter filter, int cleaned, long read, long written) {
        return new Result(target.firstDirtyOffset(), filter.earliestHorizon(), cleaned, read, written);
    }

    /** Fills the map from the dirty section; returns the offset it covers up to (a segment base). */
    private long buildOffsetMap(LogToClean target) throws IOException {
        map.clear();
        Log log = target.log();
        NavigableMap<Long, Segment> view = log.segmentMap();
        long from = target.firstDirtyOffset();
        long to = target.firstUncleanableOffset();
        Long startKey = view.floorKey(from);
        if (startKey == null || from >= to) {
            return from;
        }
        long covered = from;
        for (Segment seg : view.subMap(startKey, true, to, false).values()) {
            if (!mapSegment(seg, from)) {
                if (covered == from) {
                    throw new IllegalStateException("The keys of segment " + seg.logFile() + " do not fit in "
                            + map.capacity() + " map entries; raise log.cleaner.dedupe.buffer.size");
                }
                return covered;
            }
            Long next = view.higherKey(seg.baseOffset());
            covered = next == null ? to : Math.min(next, to);
        }
        return covered;
    }

    /** Puts every keyed record at or above {@code from} of {@code seg}; false if the map filled. */
    private boolean mapSegment(Segment seg, long from) throws IOException {
        int position = 0;
        int size = seg.size();
        while (position < size) {
            checkStopping();
            MemoryRecords chunk = readChunk(seg, position, size);
            for (MutableRecordBatch batch : chunk.batches()) {
                position += batch.sizeInBytes();
                if (batch.isControlBatch() || batch.lastOffset() < from) {
                    continue;
                }
                try (CloseableIterator<Record> records = batch.streamingIterator(decompression)) {
                    while (records.hasNext()) {
                        Record r = records.next();
                        if (r.offset() >= from && r.hasKey() && !map.put(r.key(), r.offset())) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /** Whole batches from {@code position}, as many as the read buffer takes (grown for a larger batch). */
    private MemoryRecords readChunk(Segment seg, int position, int size) throws IOException {
        while (true) {
            readBuffer.clear();
            readBuffer.limit(Math.min(readBuffer.capacity(), size - position));
            long at = position;
            while (readBuffer.hasRemaining()) {
                int n = seg.channel().read(readBuffer, at);
                if (n < 0) {
                    throw new IOException("Unexpected end of " + seg.logFile() + " at " + at);
                }
                at += n;
            }
            readBuffer.flip();
            throttler.maybeThrottle(readBuffer.remaining());
            MemoryRecords chunk = MemoryRecords.readableRecords(readBuffer);
            if (chunk.firstBatchSize() != null && chunk.firstBatchSize() <= readBuffer.remaining()) {
                return chunk;
            }
            if (readBuffer.remaining() == size - position) {
                throw new IOException("Segment " + seg.logFile() + " ends with a partial batch at " + position);
            }
            readBuffer = ByteBuffer.allocate(readBuffer.capacity() * 2);
        }
    }

    /** Consecutive closed segments below {@code endOffset}, grouped to fit in {@code maxBytes} each. */
    static List<List<Segment>> groupSegments(NavigableMap<Long, Segment> view, long endOffset, int maxBytes) {
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> group = new ArrayList<>();
        long groupBytes = 0;
        for (Segment seg : view.headMap(endOffset, false).values()) {
            Long next = view.higherKey(seg.baseOffset());
            if (next == null || next > endOffset) {
                break;
            }
            boolean fits = !group.isEmpty() && groupBytes + seg.size() <= maxBytes
                    && next - 1 - group.get(0).baseOffset() <= Integer.MAX_VALUE;
            if (!group.isEmpty() && !fits) {
                groups.add(group);
                group = new ArrayList<>();
                groupBytes = 0;
            }
            group.add(seg);
            groupBytes += seg.size();
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    /** Writes one group's retained batches to a new segment and swaps it in; null if the log changed. */
    private long[] cleanGroup(Log log, List<Segment> group, Filter filter, LogConfig cfg) throws IOException {
        Segment first = group.get(0);
        Segment cleaned = Segment.createCleaned(log.dir(), first.baseOffset(), time.milliseconds());
        boolean swapped = false;
        try {
            int[] sizes = new int[group.size()];
            long read = 0;
            long written = 0;
            long lastModified = 0;
            for (int i = 0; i < group.size(); i++) {
                Segment seg = group.get(i);
                seg.ensureLoaded(cfg.indexIntervalBytes());
                sizes[i] = seg.size();
                lastModified = Math.max(lastModified, Files.getLastModifiedTime(seg.logFile()).toMillis());
                int position = 0;
                while (position < sizes[i]) {
                    checkStopping();
                    MemoryRecords chunk = readChunk(seg, position, sizes[i]);
                    if (writeBuffer.capacity() < readBuffer.capacity()) {
                        writeBuffer = ByteBuffer.allocate(readBuffer.capacity());
                    }
                    writeBuffer.clear();
                    MemoryRecords.FilterResult result = chunk.filterTo(filter, writeBuffer, decompression,
                            cfg.maxMessageBytes());
                    // It stops after the batch that made it grow its output buffer: go on from there.
                    position += result.bytesRead();
                    read += result.bytesRead();
                    ByteBuffer out = result.outputBuffer();
                    out.flip();
                    if (out.hasRemaining()) {
                        MemoryRecords retained = MemoryRecords.readableRecords(out);
                        cleaned.append(retained, headersOf(out), cfg.indexIntervalBytes());
                        filter.noteHorizons(retained);
                        written += out.remaining();
                        throttler.maybeThrottle(out.remaining());
                    }
                }
            }
            cleaned.onBecomeInactive();
            cleaned.flush(false);
            Files.setLastModifiedTime(cleaned.logFile(), FileTime.fromMillis(lastModified));
            cleaned.renameTo(Segment.SWAP_SUFFIX);
            AtomicFile.fsyncDirectory(log.dir());
            checkStopping();
            swapped = log.replaceWithCleaned(group, sizes, cleaned);
            return swapped ? new long[] {read, written} : null;
        } finally {
            if (!swapped) {
                cleaned.delete();
            }
        }
    }

    private static BatchHeader[] headersOf(ByteBuffer buf) {
        List<BatchHeader> headers = new ArrayList<>();
        int at = buf.position();
        while (at < buf.limit()) {
            BatchHeader h = BatchHeader.parse(buf, at, at - buf.position());
            headers.add(h);
            at += h.sizeInBytes();
        }
        return headers.toArray(BatchHeader[]::new);
    }

    private void checkStopping() {
        if (stopping.getAsBoolean()) {
            throw new CancellationException("The cleaner is stopping");
        }
    }

    /** Which batches and records a cleaned segment keeps (see the class comment). */
    private final class Filter extends RecordFilter {

        private final Log log;
        private long earliestHorizon = Long.MAX_VALUE;

        Filter(Log log, long now, long deleteRetentionMs) {
            super(now, deleteRetentionMs);
            this.log = log;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            boolean producersLast = batch.hasProducerId() && log.producerState(batch.producerId())
                    .map(e -> e.lastOffset() == batch.lastOffset()).orElse(false);
            // Letterbox writes no transaction markers, so no control batch marks an empty transaction.
            return new BatchRetentionResult(producersLast || batch.isControlBatch() ? BatchRetention.RETAIN_EMPTY
                    : BatchRetention.DELETE_EMPTY, false);
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (batch.isControlBatch()) {
                return true;
            }
            if (!record.hasKey()) {
                // Only data written before the topic became compacted has none; Kafka drops it too.
                return false;
            }
            if (map.get(record.key()) > record.offset()) {
                return false;
            }
            if (!record.hasValue()) {
                OptionalLong horizon = batch.deleteHorizonMs();
                return horizon.isEmpty() || currentTime < horizon.getAsLong();
            }
            return true;
        }

        void noteHorizons(MemoryRecords retained) {
            for (RecordBatch batch : retained.batches()) {
                OptionalLong horizon = batch.deleteHorizonMs();
                if (horizon.isPresent()) {
                    earliestHorizon = Math.min(earliestHorizon, horizon.getAsLong());
                }
            }
        }

        OptionalLong earliestHorizon() {
            return earliestHorizon == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(earliestHorizon);
        }
    }
}
