package io.letterbox.broker.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.record.internal.SimpleRecord;

import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;

/**
 * The group metadata records of {@code __consumer_offsets}: one record per classic group, keyed by
 * the group id, holding what Kafka's GroupMetadata value holds, so that a restarted coordinator
 * knows the group's generation, protocol and members. Written when a rebalance completes, when the
 * group becomes empty and when a static member takes a new member id; a tombstone when the group is
 * deleted. Compaction keeps the latest of each group.
 *
 * <p>Byte layout (big-endian; a string is an int16 byte length then UTF-8 bytes, -1 = null; bytes
 * are an int32 length then the bytes):
 *
 * <pre>
 * key    = int16 version (2) | string group
 * value  = int16 version (1) | string protocolType (nullable) | int32 generation
 *        | string protocol (nullable) | string leader (nullable) | int64 stateTimestamp (ms)
 *        | int32 memberCount | member * memberCount
 * member = string memberId | string groupInstanceId (nullable) | string clientId | string clientHost
 *        | int32 rebalanceTimeoutMs | int32 sessionTimeoutMs | bytes subscription | bytes assignment
 * null value = tombstone: the group was deleted
 * </pre>
 *
 * <p>{@code subscription} is the member's metadata for the group's chosen protocol (for consumers,
 * the serialized subscription); {@code stateTimestamp} is when the group entered its current state,
 * from which the retention of an empty group's offsets counts. Stateless, thread-safe.
 */
public final class GroupMetadataRecords {

    public static final short VALUE_VERSION = 1;

    private GroupMetadataRecords() {
    }

    /** A classic group as stored. */
    public record GroupMetadata(String protocolType, int generationId, String protocolName, String leaderId,
            long stateTimestampMs, List<MemberMetadata> members) {
        public GroupMetadata {
            members = List.copyOf(members);
        }
    }

    /** One member as stored. */
    public record MemberMetadata(String memberId, String groupInstanceId, String clientId, String clientHost,
            int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A decoded group metadata record; {@code value} is null for a tombstone. */
    public record GroupRecord(String groupId, GroupMetadata value) {
    }

    /** The log record of {@code groupId}'s metadata; a null {@code value} is a tombstone. */
    public static SimpleRecord record(String groupId, GroupMetadata value, long nowMs) {
        return new SimpleRecord(nowMs, encodeKey(groupId), value == null ? null : encodeValue(value));
    }

    public static byte[] encodeKey(String groupId) {
        byte[] g = OffsetRecords.utf8(groupId);
        ByteBuffer b = ByteBuffer.allocate(2 + OffsetRecords.sizeOf(g));
        b.putShort(OffsetRecords.GROUP_METADATA_KEY_VERSION);
        OffsetRecords.putString(b, g);
        return b.array();
    }

    public static byte[] encodeValue(GroupMetadata v) {
        byte[] type = OffsetRecords.utf8(v.protocolType());
        byte[] protocol = OffsetRecords.utf8(v.protocolName());
        byte[] leader = OffsetRecords.utf8(v.leaderId());
        List<byte[][]> members = new ArrayList<>(v.members().size());
        int size = 2 + OffsetRecords.sizeOf(type) + 4 + OffsetRecords.sizeOf(protocol) + OffsetRecords.sizeOf(leader)
                + 8 + 4;
        for (MemberMetadata m : v.members()) {
            byte[][] strings = {OffsetRecords.utf8(m.memberId()), OffsetRecords.utf8(m.groupInstanceId()),
                OffsetRecords.utf8(m.clientId()), OffsetRecords.utf8(m.clientHost())};
            members.add(strings);
            for (byte[] s : strings) {
                size += OffsetRecords.sizeOf(s);
            }
            size += 4 + 4 + 4 + m.subscription().length + 4 + m.assignment().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort(VALUE_VERSION);
        OffsetRecords.putString(b, type);
        b.putInt(v.generationId());
        OffsetRecords.putString(b, protocol);
        OffsetRecords.putString(b, leader);
        b.putLong(v.stateTimestampMs());
        b.putInt(v.members().size());
        for (int i = 0; i < members.size(); i++) {
            MemberMetadata m = v.members().get(i);
            for (byte[] s : members.get(i)) {
                OffsetRecords.putString(b, s);
            }
            b.putInt(m.rebalanceTimeoutMs());
            b.putInt(m.sessionTimeoutMs());
            b.putInt(m.subscription().length).put(m.subscription());
            b.putInt(m.assignment().length).put(m.assignment());
        }
        return b.array();
    }

    /**
     * Decodes a record whose key version is {@link OffsetRecords#GROUP_METADATA_KEY_VERSION}.
     *
     * @throws CorruptOffsetRecordException when the bytes do not follow the layout
     */
    public static GroupRecord decode(ByteBuffer key, ByteBuffer value) {
        try {
            ByteBuffer k = key.duplicate();
            if (k.getShort() != OffsetRecords.GROUP_METADATA_KEY_VERSION) {
                throw new CorruptOffsetRecordException("not a group metadata key");
            }
            String groupId = OffsetRecords.getString(k);
            if (groupId == null || k.hasRemaining()) {
                throw new CorruptOffsetRecordException("malformed group metadata key");
            }
            if (value == null) {
                return new GroupRecord(groupId, null);
            }
            ByteBuffer v = value.duplicate();
            short version = v.getShort();
            if (version != VALUE_VERSION) {
                throw new CorruptOffsetRecordException("unknown group metadata value version " + version);
            }
            String protocolType = OffsetRecords.getString(v);
            int generation = v.getInt();
            String protocol = OffsetRecords.getString(v);
            String leader = OffsetRecords.getString(v);
            long stateTimestamp = v.getLong();
            int count = v.getInt();
            if (count < 0 || count > v.remaining()) {
                throw new CorruptOffsetRecordException("impossible member count " + count);
            }
            List<MemberMetadata> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                members.add(new MemberMetadata(OffsetRecords.getString(v), OffsetRecords.getString(v),
                        OffsetRecords.getString(v), OffsetRecords.getString(v), v.getInt(), v.getInt(), getBytes(v),
                        getBytes(v)));
            }
            if (v.hasRemaining()) {
                throw new CorruptOffsetRecordException("trailing bytes after group metadata");
            }
            return new GroupRecord(groupId,
                    new GroupMetadata(protocolType, generation, protocol, leader, stateTimestamp, members));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptOffsetRecordException("truncated group metadata record: " + e);
        }
    }

    private static byte[] getBytes(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new CorruptOffsetRecordException("impossible byte length " + length);
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }
}
