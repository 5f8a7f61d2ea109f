package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.ConsumerGroupRecords.ConsumerGroupRecord;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredMember;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredTopic;
import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;
import io.letterbox.broker.group.consumer.Assignment;
import io.letterbox.broker.group.consumer.MemberAssignment;

class ConsumerGroupRecordsTest {

    private static final Uuid T1 = new Uuid(1, 2);
    private static final Uuid T2 = new Uuid(-3, 4);

    private static final StoredConsumerGroup GROUP = new StoredConsumerGroup(7, 6, "uniform",
            List.of(new StoredTopic(T1, "orders", 4), new StoredTopic(T2, "pàyments", 2)),
            List.of(new StoredMember("m-1", null, null, "client-1", "/10.0.0.1", 60_000, List.of("orders", "pàyments"),
                            null, null, false,
                            new MemberAssignment(6, 5, MemberAssignment.State.UNREVOKED_PARTITIONS,
                                    Assignment.of(Map.of(T1, List.of(0, 1))), Assignment.of(Map.of(T2, List.of(1)))),
                            Assignment.of(Map.of(T1, List.of(0, 1, 2)))),
                    new StoredMember("m-2", "instance-2", "rack-b", "client-2", "/10.0.0.2", 30_000, List.of(),
                            "ord.*", "range", true, MemberAssignment.NEW, Assignment.EMPTY)));

    private static ConsumerGroupRecord roundTrip(String groupId, StoredConsumerGroup value) {
        SimpleRecord r = ConsumerGroupRecords.record(groupId, value, 9);
        return ConsumerGroupRecords.decode(r.key(), r.value());
    }

    @Test
    void aGroupRoundTripsWithEveryMemberField() {
        ConsumerGroupRecord r = roundTrip("grüppe", GROUP);

        assertThat(r.groupId()).isEqualTo("grüppe");
        assertThat(r.value()).isEqualTo(GROUP);
    }

    @Test
    void anEmptyGroupRoundTrips() {
        StoredConsumerGroup empty = new StoredConsumerGroup(3, 3, "uniform", List.of(), List.of());
        assertThat(roundTrip("g", empty).value()).isEqualTo(empty);
    }

    @Test
    void aNullValueIsATombstone() {
        assertThat(roundTrip("g", null)).isEqualTo(new ConsumerGroupRecord("g", null));
    }

    @Test
    void theKeyHasLetterboxsOwnVersionThatOffsetReadersSkip() {
        byte[] key = ConsumerGroupRecords.encodeKey("g");
        assertThat(key).containsExactly(0x4C, 0x42, 0, 1, 'g');
        assertThat(OffsetRecords.keyVersion(ByteBuffer.wrap(key))).isEqualTo(ConsumerGroupRecords.KEY_VERSION);
        assertThat(ConsumerGroupRecords.KEY_VERSION).isNotIn(OffsetRecords.OFFSET_KEY_VERSION,
                OffsetRecords.GROUP_METADATA_KEY_VERSION);
        assertThat(OffsetRecords.decode(ByteBuffer.wrap(key), null)).isNull();
    }

    @Test
    void truncatedOrForeignBytesAreCorrupt() {
        byte[] value = ConsumerGroupRecords.encodeValue(GROUP);
        ByteBuffer key = ByteBuffer.wrap(ConsumerGroupRecords.encodeKey("g"));
        assertThatThrownBy(() -> ConsumerGroupRecords.decode(key, ByteBuffer.wrap(Arrays.copyOf(value, value.length - 3))))
                .isInstanceOf(CorruptOffsetRecordException.class);
        assertThatThrownBy(() -> ConsumerGroupRecords.decode(ByteBuffer.wrap(GroupMetadataRecords.encodeKey("g")), null))
                .isInstanceOf(CorruptOffsetRecordException.class);
    }
}
