package io.letterbox.storage.log;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link FileSystemSync} through Linux's {@code syncfs(2)}, called with the Foreign Function API: the
 * handle holds a file descriptor of the directory, opened read-only, until closed. Compiled for Java 22
 * and loaded by name, so the rest of the project stays at Java 17.
 *
 * <p>Thread-safety: {@link #sync} may be called from any thread; close once, after the last sync.
 */
final class LinuxSyncFs implements FileSystemSync {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(groupElement("errno"));
    private static final MethodHandle OPEN = function("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SYNCFS = function("syncfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private final Path dir;
    private final int fd;

    private LinuxSyncFs(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    static LinuxSyncFs open(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(dir.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw failure("open", dir, state);
            }
            return new LinuxSyncFs(dir, fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void sync() throws IOException {
        callWithFd(SYNCFS, "syncfs");
    }

    @Override
    public void close() throws IOException {
        callWithFd(CLOSE, "close");
    }

    /** Calls {@code function(fd)}: a result other than 0 becomes an IOException with the error's text. */
    private void callWithFd(MethodHandle function, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) function.invokeExact(state, fd) != 0) {
                throw failure(name, dir, state);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The error of a call, in the words FileChannel uses for the same errno ("Input/output error"). */
    private static IOException failure(String call, Path dir, MemorySegment state) throws Throwable {
        int errno = (int) ERRNO.get(state, 0L);
        MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
        return new IOException(call + " of " + dir + ": " + text.reinterpret(256).getString(0));
    }
}
