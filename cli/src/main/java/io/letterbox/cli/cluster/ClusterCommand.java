package io.letterbox.cli.cluster;

import io.letterbox.cli.Version;
import picocli.CommandLine.Command;

/** {@code letterbox cluster}: what the cluster is made of. */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Describe the cluster.", subcommands = {ClusterDescribeCommand.class},
        footer = {"", "Examples:",
                "  letterbox cluster describe",
                "  letterbox cluster describe -o json"})
public final class ClusterCommand {
}
