package io.letterbox.storage.producer;

/**
 * What the log remembers of one appended idempotent batch, to recognise a retry of it.
 *
 * @param firstSeq    sequence of the first record
 * @param lastSeq     sequence of the last record (wraps after Integer.MAX_VALUE)
 * @param firstOffset offset given to the first record
 * @param lastOffset  offset given to the last record
 * @param timestamp   the batch's max timestamp as stored
 */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
}
