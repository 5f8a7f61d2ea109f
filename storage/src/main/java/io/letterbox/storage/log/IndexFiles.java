package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opening the file of an {@link OffsetIndex} or {@link TimeIndex}. Thread-safety: stateless. */
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
}
