package io.letterbox.cli.group;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code letterbox group list}: every group the brokers know (ListGroups), with type, state and protocol type. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List the consumer groups with their type, state and protocol type.",
        footer = {"", "Examples:",
                "  letterbox group list",
                "  letterbox group list -o json"})
public final class GroupListCommand extends ClientCommand {

    @Mixin
    Output output;

    @Override
    public Integer call() {
        List<Map<String, Object>> groups = new ArrayList<>();
        try (Admin admin = client.admin()) {
            List<GroupListing> listings = new ArrayList<>(Futures.get(admin.listGroups().all()));
            listings.sort(Comparator.comparing(GroupListing::groupId));
            for (GroupListing g : listings) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group", g.groupId());
                m.put("type", g.type().map(Object::toString).orElse(null));
                m.put("state", g.groupState().map(Object::toString).orElse(null));
                m.put("protocolType", g.protocol());
                groups.add(m);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, groups);
        } else {
            Table t = new Table("group", "type", "state", "protocol type");
            groups.forEach(g -> t.row(g.get("group"), g.get("type"), g.get("state"), g.get("protocolType")));
            t.print(out);
            out.flush();
        }
        return 0;
    }
}
