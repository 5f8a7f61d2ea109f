package io.letterbox.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code syncfs(2)} on the file system holding a directory: one call makes everything written to that
 * file system durable, the data and metadata of every file. {@link GroupCommit} uses it when a round
 * must fsync several partitions at once. On this project's 2-core VM, six fdatasyncs of 16 KiB appends
 * cost about 1 ms of CPU and 1 ms of wall time, one syncfs over the same writes about 0.3 and 0.65
 * (docs/performance.md): the fixed price of a flush is paid once instead of once per file. The cost:
 * whatever else is waiting to be written on that file system is written too.
 *
 * <p>Available on Linux with a JDK 22 or newer, through the Foreign Function API (the class
 * {@code LinuxSyncFs}, compiled for Java 22 when the build runs on one). Elsewhere {@link #open} finds
 * none and the caller fsyncs file by file.
 *
 * <p>Errors: a failed sync reports a write-back error somewhere on the file system since the last sync
 * through this handle, without saying which file; the caller then fsyncs each file, which reports it
 * for the right one.
 */
interface FileSystemSync extends Closeable {

    /** Makes everything written to the file system before this call durable. */
    void sync() throws IOException;

    /** The file system sync of {@code dir}'s file system, if this JDK and operating system offer one. */
    static Optional<FileSystemSync> open(Path dir) throws IOException {
        if (Runtime.version().feature() < 22 || !"Linux".equals(System.getProperty("os.name"))) {
            return Optional.empty();
        }
        try {
            Class<?> impl = Class.forName(FileSystemSync.class.getPackageName() + ".LinuxSyncFs");
            return Optional.of((FileSystemSync) impl.getDeclaredMethod("open", Path.class).invoke(null, dir));
        } catch (ClassNotFoundException notBuilt) {
            // Built on a JDK older than 22: the class is not there.
            return Optional.empty();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("Could not open the file system sync of " + dir, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Could not open the file system sync of " + dir, e);
        }
    }
}
