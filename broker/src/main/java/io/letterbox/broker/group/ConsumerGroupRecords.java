package io.letterbox.broker.group;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.SimpleRecord;

import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;
import io.letterbox.broker.group.consumer.Assignment;
import io.letterbox.broker.group.consumer.MemberAssignment;

/**
 * The consumer group records of {@code __consumer_offsets}: one record per KIP-848 group, keyed by
 * the group id, holding the whole group (epochs, subscribed topics, members with their
 * subscriptions, assignments and targets), so that a restarted coordinator continues the group
 * where it was. Kafka spreads this over many record types; one record per group keeps it simple,
 * and compaction keeps the latest of each group. A tombstone (null value) deletes the group.
 *
 * <p>The key version, {@link #KEY_VERSION} ({@code 0x4C42}, "LB"), is Letterbox's own: far from
 * Kafka's offset (0, 1), group metadata (2) and KIP-848 (3 and up) key versions, so neither broker
 * mistakes the other's records. Byte layout (big-endian; a string is an int16 byte length then
 * UTF-8 bytes, -1 = null; a uuid is two int64):
 *
 * <pre>
 * key        = int16 version (0x4C42) | string group
 * value      = int16 version (1) | int32 groupEpoch | int32 targetEpoch | string assignorName
 *            | int32 topicCount | topic * topicCount | int32 memberCount | member * memberCount
 * topic      = uuid id | string name | int32 numPartitions
 * member     = string memberId | string instanceId | string rackId | string clientId | string clientHost
 *            | int32 rebalanceTimeoutMs | int32 nameCount | string name * nameCount | string regex
 *            | string serverAssignor | int8 leftStatically | int32 epoch | int32 previousEpoch
 *            | string state | assignment assigned | assignment pendingRevocation | assignment target
 * assignment = int32 topicCount | (uuid topic | int32 count | int32 partition * count) * topicCount
 * </pre>
 *
 * Stateless, thread-safe.
 */
public final class ConsumerGroupRecords {

    public static final short KEY_VERSION = 0x4C42;
    public static final short VALUE_VERSION = 1;

    private ConsumerGroupRecords() {
    }

    /** A consumer group as stored. */
    public record StoredConsumerGroup(int groupEpoch, int targetEpoch, String assignorName,
            List<StoredTopic> subscribedTopics, List<StoredMember> members) {
        public StoredConsumerGroup {
            subscribedTopics = List.copyOf(subscribedTopics);
            members = List.copyOf(members);
        }
    }

    /** A topic some member subscribes to, as the group last resolved it. */
    public record StoredTopic(Uuid id, String name, int numPartitions) {
    }

    /** One member as stored; nullable: instanceId, rackId, clientId, clientHost, regex, serverAssignor. */
    public record StoredMember(String memberId, String instanceId, String rackId, String clientId, String clientHost,
            int rebalanceTimeoutMs, List<String> subscribedTopicNames, String subscribedTopicRegex,
            String serverAssignor, boolean leftStatically, MemberAssignment assignment, Assignment target) {
        public StoredMember {
            subscribedTopicNames = List.copyOf(subscribedTopicNames);
        }
    }

    /** A decoded consumer group record; {@code value} is null for a tombstone. */
    public record ConsumerGroupRecord(String groupId, StoredConsumerGroup value) {
    }

    /** The log record of {@code groupId}; a null {@code value} is a tombstone. */
    public static SimpleRecord record(String groupId, StoredConsumerGroup value, long nowMs) {
        return new SimpleRecord(nowMs, encodeKey(groupId), value == null ? null : encodeValue(value));
    }

    public static byte[] encodeKey(String groupId) {
        byte[] g = OffsetRecords.utf8(groupId);
        ByteBuffer b = ByteBuffer.allocate(2 + OffsetRecords.sizeOf(g));
        b.putShort(KEY_VERSION);
        OffsetRecords.putString(b, g);
        return b.array();
    }

    public static byte[] encodeValue(StoredConsumerGroup v) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(VALUE_VERSION);
            out.writeInt(v.groupEpoch());
            out.writeInt(v.targetEpoch());
            writeString(out, v.assignorName());
            out.writeInt(v.subscribedTopics().size());
            for (StoredTopic t : v.subscribedTopics()) {
                writeUuid(out, t.id());
                writeString(out, t.name());
                out.writeInt(t.numPartitions());
            }
            out.writeInt(v.members().size());
            for (StoredMember m : v.members()) {
                writeString(out, m.memberId());
                writeString(out, m.instanceId());
                writeString(out, m.rackId());
                writeString(out, m.clientId());
                writeString(out, m.clientHost());
                out.writeInt(m.rebalanceTimeoutMs());
                out.writeInt(m.subscribedTopicNames().size());
                for (String name : m.subscribedTopicNames()) {
                    writeString(out, name);
                }
                writeString(out, m.subscribedTopicRegex());
                writeString(out, m.serverAssignor());
                out.writeByte(m.leftStatically() ? 1 : 0);
                out.writeInt(m.assignment().epoch());
                out.writeInt(m.assignment().previousEpoch());
                writeString(out, m.assignment().state().name());
                writeAssignment(out, m.assignment().assigned());
                writeAssignment(out, m.assignment().pendingRevocation());
                writeAssignment(out, m.target());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = OffsetRecords.utf8(s);
        if (b == null) {
            out.writeShort(-1);
        } else {
            if (b.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string longer than " + Short.MAX_VALUE + " bytes");
            }
            out.writeShort(b.length);
            out.write(b);
        }
    }

    private static void writeUuid(DataOutputStream out, Uuid id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static void writeAssignment(DataOutputStream out, Assignment a) throws IOException {
        out.writeInt(a.partitions().size());
        for (Map.Entry<Uuid, NavigableSet<Integer>> e : a.partitions().entrySet()) {
            writeUuid(out, e.getKey());
            out.writeInt(e.getValue().size());
            for (int p : e.getValue()) {
                out.writeInt(p);
            }
        }
    }

    /**
     * Decodes a record whose key version is {@link #KEY_VERSION}.
     *
     * @throws CorruptOffsetRecordException when the bytes do not follow the layout
     */
    public static ConsumerGroupRecord decode(ByteBuffer key, ByteBuffer value) {
        try {
            ByteBuffer k = key.duplicate();
            if (k.getShort() != KEY_VERSION) {
                throw new CorruptOffsetRecordException("not a consumer group key");
            }
            String groupId = OffsetRecords.getString(k);
            if (groupId == null || k.hasRemaining()) {
                throw new CorruptOffsetRecordException("malformed consumer group key");
            }
            if (value == null) {
                return new ConsumerGroupRecord(groupId, null);
            }
            ByteBuffer v = value.duplicate();
            short version = v.getShort();
            if (version != VALUE_VERSION) {
                throw new CorruptOffsetRecordException("unknown consumer group value version " + version);
            }
            int groupEpoch = v.getInt();
            int targetEpoch = v.getInt();
            String assignorName = OffsetRecords.getString(v);
            int topicCount = count(v);
            List<StoredTopic> topics = new ArrayList<>(topicCount);
            for (int i = 0; i < topicCount; i++) {
                topics.add(new StoredTopic(new Uuid(v.getLong(), v.getLong()), OffsetRecords.getString(v), v.getInt()));
            }
            int memberCount = count(v);
            List<StoredMember> members = new ArrayList<>(memberCount);
            for (int i = 0; i < memberCount; i++) {
                members.add(readMember(v));
            }
            if (v.hasRemaining()) {
                throw new CorruptOffsetRecordException("trailing bytes after consumer group");
            }
            return new ConsumerGroupRecord(groupId,
                    new StoredConsumerGroup(groupEpoch, targetEpoch, assignorName, topics, members));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptOffsetRecordException("truncated or malformed consumer group record: " + e);
        }
    }

    private static StoredMember readMember(ByteBuffer v) {
        String memberId = OffsetRecords.getString(v);
        String instanceId = OffsetRecords.getString(v);
        String rackId = OffsetRecords.getString(v);
        String clientId = OffsetRecords.getString(v);
        String clientHost = OffsetRecords.getString(v);
        int rebalanceTimeoutMs = v.getInt();
        int nameCount = count(v);
        List<String> names = new ArrayList<>(nameCount);
        for (int i = 0; i < nameCount; i++) {
            names.add(OffsetRecords.getString(v));
        }
        String regex = OffsetRecords.getString(v);
        String serverAssignor = OffsetRecords.getString(v);
        boolean leftStatically = v.get() != 0;
        int epoch = v.getInt();
        int previousEpoch = v.getInt();
        String stateName = OffsetRecords.getString(v);
        if (memberId == null || stateName == null) {
            throw new CorruptOffsetRecordException("consumer group member without an id or a state");
        }
        MemberAssignment.State state = MemberAssignment.State.valueOf(stateName);
        Assignment assigned = readAssignment(v);
        Assignment pending = readAssignment(v);
        Assignment target = readAssignment(v);
        return new StoredMember(memberId, instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, names, regex,
                serverAssignor, leftStatically, new MemberAssignment(epoch, previousEpoch, state, assigned, pending),
                target);
    }

    private static Assignment readAssignment(ByteBuffer v) {
        Assignment.Builder b = new Assignment.Builder();
        int topics = count(v);
        for (int i = 0; i < topics; i++) {
            Uuid topic = new Uuid(v.getLong(), v.getLong());
            int partitions = count(v);
            for (int j = 0; j < partitions; j++) {
                b.add(topic, v.getInt());
            }
        }
        return b.build();
    }

    /** A count of items that each take at least one byte. */
    private static int count(ByteBuffer v) {
        int count = v.getInt();
        if (count < 0 || count > v.remaining()) {
            throw new CorruptOffsetRecordException("impossible count " + count);
        }
        return count;
    }
}
