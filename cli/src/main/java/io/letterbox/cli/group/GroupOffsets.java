package io.letterbox.cli.group;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

import io.letterbox.cli.client.CliException;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Offsets;

/** What the group commands read about one group: its description and its committed offsets. */
final class GroupOffsets {

    /** Tables list partitions by topic, then partition number. */
    static final Comparator<TopicPartition> BY_TOPIC_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private GroupOffsets() {
    }

    /** DescribeGroups; a group the coordinator does not know (state DEAD) is an error naming it. */
    static ConsumerGroupDescription describe(Admin admin, String group) {
        ConsumerGroupDescription d = Futures.get(admin.describeConsumerGroups(List.of(group)).all()).get(group);
        if (d == null || d.groupState() == GroupState.DEAD) {
            throw new CliException("group " + group + " does not exist: `letterbox group list` shows the groups");
        }
        return d;
    }

    /** OffsetFetch: committed offset per partition, partitions without one left out. */
    static Map<TopicPartition, Long> committed(Admin admin, String group) {
        Map<TopicPartition, OffsetAndMetadata> raw =
                Futures.get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> committed = new HashMap<>();
        raw.forEach((tp, om) -> {
            if (om != null) {
                committed.put(tp, om.offset());
            }
        });
        return committed;
    }

    static Map<TopicPartition, Long> ends(Admin admin, Collection<TopicPartition> tps) {
        return Offsets.list(admin, tps, OffsetSpec.latest());
    }
}
