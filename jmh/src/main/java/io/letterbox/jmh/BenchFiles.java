package io.letterbox.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for benchmark state: real files, removed at teardown. */
public final class BenchFiles {

    private BenchFiles() {
    }

    /** A new directory under {@code java.io.tmpdir} (set {@code -jvmArgs -Djava.io.tmpdir=...} to move it). */
    public static Path createTempDir(String prefix) {
        try {
            return Files.createTempDirectory("letterbox-jmh-" + prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
