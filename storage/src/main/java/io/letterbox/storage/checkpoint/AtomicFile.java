package io.letterbox.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file atomically: the content is written to {@code <name>.tmp}, fsynced,
 * renamed over the target, and the directory is fsynced so the rename itself survives a crash.
 *
 * <p>A reader therefore sees either the old or the new content, never a mix. A {@code .tmp}
 * file left behind by a crash is garbage: readers never look at it and the next write replaces
 * it. "Done" for {@link #write} means durable on disk (file and directory entry fsynced).
 *
 * <p>Thread-safety: stateless; callers serialize writes to the same target.
 */
public final class AtomicFile {

    /** Suffix of the temporary file written before the rename. */
    public static final String TMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /** Durably replaces {@code target} with {@code content}. */
    public static void write(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            // On a full disk the half-written temporary file would hold space the next write needs.
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** Fsyncs a directory so that entries created, renamed or deleted in it are durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
            if (!System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
                throw e;
            }
        }
    }
}
