package io.letterbox.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.Endpoint;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionChangeRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.ProducerIdsRecord;
import io.letterbox.metadata.record.RegisterBrokerRecord;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

class MetadataDeltaTest {
    static final Uuid A = Uuid.randomUuid();
    static final Uuid B = Uuid.randomUuid();

    static List<MetadataRecord> topic(String name, Uuid id, int partitions) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        for (int p = 0; p < partitions; p++) {
            records.add(new PartitionRecord(id, p, List.of(1, 2), List.of(1, 2), 1, 0, 0));
        }
        return records;
    }

    static MetadataImage apply(MetadataImage base, long offset, List<? extends MetadataRecord> records) {
        return new MetadataDelta(base).replayAll(records).apply(offset);
    }

    static MetadataImage sample() {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new ClusterIdRecord("abcdefghijklmnopqrstuv"));
        records.add(new RegisterBrokerRecord(1, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "h1", 9092, SecurityProtocol.PLAINTEXT)), "r1"));
        records.add(new RegisterBrokerRecord(2, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "h2", 9092, SecurityProtocol.PLAINTEXT)), null));
        records.addAll(topic("a", A, 3));
        records.add(new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", "100"));
        records.addAll(topic("b", B, 1));
        records.add(new ConfigRecord(ConfigResource.Type.BROKER, "", "num.partitions", "3"));
        records.add(new ConfigRecord(ConfigResource.Type.BROKER, "1", "log.retention.hours", "1"));
        records.add(new ProducerIdsRecord(2000));
        return apply(MetadataImage.EMPTY, 10, records);
    }

    @Test
    void replayBuildsTheImage() {
        MetadataImage image = sample();

        assertThat(image.offset()).isEqualTo(10);
        assertThat(image.clusterId()).isEqualTo("abcdefghijklmnopqrstuv");
        assertThat(image.cluster().brokers()).containsOnlyKeys(1, 2);
        assertThat(image.cluster().broker(1).rack()).isEqualTo("r1");
        TopicImage a = image.topics().get("a");
        assertThat(a.id()).isEqualTo(A);
        assertThat(image.topics().get(A)).isSameAs(a);
        assertThat(a.numPartitions()).isEqualTo(3);
        assertThat(a.partition(2)).isEqualTo(new PartitionImage(new int[] {1, 2}, new int[] {1, 2}, 1, 0, 0));
        assertThat(a.configs()).containsExactly(Map.entry("retention.ms", "100"));
        assertThat(image.brokerConfig("")).containsExactly(Map.entry("num.partitions", "3"));
        assertThat(image.brokerConfig("1")).containsExactly(Map.entry("log.retention.hours", "1"));
        assertThat(image.brokerConfig("2")).isEmpty();
        assertThat(image.nextProducerId()).isEqualTo(2000);
        assertThat(MetadataImage.EMPTY.topics().size()).isZero();
    }

    @Test
    void unchangedPartsAreShared() {
        // Given
        MetadataImage base = sample();
        // When only topic b changes
        MetadataImage next = apply(base, 11, List.of(new PartitionChangeRecord(B, 0, null, List.of(1), 2)));
        // Then
        assertThat(next.topics().get("a")).isSameAs(base.topics().get("a"));
        assertThat(next.topics().get("b")).isNotSameAs(base.topics().get("b"));
        assertThat(next.cluster()).isSameAs(base.cluster());
        assertThat(next.brokerConfigs()).isSameAs(base.brokerConfigs());
        // and the base is untouched
        assertThat(base.topics().get("b").partition(0).leader()).isEqualTo(1);
    }

    @Test
    void aDeltaWithNoRecordsSharesEverything() {
        MetadataImage base = sample();
        MetadataImage next = new MetadataDelta(base).apply(12);
        assertThat(next.topics()).isSameAs(base.topics());
        assertThat(next.offset()).isEqualTo(12);
        assertThat(next.withOffset(10)).isEqualTo(base);
    }

    @Test
    void partitionChangeBumpsEpochs() {
        MetadataImage base = sample();

        MetadataImage isrOnly = apply(base, 11, List.of(
                new PartitionChangeRecord(A, 1, null, List.of(1), PartitionChangeRecord.NO_LEADER_CHANGE)));
        PartitionImage p = isrOnly.topics().get("a").partition(1);
        assertThat(p.isr()).containsExactly(1);
        assertThat(p.replicas()).containsExactly(1, 2);
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isZero();
        assertThat(p.partitionEpoch()).isEqualTo(1);

        MetadataImage newLeader = apply(isrOnly, 12, List.of(new PartitionChangeRecord(A, 1, null, List.of(2), 2)));
        PartitionImage q = newLeader.topics().get("a").partition(1);
        assertThat(q.leader()).isEqualTo(2);
        assertThat(q.leaderEpoch()).isEqualTo(1);
        assertThat(q.partitionEpoch()).isEqualTo(2);
    }

    @Test
    void aConditionalChangeFromAStaleEpochIsIgnored() {
        MetadataImage base = apply(sample(), 11, List.of(new PartitionChangeRecord(A, 0, null, List.of(1), 2)));
        PartitionImage before = base.topics().get(A).partition(0);
        // When a change decided at the previous partition epoch arrives
        MetadataImage next = apply(base, 12, List.of(new PartitionChangeRecord(A, 0, null, List.of(1, 2),
                PartitionChangeRecord.NO_LEADER_CHANGE, before.partitionEpoch() - 1)));
        // Then nothing changes; at the current epoch it applies
        assertThat(next.topics().get(A).partition(0)).isEqualTo(before);
        MetadataImage applied = apply(base, 12, List.of(new PartitionChangeRecord(A, 0, null, List.of(1, 2),
                PartitionChangeRecord.NO_LEADER_CHANGE, before.partitionEpoch())));
        assertThat(applied.topics().get(A).partition(0).isr()).containsExactly(1, 2);
    }

    @Test
    void removeTopicDropsItsPartitionsAndConfigs() {
        MetadataImage next = apply(sample(), 11, List.of(new RemoveTopicRecord(A)));
        assertThat(next.topics().get("a")).isNull();
        assertThat(next.topics().get(A)).isNull();
        assertThat(next.topics().size()).isEqualTo(1);
    }

    @Test
    void aNameCanBeReusedInTheSameDelta() {
        Uuid again = Uuid.randomUuid();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new RemoveTopicRecord(A));
        records.addAll(topic("a", again, 1));
        MetadataImage next = apply(sample(), 11, records);
        assertThat(next.topics().get("a").id()).isEqualTo(again);
        assertThat(next.topics().get("a").configs()).isEmpty();
        assertThat(next.topics().get(A)).isNull();
        assertThat(next.topics().byId()).hasSize(2);
    }

    @Test
    void createAndRemoveInOneDeltaLeavesNoTrace() {
        Uuid c = Uuid.randomUuid();
        List<MetadataRecord> records = new ArrayList<>(topic("c", c, 2));
        records.add(new RemoveTopicRecord(c));
        MetadataImage next = apply(sample(), 11, records);
        assertThat(next.topics().byName()).containsOnlyKeys("a", "b");
        assertThat(next.topics().byId()).containsOnlyKeys(A, B);
    }

    @Test
    void configDeletionRemovesEmptyResources() {
        MetadataImage next = apply(sample(), 11, List.of(
                new ConfigRecord(ConfigResource.Type.BROKER, "1", "log.retention.hours", null),
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", null)));
        assertThat(next.brokerConfigs()).containsOnlyKeys("");
        assertThat(next.topics().get("a").configs()).isEmpty();
    }

    @Test
    void reRegistrationReplacesTheBroker() {
        Uuid incarnation = Uuid.randomUuid();
        MetadataImage next = apply(sample(), 11, List.of(new RegisterBrokerRecord(1, incarnation, List.of(), null)));
        assertThat(next.cluster().broker(1).incarnationId()).isEqualTo(incarnation);
        assertThat(next.cluster().broker(1).rack()).isNull();
    }

    @Test
    void recordsThatDoNotFitAreRejected() {
        MetadataImage base = sample();
        assertThatThrownBy(() -> apply(base, 11, List.of(new TopicRecord("a", Uuid.randomUuid()))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> apply(base, 11, List.of(new TopicRecord("z", A))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> apply(base, 11, List.of(
                new PartitionRecord(Uuid.randomUuid(), 0, List.of(1), List.of(1), 1, 0, 0))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("Unknown topic id");
        assertThatThrownBy(() -> apply(base, 11, List.of(new PartitionRecord(A, 5, List.of(1), List.of(1), 1, 0, 0))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("gap");
        assertThatThrownBy(() -> apply(base, 11, List.of(new PartitionChangeRecord(A, 9, null, null, 1))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("Unknown partition");
        assertThatThrownBy(() -> apply(base, 11, List.of(new RemoveTopicRecord(Uuid.randomUuid()))))
                .isInstanceOf(RecordReplayException.class);
        assertThatThrownBy(() -> apply(base, 11, List.of(new ConfigRecord(ConfigResource.Type.TOPIC, "zz", "k", "v"))))
                .isInstanceOf(RecordReplayException.class);
        assertThatThrownBy(() -> apply(base, 11, List.of(new ProducerIdsRecord(10))))
                .isInstanceOf(RecordReplayException.class).hasMessageContaining("must advance");
        assertThatThrownBy(() -> apply(base, 11, List.of(new ClusterIdRecord("another"))))
                .isInstanceOf(RecordReplayException.class);
    }

    @Test
    void aReassignmentChangeSetsAndClearsAddingAndRemoving() {
        // When partition a-1 (replicas 1, 2) starts moving 2 to 3
        MetadataImage started = apply(sample(), 11, List.of(new PartitionChangeRecord(A, 1, List.of(1, 3, 2), null,
                PartitionChangeRecord.NO_LEADER_CHANGE, PartitionChangeRecord.ANY_PARTITION_EPOCH, List.of(3),
                List.of(2))));
        PartitionImage p = started.topics().get("a").partition(1);
        assertThat(p.replicas()).containsExactly(1, 3, 2);
        assertThat(p.addingReplicas()).containsExactly(3);
        assertThat(p.removingReplicas()).containsExactly(2);
        assertThat(p.reassigning()).isTrue();
        // Then an ISR-only change keeps the reassignment, and a completing one clears it
        MetadataImage isr = apply(started, 12, List.of(new PartitionChangeRecord(A, 1, null, List.of(1, 2, 3),
                PartitionChangeRecord.NO_LEADER_CHANGE)));
        assertThat(isr.topics().get("a").partition(1).reassigning()).isTrue();
        MetadataImage done = apply(isr, 13, List.of(new PartitionChangeRecord(A, 1, List.of(1, 3), List.of(1, 3),
                PartitionChangeRecord.NO_LEADER_CHANGE, PartitionChangeRecord.ANY_PARTITION_EPOCH, List.of(),
                List.of())));
        PartitionImage q = done.topics().get("a").partition(1);
        assertThat(q.reassigning()).isFalse();
        assertThat(q.replicas()).containsExactly(1, 3);
        // And a snapshot restates a reassignment in progress
        assertThat(apply(MetadataImage.EMPTY, isr.offset(), ImageRecords.of(isr))).isEqualTo(isr);
    }

    @Test
    void imageRecordsRestateTheImage() {
        // Given
        MetadataImage image = apply(sample(), 11, List.of(new PartitionChangeRecord(A, 0, List.of(2, 1), List.of(2), 2)));
        // When
        List<MetadataRecord> records = ImageRecords.of(image);
        MetadataImage rebuilt = apply(MetadataImage.EMPTY, image.offset(), records);
        // Then
        assertThat(rebuilt).isEqualTo(image);
        assertThat(ImageRecords.of(rebuilt)).isEqualTo(records);
        assertThat(ImageRecords.of(MetadataImage.EMPTY)).isEmpty();
    }
}
