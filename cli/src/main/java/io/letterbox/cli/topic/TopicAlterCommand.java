package io.letterbox.cli.topic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code letterbox topic alter TOPIC}: CreatePartitions to grow the partition count, and
 * IncrementalAlterConfigs to set or remove topic settings, in that order.
 */
@Command(name = "alter", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Add partitions to a topic, or set or remove its settings.",
        footer = {"", "Examples:",
                "  letterbox topic alter orders --partitions 6",
                "  letterbox topic alter orders --config retention.ms=3600000",
                "  letterbox topic alter orders --delete-config retention.ms"})
public final class TopicAlterCommand extends ClientCommand {

    @Mixin
    Output output;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to change.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", description = "The new, larger number of partitions.")
    Integer partitions;

    @Option(names = "--config", paramLabel = "key=value", description = "Set a topic setting. Repeatable.")
    Map<String, String> configs = new LinkedHashMap<>();

    @Option(names = "--delete-config", paramLabel = "key",
            description = "Remove a topic setting (back to the broker's default). Repeatable.")
    List<String> deleteConfigs = new ArrayList<>();

    @Override
    public Integer call() {
        if (partitions == null && configs.isEmpty() && deleteConfigs.isEmpty()) {
            throw usage(
                    "nothing to change: pass --partitions, --config or --delete-config");
        }
        if (partitions != null && partitions < 1) {
            throw usage("--partitions must be at least 1, not " + partitions);
        }
        List<String> changes = new ArrayList<>();
        try (Admin admin = client.admin()) {
            if (partitions != null) {
                Futures.get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all());
                changes.add("partitions=" + partitions);
            }
            if (!configs.isEmpty() || !deleteConfigs.isEmpty()) {
                List<AlterConfigOp> ops = new ArrayList<>();
                configs.forEach((k, v) -> {
                    ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET));
                    changes.add(k + "=" + v);
                });
                deleteConfigs.forEach(k -> {
                    ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE));
                    changes.add("-" + k);
                });
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Futures.get(admin.incrementalAlterConfigs(Map.of(resource, ops)).all());
            }
        }
        if (output.json()) {
            Output.printJson(spec.commandLine().getOut(), Map.of("topic", topic, "changes", changes));
        } else {
            spec.commandLine().getOut().println("Altered topic " + topic + ": " + String.join(", ", changes) + ".");
        }
        return 0;
    }

    @Override
    public String topicName() {
        return topic;
    }
}
