package io.letterbox.broker.group;

/**
 * One committed offset of a group for one partition, as stored in {@code __consumer_offsets}.
 *
 * @param offset            the next offset the group will read
 * @param leaderEpoch       the leader epoch of the record before {@code offset}, -1 when unknown
 * @param metadata          the client's string, null when it sent none
 * @param commitTimestampMs when the broker accepted the commit
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
}
