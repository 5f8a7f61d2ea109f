package io.letterbox.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * held in memory for lookups.
 *
 * <p>Thread-safety: one writer, concurrent readers, published like {@link OffsetIndex}.
 */
final class TimeIndex implements Closeable {

    static final int ENTRY_SIZE = 12;

    private record Entries(long[] timestamps, int[] relativeOffsets, int size) {
    }

    private final Path file;
    private final long baseOffset;
    private final FileChannel channel;
    private volatile Entries entries;

    private TimeIndex(Path file, long baseOffset, FileChannel channel, Entries entries) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.entries = entries;
    }

    static TimeIndex create(Path file, long baseOffset) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return new TimeIndex(file, baseOffset, ch, new Entries(new long[16], new int[16], 0));
    }

    /** @throws CorruptIndexException if the file is inconsistent (the caller rebuilds it) */
    static TimeIndex load(Path file, long baseOffset) throws IOException {
        long fileSize = Files.size(file);
        if (fileSize % ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Time index " + file + " has size " + fileSize
                    + ", not a multiple of " + ENTRY_SIZE);
        }
        int n = (int) (fileSize / ENTRY_SIZE);
        ByteBuffer buf = ByteBuffer.allocate((int) fileSize);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
                // keep reading
            }
            buf.flip();
            long[] ts = new long[Math.max(16, n)];
            int[] rel = new int[Math.max(16, n)];
            for (int i = 0; i < n; i++) {
                ts[i] = buf.getLong();
                rel[i] = buf.getInt();
                if (rel[i] < 0 || (i > 0 && (ts[i] <= ts[i - 1] || rel[i] < rel[i - 1]))) {
                    throw new CorruptIndexException("Time index " + file + " entry " + i + " is out of order");
                }
            }
            return new TimeIndex(file, baseOffset, ch, new Entries(ts, rel, n));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
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
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_SIZE).putLong(timestamp).putInt(rel).flip();
        IndexFiles.writeEntry(channel, buf, (long) e.size * ENTRY_SIZE);
        long[] tss = e.timestamps;
        int[] rels = e.relativeOffsets;
        if (e.size == tss.length) {
            tss = Arrays.copyOf(tss, tss.length * 2);
            rels = Arrays.copyOf(rels, rels.length * 2);
        }
        tss[e.size] = timestamp;
        rels[e.size] = rel;
        entries = new Entries(tss, rels, e.size + 1);
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
        if (IndexFiles.truncate(channel, count, e.size, ENTRY_SIZE)) {
            entries = new Entries(e.timestamps, e.relativeOffsets, count);
        }
    }

    void flush() throws IOException {
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    Path file() {
        return file;
    }
}
