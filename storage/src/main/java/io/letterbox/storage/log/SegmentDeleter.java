package io.letterbox.storage.log;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Removes the segments that logs retired: their files already carry the
 * {@value Segment#DELETED_SUFFIX} suffix and their channels are still open; after
 * {@code file.delete.delay.ms} a segment is closed and its files are removed, so that a fetch still
 * sending from it (a sendfile region holding its channel) finishes first. Files left by a crash before
 * that are removed when their log is opened again.
 *
 * <p>Thread-safety: thread-safe. The scheduler belongs to the caller; without one, segments go at once.
 */
final class SegmentDeleter {

    /** Removes every segment as soon as it is retired (a log used on its own, in tests or tools). */
    static final SegmentDeleter IMMEDIATE = new SegmentDeleter(null);

    private final ScheduledExecutorService scheduler;
    private final Set<Segment> pending = ConcurrentHashMap.newKeySet();

    SegmentDeleter(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Closes and removes {@code segment} after {@code delayMs}. */
    void deleteLater(Segment segment, long delayMs) {
        if (scheduler == null || delayMs <= 0) {
            delete(segment);
            return;
        }
        pending.add(segment);
        try {
            scheduler.schedule(() -> {
                if (pending.remove(segment)) {
                    delete(segment);
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            pending.remove(segment);
            delete(segment);
        }
    }

    /** Removes every pending segment now: at shutdown, when no read can still be using one. */
    void deleteAllNow() {
        for (Segment segment : List.copyOf(pending)) {
            if (pending.remove(segment)) {
                delete(segment);
            }
        }
    }

    /** Closes every pending segment and leaves its files for the next open to remove (a simulated crash). */
    void abandonAll() {
        for (Segment segment : List.copyOf(pending)) {
            if (pending.remove(segment)) {
                try {
                    segment.close();
                } catch (IOException e) {
                    Log.LOG.debug("Ignoring close failure of {}", segment, e);
                }
            }
        }
    }

    private static void delete(Segment segment) {
        try {
            segment.delete();
        } catch (IOException e) {
            Log.LOG.warn("Could not remove the files of deleted segment {}: {}", segment, e.getMessage());
        }
    }
}
