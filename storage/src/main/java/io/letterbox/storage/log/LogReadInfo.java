package io.letterbox.storage.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * The outcome of a read.
 *
 * @param records        whole batches: a {@code FileRecords} slice of a segment file (do not close it: it
 *                       shares the segment's channel), or {@code MemoryRecords.EMPTY}
 * @param logStartOffset the log start offset when the read was made
 * @param logEndOffset   the log end offset when the read was made
 */
public record LogReadInfo(Records records, long logStartOffset, long logEndOffset) {
}
