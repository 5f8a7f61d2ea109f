package io.letterbox.cli.cluster;

import io.letterbox.cli.Version;
import picocli.CommandLine.Command;

/** {@code letterbox cluster}: run a local cluster, or see what a cluster is made of. */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run a local cluster, or describe a cluster.",
        subcommands = {ClusterStartCommand.class, ClusterDescribeCommand.class},
        footer = {"", "Examples:",
                "  letterbox cluster start --nodes 3",
                "  letterbox cluster describe",
                "  letterbox cluster describe -o json"})
public final class ClusterCommand {
}
