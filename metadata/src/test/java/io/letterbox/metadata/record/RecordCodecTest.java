package io.letterbox.metadata.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecTest {
    static final Uuid TOPIC_ID = Uuid.randomUuid();

    static List<MetadataRecord> allKinds() {
        return List.of(
                new ClusterIdRecord(Uuid.randomUuid().toString()),
                new RegisterBrokerRecord(3, Uuid.randomUuid(), List.of(
                        new Endpoint("PLAINTEXT", "localhost", 9092, SecurityProtocol.PLAINTEXT),
                        new Endpoint("SECURE", "broker-3.example", 9093, SecurityProtocol.SASL_SSL)), "rack-a"),
                new RegisterBrokerRecord(4, Uuid.randomUuid(), List.of(), null),
                new TopicRecord("orders", TOPIC_ID),
                new TopicRecord("ünïcödé-ok?", Uuid.randomUuid()),
                new PartitionRecord(TOPIC_ID, 7, List.of(1, 2, 3), List.of(1, 3), 1, 4, 9),
                new PartitionChangeRecord(TOPIC_ID, 7, null, List.of(1), PartitionChangeRecord.NO_LEADER_CHANGE),
                new PartitionChangeRecord(TOPIC_ID, 7, List.of(2, 3), List.of(2, 3), 2),
                new PartitionChangeRecord(TOPIC_ID, 7, null, List.of(2), PartitionChangeRecord.NO_LEADER_CHANGE, 4),
                new PartitionRecord(TOPIC_ID, 2, List.of(3, 1, 2), List.of(1, 2), 1, 0, 3, List.of(3), List.of(2)),
                new PartitionChangeRecord(TOPIC_ID, 2, List.of(3, 1, 2), null, PartitionChangeRecord.NO_LEADER_CHANGE,
                        3, List.of(3), List.of(2)),
                new PartitionChangeRecord(TOPIC_ID, 2, List.of(3, 1), List.of(1, 3), 3, 4, List.of(), List.of()),
                new RemoveTopicRecord(TOPIC_ID),
                new ConfigRecord(ConfigResource.Type.TOPIC, "orders", "retention.ms", "1000"),
                new ConfigRecord(ConfigResource.Type.BROKER, "", "log.retention.hours", null),
                new ProducerIdsRecord(1_000_000_000_000L),
                new BrokerFencingRecord(3, true),
                new BrokerFencingRecord(3, false));
    }

    @ParameterizedTest
    @MethodSource("allKinds")
    void eachRecordRoundTrips(MetadataRecord record) {
        // When
        byte[] bytes = RecordCodec.encode(record);
        // Then
        assertThat(RecordCodec.decode(ByteBuffer.wrap(bytes))).isEqualTo(record);
        assertThat(ByteBuffer.wrap(bytes).getShort(0)).isEqualTo(record.type().id());
    }

    @Test
    void batchRoundTripsInOrder() {
        List<MetadataRecord> records = allKinds();
        byte[] bytes = RecordCodec.encodeBatch(records);
        assertThat(RecordCodec.decodeBatch(ByteBuffer.wrap(bytes))).containsExactlyElementsOf(records);
        assertThat(RecordCodec.decodeBatch(ByteBuffer.wrap(RecordCodec.encodeBatch(List.of())))).isEmpty();
    }

    @Test
    void decodesFromReadOnlyBuffers() {
        byte[] bytes = RecordCodec.encodeBatch(allKinds());
        assertThat(RecordCodec.decodeBatch(ByteBuffer.wrap(bytes).asReadOnlyBuffer())).hasSize(allKinds().size());
    }

    @Test
    void unknownTypeFailsLoudly() {
        byte[] bytes = RecordCodec.encode(new RemoveTopicRecord(TOPIC_ID));
        ByteBuffer.wrap(bytes).putShort(0, (short) 999);
        assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("Unknown metadata record type id 999");
    }

    @Test
    void newerVersionFailsLoudly() {
        byte[] bytes = RecordCodec.encode(new RemoveTopicRecord(TOPIC_ID));
        ByteBuffer.wrap(bytes).putShort(2, (short) 1);
        assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("Unsupported version 1");
    }

    @Test
    void version0PartitionRecordsReadAsNotReassigning() {
        // Given version 0 bodies: the version 1 bodies less their two trailing lists (adding, removing)
        byte[] partition = version0(new PartitionRecord(TOPIC_ID, 7, List.of(1, 2), List.of(1), 1, 4, 9));
        byte[] change = version0(new PartitionChangeRecord(TOPIC_ID, 7, null, List.of(2), 2, 4));
        // Then a partition has no reassignment, and a change leaves it as it is
        assertThat(RecordCodec.decode(ByteBuffer.wrap(partition)))
                .isEqualTo(new PartitionRecord(TOPIC_ID, 7, List.of(1, 2), List.of(1), 1, 4, 9));
        assertThat(((PartitionChangeRecord) RecordCodec.decode(ByteBuffer.wrap(change))).addingReplicas()).isNull();
    }

    /** Encodes a record without reassignment lists as version 0 would have: two empty or null lists fewer. */
    private static byte[] version0(MetadataRecord record) {
        byte[] v1 = RecordCodec.encode(record);
        byte[] v0 = Arrays.copyOf(v1, v1.length - 8);
        ByteBuffer b = ByteBuffer.wrap(v0);
        b.putShort(2, (short) 0);
        b.putInt(4, v0.length - 8);
        return v0;
    }

    @Test
    void truncatedBatchFails() {
        byte[] bytes = RecordCodec.encodeBatch(allKinds());
        for (int cut : new int[] {0, 1, 5, 9, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> RecordCodec.decodeBatch(ByteBuffer.wrap(truncated)))
                    .as("cut at %d", cut)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void trailingBytesFail() {
        byte[] bytes = RecordCodec.encodeBatch(allKinds());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> RecordCodec.decodeBatch(ByteBuffer.wrap(longer)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("unexpected bytes");
    }

    @Test
    void bodyLongerThanItsFieldsFails() {
        // Given a REMOVE_TOPIC record whose body claims 4 more bytes than its uuid
        byte[] bytes = RecordCodec.encode(new RemoveTopicRecord(TOPIC_ID));
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 4);
        ByteBuffer.wrap(padded).putInt(4, 16 + 4);
        // Then
        assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(padded)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("unexpected bytes at the end of metadata record REMOVE_TOPIC");
    }

    @Test
    void unknownBatchFormatFails() {
        byte[] bytes = RecordCodec.encodeBatch(allKinds());
        bytes[0] = 7;
        assertThatThrownBy(() -> RecordCodec.decodeBatch(ByteBuffer.wrap(bytes)))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("format 7");
    }

    @Test
    void hugeCountsAreRejectedWithoutAllocating() {
        byte[] bytes = RecordCodec.encodeBatch(List.of(new ProducerIdsRecord(5)));
        ByteBuffer.wrap(bytes).putInt(1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> RecordCodec.decodeBatch(ByteBuffer.wrap(bytes)))
                .isInstanceOf(CorruptRecordException.class);
    }
}
