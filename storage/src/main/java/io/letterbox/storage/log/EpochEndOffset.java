package io.letterbox.storage.log;

/**
 * The answer to OffsetForLeaderEpoch: the largest epoch not above the requested one and the offset at
 * which it ended (the start of the next epoch, or the log end offset for the latest epoch).
 */
public record EpochEndOffset(int epoch, long endOffset) {

    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
}
