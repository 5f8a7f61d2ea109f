package io.letterbox.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse time index of one segment: file {@code <20-digit base offset>.timeindex}.
 *
 * <pre>
 * entry (12 bytes, big-endian):
 *   int64 timestamp        largest batch max timestamp seen so far in the segment
 *   int32 relativeOffset   last offset of the first batch that reached that timestamp, minus base offset
 * </pre>
 *
 * Timestamps strictly increase; every batch before the entry's batch has a smaller max timestamp. So
 * the first record with timestamp >= T is at or after the batch of the last entry with timestamp <= T.
 * An entry is added alongside each offset index entry when the max timestamp grew, and a final one when
 * the segment is rolled or rebuilt, so the last entry is the segment's max timestamp. Not preallocated;
 * held in memory for lookups, written to the file in batches as {@link OffsetIndex} is.
 *
 * <p>Thread-safety: one writer, concurrent readers, published like {@link OffsetIndex}.
 */
final class TimeIndex implements Closeable {

    static final int ENTRY_SIZE = 12;

    private record Entries(long[] timestamps, int[] relativeOffsets, int size) {
    }

    private final IndexFile file;
    private final long baseOffset;
    private volatile Entries entries;

    private TimeIndex(IndexFile file, long baseOffset, Entries entries) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entries = entries;
    }

    static TimeIndex create(Path file, long baseOffset) throws IOException {
        return new TimeIndex(IndexFile.create(file, ENTRY_SIZE), baseOffset, new Entries(new long[16], new int[16], 0));
    }

    /** As {@link OffsetIndex#rewrite}: the old bytes stay past the entries until {@link #cutFile}. */
    static TimeIndex rewrite(Path file, long baseOffset) {
        return new TimeIndex(IndexFile.existing(file, ENTRY_SIZE, 0), baseOffset,
                new Entries(new long[16], new int[16], 0));
    }

    /** Writes every entry and cuts the file after the last (writer only). */
    void cutFile() throws IOException {
        writePending();
        file.cut(entries.size);
    }

    /** @throws CorruptIndexException if the file is inconsistent (the caller rebuilds it) */
    static TimeIndex load(Path file, long baseOffset) throws IOException {
        ByteBuffer buf = IndexFiles.readEntries(file, ENTRY_SIZE, "Time index");
        int n = buf.remaining() / ENTRY_SIZE;
        long[] ts = new long[Math.max(16, n)];
        int[] rel = new int[Math.max(16, n)];
        for (int i = 0; i < n; i++) {
            ts[i] = buf.getLong();
            rel[i] = buf.getInt();
            if (rel[i] < 0 || (i > 0 && (ts[i] <= ts[i - 1] || rel[i] < rel[i - 1]))) {
                throw new CorruptIndexException("Time index " + file + " entry " + i + " is out of order");
            }
        }
        return new TimeIndex(IndexFile.existing(file, ENTRY_SIZE, n), baseOffset, new Entries(ts, rel, n));
    }

    int entryCount() {
        return entries.size;
    }

    /** Largest timestamp indexed, or -1 if empty. */
    long lastTimestamp() {
        Entries e = entries;
        return e.size == 0 ? -1L : e.timestamps[e.size - 1];
    }

    /** Offset of the last entry, or -1 if empty. */
    long lastOffset() {
        Entries e = entries;
        return e.size == 0 ? -1L : baseOffset + e.relativeOffsets[e.size - 1];
    }

    /** Appends an entry if {@code timestamp} is larger than the last one (writer only). */
    void maybeAppend(long timestamp, long offset) throws IOException {
        Entries e = entries;
        if (timestamp < 0 || (e.size > 0 && timestamp <= e.timestamps[e.size - 1])) {
            return;
        }
        int rel = Math.toIntExact(offset - baseOffset);
        long[] tss = e.timestamps;
        int[] rels = e.relativeOffsets;
        if (e.size == tss.length) {
            tss = Arrays.copyOf(tss, tss.length * 2);
            rels = Arrays.copyOf(rels, rels.length * 2);
        }
        tss[e.size] = timestamp;
        rels[e.size] = rel;
        entries = new Entries(tss, rels, e.size + 1);
        if (e.size + 1 - file.written() >= OffsetIndex.WRITE_BATCH) {
            writePending();
        }
    }

    /** Writes the entries only in memory to the file. */
    private void writePending() throws IOException {
        Entries e = entries;
        file.writePending(e.size, (i, out) -> out.putLong(e.timestamps[i]).putInt(e.relativeOffsets[i]));
    }

    /** Offset of the last entry with timestamp <= {@code timestamp}, or the base offset if none. */
    long lookup(long timestamp) {
        Entries e = entries;
        int lo = 0;
        int hi = e.size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e.timestamps[mid] <= timestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset : baseOffset + e.relativeOffsets[found];
    }

    /** Drops the entries from {@code count} on, in the file and in memory (writer only; undoes a failed append). */
    void truncateToEntries(int count) throws IOException {
        Entries e = entries;
        if (count < e.size) {
            file.truncate(count);
            entries = new Entries(e.timestamps, e.relativeOffsets, count);
        }
    }

    /** Writes every entry to the file and fsyncs it. */
    void flush() throws IOException {
        writePending();
        file.fsync();
    }

    /** Writes the entries only in memory to the file; the index holds no open file. */
    @Override
    public void close() throws IOException {
        writePending();
    }

    Path file() {
        return file.path();
    }

    /** The segment renamed the file. */
    void movedTo(Path newFile) {
        file.movedTo(newFile);
    }
}
