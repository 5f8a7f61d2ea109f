package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;
import io.letterbox.broker.group.OffsetRecords.OffsetRecord;

class OffsetRecordsTest {

    private static final TopicPartition TP = new TopicPartition("orders", 7);

    @Test
    void offsetRecordRoundTrips() {
        // Given a commit with metadata and a leader epoch
        CommittedOffset v = new CommittedOffset(42L, 3, "läuft", 1_700_000_000_000L);

        // When it is encoded and decoded
        OffsetRecord r = OffsetRecords.decode(ByteBuffer.wrap(OffsetRecords.encodeKey("grüppe", TP)),
                ByteBuffer.wrap(OffsetRecords.encodeValue(v)));

        // Then every field survives
        assertThat(r).isEqualTo(new OffsetRecord("grüppe", TP, v));
    }

    @Test
    void nullMetadataAndNoEpochRoundTrip() {
        CommittedOffset v = new CommittedOffset(0L, -1, null, 5L);
        OffsetRecord r = OffsetRecords.decode(ByteBuffer.wrap(OffsetRecords.encodeKey("g", TP)),
                ByteBuffer.wrap(OffsetRecords.encodeValue(v)));
        assertThat(r.value()).isEqualTo(v);
    }

    @Test
    void keyLayoutIsVersionGroupTopicPartition() {
        byte[] key = OffsetRecords.encodeKey("g", new TopicPartition("t", 258));
        assertThat(key).containsExactly(0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 1, 2);
    }

    @Test
    void nullValueIsATombstone() {
        OffsetRecord r = OffsetRecords.decode(ByteBuffer.wrap(OffsetRecords.encodeKey("g", TP)), null);
        assertThat(r).isEqualTo(new OffsetRecord("g", TP, null));
    }

    @Test
    void unknownKeyVersionsAreSkipped() {
        byte[] key = OffsetRecords.encodeKey("g", TP);
        key[1] = (byte) OffsetRecords.GROUP_METADATA_KEY_VERSION;
        assertThat(OffsetRecords.decode(ByteBuffer.wrap(key), null)).isNull();
    }

    @Test
    void truncatedRecordsAreCorrupt() {
        byte[] key = OffsetRecords.encodeKey("group", TP);
        byte[] value = OffsetRecords.encodeValue(new CommittedOffset(1, 1, "m", 1));
        assertThatThrownBy(() -> OffsetRecords.decode(ByteBuffer.wrap(Arrays.copyOf(key, key.length - 1)), null))
                .isInstanceOf(CorruptOffsetRecordException.class);
        assertThatThrownBy(() -> OffsetRecords.decode(ByteBuffer.wrap(key),
                ByteBuffer.wrap(Arrays.copyOf(value, value.length - 3))))
                .isInstanceOf(CorruptOffsetRecordException.class);
        assertThatThrownBy(() -> OffsetRecords.decode(null, null)).isInstanceOf(CorruptOffsetRecordException.class);
    }

    @Test
    void aBatchOfRecordsDecodesBackInOrder() {
        // Given two offsets and a tombstone of one group
        TopicPartition other = new TopicPartition("orders", 8);
        TopicPartition gone = new TopicPartition("old", 0);
        List<OffsetRecord> entries = List.of(new OffsetRecord("g", TP, new CommittedOffset(1, -1, "", 9)),
                new OffsetRecord("g", other, new CommittedOffset(2, 0, "x", 9)),
                new OffsetRecord("g", gone, null));

        // When they are written as one batch
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                entries.stream().map(e -> OffsetRecords.record(e, 9)).toArray(SimpleRecord[]::new));

        // Then it is one magic v2 batch whose records decode back, in order
        List<RecordBatch> batches = new ArrayList<>();
        records.batches().forEach(batches::add);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).magic()).isEqualTo(RecordBatch.MAGIC_VALUE_V2);
        List<OffsetRecord> decoded = new ArrayList<>();
        for (Record r : batches.get(0)) {
            decoded.add(OffsetRecords.decode(r.key(), r.value()));
        }
        assertThat(decoded).containsExactlyElementsOf(entries);
    }
}
