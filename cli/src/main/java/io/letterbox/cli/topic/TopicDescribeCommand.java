package io.letterbox.cli.topic;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Offsets;
import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;
import io.letterbox.cli.client.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code letterbox topic describe TOPIC...}: per partition the leader, replicas, ISR, log start
 * and end offsets (ListOffsets) and size on disk (DescribeLogDirs, the leader's replica), and the
 * topic settings whose source is not the built-in default (DescribeConfigs).
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show a topic's partitions (leader, replicas, ISR, offsets, size) and its non-default settings.",
        footer = {"", "Examples:",
                "  letterbox topic describe orders",
                "  letterbox topic describe orders payments -o json"})
public final class TopicDescribeCommand extends ClientCommand {

    @Mixin
    Output output;

    @Parameters(arity = "1..*", paramLabel = "TOPIC", description = "Topics to describe.")
    List<String> topics;

    @Override
    public Integer call() {
        List<Map<String, Object>> described = new ArrayList<>();
        try (Admin admin = client.admin()) {
            Map<String, TopicDescription> descriptions = Futures.get(admin.describeTopics(topics).allTopicNames());
            List<TopicPartition> tps = new ArrayList<>();
            descriptions.values().forEach(d -> d.partitions().forEach(p -> tps.add(new TopicPartition(d.name(), p.partition()))));
            Map<TopicPartition, Long> start = Offsets.list(admin, tps, OffsetSpec.earliest());
            Map<TopicPartition, Long> end = Offsets.list(admin, tps, OffsetSpec.latest());
            Map<TopicPartition, Map<Integer, Long>> sizes = sizes(admin);
            Map<ConfigResource, Config> configs = Futures.get(admin.describeConfigs(topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all());
            for (String name : topics) {
                TopicDescription d = descriptions.get(name);
                List<Map<String, Object>> partitions = new ArrayList<>();
                for (TopicPartitionInfo p : d.partitions()) {
                    TopicPartition tp = new TopicPartition(name, p.partition());
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("partition", p.partition());
                    row.put("leader", p.leader() == null || p.leader().isEmpty() ? null : p.leader().id());
                    row.put("replicas", ids(p.replicas()));
                    row.put("isr", ids(p.isr()));
                    row.put("startOffset", start.get(tp));
                    row.put("endOffset", end.get(tp));
                    row.put("sizeBytes", size(sizes.get(tp), p.leader()));
                    partitions.add(row);
                }
                Map<String, Object> settings = new LinkedHashMap<>();
                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries().stream()
                        .filter(e -> e.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG)
                        .sorted((a, b) -> a.name().compareTo(b.name()))
                        .forEach(e -> {
                            Map<String, Object> setting = new LinkedHashMap<>();
                            setting.put("value", e.isSensitive() ? "(sensitive)" : e.value());
                            setting.put("source", e.source().name());
                            settings.put(e.name(), setting);
                        });
                Map<String, Object> topic = new LinkedHashMap<>();
                topic.put("topic", name);
                topic.put("id", d.topicId().toString());
                topic.put("internal", d.isInternal());
                topic.put("partitionCount", d.partitions().size());
                topic.put("replicationFactor", d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size());
                topic.put("partitions", partitions);
                topic.put("configs", settings);
                described.add(topic);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, topics.size() == 1 ? described.get(0) : described);
        } else {
            described.forEach(t -> printTable(out, t));
            out.flush();
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintWriter out, Map<String, Object> topic) {
        out.printf("Topic %s (id %s, %s partitions, replication factor %s%s)%n", topic.get("topic"), topic.get("id"),
                topic.get("partitionCount"), topic.get("replicationFactor"),
                Boolean.TRUE.equals(topic.get("internal")) ? ", internal" : "");
        Table table = new Table("partition", "leader", "replicas", "isr", "start", "end", "size");
        for (Map<String, Object> p : (List<Map<String, Object>>) topic.get("partitions")) {
            Long size = (Long) p.get("sizeBytes");
            table.row(p.get("partition"), p.get("leader"), join((List<Integer>) p.get("replicas")),
                    join((List<Integer>) p.get("isr")), p.get("startOffset"), p.get("endOffset"),
                    size == null ? null : Units.bytes(size));
        }
        table.print(out);
        Map<String, Map<String, Object>> configs = (Map<String, Map<String, Object>>) topic.get("configs");
        if (configs.isEmpty()) {
            out.println("Configs: all default");
        } else {
            out.println("Configs (not default):");
            configs.forEach((k, v) -> out.printf("  %s=%s (%s)%n", k, v.get("value"), v.get("source")));
        }
        out.println();
    }

    /** Replica size per partition and broker, from every broker's log directories. */
    private static Map<TopicPartition, Map<Integer, Long>> sizes(Admin admin) {
        Collection<Node> nodes = Futures.get(admin.describeCluster().nodes());
        Map<Integer, Map<String, LogDirDescription>> dirs =
                Futures.get(admin.describeLogDirs(nodes.stream().map(Node::id).toList()).allDescriptions());
        Map<TopicPartition, Map<Integer, Long>> sizes = new HashMap<>();
        dirs.forEach((broker, byDir) -> byDir.values().forEach(dir -> {
            for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
                sizes.computeIfAbsent(e.getKey(), k -> new HashMap<>()).merge(broker, e.getValue().size(), Long::sum);
            }
        }));
        return sizes;
    }

    private static Long size(Map<Integer, Long> byBroker, Node leader) {
        if (byBroker == null || byBroker.isEmpty()) {
            return null;
        }
        if (leader != null && byBroker.containsKey(leader.id())) {
            return byBroker.get(leader.id());
        }
        return byBroker.values().stream().max(Long::compare).orElse(null);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private static String join(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    @Override
    public String topicName() {
        return topics == null || topics.size() != 1 ? null : topics.get(0);
    }
}
