package io.letterbox.cli;

import picocli.CommandLine.Command;

/** {@code letterbox server}: run a broker. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run a Letterbox broker.", subcommands = {ServerStartCommand.class},
        footer = {"", "Examples:",
                "  letterbox server start",
                "  letterbox server start config/server.properties --override log.dirs=/var/lib/letterbox"})
public final class ServerCommand {
}
