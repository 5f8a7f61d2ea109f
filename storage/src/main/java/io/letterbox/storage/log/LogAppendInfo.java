package io.letterbox.storage.log;

/**
 * The outcome of an append.
 *
 * @param firstOffset    offset given to the first record appended (or of the original batch for a duplicate)
 * @param lastOffset     offset of the last record appended
 * @param logAppendTime  the broker's timestamp for LogAppendTime topics, -1 for CreateTime
 * @param logStartOffset the log start offset after the append
 * @param duplicate      true if the batch was a retry of an already appended idempotent batch; nothing was
 *                       written and the offsets are the original ones
 * @param truncations    {@link Log#truncations()} when the batch was appended: if it has moved since, the
 *                       batch may have been cut (a failed fsync) and its offsets given to other records,
 *                       so it must not be acknowledged by offset
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset,
                            boolean duplicate, long truncations) {
}
