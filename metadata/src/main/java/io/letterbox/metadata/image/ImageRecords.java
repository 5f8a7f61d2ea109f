package io.letterbox.metadata.image;

import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.ProducerIdsRecord;
import io.letterbox.metadata.record.BrokerFencingRecord;
import io.letterbox.metadata.record.RegisterBrokerRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Restates an image as records: replaying them onto {@link MetadataImage#EMPTY} gives back an
 * equal image (apart from the offset, which the caller carries). Used for snapshots. The order is
 * deterministic (brokers by id, configs by key, topics by name, partitions by index), so equal
 * images give equal bytes.
 */
public final class ImageRecords {
    private ImageRecords() {
    }

    public static List<MetadataRecord> of(MetadataImage image) {
        List<MetadataRecord> records = new ArrayList<>();
        if (image.clusterId() != null) {
            records.add(new ClusterIdRecord(image.clusterId()));
        }
        for (BrokerRegistration b : new TreeMap<>(image.cluster().brokers()).values()) {
            records.add(new RegisterBrokerRecord(b.id(), b.incarnationId(), b.endpoints(), b.rack()));
            if (b.fenced()) {
                records.add(new BrokerFencingRecord(b.id(), true));
            }
        }
        if (image.nextProducerId() > 0) {
            records.add(new ProducerIdsRecord(image.nextProducerId()));
        }
        new TreeMap<>(image.brokerConfigs()).forEach((name, configs) ->
                addConfigs(records, ConfigResource.Type.BROKER, name, configs));
        for (TopicImage t : new TreeMap<>(image.topics().byName()).values()) {
            records.add(new TopicRecord(t.name(), t.id()));
            addConfigs(records, ConfigResource.Type.TOPIC, t.name(), t.configs());
            for (Map.Entry<Integer, PartitionImage> e : new TreeMap<>(t.partitions()).entrySet()) {
                PartitionImage p = e.getValue();
                records.add(new PartitionRecord(t.id(), e.getKey(), toList(p.replicas()), toList(p.isr()),
                        p.leader(), p.leaderEpoch(), p.partitionEpoch(), toList(p.addingReplicas()),
                        toList(p.removingReplicas())));
            }
        }
        return records;
    }

    private static void addConfigs(List<MetadataRecord> records, ConfigResource.Type type, String name,
                                   Map<String, String> configs) {
        new TreeMap<>(configs).forEach((k, v) -> records.add(new ConfigRecord(type, name, k, v)));
    }

    private static List<Integer> toList(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
