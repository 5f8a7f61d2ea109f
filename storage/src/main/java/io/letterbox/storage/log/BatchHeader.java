package io.letterbox.storage.log;

import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed 61-byte header of a magic v2 record batch, parsed from a buffer without touching the
 * records. Field positions (big-endian):
 *
 * <pre>
 *  0 int64 baseOffset          21 int16 attributes          43 int64 producerId
 *  8 int32 length (after it)   23 int32 lastOffsetDelta     51 int16 producerEpoch
 * 12 int32 partitionLeaderEpoch 27 int64 baseTimestamp      53 int32 baseSequence
 * 16 int8  magic               35 int64 maxTimestamp        57 int32 recordCount
 * 17 uint32 crc (CRC-32C of bytes 21..end)                  61 records...
 * </pre>
 *
 * <p>Thread-safety: immutable.
 */
record BatchHeader(int position, long baseOffset, int sizeInBytes, int partitionLeaderEpoch, byte magic, long crc,
                   short attributes, int lastOffsetDelta, long baseTimestamp, long maxTimestamp, long producerId,
                   short producerEpoch, int baseSequence, int recordCount) {

    static final int SIZE = 61;
    static final int LOG_OVERHEAD = 12;
    static final int LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    private static final int CONTROL_FLAG = 0x20;
    private static final int TRANSACTIONAL_FLAG = 0x10;

    /** Parses the header at {@code buf.position() + at}; {@code position} is the batch's file position. */
    static BatchHeader parse(ByteBuffer buf, int at, int position) {
        return new BatchHeader(position,
                buf.getLong(at),
                buf.getInt(at + LENGTH_OFFSET) + LOG_OVERHEAD,
                buf.getInt(at + 12),
                buf.get(at + MAGIC_OFFSET),
                Integer.toUnsignedLong(buf.getInt(at + CRC_OFFSET)),
                buf.getShort(at + ATTRIBUTES_OFFSET),
                buf.getInt(at + 23),
                buf.getLong(at + 27),
                buf.getLong(at + 35),
                buf.getLong(at + 43),
                buf.getShort(at + 51),
                buf.getInt(at + 53),
                buf.getInt(at + 57));
    }

    long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    long nextOffset() {
        return lastOffset() + 1;
    }

    boolean isControl() {
        return (attributes & CONTROL_FLAG) != 0;
    }

    boolean isTransactional() {
        return (attributes & TRANSACTIONAL_FLAG) != 0;
    }

    boolean hasProducerId() {
        return producerId > RecordBatch.NO_PRODUCER_ID;
    }

    /** Structurally plausible: v2, size covers the header, offsets and count sane. */
    boolean isWellFormed() {
        return magic == RecordBatch.MAGIC_VALUE_V2 && sizeInBytes >= SIZE && lastOffsetDelta >= 0 && recordCount >= 0;
    }

    /** Checks the CRC of a whole batch held in {@code batch} from its position to its limit. */
    static boolean crcMatches(ByteBuffer batch) {
        int start = batch.position();
        long stored = Integer.toUnsignedLong(batch.getInt(start + CRC_OFFSET));
        CRC32C crc = new CRC32C();
        ByteBuffer covered = batch.duplicate();
        covered.position(start + ATTRIBUTES_OFFSET);
        crc.update(covered);
        return crc.getValue() == stored;
    }
}
