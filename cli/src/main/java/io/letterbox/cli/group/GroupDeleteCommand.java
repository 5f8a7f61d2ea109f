package io.letterbox.cli.group;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code letterbox group delete --group G}: DeleteGroups, which removes its committed offsets; the group must be empty. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Delete a consumer group and its committed offsets. The group must have no active members.",
        footer = {"", "Examples:",
                "  letterbox group delete --group billing"})
public final class GroupDeleteCommand extends ClientCommand {

    @Mixin
    Output output;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The group to delete.")
    String group;

    @Override
    public Integer call() {
        try (Admin admin = client.admin()) {
            Futures.get(admin.deleteConsumerGroups(List.of(group)).all());
        }
        if (output.json()) {
            Output.printJson(spec.commandLine().getOut(), Map.of("group", group, "deleted", true));
        } else {
            spec.commandLine().getOut().println("Deleted group " + group + ".");
        }
        return 0;
    }

    @Override
    public String groupName() {
        return group;
    }
}
