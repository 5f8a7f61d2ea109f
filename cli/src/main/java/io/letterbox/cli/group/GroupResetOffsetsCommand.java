package io.letterbox.cli.group;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.CliException;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Offsets;
import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code letterbox group reset-offsets}: computes new committed offsets for a group's partitions
 * and shows them; with {@code --execute} commits them (OffsetCommit through AlterConsumerGroupOffsets),
 * which the coordinator allows only while the group has no active members.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Move a group's committed offsets. Without --execute it only shows the plan.",
                "The group must have no active members when it is applied."},
        footer = {"", "Examples:",
                "  letterbox group reset-offsets --group billing --topic orders --to-earliest",
                "  letterbox group reset-offsets --group billing --topic orders:0,1 --to-offset 100 --execute",
                "  letterbox group reset-offsets --group billing --all-topics --by-duration PT10M --execute",
                "  letterbox group reset-offsets --group billing --topic orders --shift-by -5 --execute"})
public final class GroupResetOffsetsCommand extends ClientCommand {

    @Mixin
    Output output;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The group whose offsets move.")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--execute", description = "Apply the plan (default: show it only).")
    boolean execute;

    /** Which partitions: some topics (optionally some partitions) or every topic the group has offsets for. */
    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,...]", required = true,
                description = "A topic, or some of its partitions (orders:0,2). Repeatable.")
        List<String> topics;

        @Option(names = "--all-topics", required = true, description = "Every topic the group has committed offsets for.")
        boolean allTopics;
    }

    /** Where the offsets go; exactly one. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The log start.")
        boolean toEarliest;

        @Option(names = "--to-latest", required = true, description = "The log end (skip everything).")
        boolean toLatest;

        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Offset N (kept within the log).")
        Long toOffset;

        @Option(names = "--to-datetime", required = true, paramLabel = "TIME",
                description = "The first record at or after TIME: ISO-8601 or epoch ms.")
        String toDatetime;

        @Option(names = "--by-duration", required = true, paramLabel = "DURATION",
                description = "The first record at or after now minus DURATION (ISO-8601, e.g. PT10M).")
        String byDuration;

        @Option(names = "--shift-by", required = true, paramLabel = "N",
                description = "The committed offset plus N (negative goes back).")
        Long shiftBy;
    }

    @Override
    public Integer call() {
        OffsetReset reset = reset();
        List<Map<String, Object>> plan = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> moves = new HashMap<>();
        try (Admin admin = client.admin()) {
            Map<TopicPartition, Long> committed = GroupOffsets.committed(admin, group);
            Set<TopicPartition> partitions = partitions(admin, committed);
            Map<TopicPartition, Long> starts = Offsets.list(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> ends = Offsets.list(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> atTime = reset.needsTimestampLookup()
                    ? Offsets.list(admin, partitions, OffsetSpec.forTimestamp(reset.value())) : Map.of();
            for (TopicPartition tp : partitions) {
                long current = committed.getOrDefault(tp, -1L);
                long next = reset.target(current, starts.get(tp), ends.get(tp), atTime.getOrDefault(tp, -1L));
                moves.put(tp, new OffsetAndMetadata(next));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", tp.topic());
                row.put("partition", tp.partition());
                row.put("currentOffset", current < 0 ? null : current);
                row.put("newOffset", next);
                plan.add(row);
            }
            if (execute) {
                requireEmpty(admin);
                Futures.get(admin.alterConsumerGroupOffsets(group, moves).all());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("group", group);
            model.put("executed", execute);
            model.put("partitions", plan);
            Output.printJson(out, model);
        } else {
            Table t = new Table("topic", "partition", "current", "new");
            plan.forEach(r -> t.row(r.get("topic"), r.get("partition"), r.get("currentOffset"), r.get("newOffset")));
            t.print(out);
            out.flush();
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(execute ? "Reset the offsets of " + plan.size() + " partitions of group " + group + "."
                : "dry run: pass --execute to apply");
        err.flush();
        return 0;
    }

    private OffsetReset reset() {
        try {
            if (target.toEarliest) {
                return OffsetReset.earliest();
            } else if (target.toLatest) {
                return OffsetReset.latest();
            } else if (target.toOffset != null) {
                return OffsetReset.toOffset(target.toOffset);
            } else if (target.toDatetime != null) {
                return OffsetReset.toDatetime(target.toDatetime);
            } else if (target.byDuration != null) {
                return OffsetReset.byDuration(target.byDuration, System.currentTimeMillis());
            }
            return OffsetReset.shiftBy(target.shiftBy);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** The partitions the scope names; a topic without partitions means all of its partitions. */
    private Set<TopicPartition> partitions(Admin admin, Map<TopicPartition, Long> committed) {
        TreeSet<TopicPartition> result = new TreeSet<>(GroupOffsets.BY_TOPIC_PARTITION);
        if (scope.allTopics) {
            result.addAll(committed.keySet());
            if (result.isEmpty()) {
                throw new CliException("group " + group + " has no committed offsets: name the topics with --topic");
            }
            return result;
        }
        Map<String, List<Integer>> wanted = new LinkedHashMap<>();
        for (String t : scope.topics) {
            int colon = t.indexOf(':');
            String topic = colon < 0 ? t : t.substring(0, colon);
            List<Integer> ps = new ArrayList<>();
            if (colon >= 0) {
                for (String p : t.substring(colon + 1).split(",")) {
                    try {
                        ps.add(Integer.parseInt(p.trim()));
                    } catch (NumberFormatException e) {
                        throw usage(
                                "--topic takes TOPIC or TOPIC:P,P..., not '" + t + "'");
                    }
                }
            }
            wanted.put(topic, ps);
        }
        Map<String, TopicDescription> described = Futures.get(admin.describeTopics(wanted.keySet()).allTopicNames());
        wanted.forEach((topic, ps) -> {
            int count = described.get(topic).partitions().size();
            if (ps.isEmpty()) {
                for (int p = 0; p < count; p++) {
                    result.add(new TopicPartition(topic, p));
                }
            }
            for (int p : ps) {
                if (p < 0 || p >= count) {
                    throw new CliException("topic " + topic + " has no partition " + p + " (it has " + count + ")");
                }
                result.add(new TopicPartition(topic, p));
            }
        });
        return result;
    }

    private void requireEmpty(Admin admin) {
        ConsumerGroupDescription d;
        try {
            d = Futures.get(admin.describeConsumerGroups(List.of(group)).all()).get(group);
        } catch (GroupIdNotFoundException unknown) {
            return; // a group that does not exist yet: its offsets can be set
        }
        if (d == null) {
            return;
        }
        GroupState state = d.groupState();
        if (!d.members().isEmpty() || (state != GroupState.EMPTY && state != GroupState.DEAD)) {
            throw new CliException("group " + group + " has active members (state " + state
                    + "): stop its consumers first, then run this again");
        }
    }

    @Override
    public String groupName() {
        return group;
    }

    @Override
    public String topicName() {
        return scope == null || scope.topics == null || scope.topics.size() != 1 ? null
                : scope.topics.get(0).split(":")[0];
    }
}
