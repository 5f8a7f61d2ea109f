package io.letterbox.cli.topic;

import java.io.PrintWriter;
import java.util.List;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code letterbox topic list}: topic names, sorted, one a line (or a JSON array). */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List topic names, sorted, one a line.",
        footer = {"", "Examples:",
                "  letterbox topic list",
                "  letterbox topic list --internal",
                "  letterbox topic list -o json"})
public final class TopicListCommand extends ClientCommand {

    @Mixin
    Output output;

    @Option(names = "--internal", description = "Include internal topics such as __consumer_offsets.")
    boolean internal;

    @Override
    public Integer call() {
        List<String> names;
        try (Admin admin = client.admin()) {
            names = Futures.get(admin.listTopics(new ListTopicsOptions().listInternal(internal)).names())
                    .stream().sorted().toList();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, names);
        } else {
            names.forEach(out::println);
            out.flush();
        }
        return 0;
    }
}
