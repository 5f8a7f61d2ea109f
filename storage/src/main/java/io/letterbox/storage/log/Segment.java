package io.letterbox.storage.log;

import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One segment of a partition log: {@code <base>.log} holding magic v2 batches back to back exactly as
 * appended, with its {@link OffsetIndex} ({@code <base>.index}) and {@link TimeIndex}
 * ({@code <base>.timeindex}); {@code <base>} is the 20-digit zero-padded offset of its first batch.
 * Files are not preallocated and nothing is memory-mapped: every write is a {@code FileChannel} write,
 * so a full disk surfaces as an IOException ("No space left on device") and never as a SIGBUS.
 *
 * <p>Writes: {@link #append} writes to the page cache and returns; durability comes from {@link #flush}.
 * Indexes of a segment that is not the active one are loaded lazily on first use; a missing or
 * inconsistent index is rebuilt from the log file.
 *
 * <p>Deletion is in two steps: {@link #renameForDeletion} gives the files the {@value #DELETED_SUFFIX}
 * suffix while the channels stay open, so reads that already hold the segment (a fetch sending a
 * slice of it) still work; {@link #delete} later closes and removes them. The cleaner writes a segment
 * under the {@value #CLEANED_SUFFIX} suffix, renames it to {@value #SWAP_SUFFIX} once fsynced and to the
 * live names when it replaces the segments it was cleaned from (see {@link SegmentSwap}).
 *
 * <p>Thread-safety: one writer (the owning {@link Log}'s append lock); readers run concurrently and
 * only look below the published {@link #size()}, which is set after the bytes are written.
 */
final class Segment implements Closeable {

    /** Suffix of the files of a segment that retention or truncation removed; gone at the next open. */
    static final String DELETED_SUFFIX = ".deleted";
    /** Suffix of the files of a segment the cleaner is still writing; deleted at the next open. */
    static final String CLEANED_SUFFIX = ".cleaned";
    /** Suffix of a cleaned, fsynced segment waiting to replace the segments it was cleaned from. */
    static final String SWAP_SUFFIX = ".swap";

    /** Callback for each valid batch found while scanning a segment. */
    interface BatchVisitor {
        void visit(BatchHeader header) throws IOException;
    }

    private final long baseOffset;
    // Change once, in renameForDeletion; guarded by this object's monitor, volatile for messages.
    private volatile Path logFile;
    private volatile Path indexFile;
    private volatile Path timeIndexFile;
    private final FileRecords records;
    private final long createdMs;
    private final long rollJitterMs;

    private volatile OffsetIndex offsetIndex;
    private volatile TimeIndex timeIndex;
    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1L;
    private volatile long offsetOfMaxTimestamp = -1L;
    private volatile long firstBatchTimestamp = -1L;
    private int bytesSinceLastIndexEntry;
    private volatile boolean newFile;
    private volatile boolean indexesFlushed;

    private Segment(Path dir, long baseOffset, String suffix, FileRecords records, long createdMs, long rollJitterMs) {
        this.baseOffset = baseOffset;
        this.logFile = withSuffix(logFile(dir, baseOffset), suffix);
        this.indexFile = withSuffix(dir.resolve(fileName(baseOffset, ".index")), suffix);
        this.timeIndexFile = withSuffix(dir.resolve(fileName(baseOffset, ".timeindex")), suffix);
        this.records = records;
        this.size = records.sizeInBytes();
        this.nextOffset = baseOffset;
        this.createdMs = createdMs;
        this.rollJitterMs = rollJitterMs;
    }

    static String fileName(long offset, String suffix) {
        String digits = Long.toString(offset);
        return "0".repeat(20 - digits.length()) + digits + suffix;
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(fileName(baseOffset, ".log"));
    }

    /** Creates a new empty segment (files replaced if present). */
    static Segment create(Path dir, long baseOffset, long nowMs, long rollJitterMs) throws IOException {
        FailurePoint.ROLL.check();
        return create(dir, baseOffset, "", nowMs, rollJitterMs);
    }

    /** Creates the empty {@value #CLEANED_SUFFIX} segment the cleaner writes a cleaned group into. */
    static Segment createCleaned(Path dir, long baseOffset, long nowMs) throws IOException {
        return create(dir, baseOffset, CLEANED_SUFFIX, nowMs, 0L);
    }

    private static Segment create(Path dir, long baseOffset, String suffix, long nowMs, long rollJitterMs)
            throws IOException {
        Path file = withSuffix(logFile(dir, baseOffset), suffix);
        Files.deleteIfExists(file);
        FileRecords records = FileRecords.open(file.toFile(), true, false, 0, false);
        Segment segment = new Segment(dir, baseOffset, suffix, records, nowMs, rollJitterMs);
        try {
            segment.offsetIndex = OffsetIndex.create(segment.indexFile, baseOffset);
            segment.timeIndex = TimeIndex.create(segment.timeIndexFile, baseOffset);
        } catch (IOException | RuntimeException e) {
            // A half-created segment (a full or failing disk) must not be found by the next open.
            try {
                segment.delete();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        segment.newFile = true;
        return segment;
    }

    /** Opens an existing segment; indexes are loaded later ({@link #ensureLoaded}) or rebuilt ({@link #recover}). */
    static Segment open(Path dir, long baseOffset, long nowMs, long rollJitterMs) throws IOException {
        FileRecords records = FileRecords.open(logFile(dir, baseOffset).toFile(), true, true, 0, false);
        return new Segment(dir, baseOffset, "", records, nowMs, rollJitterMs);
    }

    long baseOffset() {
        return baseOffset;
    }

    int size() {
        return size;
    }

    /** Offset after the last batch (valid once loaded or recovered, and always for the active segment). */
    long nextOffset() {
        return nextOffset;
    }

    Path logFile() {
        return logFile;
    }

    FileChannel channel() {
        return records.channel();
    }

    /** Loads indexes and derived state if not done yet; rebuilds indexes that are missing or corrupt. */
    void ensureLoaded(int indexIntervalBytes) throws IOException {
        if (offsetIndex != null && timeIndex != null) {
            return;
        }
        synchronized (this) {
            if (offsetIndex != null && timeIndex != null) {
                return;
            }
            int logSize = records.sizeInBytes();
            OffsetIndex oi = null;
            TimeIndex ti = null;
            try {
                oi = OffsetIndex.load(indexFile, baseOffset, Math.max(logSize, 1));
                ti = TimeIndex.load(timeIndexFile, baseOffset);
                if (ti.entryCount() > 0 && (ti.lastOffset() < baseOffset || logSize == 0)) {
                    throw new CorruptIndexException("Time index " + timeIndexFile + " does not match the log");
                }
                if (!loadTail(oi, ti, logSize, indexIntervalBytes)) {
                    throw new CorruptIndexException("Index of " + logFile + " does not match the log tail");
                }
                offsetIndex = oi;
                timeIndex = ti;
            } catch (CorruptIndexException | NoSuchFileException e) {
                closeQuietly(oi);
                closeQuietly(ti);
                Log.LOG.warn("Rebuilding indexes of {}: {}", logFile, e.getMessage());
                recover(indexIntervalBytes, Long.MAX_VALUE, null);
            }
        }
    }

    /**
     * Reads the headers from the last index entry on to learn nextOffset and max timestamp; false if that
     * entry does not point at a batch with its offset or the tail is not whole batches.
     */
    private boolean loadTail(OffsetIndex oi, TimeIndex ti, int logSize, int indexIntervalBytes) throws IOException {
        long maxTs = ti.lastTimestamp();
        long offsetOfMax = ti.lastOffset();
        long next = oi.entryCount() > 0 ? oi.lastOffset() : baseOffset;
        HeaderScanner scanner = new HeaderScanner(channel(), oi.lastPosition(), logSize);
        if (oi.entryCount() > 0) {
            BatchHeader indexed = scanner.peek();
            if (indexed == null || indexed.baseOffset() != oi.lastOffset()) {
                return false;
            }
        }
        int scanned = 0;
        BatchHeader h;
        while ((h = scanner.peek()) != null) {
            if (!h.isWellFormed() || h.sizeInBytes() > scanner.remaining() || h.baseOffset() < next) {
                return false;
            }
            if (h.maxTimestamp() > maxTs) {
                maxTs = h.maxTimestamp();
                offsetOfMax = h.lastOffset();
            }
            next = h.nextOffset();
            scanned += h.sizeInBytes();
            scanner.skip(h.sizeInBytes());
        }
        if (scanner.remaining() != 0) {
            return false;
        }
        this.nextOffset = next;
        this.maxTimestamp = maxTs;
        this.offsetOfMaxTimestamp = offsetOfMax;
        this.bytesSinceLastIndexEntry = Math.min(scanned, indexIntervalBytes);
        this.size = logSize;
        if (logSize > 0) {
            BatchHeader first = new HeaderScanner(channel(), 0, Math.min(logSize, BatchHeader.SIZE)).peek();
            this.firstBatchTimestamp = first == null ? -1L : first.maxTimestamp();
        }
        return true;
    }

    /**
     * Walks the whole file batch by batch (size, magic, offsets), checks the CRC of every batch whose last
     * offset is at or above {@code crcFromOffset}, rebuilds both indexes, and truncates the file after the
     * last whole valid batch. Batches below {@code crcFromOffset} (the recovery point: fsynced before the
     * crash) only have their headers read; {@code Long.MAX_VALUE} checks no CRC.
     *
     * @return the number of bytes truncated (0 if the file was intact)
     */
    synchronized int recover(int indexIntervalBytes, long crcFromOffset, BatchVisitor visitor) throws IOException {
        closeQuietly(offsetIndex);
        closeQuietly(timeIndex);
        // Rewritten in place, not truncated first: truncating a file to zero makes ext4 write it out at once.
        OffsetIndex oi = OffsetIndex.rewrite(indexFile, baseOffset);
        TimeIndex ti = TimeIndex.rewrite(timeIndexFile, baseOffset);
        int fileSize = (int) Math.min(channel().size(), Integer.MAX_VALUE);
        HeaderScanner scanner = new HeaderScanner(channel(), 0, fileSize);
        long next = baseOffset;
        long maxTs = -1L;
        long offsetOfMax = -1L;
        long firstTs = -1L;
        int sinceIndex = 0;
        ByteBuffer batchBuf = null;
        BatchHeader h;
        while ((h = scanner.peek()) != null) {
            if (!h.isWellFormed() || h.sizeInBytes() > scanner.remaining() || h.baseOffset() < next
                    || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                break;
            }
            if (h.lastOffset() >= crcFromOffset) {
                if (batchBuf == null || batchBuf.capacity() < h.sizeInBytes()) {
                    batchBuf = ByteBuffer.allocate(Math.max(h.sizeInBytes(), 64 * 1024));
                }
                batchBuf.clear().limit(h.sizeInBytes());
                readFully(batchBuf, h.position());
                batchBuf.flip();
                if (!BatchHeader.crcMatches(batchBuf)) {
                    break;
                }
            }
            if (firstTs < 0 && next == baseOffset) {
                firstTs = h.maxTimestamp();
            }
            if (h.maxTimestamp() > maxTs) {
                maxTs = h.maxTimestamp();
                offsetOfMax = h.lastOffset();
            }
            if (sinceIndex > indexIntervalBytes) {
                oi.append(h.baseOffset(), h.position());
                ti.maybeAppend(maxTs, offsetOfMax);
                sinceIndex = 0;
            }
            sinceIndex += h.sizeInBytes();
            if (visitor != null) {
                visitor.visit(h);
            }
            next = h.nextOffset();
            scanner.skip(h.sizeInBytes());
        }
        int valid = scanner.position();
        int truncated = fileSize - valid;
        if (truncated > 0) {
            records.truncateTo(valid);
        }
        ti.maybeAppend(maxTs, offsetOfMax);
        oi.cutFile();
        ti.cutFile();
        this.nextOffset = next;
        this.maxTimestamp = maxTs;
        this.offsetOfMaxTimestamp = offsetOfMax;
        this.firstBatchTimestamp = firstTs;
        this.bytesSinceLastIndexEntry = sinceIndex;
        this.size = valid;
        this.offsetIndex = oi;
        this.timeIndex = ti;
        this.indexesFlushed = false;
        return truncated;
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel().read(buf, at);
            if (n < 0) {
                throw new IOException("Unexpected end of " + logFile);
            }
            at += n;
        }
    }

    /**
     * Appends already validated and offset-assigned batches in one write and indexes them (writer only).
     * Done means: in the page cache and visible to readers. All or nothing: if the data or an index
     * entry cannot be written (a full disk), the file and both indexes are cut back to where they were,
     * so the next append starts at the published end and no part of these batches is ever readable.
     */
    void append(MemoryRecords batches, BatchHeader[] headers, int indexIntervalBytes) throws IOException {
        int position = size;
        int offsetEntries = offsetIndex.entryCount();
        int timeEntries = timeIndex.entryCount();
        long maxTs = maxTimestamp;
        long offsetOfMaxTs = offsetOfMaxTimestamp;
        long firstTs = firstBatchTimestamp;
        int sinceIndex = bytesSinceLastIndexEntry;
        try {
            FailurePoint.APPEND.check();
            records.append(batches);
            for (BatchHeader h : headers) {
                if (firstTs < 0 && nextOffset == baseOffset) {
                    firstTs = h.maxTimestamp();
                }
                if (h.maxTimestamp() > maxTs) {
                    offsetOfMaxTs = h.lastOffset();
                    maxTs = h.maxTimestamp();
                }
                if (sinceIndex > indexIntervalBytes) {
                    offsetIndex.append(h.baseOffset(), position + h.position());
                    timeIndex.maybeAppend(maxTs, offsetOfMaxTs);
                    sinceIndex = 0;
                }
                sinceIndex += h.sizeInBytes();
            }
        } catch (IOException e) {
            undoAppend(position, offsetEntries, timeEntries, e);
            throw e;
        }
        firstBatchTimestamp = firstTs;
        maxTimestamp = maxTs;
        offsetOfMaxTimestamp = offsetOfMaxTs;
        bytesSinceLastIndexEntry = sinceIndex;
        nextOffset = headers[headers.length - 1].nextOffset();
        size = position + batches.sizeInBytes();
    }

    /** Cuts the log file and indexes back to their state before a failed append; failures join {@code cause}. */
    private void undoAppend(int position, int offsetEntries, int timeEntries, IOException cause) {
        try {
            records.truncateTo(position);
            offsetIndex.truncateToEntries(offsetEntries);
            timeIndex.truncateToEntries(timeEntries);
        } catch (IOException | RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    /** Called when a newer segment becomes active: makes the time index end with the segment's max. */
    void onBecomeInactive() throws IOException {
        if (timeIndex != null) {
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
        }
    }

    boolean shouldRoll(int appendBytes, long appendMaxTimestamp, long lastOffset, long nowMs, int segmentBytes,
                       long segmentMs, int segmentIndexBytes) {
        if (size == 0) {
            return false;
        }
        if ((long) size + appendBytes > segmentBytes) {
            return true;
        }
        long waited = firstBatchTimestamp >= 0 ? appendMaxTimestamp - firstBatchTimestamp : nowMs - createdMs;
        if (waited > segmentMs - Math.min(rollJitterMs, segmentMs - 1)) {
            return true;
        }
        if (offsetIndex.entryCount() >= segmentIndexBytes / OffsetIndex.ENTRY_SIZE
                || timeIndex.entryCount() >= segmentIndexBytes / TimeIndex.ENTRY_SIZE) {
            return true;
        }
        return lastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /** Position of the batch holding {@code offset} (its last offset >= offset), or -1 if none below limit. */
    BatchHeader findBatch(long offset, int limit) throws IOException {
        int start = offsetIndex.lookup(offset);
        HeaderScanner scanner = new HeaderScanner(channel(), Math.min(start, limit), limit);
        BatchHeader h;
        while ((h = scanner.peek()) != null) {
            if (h.lastOffset() >= offset) {
                return h;
            }
            scanner.skip(h.sizeInBytes());
        }
        return null;
    }

    /**
     * Whole batches from the one holding {@code fetchOffset}, up to {@code maxBytes} and below
     * {@code maxOffsetExclusive}; null if this segment holds no batch at or after {@code fetchOffset}.
     */
    Records read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) throws IOException {
        int limit = size;
        int start = offsetIndex.lookup(fetchOffset);
        HeaderScanner scanner = new HeaderScanner(channel(), Math.min(start, limit), limit);
        BatchHeader h;
        while ((h = scanner.peek()) != null && h.lastOffset() < fetchOffset) {
            scanner.skip(h.sizeInBytes());
        }
        if (h == null) {
            return null;
        }
        int from = scanner.position();
        int total = 0;
        while (h != null && h.lastOffset() < maxOffsetExclusive) {
            if (total + (long) h.sizeInBytes() > maxBytes) {
                if (total == 0 && minOneMessage) {
                    total = h.sizeInBytes();
                }
                break;
            }
            total += h.sizeInBytes();
            scanner.skip(h.sizeInBytes());
            h = scanner.peek();
        }
        return total == 0 ? MemoryRecords.EMPTY : records.slice(from, total);
    }

    /** The published bytes from {@code position} to the end, as a file slice. */
    FileRecords slice(int position) throws IOException {
        int limit = size;
        return records.slice(position, limit - position);
    }

    /** Drops every batch from the one holding {@code offset} onwards and rebuilds the indexes (writer only). */
    void truncateTo(long offset, int indexIntervalBytes) throws IOException {
        FailurePoint.TRUNCATE.check();
        BatchHeader h = findBatch(offset, size);
        if (h != null) {
            records.truncateTo(h.position());
        }
        recover(indexIntervalBytes, Long.MAX_VALUE, null);
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    /** Max timestamp of the first batch, -1 if none (valid once loaded). */
    long firstBatchTimestamp() {
        return firstBatchTimestamp;
    }

    /**
     * What time retention compares with its limit (valid once loaded): the largest record timestamp, or,
     * for a segment without any, the log file's modification time.
     */
    long largestTimestamp() throws IOException {
        long max = maxTimestamp;
        return max >= 0 ? max : Files.getLastModifiedTime(logFile).toMillis();
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    /** Fsyncs the log file and, unless {@code dataOnly}, the indexes. Done means durable. */
    void flush(boolean dataOnly) throws IOException {
        FailurePoint.FSYNC.check();
        // fdatasync: the data and the size needed to read it back, without the timestamps fsync also
        // writes (one journal write less per flush on ext4), as databases' write-ahead logs do.
        records.channel().force(false);
        if (!dataOnly && !indexesFlushed) {
            OffsetIndex oi = offsetIndex;
            TimeIndex ti = timeIndex;
            if (oi != null) {
                oi.flush();
            }
            if (ti != null) {
                ti.flush();
            }
            indexesFlushed = true;
        }
    }

    /** True until the directory entry of this (new) segment's files has been fsynced. */
    boolean needsDirectorySync() {
        return newFile;
    }

    void directorySynced() {
        newFile = false;
    }

    @Override
    public void close() throws IOException {
        closeQuietly(offsetIndex);
        closeQuietly(timeIndex);
        records.close();
    }

    /**
     * Renames the files to {@code <name>}{@value #DELETED_SUFFIX}; the open channels keep serving reads.
     * A later segment with the same base offset can then be created beside them.
     */
    void renameForDeletion() throws IOException {
        renameTo(DELETED_SUFFIX);
    }

    /**
     * Renames the files to {@code <base>.<ext><suffix>} ("" for the live names); the open channels keep
     * serving reads. Not durable until the directory is fsynced.
     */
    synchronized void renameTo(String suffix) throws IOException {
        Path dir = logFile.getParent();
        Path newLog = withSuffix(logFile(dir, baseOffset), suffix);
        records.renameTo(newLog.toFile());
        logFile = newLog;
        indexFile = moveIfExists(indexFile, withSuffix(dir.resolve(fileName(baseOffset, ".index")), suffix));
        timeIndexFile = moveIfExists(timeIndexFile,
                withSuffix(dir.resolve(fileName(baseOffset, ".timeindex")), suffix));
        // The indexes open their files by name for each write
        OffsetIndex oi = offsetIndex;
        TimeIndex ti = timeIndex;
        if (oi != null) {
            oi.movedTo(indexFile);
        }
        if (ti != null) {
            ti.movedTo(timeIndexFile);
        }
    }

    static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    private static Path moveIfExists(Path file, Path target) throws IOException {
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    /** Closes and removes the segment's files (under their current names). */
    synchronized void delete() throws IOException {
        try {
            close();
        } finally {
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(indexFile);
            Files.deleteIfExists(timeIndexFile);
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                Log.LOG.debug("Ignoring close failure", e);
            }
        }
    }

    @Override
    public String toString() {
        return "Segment(" + logFile + ", size=" + size + ", nextOffset=" + nextOffset + ")";
    }
}
