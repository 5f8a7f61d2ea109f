package io.letterbox.cli.topic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code letterbox topic create TOPIC}: CreateTopics with the broker's defaults for what is not given. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create a topic. Partitions and replication factor default to the broker's "
                + "num.partitions and default.replication.factor.",
        footer = {"", "Examples:",
                "  letterbox topic create orders",
                "  letterbox topic create orders --partitions 6 --replication-factor 3",
                "  letterbox topic create events --config retention.ms=3600000 --config cleanup.policy=compact",
                "  letterbox topic create orders --if-not-exists"})
public final class TopicCreateCommand extends ClientCommand {

    @Mixin
    Output output;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic's name.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", description = "Number of partitions.")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Copies of each partition.")
    Short replicationFactor;

    @Option(names = "--config", paramLabel = "key=value", description = "A topic setting, e.g. retention.ms=60000. Repeatable.")
    Map<String, String> configs = new LinkedHashMap<>();

    @Option(names = "--if-not-exists", description = "Succeed if the topic already exists.")
    boolean ifNotExists;

    @Override
    public Integer call() {
        if (partitions != null && partitions < 1) {
            throw usage("--partitions must be at least 1, not " + partitions);
        }
        if (replicationFactor != null && replicationFactor < 1) {
            throw usage(
                    "--replication-factor must be at least 1, not " + replicationFactor);
        }
        boolean created = true;
        try (Admin admin = client.admin()) {
            NewTopic t = new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                    .configs(configs);
            Futures.get(admin.createTopics(List.of(t)).all());
        } catch (TopicExistsException e) {
            if (!ifNotExists) {
                throw e;
            }
            created = false;
        }
        if (output.json()) {
            Output.printJson(spec.commandLine().getOut(), Map.of("topic", topic, "created", created));
        } else {
            spec.commandLine().getOut().println(created ? "Created topic " + topic + "." : "Topic " + topic + " already exists.");
        }
        return 0;
    }

    @Override
    public String topicName() {
        return topic;
    }
}
