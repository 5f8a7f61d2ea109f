package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file behind an in-memory index ({@link OffsetIndex}, {@link TimeIndex}), an array of fixed-size
 * entries. The index appends entries in memory and they are written here in batches, through a channel
 * opened for that write only: an index holds no file descriptor between writes (a broker with 10,000
 * partitions would otherwise hold three per partition), and one write covers many entries.
 *
 * <p>Entries not yet written are lost in a crash; recovery rebuilds the indexes of every segment from
 * the recovery point on, and a segment's indexes are written out and fsynced before the recovery point
 * moves past it ({@link #fsync}). A clean close writes them out. A write that fails cuts the file back to
 * the entries written before, so the file stays a whole number of entries.
 *
 * <p>Thread-safety: synchronized; the owner calls it from its writer and its flusher.
 */
final class IndexFile {

    /** Puts entry {@code index} of the owner's in-memory entries into {@code out}. */
    interface EntryWriter {
        void put(int index, ByteBuffer out);
    }

    private final int entrySize;
    private Path path;
    private int written;

    private IndexFile(Path path, int entrySize, int written) {
        this.path = path;
        this.entrySize = entrySize;
        this.written = written;
    }

    /** A new empty file at {@code path}, replacing any file there. */
    static IndexFile create(Path path, int entrySize) throws IOException {
        IndexFiles.open(path, true).close();
        return new IndexFile(path, entrySize, 0);
    }

    /** The file at {@code path}, whose first {@code entries} entries are the owner's; the rest is overwritten later. */
    static IndexFile existing(Path path, int entrySize, int entries) {
        return new IndexFile(path, entrySize, entries);
    }

    synchronized Path path() {
        return path;
    }

    /** The segment renamed the file: later writes go to {@code newPath}. */
    synchronized void movedTo(Path newPath) {
        path = newPath;
    }

    /** Entries in the file. */
    synchronized int written() {
        return written;
    }

    /** Writes the owner's entries from {@link #written} up to {@code size} in one write. */
    synchronized void writePending(int size, EntryWriter entries) throws IOException {
        if (written >= size) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate((size - written) * entrySize);
        for (int i = written; i < size; i++) {
            entries.put(i, out);
        }
        out.flip();
        try (FileChannel channel = IndexFiles.open(path, false)) {
            IndexFiles.writeEntry(channel, out, (long) written * entrySize);
        }
        written = size;
    }

    /** The owner dropped its entries from {@code count} on: so does the file. */
    synchronized void truncate(int count) throws IOException {
        if (count < written) {
            cut(count);
            written = count;
        }
    }

    /**
     * Cuts the file after {@code count} entries, the owner's size once everything is written. Creates it
     * if absent: a crash between creating a segment's log and its indexes leaves none, and recovery of
     * that empty segment writes no entry that would create it.
     */
    synchronized void cut(int count) throws IOException {
        try (FileChannel channel = IndexFiles.open(path, false)) {
            IndexFiles.truncate(channel, (long) count * entrySize);
        }
    }

    /** Fsyncs what is written. */
    synchronized void fsync() throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }
}
