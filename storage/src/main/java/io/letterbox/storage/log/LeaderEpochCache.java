package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;
import io.letterbox.storage.checkpoint.CorruptCheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Which leader epoch wrote which offsets: a map from epoch to the first offset written in it, persisted
 * in {@code leader-epoch-checkpoint} in Kafka's text format:
 *
 * <pre>
 * 0              version
 * 2              number of entries
 * 3 0            epoch, start offset
 * 5 1200
 * </pre>
 *
 * Every change is written atomically and fsynced before the method returns ({@link AtomicFile}).
 *
 * <p>Thread-safety: all methods are synchronized.
 */
final class LeaderEpochCache {

    static final String FILE_NAME = "leader-epoch-checkpoint";

    private final Path file;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    LeaderEpochCache(Path dir) throws IOException {
        this.file = dir.resolve(FILE_NAME);
        load();
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        // Not readAllLines: its buffers are far larger than this file, and every log reads it at start-up.
        List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != 0) {
                throw new CorruptCheckpointException(file, "bad header");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split(" ");
                epochs.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
            }
        } catch (RuntimeException e) {
            Log.LOG.warn("Ignoring unreadable {}; the cache restarts empty: {}", file, e.toString());
            epochs.clear();
        }
    }

    private void persist() throws IOException {
        StringBuilder sb = new StringBuilder("0\n").append(epochs.size()).append('\n');
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest epoch. */
    synchronized boolean assign(int epoch, long startOffset, boolean persist) throws IOException {
        if (epoch < 0) {
            return false;
        }
        Map.Entry<Integer, Long> last = epochs.lastEntry();
        if (last != null && (epoch <= last.getKey() || startOffset < last.getValue())) {
            return false;
        }
        epochs.put(epoch, startOffset);
        if (persist) {
            persist();
        }
        return true;
    }

    synchronized void persistNow() throws IOException {
        persist();
    }

    synchronized OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    synchronized Map<Integer, Long> entries() {
        return new TreeMap<>(epochs);
    }

    /** Kafka's OffsetForLeaderEpoch answer for {@code requested}. */
    synchronized EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
        if (requested < 0 || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requested == epochs.lastKey()) {
            return new EpochEndOffset(requested, logEndOffset);
        }
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requested);
        if (higher == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requested);
        return new EpochEndOffset(floor == null ? requested : floor.getKey(), higher.getValue());
    }

    /** Drops epochs starting at or after {@code endOffset} (log truncated to it). */
    synchronized void truncateFromEnd(long endOffset) throws IOException {
        boolean changed = epochs.values().removeIf(start -> start >= endOffset);
        if (changed) {
            persist();
        }
    }

    /** Log start moved to {@code startOffset}: earlier epochs go, the one spanning it now starts there. */
    synchronized void truncateFromStart(long startOffset) throws IOException {
        Map.Entry<Integer, Long> spanning = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= startOffset) {
                spanning = e;
            }
        }
        if (spanning == null || spanning.getValue() == startOffset && epochs.firstKey().equals(spanning.getKey())) {
            return;
        }
        int keep = spanning.getKey();
        epochs.headMap(keep, false).clear();
        epochs.put(keep, startOffset);
        persist();
    }

    synchronized void clear() throws IOException {
        epochs.clear();
        persist();
    }
}
