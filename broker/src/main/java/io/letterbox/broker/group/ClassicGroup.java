package io.letterbox.broker.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.types.SchemaException;

import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.group.GroupMetadataRecords.MemberMetadata;

/**
 * One classic-protocol group in memory: its members, generation, chosen protocol and state.
 *
 * <p>Not thread-safe by itself: every read and write happens while holding the group's monitor
 * ({@code synchronized (group)}), which {@link ClassicGroupCoordinator} takes for each request
 * and each timer event. That monitor is the per-group lock; groups never lock each other.
 */
public final class ClassicGroup {

    /** Kafka's classic group states, with the names DescribeGroups and ListGroups report. */
    public enum State {
        EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
        STABLE("Stable"), DEAD("Dead");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** The name on the wire. */
        public String label() {
            return label;
        }
    }

    /** One member. Its futures are set while it waits in JoinGroup or SyncGroup. */
    static final class Member {
        String memberId;
        final String groupInstanceId;
        String clientId;
        String clientHost;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        String protocolType;
        /** Protocol name to metadata, in the member's order of preference. */
        LinkedHashMap<String, byte[]> protocols;
        byte[] assignment = new byte[0];
        CompletableFuture<JoinGroupResponseData> joinFuture;
        CompletableFuture<SyncGroupResponseData> syncFuture;
        ScheduledFuture<?> sessionExpiry;
        /** Joined in the current rebalance and not yet answered: counts as "new" (KIP-394). */
        boolean isNew;

        Member(String memberId, String groupInstanceId) {
            this.memberId = memberId;
            this.groupInstanceId = groupInstanceId;
        }

        boolean awaitingJoin() {
            return joinFuture != null;
        }

        boolean awaitingSync() {
            return syncFuture != null;
        }

        boolean sameProtocols(LinkedHashMap<String, byte[]> other) {
            if (!protocols.keySet().equals(other.keySet())) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : protocols.entrySet()) {
                if (!java.util.Arrays.equals(e.getValue(), other.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    final String groupId;
    State state = State.EMPTY;
    /** When the group entered its state (ms); an empty group's offsets expire counting from it. */
    long stateTimestampMs;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    /**
     * The topics the members of this generation subscribe to, read from their {@code consumer}
     * protocol metadata; empty for an empty group or another protocol; null when some member's
     * subscription could not be read.
     */
    Set<String> subscribedTopics = Set.of();
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    /** group.instance.id to its current member id (KIP-345). */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry. */
    final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    /** The timer ending the current join phase (rebalance timeout or initial delay). */
    ScheduledFuture<?> joinDeadline;
    /** The timer ending the current sync phase (rebalance timeout). */
    ScheduledFuture<?> syncDeadline;
    /** Initial delayed join: a member was added since the delay was last (re)armed. */
    boolean newMemberAdded;
    boolean initialDelayActive;
    long initialDelayRemainingMs;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.stateTimestampMs = nowMs;
    }

    /**
     * A group as its last stored metadata describes it: Empty without members, else Stable with
     * them, each member supporting only the chosen protocol (its metadata is all that is stored).
     */
    static ClassicGroup restore(String groupId, GroupMetadata stored) {
        ClassicGroup group = new ClassicGroup(groupId, stored.stateTimestampMs());
        group.protocolType = stored.protocolType();
        group.generationId = stored.generationId();
        group.protocolName = stored.protocolName();
        group.leaderId = stored.leaderId();
        group.state = stored.members().isEmpty() ? State.EMPTY : State.STABLE;
        for (MemberMetadata m : stored.members()) {
            Member member = new Member(m.memberId(), m.groupInstanceId());
            member.clientId = m.clientId();
            member.clientHost = m.clientHost();
            member.sessionTimeoutMs = m.sessionTimeoutMs();
            member.rebalanceTimeoutMs = m.rebalanceTimeoutMs();
            member.protocolType = stored.protocolType();
            member.protocols = new LinkedHashMap<>();
            member.protocols.put(stored.protocolName(), m.subscription());
            member.assignment = m.assignment();
            group.members.put(m.memberId(), member);
            if (m.groupInstanceId() != null) {
                group.staticMembers.put(m.groupInstanceId(), m.memberId());
            }
        }
        group.subscribedTopics = group.readSubscriptions();
        return group;
    }

    /** The metadata to store: the current members with {@code assignments} (by member id; missing: none). */
    GroupMetadata toMetadata(Map<String, byte[]> assignments) {
        List<MemberMetadata> stored = new ArrayList<>(members.size());
        for (Member m : members.values()) {
            stored.add(new MemberMetadata(m.memberId, m.groupInstanceId, m.clientId == null ? "" : m.clientId,
                    m.clientHost == null ? "" : m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs,
                    m.protocols.getOrDefault(protocolName, new byte[0]),
                    assignments.getOrDefault(m.memberId, new byte[0])));
        }
        return new GroupMetadata(protocolType, generationId, protocolName, leaderId, stateTimestampMs, stored);
    }

    /** The metadata to store with each member's current assignment. */
    GroupMetadata toMetadata() {
        Map<String, byte[]> assignments = new HashMap<>();
        members.values().forEach(m -> assignments.put(m.memberId, m.assignment));
        return toMetadata(assignments);
    }

    /** Whether the members speak the consumer protocol, whose subscriptions the broker can read. */
    boolean usesConsumerProtocol() {
        return ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType);
    }

    /** The union of the members' subscribed topics for the chosen protocol (see {@link #subscribedTopics}). */
    Set<String> readSubscriptions() {
        if (members.isEmpty() || !usesConsumerProtocol() || protocolName == null) {
            return Set.of();
        }
        Set<String> topics = new HashSet<>();
        for (Member m : members.values()) {
            byte[] metadata = m.protocols.get(protocolName);
            if (metadata == null) {
                return null;
            }
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
            } catch (SchemaException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
                return null;
            }
        }
        return topics;
    }

    int numAwaitingJoin() {
        return (int) members.values().stream().filter(Member::awaitingJoin).count();
    }

    public String groupId() {
        return groupId;
    }

    /** Call under the group's monitor. */
    public State state() {
        return state;
    }

    /** Call under the group's monitor. */
    public int generationId() {
        return generationId;
    }

    /** Call under the group's monitor. */
    public String protocolType() {
        return protocolType;
    }

    /** Call under the group's monitor. */
    public String protocolName() {
        return protocolName;
    }

    /** Call under the group's monitor. */
    public String leaderId() {
        return leaderId;
    }

    /** Call under the group's monitor. */
    public int size() {
        return members.size();
    }

    boolean allMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(Member::awaitingJoin);
    }

    int maxRebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }

    /** Protocols every member supports, or (with no members) any. */
    Set<String> commonProtocols() {
        Set<String> common = null;
        for (Member m : members.values()) {
            if (common == null) {
                common = new HashSet<>(m.protocols.keySet());
            } else {
                common.retainAll(m.protocols.keySet());
            }
        }
        return common;
    }

    /** Whether a member with these protocols could join: same type and at least one shared name. */
    boolean supports(String type, Set<String> protocols) {
        if (members.isEmpty()) {
            return type != null && !type.isEmpty() && !protocols.isEmpty();
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        Set<String> common = commonProtocols();
        common.retainAll(protocols);
        return !common.isEmpty();
    }

    /**
     * Kafka's vote: among the protocols all members support, each member votes for the first
     * in its own order; the most votes wins, ties going to the earliest-listed in the leader's order.
     */
    String selectProtocol() {
        Set<String> common = commonProtocols();
        Map<String, Integer> votes = new HashMap<>();
        for (Member m : members.values()) {
            for (String p : m.protocols.keySet()) {
                if (common.contains(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        List<String> order = new ArrayList<>(members.get(leaderId) != null
                ? members.get(leaderId).protocols.keySet() : members.values().iterator().next().protocols.keySet());
        String best = null;
        int bestVotes = -1;
        for (String p : order) {
            int v = votes.getOrDefault(p, 0);
            if (common.contains(p) && v > bestVotes) {
                best = p;
                bestVotes = v;
            }
        }
        return best;
    }
}
