package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.group.GroupMetadataRecords.GroupRecord;
import io.letterbox.broker.group.GroupMetadataRecords.MemberMetadata;
import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;

class GroupMetadataRecordsTest {

    private static final GroupMetadata STABLE = new GroupMetadata("consumer", 7, "range", "m-1", 1_700_000_000_000L,
            List.of(new MemberMetadata("m-1", null, "client-1", "/10.0.0.1", 60_000, 45_000, new byte[] {1, 2, 3},
                            new byte[] {4, 5}),
                    new MemberMetadata("m-2", "instance-2", "clïent-2", "/10.0.0.2", 30_000, 10_000, new byte[0],
                            new byte[] {6})));

    private static GroupRecord roundTrip(String groupId, GroupMetadata value) {
        SimpleRecord r = GroupMetadataRecords.record(groupId, value, 9);
        return GroupMetadataRecords.decode(r.key(), r.value());
    }

    @Test
    void aStableGroupRoundTripsWithEveryMemberField() {
        // When a group with a dynamic and a static member is encoded and decoded
        GroupRecord r = roundTrip("grüppe", STABLE);

        // Then every field survives, byte arrays included
        assertThat(r.groupId()).isEqualTo("grüppe");
        assertThat(r.value()).usingRecursiveComparison().isEqualTo(STABLE);
    }

    @Test
    void anEmptyGroupRoundTripsWithoutProtocolOrLeader() {
        GroupMetadata empty = new GroupMetadata("consumer", 8, null, null, 5L, List.of());
        assertThat(roundTrip("g", empty).value()).isEqualTo(empty);
        GroupMetadata noType = new GroupMetadata(null, 0, null, null, -1L, List.of());
        assertThat(roundTrip("g", noType).value()).isEqualTo(noType);
    }

    @Test
    void aNullValueIsATombstone() {
        assertThat(roundTrip("g", null)).isEqualTo(new GroupRecord("g", null));
    }

    @Test
    void theKeyIsVersionTwoThenTheGroupIdAndTellsItselfApartFromOffsetKeys() {
        byte[] key = GroupMetadataRecords.encodeKey("g");
        assertThat(key).containsExactly(0, 2, 0, 1, 'g');
        assertThat(OffsetRecords.keyVersion(ByteBuffer.wrap(key))).isEqualTo(OffsetRecords.GROUP_METADATA_KEY_VERSION);
        // an offset reader skips it
        assertThat(OffsetRecords.decode(ByteBuffer.wrap(key), null)).isNull();
    }

    @Test
    void truncatedOrOverlongRecordsAreCorrupt() {
        byte[] key = GroupMetadataRecords.encodeKey("group");
        byte[] value = GroupMetadataRecords.encodeValue(STABLE);
        for (int cut = 1; cut < value.length; cut += 5) {
            byte[] truncated = Arrays.copyOf(value, value.length - cut);
            assertThatThrownBy(() -> GroupMetadataRecords.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(truncated)))
                    .isInstanceOf(CorruptOffsetRecordException.class);
        }
        byte[] longer = Arrays.copyOf(value, value.length + 1);
        assertThatThrownBy(() -> GroupMetadataRecords.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(longer)))
                .isInstanceOf(CorruptOffsetRecordException.class);
        byte[] badVersion = value.clone();
        badVersion[1] = 9;
        assertThatThrownBy(() -> GroupMetadataRecords.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(badVersion)))
                .isInstanceOf(CorruptOffsetRecordException.class);
    }
}
