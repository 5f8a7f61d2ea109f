package io.letterbox.broker.group.consumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.apache.kafka.common.Uuid;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredMember;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredTopic;
import io.letterbox.broker.group.consumer.AssignmentSpec.SubscribedTopic;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * One consumer-protocol (KIP-848) group in memory: its members, the group epoch, the target
 * assignment and the epoch it was computed at, the topics its members subscribe to, and who owns
 * which partition right now.
 *
 * <p>The group epoch counts changes that call for a new target: a member joining or leaving, a
 * subscription changing, a subscribed topic appearing, growing or going. The target is computed
 * at once, so the assignment epoch catches up with the group epoch within the same call.
 *
 * <p>Not thread-safe: every read and write happens under the group's monitor
 * ({@code synchronized (group)}), which {@link ConsumerGroupCoordinator} takes per request and per
 * timer event.
 */
final class ConsumerGroup {

    /** Kafka's consumer group states, with the names ListGroups and ConsumerGroupDescribe report. */
    enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable"), DEAD("Dead");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    final String groupId;
    int groupEpoch;
    int targetEpoch;
    /** The assignor of the current target. */
    String assignorName;
    final LinkedHashMap<String, ConsumerGroupMember> members = new LinkedHashMap<>();
    /** group.instance.id to the member id that holds it. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Removed: requests that still find it are told to look the coordinator up again. */
    boolean dead;
    /**
     * The state last handed to the store, so that only changes are written; null when the store
     * may not have it (a write failed). Volatile: a failed write clears it from the store's thread.
     */
    volatile StoredConsumerGroup stored;
    /** The last write handed to the store: an answer showing the stored state waits for it. */
    CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

    private Map<String, Assignment> target = new HashMap<>();
    /** Topic id to partition to the member that has it assigned or pending revocation. */
    private final Map<Uuid, Map<Integer, String>> owners = new HashMap<>();
    /** Every existing topic some member subscribes to, by id. */
    private Map<Uuid, SubscribedTopic> subscribedTopics = Map.of();
    private MetadataImage resolvedAgainst;

    ConsumerGroup(String groupId, String defaultAssignor) {
        this.groupId = groupId;
        this.assignorName = defaultAssignor;
    }

    State state() {
        if (dead) {
            return State.DEAD;
        }
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > targetEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (m.epoch() != targetEpoch || m.assignment.state() != MemberAssignment.State.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    Assignment targetOf(String memberId) {
        return target.getOrDefault(memberId, Assignment.EMPTY);
    }

    String ownerOf(Uuid topicId, int partition) {
        Map<Integer, String> byPartition = owners.get(topicId);
        return byPartition == null ? null : byPartition.get(partition);
    }

    /** Topic name of an id the group knows, "" when it does not (the topic is gone). */
    String topicName(Uuid topicId) {
        SubscribedTopic t = subscribedTopics.get(topicId);
        return t == null ? "" : t.name();
    }

    void add(ConsumerGroupMember member) {
        members.put(member.memberId, member);
        if (member.instanceId != null) {
            staticMembers.put(member.instanceId, member.memberId);
        }
        own(member, member.assignment.owned());
    }

    /** Takes a member out; what it owned becomes free. */
    void remove(ConsumerGroupMember member) {
        members.remove(member.memberId);
        if (member.instanceId != null) {
            staticMembers.remove(member.instanceId, member.memberId);
        }
        release(member, member.assignment.owned());
        target.remove(member.memberId);
    }

    /** A restarted static member takes the place (partitions, target) of the one it replaces. */
    void replace(ConsumerGroupMember old, ConsumerGroupMember successor) {
        Assignment oldTarget = target.get(old.memberId);
        remove(old);
        add(successor);
        if (oldTarget != null) {
            target.put(successor.memberId, oldTarget);
        }
    }

    /** Moves a member to its next assignment state, keeping the owners map in step. */
    void update(ConsumerGroupMember member, MemberAssignment next) {
        release(member, member.assignment.owned());
        member.assignment = next;
        own(member, next.owned());
    }

    private void own(ConsumerGroupMember member, Assignment partitions) {
        partitions.forEach((t, p) -> {
            String before = owners.computeIfAbsent(t, x -> new HashMap<>()).put(p, member.memberId);
            if (before != null && !before.equals(member.memberId)) {
                throw new IllegalStateException("partition " + t + "-" + p + " of group " + groupId
                        + " given to " + member.memberId + " while " + before + " owns it");
            }
        });
    }

    private void release(ConsumerGroupMember member, Assignment partitions) {
        partitions.forEach((t, p) -> {
            Map<Integer, String> byPartition = owners.get(t);
            if (byPartition != null && byPartition.remove(p, member.memberId) && byPartition.isEmpty()) {
                owners.remove(t);
            }
        });
    }

    /**
     * Resolves every member's subscription against {@code image} (topic names and regular
     * expressions to the ids of existing topics). True when the set of subscribed topics or a
     * partition count changed since the last resolution, which calls for a new target.
     */
    boolean refreshSubscriptions(MetadataImage image, boolean membershipChanged) {
        if (image == resolvedAgainst && !membershipChanged) {
            return false;
        }
        resolvedAgainst = image;
        Map<Uuid, SubscribedTopic> topics = new TreeMap<>();
        for (ConsumerGroupMember m : members.values()) {
            Set<Uuid> ids = new HashSet<>();
            if (m.subscribedTopicRegex == null) {
                for (String name : m.subscribedTopicNames) {
                    TopicImage t = image.topics().byName().get(name);
                    if (t != null) {
                        ids.add(t.id());
                        topics.put(t.id(), new SubscribedTopic(t.id(), t.name(), t.numPartitions()));
                    }
                }
            } else {
                for (TopicImage t : image.topics().byName().values()) {
                    if (m.subscribesTo(t.name())) {
                        ids.add(t.id());
                        topics.put(t.id(), new SubscribedTopic(t.id(), t.name(), t.numPartitions()));
                    }
                }
            }
            m.resolvedTopics = Set.copyOf(ids);
        }
        boolean changed = !topics.equals(subscribedTopics);
        subscribedTopics = Map.copyOf(topics);
        return changed;
    }

    /** The whole group as its record stores it. */
    StoredConsumerGroup toStored() {
        List<StoredTopic> topics = new ArrayList<>();
        new TreeMap<>(subscribedTopics).values().forEach(t -> topics.add(new StoredTopic(t.id(), t.name(), t.numPartitions())));
        List<StoredMember> stored = new ArrayList<>(members.size());
        for (ConsumerGroupMember m : members.values()) {
            stored.add(new StoredMember(m.memberId, m.instanceId, m.rackId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, List.copyOf(m.subscribedTopicNames),
                    m.subscribedTopicRegex == null ? null : m.subscribedTopicRegex.pattern(), m.serverAssignor,
                    m.leftStatically, m.assignment, targetOf(m.memberId)));
        }
        return new StoredConsumerGroup(groupEpoch, targetEpoch, assignorName, topics, stored);
    }

    /**
     * The group a record stored. Members' subscriptions resolve again against the next image; the
     * stored subscribed topics are what that resolution compares with, so a topic that changed
     * while the group was away still moves the group epoch, and one that did not leaves it alone.
     */
    static ConsumerGroup restore(String groupId, StoredConsumerGroup s) {
        ConsumerGroup group = new ConsumerGroup(groupId, s.assignorName());
        group.groupEpoch = s.groupEpoch();
        group.targetEpoch = s.targetEpoch();
        Map<Uuid, SubscribedTopic> topics = new TreeMap<>();
        s.subscribedTopics().forEach(t -> topics.put(t.id(), new SubscribedTopic(t.id(), t.name(), t.numPartitions())));
        group.subscribedTopics = Map.copyOf(topics);
        for (StoredMember sm : s.members()) {
            ConsumerGroupMember m = new ConsumerGroupMember(sm.memberId(), sm.instanceId());
            m.rackId = sm.rackId();
            m.clientId = sm.clientId();
            m.clientHost = sm.clientHost();
            m.rebalanceTimeoutMs = sm.rebalanceTimeoutMs();
            m.subscribe(sm.subscribedTopicNames());
            m.subscribe(sm.subscribedTopicRegex() == null ? null : Pattern.compile(sm.subscribedTopicRegex()));
            m.serverAssignor = sm.serverAssignor();
            m.leftStatically = sm.leftStatically();
            m.assignment = sm.assignment();
            group.add(m);
            group.target.put(m.memberId, sm.target());
        }
        group.stored = s;
        return group;
    }

    /** Computes the target assignment for the current group epoch. */
    void computeTarget(PartitionAssignor assignor) {
        TreeMap<String, Set<Uuid>> memberTopics = new TreeMap<>();
        Map<String, Assignment> owned = new HashMap<>();
        members.values().forEach(m -> {
            memberTopics.put(m.memberId, m.resolvedTopics);
            owned.put(m.memberId, m.assignment.owned());
        });
        target = new HashMap<>(assignor.assign(new AssignmentSpec(memberTopics, Map.copyOf(target), owned,
                subscribedTopics)));
        targetEpoch = groupEpoch;
        assignorName = assignor.name();
    }
}
