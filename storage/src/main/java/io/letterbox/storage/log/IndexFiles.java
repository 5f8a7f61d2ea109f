package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * File operations shared by {@link OffsetIndex} and {@link TimeIndex}, whose files are arrays of
 * fixed-size entries: opening, and writes where an entry is written whole or not at all, so a full disk
 * never leaves a torn entry behind (the file stays a multiple of the entry size and loads without a
 * rebuild). Thread-safety: stateless.
 */
final class IndexFiles {

    private IndexFiles() {
    }

    /**
     * Opens {@code file} for reading and writing, created if absent. With {@code truncate} its old
     * content goes at once; without, it stays until the index overwrites or cuts it. Recovery rewrites
     * every index it checks, and truncating a file to zero makes ext4 write it out on close (its
     * {@code auto_da_alloc} guard for replaced files): about a millisecond per file, which on a broker
     * with many partitions was most of the time a restart after a crash spent on its logs.
     */
    static FileChannel open(Path file, boolean truncate) throws IOException {
        return truncate
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * The whole of an index file of {@code entrySize}-byte entries, ready to read.
     *
     * @throws CorruptIndexException if its size is not a whole number of entries
     */
    static ByteBuffer readEntries(Path file, int entrySize, String what) throws IOException {
        long fileSize = Files.size(file);
        if (fileSize % entrySize != 0) {
            throw new CorruptIndexException(what + " " + file + " has size " + fileSize + ", not a multiple of "
                    + entrySize);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) fileSize);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && channel.read(buf, buf.position()) >= 0) {
                // keep reading
            }
        }
        return buf.flip();
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
}
