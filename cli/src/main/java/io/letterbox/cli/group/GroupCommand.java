package io.letterbox.cli.group;

import io.letterbox.cli.Version;
import picocli.CommandLine.Command;

/** {@code letterbox group}: list, describe, reset and delete consumer groups. */
@Command(name = "group", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List, describe, reset the offsets of, and delete consumer groups.",
        subcommands = {GroupListCommand.class, GroupDescribeCommand.class, GroupResetOffsetsCommand.class,
                GroupDeleteCommand.class},
        footer = {"", "Examples:",
                "  letterbox group list",
                "  letterbox group describe --group billing",
                "  letterbox group reset-offsets --group billing --topic orders --to-earliest --execute",
                "  letterbox group delete --group billing"})
public final class GroupCommand {
}
