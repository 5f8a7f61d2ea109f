package io.letterbox.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.ProducerIdsRecord;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** One log line per topic change and per broker config resource, nothing for other records. */
class ChangeLinesTest {

    private static final Uuid ORDERS = Uuid.randomUuid();

    private static PartitionRecord partition(Uuid topic, int index) {
        return new PartitionRecord(topic, index, List.of(1, 2), List.of(1, 2), 1, 0, 0);
    }

    private static MetadataImage withOrders() {
        return new MetadataDelta(MetadataImage.EMPTY).replayAll(List.of(new TopicRecord("orders", ORDERS),
                partition(ORDERS, 0), partition(ORDERS, 1))).apply(1);
    }

    @Test
    void aCreatedTopicIsOneLineWithItsPartitionsReplicationFactorAndConfigs() {
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> batch = List.of(new TopicRecord("audit", id),
                new ConfigRecord(ConfigResource.Type.TOPIC, "audit", "cleanup.policy", "compact"),
                partition(id, 0), partition(id, 1), partition(id, 2));

        assertThat(ChangeLines.of(MetadataImage.EMPTY, batch)).containsExactly(
                "Created topic audit with 3 partitions, replication factor 2, configs cleanup.policy=compact");
    }

    @Test
    void deletionsAddedPartitionsAndConfigChangesNameTheTopic() {
        MetadataImage before = withOrders();

        assertThat(ChangeLines.of(before, List.of(new RemoveTopicRecord(ORDERS)))).containsExactly("Deleted topic orders");
        assertThat(ChangeLines.of(before, List.of(partition(ORDERS, 2)))).containsExactly(
                "Topic orders: added 1 partition, now 3");
        assertThat(ChangeLines.of(before, List.of(
                new ConfigRecord(ConfigResource.Type.TOPIC, "orders", "retention.ms", "3600000"),
                new ConfigRecord(ConfigResource.Type.TOPIC, "orders", "segment.ms", null)))).containsExactly(
                "Topic orders configs: retention.ms=3600000, segment.ms removed");
    }

    @Test
    void brokerConfigsNameTheBrokerOrTheClusterWideDefault() {
        assertThat(ChangeLines.of(MetadataImage.EMPTY, List.of(
                new ConfigRecord(ConfigResource.Type.BROKER, "", "log.retention.hours", "1"),
                new ConfigRecord(ConfigResource.Type.BROKER, "2", "log.flush.on.ack", "false")))).containsExactly(
                "Cluster-wide broker configs: log.retention.hours=1", "Broker 2 configs: log.flush.on.ack=false");
    }

    @Test
    void recordsThatChangeNoTopicOrConfigGiveNoLine() {
        assertThat(ChangeLines.of(withOrders(), List.of(new ProducerIdsRecord(1000)))).isEmpty();
    }
}
