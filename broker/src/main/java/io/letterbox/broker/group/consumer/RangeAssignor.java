package io.letterbox.broker.group.consumer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.letterbox.broker.group.consumer.AssignmentSpec.SubscribedTopic;

/**
 * The {@code range} assignor: per topic, its subscribers in member id order each get one
 * contiguous range of partitions, the first {@code partitions % subscribers} of them one more
 * than the rest. Members subscribed to topics with equal partition counts get the same partition
 * numbers of each (co-partitioning, what joins need). Not sticky: a membership change moves ranges.
 */
public final class RangeAssignor implements PartitionAssignor {

    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Assignment> assign(AssignmentSpec spec) {
        Map<String, Assignment.Builder> out = new LinkedHashMap<>();
        spec.memberTopics().keySet().forEach(m -> out.put(m, new Assignment.Builder()));
        for (SubscribedTopic topic : spec.topicsInOrder()) {
            List<String> subscribers = new ArrayList<>();
            spec.memberTopics().forEach((member, topics) -> {
                if (topics.contains(topic.id())) {
                    subscribers.add(member);
                }
            });
            if (subscribers.isEmpty()) {
                continue;
            }
            int base = topic.numPartitions() / subscribers.size();
            int extra = topic.numPartitions() % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int count = base + (i < extra ? 1 : 0);
                for (int p = next; p < next + count; p++) {
                    out.get(subscribers.get(i)).add(topic.id(), p);
                }
                next += count;
            }
        }
        Map<String, Assignment> result = new LinkedHashMap<>();
        out.forEach((m, b) -> result.put(m, b.build()));
        return result;
    }
}
