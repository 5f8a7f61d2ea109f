package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The operator-facing summary of one metadata batch: one line per topic created, deleted, grown
 * or reconfigured, and per broker config resource changed. Records that are not such changes
 * (broker registration, leadership, producer ids) give no line. Stateless.
 */
final class ChangeLines {

    private ChangeLines() {
    }

    /** The lines for {@code records} as written on top of {@code before}, in the order the records name them. */
    static List<String> of(MetadataImage before, List<MetadataRecord> records) {
        Map<Uuid, TopicRecord> created = new LinkedHashMap<>();
        Map<Uuid, List<PartitionRecord>> partitions = new LinkedHashMap<>();
        Map<ConfigResource, List<ConfigRecord>> configs = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (MetadataRecord record : records) {
            if (record instanceof TopicRecord t) {
                created.put(t.topicId(), t);
            } else if (record instanceof PartitionRecord p) {
                partitions.computeIfAbsent(p.topicId(), id -> new ArrayList<>()).add(p);
            } else if (record instanceof ConfigRecord c) {
                configs.computeIfAbsent(new ConfigResource(c.resourceType(), c.resourceName()),
                        r -> new ArrayList<>()).add(c);
            } else if (record instanceof RemoveTopicRecord r) {
                TopicImage topic = before.topics().get(r.topicId());
                lines.add("Deleted topic " + (topic == null ? r.topicId() : topic.name()));
            }
        }
        for (TopicRecord t : created.values()) {
            List<PartitionRecord> ps = partitions.getOrDefault(t.topicId(), List.of());
            List<ConfigRecord> cs = configs.remove(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
            lines.add("Created topic " + t.name() + " with " + count(ps.size(), "partition") + ", replication factor "
                    + (ps.isEmpty() ? 0 : ps.get(0).replicas().size()) + (cs == null ? "" : ", configs " + settings(cs)));
        }
        partitions.forEach((id, ps) -> {
            TopicImage topic = before.topics().get(id);
            if (!created.containsKey(id) && topic != null) {
                lines.add("Topic " + topic.name() + ": added " + count(ps.size(), "partition") + ", now "
                        + (topic.numPartitions() + ps.size()));
            }
        });
        configs.forEach((resource, cs) -> lines.add(name(resource) + " configs: " + settings(cs)));
        return lines;
    }

    private static String name(ConfigResource resource) {
        if (resource.type() == ConfigResource.Type.TOPIC) {
            return "Topic " + resource.name();
        }
        return resource.name().isEmpty() ? "Cluster-wide broker" : "Broker " + resource.name();
    }

    private static String settings(List<ConfigRecord> changes) {
        StringBuilder out = new StringBuilder();
        for (ConfigRecord c : changes) {
            out.append(out.length() == 0 ? "" : ", ").append(c.key())
                    .append(c.value() == null ? " removed" : "=" + c.value());
        }
        return out.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
