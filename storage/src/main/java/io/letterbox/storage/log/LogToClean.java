package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;

import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;

/**
 * What the cleaner may clean in one log, measured at one moment: the clean section (segments below the
 * first dirty offset, cleaned before) and the dirty section [firstDirtyOffset, firstUncleanableOffset),
 * which ends at the first segment that is active, reaches past the high watermark, or holds a record
 * younger than {@code min.compaction.lag.ms}. Both ends are segment base offsets, except a first dirty
 * offset inside a segment after DeleteRecords.
 *
 * @param mustClean the dirty section's first record is older than {@code max.compaction.lag.ms}
 */
record LogToClean(Log log, long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long dirtyBytes,
                  boolean mustClean) {

    /** dirty / (clean + dirty), 0 for an empty log. */
    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    /**
     * Measures {@code log} with {@code checkpointed} as the first dirty offset (reset to the log start
     * when outside the log).
     */
    static LogToClean measure(Log log, long checkpointed, long nowMs) throws IOException {
        LogConfig cfg = log.config();
        NavigableMap<Long, Segment> view = log.segmentMap();
        long start = log.logStartOffset();
        long firstDirty = checkpointed < start || checkpointed > log.logEndOffset() ? start : checkpointed;
        long highWatermark = log.highWatermark();
        Long dirtyKey = view.floorKey(firstDirty);
        long dirtyBase = dirtyKey == null ? view.firstKey() : dirtyKey;
        long cleanBytes = 0;
        long dirtyBytes = 0;
        long firstUncleanable = -1;
        boolean mustClean = false;
        long minLag = cfg.minCompactionLagMs();
        long maxLag = cfg.maxCompactionLagMs();
        for (Map.Entry<Long, Segment> e : view.entrySet()) {
            Segment seg = e.getValue();
            if (e.getKey() < dirtyBase) {
                cleanBytes += seg.size();
                continue;
            }
            Long next = view.higherKey(e.getKey());
            seg.ensureLoaded(cfg.indexIntervalBytes());
            if (next == null || next > highWatermark || (minLag > 0 && seg.largestTimestamp() > nowMs - minLag)) {
                firstUncleanable = e.getKey();
                break;
            }
            if (e.getKey() == dirtyBase && seg.firstBatchTimestamp() >= 0 && maxLag < Long.MAX_VALUE
                    && seg.firstBatchTimestamp() < nowMs - maxLag) {
                mustClean = true;
            }
            dirtyBytes += seg.size();
        }
        return new LogToClean(log, firstDirty, Math.max(firstUncleanable, firstDirty),
                cleanBytes, dirtyBytes, mustClean);
    }
}
