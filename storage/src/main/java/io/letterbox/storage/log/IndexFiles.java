package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes shared by {@link OffsetIndex} and {@link TimeIndex}, whose files are arrays of fixed-size
 * entries: an entry is written whole or not at all, so a full disk never leaves a torn entry behind
 * (the file stays a multiple of the entry size and loads without a rebuild).
 */
final class IndexFiles {

    private IndexFiles() {
    }

    /** Writes {@code entry} at byte {@code at}; on failure cuts the file back to {@code at} and rethrows. */
    static void writeEntry(FileChannel channel, ByteBuffer entry, long at) throws IOException {
        try {
            long pos = at;
            while (entry.hasRemaining()) {
                pos += channel.write(entry, pos);
            }
        } catch (IOException e) {
            try {
                truncate(channel, at);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Cuts the file to {@code bytes} if it is longer (shrinking needs no free space). */
    static void truncate(FileChannel channel, long bytes) throws IOException {
        if (channel.size() > bytes) {
            channel.truncate(bytes);
        }
    }

    /**
     * Cuts an index of {@code size} entries to its first {@code count}; false (nothing done) if it has
     * no more than that. The caller then publishes the shorter view.
     */
    static boolean truncate(FileChannel channel, int count, int size, int entrySize) throws IOException {
        if (count >= size) {
            return false;
        }
        truncate(channel, (long) count * entrySize);
        return true;
    }
}
