package io.letterbox.storage.log;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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

    /** Mounts a tmpfs with {@code options} (mount's syntax, e.g. "size=2m,nr_inodes=64") on {@code dir}, or skips the test. */
    static Tmpfs mount(Path dir, String options) throws IOException, InterruptedException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Files.createDirectories(dir);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()),
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

    /** Creates empty files in {@code dir} until no inode is left; returns them, so a test can free a few. */
    List<Path> fillInodes(Path dir) throws IOException {
        List<Path> created = new ArrayList<>();
        try {
            for (int i = 0; i < 100_000; i++) {
                created.add(Files.createFile(dir.resolve("inode-" + i)));
            }
        } catch (IOException e) {
            if (!StorageFaults.isOutOfSpace(e)) {
                throw e;
            }
            return created;
        }
        throw new IllegalStateException("the tmpfs at " + this.dir + " never ran out of inodes");
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
