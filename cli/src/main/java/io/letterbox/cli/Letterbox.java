package io.letterbox.cli;

import java.io.PrintWriter;

import io.letterbox.cli.bench.BenchCommand;
import io.letterbox.cli.client.ClientErrors;
import io.letterbox.cli.client.ErrorSubject;
import io.letterbox.cli.cluster.ClusterCommand;
import io.letterbox.cli.group.GroupCommand;
import io.letterbox.cli.record.ConsumeCommand;
import io.letterbox.cli.record.ProduceCommand;
import io.letterbox.cli.topic.TopicCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code letterbox} command: one class per subcommand, each returning its exit code: 0 ok,
 * 1 error (one line on stderr), 2 bad usage (one line and a pointer to --help). Only
 * {@code server start} touches broker classes, so client commands load none of them.
 */
@Command(name = "letterbox", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Letterbox: an event streaming platform that speaks the Apache Kafka protocol.",
        subcommands = {ServerCommand.class, TopicCommand.class, ProduceCommand.class, ConsumeCommand.class,
                GroupCommand.class, ClusterCommand.class, BenchCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  letterbox server start",
                "  letterbox topic create orders --partitions 3",
                "  echo hello | letterbox produce orders",
                "  letterbox consume orders --from-beginning --max-messages 1",
                "", "Exit codes: 0 ok, 1 error, 2 bad usage."})
public final class Letterbox {

    public static void main(String[] args) {
        if (args.length == 0 || !"server".equals(args[0])) {
            // Client commands log only warnings, to stderr; the server keeps logback.xml.
            System.setProperty("logback.configurationFile",
                    System.getProperty("logback.configurationFile", "logback-client.xml"));
        }
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 ok, 1 error, 2 bad usage. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for tests that parse without running. */
    public static CommandLine commandLine() {
        return new CommandLine(new Letterbox())
                .setParameterExceptionHandler(Letterbox::badUsage)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    Object command = cmd.getCommand();
                    cmd.getErr().println("letterbox: "
                            + ClientErrors.explain(e, command instanceof ErrorSubject s ? s : null));
                    cmd.getErr().flush();
                    return 1;
                });
    }

    private static int badUsage(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String reason = e.getMessage() == null ? "bad usage" : e.getMessage().lines().findFirst().orElse("bad usage");
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            // A mistyped subcommand or option: name the closest ones, still on the one line.
            reason += " (did you mean " + String.join(" or ", unmatched.getSuggestions().stream().limit(2)
                    .map(suggestion -> "'" + suggestion + "'").toList()) + "?)";
        }
        err.println("letterbox: " + reason);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return 2;
    }
}
