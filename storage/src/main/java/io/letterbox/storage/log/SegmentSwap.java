package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finishes or undoes, when a log is opened, a cleaner swap that a crash interrupted. The cleaner writes
 * {@code <base>.log.cleaned} (+ {@code .index.cleaned}, {@code .timeindex.cleaned}), fsyncs it, renames it
 * to {@code .swap} and fsyncs the directory, then (under the log's lock) renames the segments it replaces
 * to {@code .deleted} and the {@code .swap} files to the live names:
 *
 * <ul>
 * <li>a {@code .cleaned} file is an unfinished cleaning: deleted, the old segments are still whole;</li>
 * <li>a {@code .swap} file is complete and fsynced: every live segment whose base offset lies in
 *     [swap base, swap's next offset) is an old one it replaces and is deleted, then the swap takes the
 *     live names. A later old segment whose records all went away stays as it was: uncleaned but
 *     consistent, its offsets above the swap's.</li>
 * </ul>
 *
 * <p>Thread-safety: called by the opening thread before anything else uses the directory.
 */
final class SegmentSwap {

    private static final String[] EXTENSIONS = {".log", ".index", ".timeindex"};

    private SegmentSwap() {
    }

    /** Finishes or undoes what a cleaning left in {@code dir}; returns the names of the files there then. */
    static List<String> recoverLeftovers(Path dir) throws IOException {
        List<String> names = fileNames(dir);
        List<Long> swaps = new ArrayList<>();
        List<Path> stray = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(Segment.CLEANED_SUFFIX)) {
                stray.add(dir.resolve(name));
            } else if (name.endsWith(".log" + Segment.SWAP_SUFFIX) && name.length() == 24 + Segment.SWAP_SUFFIX.length()) {
                swaps.add(Long.parseLong(name.substring(0, 20)));
            }
        }
        if (stray.isEmpty() && swaps.isEmpty()) {
            return names;
        }
        for (Path p : stray) {
            Files.deleteIfExists(p);
        }
        if (swaps.isEmpty()) {
            AtomicFile.fsyncDirectory(dir);
            return fileNames(dir);
        }
        for (long base : swaps) {
            Path swapLog = Segment.withSuffix(Segment.logFile(dir, base), Segment.SWAP_SUFFIX);
            long upTo = Math.max(nextOffset(swapLog, base), base + 1);
            for (long old : liveBases(dir)) {
                if (old >= base && old < upTo) {
                    for (String ext : EXTENSIONS) {
                        Files.deleteIfExists(dir.resolve(Segment.fileName(old, ext)));
                    }
                }
            }
            for (String ext : EXTENSIONS) {
                Path live = dir.resolve(Segment.fileName(base, ext));
                Path swap = Segment.withSuffix(live, Segment.SWAP_SUFFIX);
                if (Files.exists(swap)) {
                    Files.move(swap, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Log.LOG.info("Finished the interrupted swap of cleaned segment {} (replaced offsets [{}, {}))",
                    Segment.logFile(dir, base), base, upTo);
        }
        AtomicFile.fsyncDirectory(dir);
        return fileNames(dir);
    }

    /** The names of the files in {@code dir}. */
    static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static List<Long> liveBases(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        for (String name : fileNames(dir)) {
            if (name.endsWith(".log") && name.length() == 24) {
                bases.add(Long.parseLong(name.substring(0, 20)));
            }
        }
        return bases;
    }

    /** The offset after the last whole batch of a swap file (fsynced before it got that name). */
    private static long nextOffset(Path file, long base) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int size = (int) Math.min(ch.size(), Integer.MAX_VALUE);
            HeaderScanner scanner = new HeaderScanner(ch, 0, size);
            long next = base;
            BatchHeader h;
            while ((h = scanner.peek()) != null && h.isWellFormed() && h.sizeInBytes() <= scanner.remaining()) {
                next = h.nextOffset();
                scanner.skip(h.sizeInBytes());
            }
            return next;
        }
    }
}
