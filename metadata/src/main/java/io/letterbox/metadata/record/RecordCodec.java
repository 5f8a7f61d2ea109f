package io.letterbox.metadata.record;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The binary form of metadata records. All integers are big-endian.
 *
 * <pre>
 * batch  := int8 format (=0) | int32 count | record{count}
 * record := int16 typeId | int16 version | int32 bodyLength | body[bodyLength]
 *
 * string   := int32 length (-1 = null) | UTF-8 bytes
 * uuid     := int64 mostSignificantBits | int64 leastSignificantBits
 * intList  := int32 count (-1 = null) | int32{count}
 * endpoint := string listenerName | string host | int32 port | int16 securityProtocolId
 *
 * bodies (version 0; version 1 of PARTITION and PARTITION_CHANGE appends
 *         intList addingReplicas | intList removingReplicas, null in a change meaning unchanged):
 *   CLUSTER_ID(1)       string clusterId
 *   REGISTER_BROKER(2)  int32 brokerId | uuid incarnationId | int32 n | endpoint{n} | string rack
 *   TOPIC(3)            string name | uuid topicId
 *   PARTITION(4)        uuid topicId | int32 partition | intList replicas | intList isr
 *                       | int32 leader | int32 leaderEpoch | int32 partitionEpoch
 *   PARTITION_CHANGE(5) uuid topicId | int32 partition | intList replicas | intList isr | int32 leader
 *                       | int32 expectedPartitionEpoch (-1: unconditional)
 *   REMOVE_TOPIC(6)     uuid topicId
 *   CONFIG(7)           int8 resourceType (ConfigResource.Type id) | string resourceName
 *                       | string key | string value
 *   PRODUCER_IDS(8)     int64 nextProducerId
 *   BROKER_FENCING(9)   int32 brokerId | int8 fenced (0 or 1)
 * </pre>
 *
 * <p>Decoding is strict: an unknown type id, a version newer than this code knows, a body that
 * is shorter or longer than its fields, or bytes after the last record all throw
 * {@link CorruptRecordException}. Nothing is skipped, because a node that silently ignores a
 * record would diverge from its peers.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordCodec {
    /** The batch format this code writes and reads. */
    public static final byte BATCH_FORMAT = 0;

    private RecordCodec() {
    }

    /** Encodes records as one batch. */
    public static byte[] encodeBatch(List<? extends MetadataRecord> records) {
        Out out = new Out(64 + records.size() * 48);
        out.i8(BATCH_FORMAT);
        out.i32(records.size());
        for (MetadataRecord r : records) {
            writeRecord(out, r);
        }
        return out.toArray();
    }

    /** Decodes a whole batch; the buffer must hold exactly one batch. Advances the buffer's position. */
    public static List<MetadataRecord> decodeBatch(ByteBuffer buf) {
        try {
            byte format = buf.get();
            if (format != BATCH_FORMAT) {
                throw new CorruptRecordException("Unknown metadata batch format " + format);
            }
            int count = buf.getInt();
            if (count < 0 || count > buf.remaining() / 8) {
                throw new CorruptRecordException("Invalid metadata batch record count " + count);
            }
            List<MetadataRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(readRecord(buf));
            }
            if (buf.hasRemaining()) {
                throw new CorruptRecordException(buf.remaining() + " unexpected bytes after the last record of a batch");
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new CorruptRecordException("Truncated metadata batch", e);
        }
    }

    /** Encodes one record (type, version, length, body). */
    public static byte[] encode(MetadataRecord record) {
        Out out = new Out(64);
        writeRecord(out, record);
        return out.toArray();
    }

    /** Decodes exactly one record from the whole buffer. */
    public static MetadataRecord decode(ByteBuffer buf) {
        try {
            MetadataRecord r = readRecord(buf);
            if (buf.hasRemaining()) {
                throw new CorruptRecordException(buf.remaining() + " unexpected bytes after a record");
            }
            return r;
        } catch (BufferUnderflowException e) {
            throw new CorruptRecordException("Truncated metadata record", e);
        }
    }

    private static void writeRecord(Out out, MetadataRecord record) {
        RecordType type = record.type();
        out.i16(type.id());
        out.i16(type.version());
        int lengthAt = out.reserveInt();
        int start = out.size();
        switch (type) {
            case CLUSTER_ID -> out.string(((ClusterIdRecord) record).clusterId());
            case REGISTER_BROKER -> {
                RegisterBrokerRecord r = (RegisterBrokerRecord) record;
                out.i32(r.brokerId());
                out.uuid(r.incarnationId());
                out.i32(r.endpoints().size());
                for (Endpoint e : r.endpoints()) {
                    out.string(e.listenerName());
                    out.string(e.host());
                    out.i32(e.port());
                    out.i16(e.securityProtocol().id);
                }
                out.string(r.rack());
            }
            case TOPIC -> {
                TopicRecord r = (TopicRecord) record;
                out.string(r.name());
                out.uuid(r.topicId());
            }
            case PARTITION -> {
                PartitionRecord r = (PartitionRecord) record;
                out.uuid(r.topicId());
                out.i32(r.partition());
                out.intList(r.replicas());
                out.intList(r.isr());
                out.i32(r.leader());
                out.i32(r.leaderEpoch());
                out.i32(r.partitionEpoch());
                out.intList(r.addingReplicas());
                out.intList(r.removingReplicas());
            }
            case PARTITION_CHANGE -> {
                PartitionChangeRecord r = (PartitionChangeRecord) record;
                out.uuid(r.topicId());
                out.i32(r.partition());
                out.intList(r.replicas());
                out.intList(r.isr());
                out.i32(r.leader());
                out.i32(r.expectedPartitionEpoch());
                out.intList(r.addingReplicas());
                out.intList(r.removingReplicas());
            }
            case REMOVE_TOPIC -> out.uuid(((RemoveTopicRecord) record).topicId());
            case CONFIG -> {
                ConfigRecord r = (ConfigRecord) record;
                out.i8(r.resourceType().id());
                out.string(r.resourceName());
                out.string(r.key());
                out.string(r.value());
            }
            case PRODUCER_IDS -> out.i64(((ProducerIdsRecord) record).nextProducerId());
            case BROKER_FENCING -> {
                BrokerFencingRecord r = (BrokerFencingRecord) record;
                out.i32(r.brokerId());
                out.i8((byte) (r.fenced() ? 1 : 0));
            }
            default -> throw new IllegalStateException("Unhandled record type " + type);
        }
        out.putIntAt(lengthAt, out.size() - start);
    }

    private static MetadataRecord readRecord(ByteBuffer buf) {
        RecordType type = RecordType.forId(buf.getShort());
        short version = buf.getShort();
        if (version < 0 || version > type.version()) {
            throw new CorruptRecordException("Unsupported version " + version + " of metadata record " + type);
        }
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new CorruptRecordException("Invalid body length " + length + " of metadata record " + type);
        }
        ByteBuffer body = buf.slice(buf.position(), length);
        buf.position(buf.position() + length);
        MetadataRecord record;
        try {
            record = readBody(type, version, body);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CorruptRecordException("Invalid field in metadata record " + type + ": " + e.getMessage(), e);
        }
        if (body.hasRemaining()) {
            throw new CorruptRecordException(body.remaining() + " unexpected bytes at the end of metadata record " + type);
        }
        return record;
    }

    private static MetadataRecord readBody(RecordType type, short version, ByteBuffer in) {
        return switch (type) {
            case CLUSTER_ID -> new ClusterIdRecord(string(in));
            case REGISTER_BROKER -> {
                int id = in.getInt();
                Uuid incarnation = uuid(in);
                int n = count(in, 14);
                List<Endpoint> endpoints = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String listener = string(in);
                    String host = string(in);
                    int port = in.getInt();
                    SecurityProtocol protocol = SecurityProtocol.forId(in.getShort());
                    if (protocol == null) {
                        throw new CorruptRecordException("Unknown security protocol in a broker registration");
                    }
                    endpoints.add(new Endpoint(listener, host, port, protocol));
                }
                yield new RegisterBrokerRecord(id, incarnation, endpoints, string(in));
            }
            case TOPIC -> new TopicRecord(string(in), uuid(in));
            case PARTITION -> new PartitionRecord(uuid(in), in.getInt(), intList(in), intList(in),
                    in.getInt(), in.getInt(), in.getInt(), version >= 1 ? intList(in) : List.of(),
                    version >= 1 ? intList(in) : List.of());
            case PARTITION_CHANGE -> new PartitionChangeRecord(uuid(in), in.getInt(), intList(in), intList(in), in.getInt(),
                    in.getInt(), version >= 1 ? intList(in) : null, version >= 1 ? intList(in) : null);
            case REMOVE_TOPIC -> new RemoveTopicRecord(uuid(in));
            case CONFIG -> {
                byte typeId = in.get();
                ConfigResource.Type resourceType = ConfigResource.Type.forId(typeId);
                yield new ConfigRecord(resourceType, string(in), string(in), string(in));
            }
            case PRODUCER_IDS -> new ProducerIdsRecord(in.getLong());
            case BROKER_FENCING -> {
                int id = in.getInt();
                byte fenced = in.get();
                if (fenced != 0 && fenced != 1) {
                    throw new CorruptRecordException("Invalid fenced flag " + fenced + " in a broker fencing record");
                }
                yield new BrokerFencingRecord(id, fenced == 1);
            }
        };
    }

    private static int count(ByteBuffer in, int minElementSize) {
        int n = in.getInt();
        if (n < 0 || (long) n * minElementSize > in.remaining()) {
            throw new CorruptRecordException("Invalid element count " + n);
        }
        return n;
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new CorruptRecordException("Invalid string length " + length);
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static Uuid uuid(ByteBuffer in) {
        return new Uuid(in.getLong(), in.getLong());
    }

    private static List<Integer> intList(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || (long) n * 4 > in.remaining()) {
            throw new CorruptRecordException("Invalid list length " + n);
        }
        Integer[] values = new Integer[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.getInt();
        }
        return List.of(values);
    }

    /** A growable big-endian byte sink. */
    private static final class Out {
        private byte[] bytes;
        private int size;

        Out(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        int size() {
            return size;
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }

        private void ensure(int extra) {
            if (size + extra > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
            }
        }

        void i8(byte v) {
            ensure(1);
            bytes[size++] = v;
        }

        void i16(short v) {
            ensure(2);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            putIntAt(size, v);
            size += 4;
        }

        void i64(long v) {
            i32((int) (v >>> 32));
            i32((int) v);
        }

        int reserveInt() {
            ensure(4);
            int at = size;
            size += 4;
            return at;
        }

        void putIntAt(int at, int v) {
            bytes[at] = (byte) (v >>> 24);
            bytes[at + 1] = (byte) (v >>> 16);
            bytes[at + 2] = (byte) (v >>> 8);
            bytes[at + 3] = (byte) v;
        }

        void string(String s) {
            if (s == null) {
                i32(-1);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            i32(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
        }

        void uuid(Uuid id) {
            i64(id.getMostSignificantBits());
            i64(id.getLeastSignificantBits());
        }

        void intList(List<Integer> values) {
            if (values == null) {
                i32(-1);
                return;
            }
            i32(values.size());
            for (int v : values) {
                i32(v);
            }
        }
    }
}
