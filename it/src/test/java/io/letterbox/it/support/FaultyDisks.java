package io.letterbox.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real file systems that fail, for log directories: a small tmpfs that fills up, and an ext4 image on
 * a loop device mounted {@code errors=remount-ro} whose kernel error trigger makes every later write
 * fail with EROFS. Mounting needs root (CI runs as root); without it, or without the tools, the
 * test is skipped with an assumption that says why. Every command is bounded in time.
 */
public final class FaultyDisks {

    private static final long COMMAND_TIMEOUT_S = 30;

    private FaultyDisks() {
    }

    /** A mounted file system; closing unmounts it (and frees its loop device). */
    public interface Mount extends AutoCloseable {
        Path dir();

        @Override
        void close();
    }

    /** Skips the test unless it runs as root (mount, losetup and the ext4 error trigger need it). */
    public static void assumeRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting file systems needs root");
    }

    /** Mounts a tmpfs of {@code size} (e.g. "12m") on {@code dir}; remount it larger with {@link #grow}. */
    public static Mount tmpfs(Path dir, String size) {
        assumeRoot();
        mkdirs(dir);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()) == 0,
                "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)");
        return new Mount() {
            @Override
            public Path dir() {
                return dir;
            }

            @Override
            public void close() {
                unmount(dir);
            }
        };
    }

    /** Gives a mounted tmpfs a new size, e.g. more room once it is full. */
    public static void grow(Mount tmpfs, String size) {
        require(run("mount", "-o", "remount,size=" + size, tmpfs.dir().toString()), "remount " + tmpfs.dir());
    }

    /** An ext4 image mounted on {@code dir} through {@code /dev/<loopDevice>}; it can fail like a dying disk. */
    public record Ext4(Path image, Path dir, String loopDevice) implements Mount {

        /** The kernel's ext4 error trigger: the file system aborts its journal and remounts read-only. */
        public void fail() {
            Path trigger = Path.of("/sys/fs/ext4", loopDevice, "trigger_fs_error");
            try {
                Files.writeString(trigger, "1", StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException("could not write " + trigger, e);
            }
        }

        /** Unmounts and mounts the image again: a healthy disk (ext4 mounts an image marked with errors). */
        public void remount() {
            unmount(dir);
            require(run("mount", "-o", "loop", image.toString(), dir.toString()), "mount " + image);
        }

        @Override
        public void close() {
            unmount(dir);
            // mount -o loop sets autoclear; detach explicitly only if the device is still bound to the image.
            String attached = output("losetup", "-j", image.toString());
            if (attached.startsWith("/dev/" + loopDevice + ":")) {
                run("losetup", "-d", "/dev/" + loopDevice);
            }
        }
    }

    /** Formats a {@code sizeMiB} ext4 image at {@code image} and mounts it on {@code dir} with errors=remount-ro. */
    public static Ext4 ext4(Path image, Path dir, int sizeMiB) {
        assumeRoot();
        Assumptions.assumeTrue(run("sh", "-c", "command -v mkfs.ext4 && command -v losetup") == 0,
                "mkfs.ext4 or losetup missing (apt-get install e2fsprogs mount)");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/loop-control")), "no loop devices (/dev/loop-control)");
        mkdirs(dir);
        require(run("truncate", "-s", sizeMiB + "M", image.toString()), "truncate " + image);
        require(run("mkfs.ext4", "-q", "-F", image.toString()), "mkfs.ext4 " + image);
        Assumptions.assumeTrue(run("mount", "-o", "loop,errors=remount-ro", image.toString(), dir.toString()) == 0,
                "mount -o loop failed (no free loop device?)");
        String attached = output("losetup", "-j", image.toString());
        String device = attached.substring(0, attached.indexOf(':'));
        String name = Path.of(device).getFileName().toString();
        Ext4 mount = new Ext4(image, dir, name);
        if (!Files.exists(Path.of("/sys/fs/ext4", name, "trigger_fs_error"))) {
            mount.close();
            Assumptions.abort("this kernel has no /sys/fs/ext4/" + name + "/trigger_fs_error");
        }
        return mount;
    }

    private static void unmount(Path dir) {
        if (run("umount", dir.toString()) != 0) {
            // Something (a broker that did not stop) still holds files: detach lazily so nothing leaks.
            run("umount", "-l", dir.toString());
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("could not create " + dir, e);
        }
    }

    private static void require(int exitCode, String what) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " failed with exit code " + exitCode);
        }
    }

    private static int run(String... command) {
        return exec(command).exitCode;
    }

    private static String output(String... command) {
        return exec(command).output.trim();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
