package io.letterbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code letterbox} command: one class per subcommand, each returning its exit code. */
@Command(name = "letterbox", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Letterbox: an event streaming platform that speaks the Apache Kafka protocol.",
        subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class Letterbox {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 ok, 1 error, 2 bad usage. */
    public static int run(String... args) {
        return new CommandLine(new Letterbox())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("letterbox: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
