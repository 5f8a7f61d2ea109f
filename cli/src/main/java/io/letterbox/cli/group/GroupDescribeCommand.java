package io.letterbox.cli.group;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code letterbox group describe --group G}: state, type, assignor, members (id, client, host,
 * assigned partitions), and per partition the committed offset, the log end offset and the lag
 * between them (partitions that are assigned but have no commit show no lag).
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show a group's state, members and, per partition, committed offset, end offset and lag.",
        footer = {"", "Examples:",
                "  letterbox group describe --group billing",
                "  letterbox group describe --group billing -o json"})
public final class GroupDescribeCommand extends ClientCommand {

    @Mixin
    Output output;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The group to describe.")
    String group;

    @Override
    public Integer call() {
        Map<String, Object> model = new LinkedHashMap<>();
        try (Admin admin = client.admin()) {
            ConsumerGroupDescription d = GroupOffsets.describe(admin, group);
            Map<TopicPartition, Long> committed = GroupOffsets.committed(admin, group);
            Map<TopicPartition, String> owner = new HashMap<>();
            List<Map<String, Object>> members = new ArrayList<>();
            for (MemberDescription m : d.members()) {
                List<String> assigned = new ArrayList<>();
                m.assignment().topicPartitions().stream().sorted(GroupOffsets.BY_TOPIC_PARTITION).forEach(tp -> {
                    owner.put(tp, m.consumerId());
                    assigned.add(tp.toString());
                });
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("memberId", m.consumerId());
                mm.put("clientId", m.clientId());
                mm.put("host", m.host());
                mm.put("assignment", assigned);
                members.add(mm);
            }
            TreeSet<TopicPartition> partitions = new TreeSet<>(GroupOffsets.BY_TOPIC_PARTITION);
            partitions.addAll(committed.keySet());
            partitions.addAll(owner.keySet());
            Map<TopicPartition, Long> ends = GroupOffsets.ends(admin, partitions);
            List<Map<String, Object>> offsets = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Long c = committed.get(tp);
                Long end = ends.get(tp);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", tp.topic());
                row.put("partition", tp.partition());
                row.put("committedOffset", c);
                row.put("endOffset", end);
                row.put("lag", c == null || end == null ? null : Math.max(0, end - c));
                row.put("memberId", owner.get(tp));
                offsets.add(row);
            }
            model.put("group", group);
            model.put("state", String.valueOf(d.groupState()));
            model.put("type", String.valueOf(d.type()));
            model.put("assignor", d.partitionAssignor());
            model.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
            model.put("members", members);
            model.put("offsets", offsets);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, model);
        } else {
            printTables(out, model);
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void printTables(PrintWriter out, Map<String, Object> model) {
        out.printf("Group %s: state %s, type %s, assignor %s, coordinator %s%n", model.get("group"), model.get("state"),
                model.get("type"), blankAsDash(model.get("assignor")), model.get("coordinator"));
        List<Map<String, Object>> members = (List<Map<String, Object>>) model.get("members");
        out.println();
        if (members.isEmpty()) {
            out.println("No active members.");
        } else {
            Table t = new Table("member", "client", "host", "assignment");
            members.forEach(m -> t.row(m.get("memberId"), m.get("clientId"), m.get("host"),
                    String.join(",", (List<String>) m.get("assignment"))));
            t.print(out);
        }
        out.println();
        Table t = new Table("topic", "partition", "committed", "end", "lag", "member");
        ((List<Map<String, Object>>) model.get("offsets")).forEach(r -> t.row(r.get("topic"), r.get("partition"),
                r.get("committedOffset"), r.get("endOffset"), r.get("lag"), r.get("memberId")));
        t.print(out);
        out.flush();
    }

    private static Object blankAsDash(Object o) {
        return o == null || o.toString().isBlank() ? "-" : o;
    }

    @Override
    public String groupName() {
        return group;
    }
}
