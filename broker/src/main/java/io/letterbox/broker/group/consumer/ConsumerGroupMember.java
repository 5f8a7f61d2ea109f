package io.letterbox.broker.group.consumer;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Pattern;

import org.apache.kafka.common.Uuid;

/**
 * One member of a {@link ConsumerGroup}: what it subscribes to, who it is, and where its
 * assignment stands. Not thread-safe: read and written under the group's monitor only.
 */
final class ConsumerGroupMember {

    /** The epoch ConsumerGroupDescribe and epoch checks see for a static member that left for now. */
    static final int STATIC_LEFT_EPOCH = -2;

    final String memberId;
    final String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    SortedSet<String> subscribedTopicNames = Collections.emptySortedSet();
    /** Null when the member subscribes by names only. */
    Pattern subscribedTopicRegex;
    /** The assignor it asked for, null for the group's default. */
    String serverAssignor;
    MemberAssignment assignment = MemberAssignment.NEW;
    /** A static member that sent epoch -2: it keeps its partitions until it rejoins or its session ends. */
    boolean leftStatically;
    /** The ids of the existing topics it subscribes to, as of the group's last subscription refresh. */
    Set<Uuid> resolvedTopics = Set.of();
    ScheduledFuture<?> sessionExpiry;
    ScheduledFuture<?> rebalanceDeadline;

    ConsumerGroupMember(String memberId, String instanceId) {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }

    /** A static member restarted under {@code newMemberId}: everything but the id carries over. */
    ConsumerGroupMember withId(String newMemberId) {
        ConsumerGroupMember m = new ConsumerGroupMember(newMemberId, instanceId);
        m.rackId = rackId;
        m.clientId = clientId;
        m.clientHost = clientHost;
        m.rebalanceTimeoutMs = rebalanceTimeoutMs;
        m.subscribedTopicNames = subscribedTopicNames;
        m.subscribedTopicRegex = subscribedTopicRegex;
        m.serverAssignor = serverAssignor;
        m.assignment = assignment;
        m.resolvedTopics = resolvedTopics;
        return m;
    }

    /** The epoch the member has as far as clients and describe are concerned. */
    int epoch() {
        return leftStatically ? STATIC_LEFT_EPOCH : assignment.epoch();
    }

    /** Whether it subscribes to this topic, by name or by its regular expression. */
    boolean subscribesTo(String topic) {
        return subscribedTopicNames.contains(topic)
                || (subscribedTopicRegex != null && subscribedTopicRegex.matcher(topic).matches());
    }

    /** Replaces the subscription; true when it differs from the old one. */
    boolean subscribe(List<String> names) {
        SortedSet<String> next = Collections.unmodifiableSortedSet(new TreeSet<>(names));
        boolean changed = !next.equals(subscribedTopicNames);
        subscribedTopicNames = next;
        return changed;
    }

    /** Replaces the regular expression ("" clears it); true when it differs from the old one. */
    boolean subscribe(Pattern regex) {
        String before = subscribedTopicRegex == null ? "" : subscribedTopicRegex.pattern();
        String after = regex == null ? "" : regex.pattern();
        subscribedTopicRegex = after.isEmpty() ? null : regex;
        return !before.equals(after);
    }
}
