package io.letterbox.broker.group.consumer;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

import org.apache.kafka.common.Uuid;

/**
 * What an assignor sees of a group. Immutable.
 *
 * @param memberTopics the ids of the topics each member subscribes to that exist, by member id in
 *                     id order (the order assignors break ties in)
 * @param previous     each member's current target, for assignors that keep partitions where they are
 * @param owned        what each member owns right now (assigned or pending revocation), which may
 *                     lag its target: moving a partition it does not own yet costs nothing
 * @param topics       every topic some member subscribes to, by id
 */
public record AssignmentSpec(SortedMap<String, Set<Uuid>> memberTopics, Map<String, Assignment> previous,
        Map<String, Assignment> owned, Map<Uuid, SubscribedTopic> topics) {

    /** A topic as of the metadata image the assignment is computed from. */
    public record SubscribedTopic(Uuid id, String name, int numPartitions) {
    }

    /** The topics by name (then id), the order assignors walk them in. */
    public List<SubscribedTopic> topicsInOrder() {
        return topics.values().stream()
                .sorted(Comparator.comparing(SubscribedTopic::name).thenComparing(SubscribedTopic::id))
                .toList();
    }

    public Assignment previousOf(String memberId) {
        return previous.getOrDefault(memberId, Assignment.EMPTY);
    }

    public Assignment ownedBy(String memberId) {
        return owned.getOrDefault(memberId, Assignment.EMPTY);
    }
}
