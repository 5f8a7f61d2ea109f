package io.letterbox.cli.topic;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.CliException;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code letterbox topic delete TOPIC}: DeleteTopics; its records are gone for good. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Delete a topic and all its records.",
        footer = {"", "Examples:",
                "  letterbox topic delete orders",
                "  letterbox topic delete orders --if-exists"})
public final class TopicDeleteCommand extends ClientCommand {

    @Mixin
    Output output;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to delete.")
    String topic;

    @Option(names = "--if-exists", description = "Succeed if the topic does not exist.")
    boolean ifExists;

    @Override
    public Integer call() {
        boolean deleted = true;
        try (Admin admin = client.admin()) {
            Futures.get(admin.deleteTopics(List.of(topic)).all());
        } catch (UnknownTopicOrPartitionException e) {
            if (!ifExists) {
                throw new CliException("topic " + topic + " does not exist (pass --if-exists to accept that)");
            }
            deleted = false;
        }
        if (output.json()) {
            Output.printJson(spec.commandLine().getOut(), Map.of("topic", topic, "deleted", deleted));
        } else {
            spec.commandLine().getOut().println(deleted ? "Deleted topic " + topic + "." : "Topic " + topic + " does not exist.");
        }
        return 0;
    }

    @Override
    public String topicName() {
        return topic;
    }
}
