package io.letterbox.storage.log;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A small real tmpfs mounted on a test directory, for disks that fill up. Needs root (CI runs as root);
 * elsewhere the test is skipped by an assumption.
 */
final class Tmpfs implements AutoCloseable {

    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax, e.g. "2m") on {@code dir}, or skips the test. */
    static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Files.createDirectories(dir);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()),
                "mount -t tmpfs failed (no CAP_SYS_ADMIN?)");
        return new Tmpfs(dir);
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code file} until the file system refuses more ("No space left on device"). */
    void fill(Path file) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (int i = 0; i < 1_000_000; i++) {
                chunk.clear();
                ch.write(chunk);
            }
        } catch (IOException e) {
            if (!StorageFaults.isOutOfSpace(e)) {
                throw e;
            }
            return;
        }
        throw new IllegalStateException("the tmpfs at " + dir + " never filled up");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!run("umount", "-l", dir.toString())) {
            throw new IOException("could not unmount " + dir);
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
