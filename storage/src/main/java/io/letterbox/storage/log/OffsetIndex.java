package io.letterbox.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse offset index of one segment: file {@code <20-digit base offset>.index}.
 *
 * <pre>
 * entry (8 bytes, big-endian), one per index.interval.bytes of log data:
 *   int32 relativeOffset   base offset of a batch minus the segment's base offset
 *   int32 position         byte position of that batch in the .log file
 * </pre>
 *
 * Entries are strictly increasing in both fields. The whole index is held in memory, so lookups never
 * touch the file; entries reach the file in batches ({@link IndexFile}: every {@value #WRITE_BATCH}
 * entries, when the segment is flushed after a roll, and on close). Not preallocated.
 *
 * <p>Thread-safety: one writer (the log's append lock) and any number of concurrent readers. The
 * writer publishes an immutable {@link Entries} view through a volatile field after filling the
 * arrays, so a reader sees a consistent prefix.
 */
final class OffsetIndex implements Closeable {

    static final int ENTRY_SIZE = 8;
    /** Entries held in memory only before they are written to the file together. */
    static final int WRITE_BATCH = 128;

    /** A published prefix of the arrays; the arrays are shared with later views but only grow past size. */
    private record Entries(int[] relativeOffsets, int[] positions, int size) {
    }

    private final IndexFile file;
    private final long baseOffset;
    private volatile Entries entries;

    private OffsetIndex(IndexFile file, long baseOffset, Entries entries) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entries = entries;
    }

    /** Creates an empty index, replacing any file at that path. */
    static OffsetIndex create(Path file, long baseOffset) throws IOException {
        return new OffsetIndex(IndexFile.create(file, ENTRY_SIZE), baseOffset, new Entries(new int[16], new int[16], 0));
    }

    /**
     * An empty index written over the file at that path, whose old bytes stay past the entries until
     * {@link #cutFile} (see {@link IndexFiles#open}).
     */
    static OffsetIndex rewrite(Path file, long baseOffset) {
        return new OffsetIndex(IndexFile.existing(file, ENTRY_SIZE, 0), baseOffset,
                new Entries(new int[16], new int[16], 0));
    }

    /**
     * Loads an existing index and checks it against the log size.
     *
     * @throws CorruptIndexException if the file is inconsistent (the caller rebuilds it)
     */
    static OffsetIndex load(Path file, long baseOffset, int logSize) throws IOException {
        ByteBuffer buf = IndexFiles.readEntries(file, ENTRY_SIZE, "Offset index");
        int n = buf.remaining() / ENTRY_SIZE;
        int[] rel = new int[Math.max(16, n)];
        int[] pos = new int[Math.max(16, n)];
        for (int i = 0; i < n; i++) {
            rel[i] = buf.getInt();
            pos[i] = buf.getInt();
            if (rel[i] < 0 || pos[i] < 0 || pos[i] >= logSize
                    || (i > 0 && (rel[i] <= rel[i - 1] || pos[i] <= pos[i - 1]))) {
                throw new CorruptIndexException("Offset index " + file + " entry " + i + " (" + rel[i] + ", "
                        + pos[i] + ") is out of order or beyond the log size " + logSize);
            }
        }
        return new OffsetIndex(IndexFile.existing(file, ENTRY_SIZE, n), baseOffset, new Entries(rel, pos, n));
    }

    Path file() {
        return file.path();
    }

    /** The segment renamed the file. */
    void movedTo(Path newFile) {
        file.movedTo(newFile);
    }

    int entryCount() {
        return entries.size;
    }

    /** Offset of the last entry, or the base offset if empty. */
    long lastOffset() {
        Entries e = entries;
        return e.size == 0 ? baseOffset : baseOffset + e.relativeOffsets[e.size - 1];
    }

    /** Position of the last entry, or 0 if empty. */
    int lastPosition() {
        Entries e = entries;
        return e.size == 0 ? 0 : e.positions[e.size - 1];
    }

    /** Appends an entry (writer only). Offsets and positions must increase. */
    void append(long offset, int position) throws IOException {
        Entries e = entries;
        int rel = Math.toIntExact(offset - baseOffset);
        if (e.size > 0 && (rel <= e.relativeOffsets[e.size - 1] || position <= e.positions[e.size - 1])) {
            return;
        }
        int[] rels = e.relativeOffsets;
        int[] poss = e.positions;
        if (e.size == rels.length) {
            rels = Arrays.copyOf(rels, rels.length * 2);
            poss = Arrays.copyOf(poss, poss.length * 2);
        }
        rels[e.size] = rel;
        poss[e.size] = position;
        entries = new Entries(rels, poss, e.size + 1);
        if (e.size + 1 - file.written() >= WRITE_BATCH) {
            writePending();
        }
    }

    /** Writes the entries only in memory to the file. */
    private void writePending() throws IOException {
        Entries e = entries;
        file.writePending(e.size, (i, out) -> out.putInt(e.relativeOffsets[i]).putInt(e.positions[i]));
    }

    /** The position of the largest indexed batch whose base offset is at most {@code offset}, else 0. */
    int lookup(long offset) {
        Entries e = entries;
        long rel = offset - baseOffset;
        int lo = 0;
        int hi = e.size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e.relativeOffsets[mid] <= rel) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : e.positions[found];
    }

    /** Drops the entries from {@code count} on, in the file and in memory (writer only; undoes a failed append). */
    void truncateToEntries(int count) throws IOException {
        Entries e = entries;
        if (count < e.size) {
            file.truncate(count);
            entries = new Entries(e.relativeOffsets, e.positions, count);
        }
    }

    /** Writes every entry to the file and fsyncs it. */
    void flush() throws IOException {
        writePending();
        file.fsync();
    }

    /** Writes every entry and cuts the file after the last (writer only): what a {@link #rewrite} left of the old file goes. */
    void cutFile() throws IOException {
        writePending();
        file.cut(entries.size);
    }

    /** Writes the entries only in memory to the file; the index holds no open file. */
    @Override
    public void close() throws IOException {
        writePending();
    }
}
