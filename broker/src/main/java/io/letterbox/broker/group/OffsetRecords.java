package io.letterbox.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The committed-offset records of {@code __consumer_offsets}: one record per committed offset,
 * keyed by (group, topic, partition) so that compaction keeps the latest commit of each.
 *
 * <p>Byte layout (big-endian; a string is an int16 byte length, then UTF-8 bytes; -1 length = null):
 *
 * <pre>
 * key   = int16 version (1) | string group | string topic | int32 partition
 * value = int16 version (1) | int64 offset | int32 leaderEpoch (-1: none)
 *       | string metadata (nullable) | int64 commitTimestamp (ms)
 * null value = tombstone: the offset was deleted
 * </pre>
 *
 * <p>Every record of the topic starts its key with an int16 version saying what it is: 0 and 1
 * a committed offset (this class), 2 a classic group's metadata ({@link GroupMetadataRecords}).
 * A reader skips key versions it does not know, so newer records never stop an older broker from
 * loading offsets. Stateless, thread-safe.
 */
public final class OffsetRecords {

    public static final short OFFSET_KEY_VERSION = 1;
    public static final short GROUP_METADATA_KEY_VERSION = 2;
    public static final short OFFSET_VALUE_VERSION = 1;

    private OffsetRecords() {
    }

    /** A decoded offset record; {@code value} is null for a tombstone. */
    public record OffsetRecord(String group, TopicPartition topicPartition, CommittedOffset value) {
    }

    /** The log record of one entry, timestamped {@code nowMs}; a null offset is a tombstone. */
    public static SimpleRecord record(OffsetRecord e, long nowMs) {
        return new SimpleRecord(nowMs, encodeKey(e.group(), e.topicPartition()),
                e.value() == null ? null : encodeValue(e.value()));
    }

    /** The version every key of the topic starts with: what kind of record it is. */
    public static short keyVersion(ByteBuffer key) {
        if (key == null || key.remaining() < 2) {
            throw new CorruptOffsetRecordException("record without a key version");
        }
        return key.getShort(key.position());
    }

    public static byte[] encodeKey(String group, TopicPartition tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(OFFSET_KEY_VERSION);
        putString(b, g);
        putString(b, t);
        b.putInt(tp.partition());
        return b.array();
    }

    public static byte[] encodeValue(CommittedOffset v) {
        byte[] m = v.metadata() == null ? null : v.metadata().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + 2 + (m == null ? 0 : m.length) + 8);
        b.putShort(OFFSET_VALUE_VERSION);
        b.putLong(v.offset());
        b.putInt(v.leaderEpoch());
        putString(b, m);
        b.putLong(v.commitTimestampMs());
        return b.array();
    }

    /**
     * Decodes a record of the offsets topic. Returns null for key versions that are not offset
     * commits (group metadata, or a version newer than this code).
     *
     * @throws CorruptOffsetRecordException when the bytes do not follow the layout
     */
    public static OffsetRecord decode(ByteBuffer key, ByteBuffer value) {
        if (key == null) {
            throw new CorruptOffsetRecordException("record without a key");
        }
        try {
            ByteBuffer k = key.duplicate();
            short keyVersion = k.getShort();
            if (keyVersion != 0 && keyVersion != OFFSET_KEY_VERSION) {
                return null;
            }
            String group = getString(k);
            String topic = getString(k);
            int partition = k.getInt();
            if (group == null || topic == null || k.hasRemaining()) {
                throw new CorruptOffsetRecordException("malformed offset key");
            }
            TopicPartition tp = new TopicPartition(topic, partition);
            if (value == null) {
                return new OffsetRecord(group, tp, null);
            }
            ByteBuffer v = value.duplicate();
            short valueVersion = v.getShort();
            if (valueVersion != OFFSET_VALUE_VERSION) {
                throw new CorruptOffsetRecordException("unknown offset value version " + valueVersion);
            }
            long offset = v.getLong();
            int epoch = v.getInt();
            String metadata = getString(v);
            long timestamp = v.getLong();
            return new OffsetRecord(group, tp, new CommittedOffset(offset, epoch, metadata, timestamp));
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptOffsetRecordException("truncated offset record: " + e);
        }
    }

    /** The byte length of {@code s} as {@link #putString} writes it. */
    static int sizeOf(byte[] s) {
        return 2 + (s == null ? 0 : s.length);
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static void putString(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putShort((short) -1);
        } else {
            if (s.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string longer than " + Short.MAX_VALUE + " bytes");
            }
            b.putShort((short) s.length);
            b.put(s);
        }
    }

    static String getString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The bytes of an offsets-topic record do not follow {@link OffsetRecords}' layout. */
    public static final class CorruptOffsetRecordException extends RuntimeException {
        public CorruptOffsetRecordException(String message) {
            super(message);
        }
    }
}
