package io.letterbox.cli.topic;

import io.letterbox.cli.Version;
import picocli.CommandLine.Command;

/** {@code letterbox topic}: create, list, describe, alter and delete topics. */
@Command(name = "topic", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create, list, describe, alter and delete topics.",
        subcommands = {TopicCreateCommand.class, TopicListCommand.class, TopicDescribeCommand.class,
                TopicAlterCommand.class, TopicDeleteCommand.class},
        footer = {"", "Examples:",
                "  letterbox topic create orders --partitions 3 --config retention.ms=86400000",
                "  letterbox topic list",
                "  letterbox topic describe orders -o json",
                "  letterbox topic alter orders --partitions 6",
                "  letterbox topic delete orders"})
public final class TopicCommand {
}
