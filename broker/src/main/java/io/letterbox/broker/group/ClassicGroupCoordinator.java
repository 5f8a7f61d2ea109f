package io.letterbox.broker.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.group.ClassicGroup.Member;
import io.letterbox.broker.group.ClassicGroup.State;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.handler.ErrorMapping;

/**
 * The classic consumer group protocol's membership: JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup move each {@link ClassicGroup} through Kafka's states (Empty, PreparingRebalance,
 * CompletingRebalance, Stable, Dead).
 *
 * <p>JoinGroup and SyncGroup answer with futures that complete when the rebalance reaches the
 * point the caller waits for: every known member has rejoined (or the rebalance timeout
 * passed, dropping those that did not), or the leader's assignment is stored. Session
 * timeouts, rebalance timeouts and the initial rebalance delay are tasks on one timer thread.
 *
 * <p>Persistence: the group's metadata goes to its {@link ClassicGroupStore} when a rebalance
 * completes (the leader's SyncGroup is answered, and the group becomes Stable, once it is
 * durable), when the group becomes Empty, and when a static member takes a new member id. When
 * the store's partition is loaded, {@link #onLoaded} restores the groups: Empty ones as they were,
 * the others Stable with their members, whose sessions start then, so that members that come back
 * carry on at their generation and those that do not are removed after their session timeout.
 *
 * <p>Thread-safe: each group is guarded by its own monitor; a request or a timer event takes
 * only that group's. Futures are completed while holding it, so their callbacks must not block
 * or call back into this coordinator. Store completions run on the timer thread, never on the
 * thread that completes the write (which may hold log locks).
 */
public final class ClassicGroupCoordinator implements ManagedGroups, GroupLoadListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClassicGroupCoordinator.class);

    /** The classic group type ListGroups v5 reports. */
    public static final String GROUP_TYPE = "classic";

    /** The limits a broker enforces, from {@code group.*} broker keys. */
    public record Limits(int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize, int initialRebalanceDelayMs) {
    }

    /** How long a group metadata write may take, as Kafka's {@code offsets.commit.timeout.ms} default. */
    private static final long STORE_TIMEOUT_MS = 5_000;

    private final Limits limits;
    private final ClassicGroupStore store;
    private final ConcurrentHashMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();
    private final GroupTimer timer;
    /** Runs store completions on the timer thread; after {@link #close()} they are dropped (close answered their requests). */
    private final Executor storeCallbacks;

    /** A coordinator that serves every group and keeps them in memory only (tests of the state machine). */
    public ClassicGroupCoordinator(Limits limits) {
        this(limits, ClassicGroupStore.IN_MEMORY);
    }

    public ClassicGroupCoordinator(Limits limits, ClassicGroupStore store) {
        this.limits = limits;
        this.store = store;
        timer = new GroupTimer("letterbox-group-timer");
        storeCallbacks = timer.executor();
    }

    /** NONE, or the error a request for this group must answer because another broker (or none yet) serves it. */
    public Errors checkCoordinator(String groupId) {
        try {
            store.checkCoordinator(groupId);
            return Errors.NONE;
        } catch (org.apache.kafka.common.errors.ApiException e) {
            return Errors.forException(e);
        }
    }

    // ---- JoinGroup --------------------------------------------------------------------------

    /**
     * Joins (or rejoins) a member. {@code requireKnownMemberId} is true from JoinGroup v4: a
     * dynamic member without an id gets one back with MEMBER_ID_REQUIRED and must join again
     * with it (KIP-394).
     */
    public CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData request, String clientId,
            String clientHost, boolean requireKnownMemberId) {
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        String groupId = request.groupId();
        String memberId = request.memberId();
        String instanceId = request.groupInstanceId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(joinError(memberId, Errors.INVALID_GROUP_ID));
        }
        Errors notHere = checkCoordinator(groupId);
        if (notHere != Errors.NONE) {
            return CompletableFuture.completedFuture(joinError(memberId, notHere));
        }
        int session = request.sessionTimeoutMs();
        if (session < limits.minSessionTimeoutMs() || session > limits.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
        }
        boolean unknown = memberId == null || memberId.isEmpty();
        ClassicGroup group = unknown ? groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, now()))
                : groups.get(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : request.protocols()) {
            protocols.putIfAbsent(p.name(), p.metadata());
        }
        int rebalanceTimeout = request.rebalanceTimeoutMs() < 0 ? session : request.rebalanceTimeoutMs();
        synchronized (group) {
            if (group.state == State.DEAD) {
                // Removed while we looked it up: the client finds the coordinator again and retries.
                result.complete(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
                return result;
            }
            if (!group.supports(request.protocolType(), protocols.keySet())) {
                result.complete(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
                return result;
            }
            if (unknown) {
                joinUnknown(group, request, protocols, clientId, clientHost, rebalanceTimeout, requireKnownMemberId,
                        result);
            } else {
                joinKnown(group, request, protocols, clientId, clientHost, rebalanceTimeout, result);
            }
        }
        return result;
    }

    private void joinUnknown(ClassicGroup group, JoinGroupRequestData request, LinkedHashMap<String, byte[]> protocols,
            String clientId, String clientHost, int rebalanceTimeout, boolean requireKnownMemberId,
            CompletableFuture<JoinGroupResponseData> result) {
        String instanceId = request.groupInstanceId();
        // Kafka's ids: the instance id for a static member, else the client id, then a UUID.
        String newMemberId = (instanceId != null ? instanceId : clientId == null ? "" : clientId) + "-"
                + UUID.randomUUID();
        if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
            replaceStaticMember(group, request, protocols, clientId, clientHost, rebalanceTimeout, newMemberId, result);
            return;
        }
        if (!acceptsNewMember(group)) {
            result.complete(joinError("", Errors.GROUP_MAX_SIZE_REACHED));
            return;
        }
        if (instanceId == null && requireKnownMemberId) {
            int session = request.sessionTimeoutMs();
            group.pendingMembers.put(newMemberId, timer.schedule(() -> expirePending(group, newMemberId), session));
            result.complete(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
            return;
        }
        addMemberAndRebalance(group, newMemberId, request, protocols, clientId, clientHost, rebalanceTimeout, result);
    }

    /**
     * Kafka's admission rule: an empty group takes anyone; a rebalancing one counts the members
     * that have rejoined; otherwise the members. Members waiting for their id (KIP-394) do not count.
     */
    private boolean acceptsNewMember(ClassicGroup group) {
        return switch (group.state) {
            case EMPTY -> true;
            case PREPARING_REBALANCE -> group.numAwaitingJoin() < limits.maxSize();
            default -> group.members.size() < limits.maxSize();
        };
    }

    private void joinKnown(ClassicGroup group, JoinGroupRequestData request, LinkedHashMap<String, byte[]> protocols,
            String clientId, String clientHost, int rebalanceTimeout, CompletableFuture<JoinGroupResponseData> result) {
        String memberId = request.memberId();
        ScheduledFuture<?> pending = group.pendingMembers.get(memberId);
        if (pending != null) {
            if (!acceptsNewMember(group)) {
                result.complete(joinError("", Errors.GROUP_MAX_SIZE_REACHED));
                return;
            }
            group.pendingMembers.remove(memberId);
            pending.cancel(false);
            addMemberAndRebalance(group, memberId, request, protocols, clientId, clientHost, rebalanceTimeout, result);
            return;
        }
        Errors error = validateMember(group, memberId, request.groupInstanceId());
        if (error != Errors.NONE) {
            result.complete(joinError(memberId, error));
            return;
        }
        Member member = group.members.get(memberId);
        switch (group.state) {
            case PREPARING_REBALANCE -> {
                updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                awaitJoin(group, member, result);
                tryCompleteJoin(group);
            }
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(protocols)) {
                    // A retried join: answer it as the rebalance already did.
                    result.complete(joinResponse(group, member));
                } else {
                    updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                    awaitJoin(group, member, result);
                    prepareRebalance(group, "member " + memberId + " changed its protocols");
                }
            }
            case STABLE -> {
                if (memberId.equals(group.leaderId) || !member.sameProtocols(protocols)) {
                    updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                    awaitJoin(group, member, result);
                    prepareRebalance(group, "member " + memberId + " rejoined");
                } else {
                    result.complete(joinResponse(group, member));
                }
            }
            default -> result.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /**
     * KIP-345: a known group.instance.id joining without a member id is the same consumer
     * restarted. It takes over the old member's place under a new id; the old id is fenced.
     * In a Stable group with unchanged metadata nothing else happens: no rebalance.
     */
    private void replaceStaticMember(ClassicGroup group, JoinGroupRequestData request,
            LinkedHashMap<String, byte[]> protocols, String clientId, String clientHost, int rebalanceTimeout,
            String newMemberId, CompletableFuture<JoinGroupResponseData> result) {
        String oldMemberId = group.staticMembers.get(request.groupInstanceId());
        Member member = group.members.remove(oldMemberId);
        boolean sameProtocols = member.sameProtocols(protocols);
        if (member.joinFuture != null) {
            member.joinFuture.complete(joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
            member.joinFuture = null;
        }
        if (member.syncFuture != null) {
            member.syncFuture.complete(syncError(Errors.FENCED_INSTANCE_ID));
            member.syncFuture = null;
        }
        member.memberId = newMemberId;
        group.members.put(newMemberId, member);
        group.staticMembers.put(request.groupInstanceId(), newMemberId);
        if (oldMemberId.equals(group.leaderId)) {
            group.leaderId = newMemberId;
        }
        switch (group.state) {
            case STABLE -> {
                if (sameProtocols) {
                    member.clientId = clientId;
                    member.clientHost = clientHost;
                    member.sessionTimeoutMs = request.sessionTimeoutMs();
                    member.rebalanceTimeoutMs = rebalanceTimeout;
                    scheduleSessionExpiry(group, member);
                    // The new member id must survive a restart before the member may use it.
                    persist(group, group.toMetadata()).whenCompleteAsync((ok, error) -> {
                        synchronized (group) {
                            onStaticMemberStored(group, member, oldMemberId, request.groupInstanceId(), error, result);
                        }
                    }, storeCallbacks);
                } else {
                    updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                    awaitJoin(group, member, result);
                    prepareRebalance(group, "static member " + request.groupInstanceId() + " changed its protocols");
                }
            }
            case COMPLETING_REBALANCE -> {
                updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                awaitJoin(group, member, result);
                prepareRebalance(group, "static member " + request.groupInstanceId() + " rejoined during sync");
            }
            case PREPARING_REBALANCE -> {
                updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
                awaitJoin(group, member, result);
                tryCompleteJoin(group);
            }
            default -> result.complete(joinError(newMemberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /**
     * The replaced static member's new id is stored, or could not be: answer the join, or undo the
     * replacement (the old id stays valid) and answer the error, as Kafka does.
     */
    private void onStaticMemberStored(ClassicGroup group, Member member, String oldMemberId, String instanceId,
            Throwable error, CompletableFuture<JoinGroupResponseData> result) {
        String newMemberId = member.memberId;
        if (group.members.get(newMemberId) != member) {
            result.complete(joinError(newMemberId, validateMember(group, newMemberId, instanceId)));
            return;
        }
        if (error != null) {
            group.members.remove(newMemberId);
            member.memberId = oldMemberId;
            group.members.put(oldMemberId, member);
            group.staticMembers.put(instanceId, oldMemberId);
            if (newMemberId.equals(group.leaderId)) {
                group.leaderId = oldMemberId;
            }
            result.complete(joinError(newMemberId, ErrorMapping.coordinatorWriteErrorOf(error)));
            return;
        }
        JoinGroupResponseData response = joinResponse(group, member);
        // The leader keeps its assignment; it must not compute a new one (KIP-814).
        response.setSkipAssignment(newMemberId.equals(group.leaderId));
        result.complete(response);
    }

    private void addMemberAndRebalance(ClassicGroup group, String memberId, JoinGroupRequestData request,
            LinkedHashMap<String, byte[]> protocols, String clientId, String clientHost, int rebalanceTimeout,
            CompletableFuture<JoinGroupResponseData> result) {
        Member member = new Member(memberId, request.groupInstanceId());
        member.isNew = true;
        updateMember(member, protocols, clientId, clientHost, request, rebalanceTimeout);
        if (group.members.isEmpty()) {
            group.protocolType = request.protocolType();
        }
        group.members.put(memberId, member);
        if (member.groupInstanceId != null) {
            group.staticMembers.put(member.groupInstanceId, memberId);
        }
        if (group.leaderId == null) {
            group.leaderId = memberId;
        }
        group.newMemberAdded = true;
        awaitJoin(group, member, result);
        if (group.state == State.PREPARING_REBALANCE) {
            tryCompleteJoin(group);
        } else {
            prepareRebalance(group, "member " + memberId + " joined");
        }
    }

    private static void updateMember(Member member, LinkedHashMap<String, byte[]> protocols, String clientId,
            String clientHost, JoinGroupRequestData request, int rebalanceTimeout) {
        member.protocols = protocols;
        member.protocolType = request.protocolType();
        member.clientId = clientId;
        member.clientHost = clientHost;
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = rebalanceTimeout;
    }

    private static void awaitJoin(ClassicGroup group, Member member, CompletableFuture<JoinGroupResponseData> result) {
        if (member.joinFuture != null && member.joinFuture != result) {
            // The client gave up on its earlier join and sent another: only the newest is answered.
            member.joinFuture.complete(joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.joinFuture = result;
    }

    // ---- rebalance --------------------------------------------------------------------------

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.state == State.COMPLETING_REBALANCE) {
            for (Member m : group.members.values()) {
                m.assignment = new byte[0];
                if (m.syncFuture != null) {
                    m.syncFuture.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                    m.syncFuture = null;
                }
            }
        }
        GroupTimer.cancel(group.syncDeadline);
        group.syncDeadline = null;
        boolean initial = group.state == State.EMPTY;
        transition(group, State.PREPARING_REBALANCE);
        log.debug("Group {} rebalancing (generation {}): {}", group.groupId, group.generationId, reason);
        GroupTimer.cancel(group.joinDeadline);
        int rebalanceTimeout = group.maxRebalanceTimeoutMs();
        if (initial && limits.initialRebalanceDelayMs() > 0) {
            // A new group waits for more members before its first generation, extending the
            // wait while members keep arriving, up to the rebalance timeout.
            int delay = Math.min(limits.initialRebalanceDelayMs(), rebalanceTimeout);
            group.initialDelayActive = true;
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(0, rebalanceTimeout - delay);
            group.joinDeadline = timer.schedule(() -> onInitialDelay(group), delay);
        } else {
            group.initialDelayActive = false;
            group.joinDeadline = timer.schedule(() -> onRebalanceTimeout(group), rebalanceTimeout);
            tryCompleteJoin(group);
        }
    }

    private void onInitialDelay(ClassicGroup group) {
        synchronized (group) {
            if (group.state != State.PREPARING_REBALANCE || !group.initialDelayActive) {
                return;
            }
            if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
                long delay = Math.min(limits.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
                group.initialDelayRemainingMs -= delay;
                group.newMemberAdded = false;
                group.joinDeadline = timer.schedule(() -> onInitialDelay(group), delay);
                return;
            }
            group.initialDelayActive = false;
            completeJoin(group);
        }
    }

    private void onRebalanceTimeout(ClassicGroup group) {
        synchronized (group) {
            if (group.state == State.PREPARING_REBALANCE && !group.initialDelayActive) {
                completeJoin(group);
            }
        }
    }

    private void tryCompleteJoin(ClassicGroup group) {
        if (group.state == State.PREPARING_REBALANCE && !group.initialDelayActive && group.allMembersJoined()) {
            completeJoin(group);
        }
    }

    /**
     * Ends the join phase: members that did not rejoin leave (static members stay, their
     * session decides), the generation advances, a protocol is chosen, and every waiting
     * join is answered, the leader's with all members' metadata.
     */
    private void completeJoin(ClassicGroup group) {
        GroupTimer.cancel(group.joinDeadline);
        group.joinDeadline = null;
        for (Member m : new ArrayList<>(group.members.values())) {
            if (!m.awaitingJoin() && m.groupInstanceId == null) {
                removeMember(group, m);
            }
        }
        for (ScheduledFuture<?> f : group.pendingMembers.values()) {
            f.cancel(false);
        }
        group.pendingMembers.clear();
        group.generationId++;
        if (group.members.isEmpty()) {
            // The protocol type stays: Kafka describes an empty consumer group as "consumer".
            transition(group, State.EMPTY);
            group.protocolName = null;
            group.leaderId = null;
            group.subscribedTopics = Set.of();
            log.debug("Group {} is empty at generation {}", group.groupId, group.generationId);
            int generation = group.generationId;
            persist(group, group.toMetadata()).whenComplete((ok, error) -> {
                if (error != null) {
                    // The next rebalance stores the group again; until then a restart brings back the old generation.
                    log.warn("Could not store empty group {} at generation {}: {}", group.groupId, generation,
                            ErrorMapping.unwrap(error).toString());
                }
            });
            return;
        }
        if (group.leaderId == null || !group.members.containsKey(group.leaderId)
                || !group.members.get(group.leaderId).awaitingJoin()) {
            group.leaderId = group.members.values().stream().filter(Member::awaitingJoin).findFirst()
                    .orElse(group.members.values().iterator().next()).memberId;
        }
        group.protocolName = group.selectProtocol();
        group.subscribedTopics = group.readSubscriptions();
        transition(group, State.COMPLETING_REBALANCE);
        log.info("Group {} generation {} with {} members (classic protocol, assignor {})", group.groupId,
                group.generationId, group.members.size(), group.protocolName);
        for (Member m : group.members.values()) {
            if (m.joinFuture != null) {
                CompletableFuture<JoinGroupResponseData> f = m.joinFuture;
                m.joinFuture = null;
                m.isNew = false;
                scheduleSessionExpiry(group, m);
                f.complete(joinResponse(group, m));
            }
        }
        int generation = group.generationId;
        group.syncDeadline = timer.schedule(() -> onSyncTimeout(group, generation), group.maxRebalanceTimeoutMs());
    }

    /** The leader never sent its assignment in time: members that did not sync are removed. */
    private void onSyncTimeout(ClassicGroup group, int generation) {
        synchronized (group) {
            if (group.state != State.COMPLETING_REBALANCE || group.generationId != generation) {
                return;
            }
            for (Member m : new ArrayList<>(group.members.values())) {
                if (!m.awaitingSync()) {
                    removeMember(group, m);
                }
            }
            prepareRebalance(group, "members did not sync within the rebalance timeout");
        }
    }

    private JoinGroupResponseData joinResponse(ClassicGroup group, Member member) {
        JoinGroupResponseData out = new JoinGroupResponseData()
                .setGenerationId(group.generationId)
                .setProtocolType(group.protocolType)
                .setProtocolName(group.protocolName)
                .setLeader(group.leaderId)
                .setMemberId(member.memberId);
        if (member.memberId.equals(group.leaderId)) {
            List<JoinGroupResponseMember> all = new ArrayList<>();
            for (Member m : group.members.values()) {
                all.add(new JoinGroupResponseMember().setMemberId(m.memberId)
                        .setGroupInstanceId(m.groupInstanceId)
                        .setMetadata(m.protocols.get(group.protocolName)));
            }
            out.setMembers(all);
        }
        return out;
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
                .setProtocolName("").setLeader("").setMemberId(memberId == null ? "" : memberId);
    }

    // ---- SyncGroup --------------------------------------------------------------------------

    /** Waits for the leader's assignment in CompletingRebalance; answers at once when Stable. */
    public CompletableFuture<SyncGroupResponseData> sync(SyncGroupRequestData request) {
        Errors notHere = checkCoordinator(request.groupId());
        if (notHere != Errors.NONE) {
            return CompletableFuture.completedFuture(syncError(notHere));
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return CompletableFuture.completedFuture(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        CompletableFuture<SyncGroupResponseData> result = new CompletableFuture<>();
        synchronized (group) {
            Errors error = validateMember(group, request.memberId(), request.groupInstanceId());
            if (error == Errors.NONE && request.generationId() != group.generationId) {
                error = Errors.ILLEGAL_GENERATION;
            }
            if (error == Errors.NONE && ((request.protocolType() != null
                    && !request.protocolType().equals(group.protocolType))
                    || (request.protocolName() != null && !request.protocolName().equals(group.protocolName)))) {
                error = Errors.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (error != Errors.NONE) {
                result.complete(syncError(error));
                return result;
            }
            Member member = group.members.get(request.memberId());
            switch (group.state) {
                case PREPARING_REBALANCE -> result.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                case COMPLETING_REBALANCE -> {
                    if (member.syncFuture != null && member.syncFuture != result) {
                        member.syncFuture.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                    }
                    member.syncFuture = result;
                    scheduleSessionExpiry(group, member);
                    if (member.memberId.equals(group.leaderId)) {
                        Map<String, byte[]> assignments = new HashMap<>();
                        for (SyncGroupRequestAssignment a : request.assignments()) {
                            if (group.members.containsKey(a.memberId())) {
                                assignments.put(a.memberId(), a.assignment());
                            }
                        }
                        int generation = group.generationId;
                        persist(group, group.toMetadata(assignments)).whenCompleteAsync((ok, e) -> {
                            synchronized (group) {
                                onAssignmentStored(group, generation, assignments, e);
                            }
                        }, storeCallbacks);
                    }
                }
                case STABLE -> {
                    scheduleSessionExpiry(group, member);
                    result.complete(syncResponse(group, member));
                }
                default -> result.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        return result;
    }

    /**
     * The leader's assignment is durable (or could not be stored): the generation becomes Stable
     * and every waiting member gets its part, or every waiting member gets the error and the group
     * rebalances. Nothing to do when another rebalance has begun meanwhile; its start answered them.
     */
    private void onAssignmentStored(ClassicGroup group, int generation, Map<String, byte[]> assignments,
            Throwable error) {
        if (group.state != State.COMPLETING_REBALANCE || group.generationId != generation) {
            return;
        }
        if (error != null) {
            Errors code = ErrorMapping.coordinatorWriteErrorOf(error);
            for (Member m : group.members.values()) {
                if (m.syncFuture != null) {
                    m.syncFuture.complete(syncError(code));
                    m.syncFuture = null;
                }
            }
            prepareRebalance(group, "storing the assignment failed with " + code);
            return;
        }
        for (Member m : group.members.values()) {
            m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
        }
        GroupTimer.cancel(group.syncDeadline);
        group.syncDeadline = null;
        transition(group, State.STABLE);
        for (Member m : group.members.values()) {
            if (m.syncFuture != null) {
                CompletableFuture<SyncGroupResponseData> f = m.syncFuture;
                m.syncFuture = null;
                f.complete(syncResponse(group, m));
            }
        }
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, Member member) {
        return new SyncGroupResponseData().setProtocolType(group.protocolType).setProtocolName(group.protocolName)
                .setAssignment(member.assignment);
    }

    static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    // ---- Heartbeat --------------------------------------------------------------------------

    /** Keeps a member's session alive and tells it whether a rebalance is under way. */
    public Errors heartbeat(HeartbeatRequestData request) {
        Errors notHere = checkCoordinator(request.groupId());
        if (notHere != Errors.NONE) {
            return notHere;
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (group) {
            Errors error = validateMember(group, request.memberId(), request.groupInstanceId());
            if (error != Errors.NONE) {
                return error;
            }
            if (request.generationId() != group.generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
            Member member = group.members.get(request.memberId());
            scheduleSessionExpiry(group, member);
            return group.state == State.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    // ---- LeaveGroup -------------------------------------------------------------------------

    /** Removes members (by member id, or by instance id for static members); one answer each. */
    public List<MemberResponse> leave(String groupId, List<MemberIdentity> leaving) {
        List<MemberResponse> out = new ArrayList<>();
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            for (MemberIdentity id : leaving) {
                out.add(memberResponse(id, Errors.UNKNOWN_MEMBER_ID));
            }
            return out;
        }
        synchronized (group) {
            boolean removed = false;
            for (MemberIdentity id : leaving) {
                String memberId = id.memberId();
                if (id.groupInstanceId() != null) {
                    String current = group.staticMembers.get(id.groupInstanceId());
                    if (current == null) {
                        out.add(memberResponse(id, Errors.UNKNOWN_MEMBER_ID));
                        continue;
                    }
                    if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                        out.add(memberResponse(id, Errors.FENCED_INSTANCE_ID));
                        continue;
                    }
                    memberId = current;
                }
                ScheduledFuture<?> pending = group.pendingMembers.remove(memberId);
                if (pending != null) {
                    pending.cancel(false);
                    out.add(memberResponse(id, Errors.NONE));
                    removed = true;
                    continue;
                }
                Member member = group.members.get(memberId);
                if (member == null || group.state == State.DEAD) {
                    out.add(memberResponse(id, Errors.UNKNOWN_MEMBER_ID));
                    continue;
                }
                log.debug("Member {} leaves group {}", memberId, groupId);
                removeMember(group, member);
                out.add(memberResponse(id, Errors.NONE));
                removed = true;
            }
            if (removed) {
                onMembershipChanged(group, "members left");
            }
        }
        return out;
    }

    private static MemberResponse memberResponse(MemberIdentity id, Errors error) {
        return new MemberResponse().setMemberId(id.memberId()).setGroupInstanceId(id.groupInstanceId())
                .setErrorCode(error.code());
    }

    // ---- membership helpers -----------------------------------------------------------------

    /** Kafka's member check: a static instance must be known and hold this member id; a dynamic member must exist. */
    private static Errors validateMember(ClassicGroup group, String memberId, String instanceId) {
        if (group.state == State.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (instanceId != null) {
            String current = group.staticMembers.get(instanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return current.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        if (memberId == null || !group.members.containsKey(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return Errors.NONE;
    }

    /** Takes a member out; waiting requests of its are answered UNKNOWN_MEMBER_ID. */
    private void removeMember(ClassicGroup group, Member member) {
        group.members.remove(member.memberId);
        if (member.groupInstanceId != null) {
            group.staticMembers.remove(member.groupInstanceId, member.memberId);
        }
        GroupTimer.cancel(member.sessionExpiry);
        if (member.joinFuture != null) {
            member.joinFuture.complete(joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
            member.joinFuture = null;
        }
        if (member.syncFuture != null) {
            member.syncFuture.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            member.syncFuture = null;
        }
        if (member.memberId.equals(group.leaderId)) {
            group.leaderId = group.members.isEmpty() ? null : group.members.keySet().iterator().next();
        }
    }

    private void onMembershipChanged(ClassicGroup group, String reason) {
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(group);
            default -> {
            }
        }
    }

    private void scheduleSessionExpiry(ClassicGroup group, Member member) {
        GroupTimer.cancel(member.sessionExpiry);
        Member m = member;
        member.sessionExpiry = timer.schedule(() -> expireSession(group, m), member.sessionTimeoutMs);
    }

    /**
     * A member's session ran out. One waiting in JoinGroup or SyncGroup is not heartbeating by
     * design, so the rebalance timeout judges it instead and its session starts again.
     */
    private void expireSession(ClassicGroup group, Member member) {
        synchronized (group) {
            if (group.members.get(member.memberId) != member) {
                return;
            }
            if (member.awaitingJoin() || member.awaitingSync()) {
                scheduleSessionExpiry(group, member);
                return;
            }
            log.info("Member {} of group {} timed out after {} ms without a heartbeat", member.memberId,
                    group.groupId, member.sessionTimeoutMs);
            removeMember(group, member);
            onMembershipChanged(group, "session of " + member.memberId + " expired");
        }
    }

    private void expirePending(ClassicGroup group, String memberId) {
        synchronized (group) {
            if (group.pendingMembers.remove(memberId) != null) {
                tryCompleteJoin(group);
            }
        }
    }

    /** Under the group's monitor: enters {@code state} now. */
    private void transition(ClassicGroup group, State state) {
        group.state = state;
        group.stateTimestampMs = now();
    }

    /** Writes the group's metadata; durable when the future completes, at most {@link #STORE_TIMEOUT_MS} later. */
    private CompletableFuture<Void> persist(ClassicGroup group, GroupMetadata metadata) {
        try {
            return store.storeGroup(group.groupId, metadata, now()).orTimeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                            ErrorMapping.unwrap(e) instanceof java.util.concurrent.TimeoutException
                                    ? new org.apache.kafka.common.errors.TimeoutException("group metadata not durable in time")
                                    : e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    // ---- offsets ----------------------------------------------------------------------------

    /**
     * The membership check OffsetCommit and OffsetFetch ask for, as Kafka's classic groups
     * answer it: a commit without generation (-1) is accepted while the group is Empty; otherwise
     * the member (or static instance) must be current and at the current generation, and not while
     * the assignment is being handed out (REBALANCE_IN_PROGRESS in CompletingRebalance; during
     * PreparingRebalance the old generation may still commit, as eager consumers do when their
     * partitions are revoked). A member's commit counts as a heartbeat. Groups this coordinator
     * does not manage are {@code simple}'s to judge.
     */
    public GroupMembership membership(GroupMembership simple) {
        return new GroupMembership() {
            @Override
            public void validateOffsetCommit(String groupId, boolean groupExists, int generationId, String memberId,
                    String groupInstanceId, short apiVersion) {
                ClassicGroup group = groups.get(groupId);
                if (group == null) {
                    simple.validateOffsetCommit(groupId, groupExists, generationId, memberId, groupInstanceId,
                            apiVersion);
                    return;
                }
                synchronized (group) {
                    validateCommit(group, generationId, memberId, groupInstanceId);
                }
            }

            @Override
            public void validateOffsetFetch(String groupId, boolean groupExists, String memberId, int memberEpoch,
                    short apiVersion) {
                simple.validateOffsetFetch(groupId, groupExists || manages(groupId), memberId, memberEpoch, apiVersion);
            }
        };
    }

    /** Under the group's monitor. */
    private void validateCommit(ClassicGroup group, int generationId, String memberId, String instanceId) {
        if (group.state == State.DEAD) {
            throw new CoordinatorNotAvailableException("Group " + group.groupId + " is being removed.");
        }
        if (generationId < 0 && group.state == State.EMPTY) {
            return;
        }
        if (generationId >= 0 || (memberId != null && !memberId.isEmpty()) || instanceId != null) {
            switch (validateMember(group, memberId, instanceId)) {
                case FENCED_INSTANCE_ID -> throw new FencedInstanceIdException("Instance " + instanceId
                        + " of group " + group.groupId + " has a newer member id than " + memberId + ".");
                case UNKNOWN_MEMBER_ID -> throw new UnknownMemberIdException("Group " + group.groupId
                        + " has no member " + memberId + ".");
                default -> {
                }
            }
            if (generationId != group.generationId) {
                throw new IllegalGenerationException("Generation " + generationId + " is not group " + group.groupId
                        + "'s generation " + group.generationId + ".");
            }
        } else {
            throw new UnknownMemberIdException("Group " + group.groupId
                    + " has members: only they may commit, with their member id and generation.");
        }
        if (group.state == State.COMPLETING_REBALANCE) {
            throw new RebalanceInProgressException("Group " + group.groupId + " is completing a rebalance.");
        }
        scheduleSessionExpiry(group, group.members.get(memberId));
    }

    // ---- ManagedGroups: admin APIs and expiry ------------------------------------------------

    @Override
    public String groupType() {
        return GROUP_TYPE;
    }

    @Override
    public boolean manages(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return false;
        }
        synchronized (group) {
            return group.state != State.DEAD;
        }
    }

    @Override
    public Collection<String> groupIds() {
        return new ArrayList<>(groups.keySet());
    }

    @Override
    public List<ListedGroup> list(Set<String> states) {
        List<ListedGroup> out = new ArrayList<>();
        for (ClassicGroup group : groups.values()) {
            synchronized (group) {
                if (group.state == State.DEAD
                        || (!states.isEmpty() && !states.contains(group.state.label().toLowerCase(Locale.ROOT)))) {
                    continue;
                }
                out.add(new ListedGroup().setGroupId(group.groupId)
                        .setProtocolType(group.protocolType == null ? "" : group.protocolType)
                        .setGroupState(group.state.label()).setGroupType(GROUP_TYPE));
            }
        }
        return out;
    }

    /**
     * Member metadata and assignments are shown only when Stable, as Kafka does; an empty group
     * keeps its protocol type.
     */
    @Override
    public DescribedGroup describe(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        synchronized (group) {
            if (group.state == State.DEAD) {
                return null;
            }
            boolean stable = group.state == State.STABLE;
            List<DescribedGroupMember> members = new ArrayList<>();
            for (Member m : group.members.values()) {
                members.add(new DescribedGroupMember().setMemberId(m.memberId).setGroupInstanceId(m.groupInstanceId)
                        .setClientId(m.clientId == null ? "" : m.clientId)
                        .setClientHost(m.clientHost == null ? "" : m.clientHost)
                        .setMemberMetadata(stable ? m.protocols.get(group.protocolName) : new byte[0])
                        .setMemberAssignment(stable ? m.assignment : new byte[0]));
            }
            return new DescribedGroup().setGroupId(group.groupId).setGroupState(group.state.label())
                    .setProtocolType(group.protocolType == null ? "" : group.protocolType)
                    .setProtocolData(stable && group.protocolName != null ? group.protocolName : "")
                    .setMembers(members);
        }
    }

    /**
     * Kafka's rules for a classic group: with members, OffsetDelete needs the consumer protocol
     * (else NON_EMPTY_GROUP) and spares subscribed topics (all, when a subscription cannot be read);
     * offsets expire counting from when the group became empty; while Stable, offsets of topics no
     * member subscribes to expire counting from their commit; otherwise they are kept. A group
     * without a protocol type (no member ever joined) is treated as a simple group.
     */
    @Override
    public OffsetRules offsetRules(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        synchronized (group) {
            if (group.state == State.DEAD) {
                return null;
            }
            if (group.protocolType == null || group.protocolType.isEmpty()) {
                return OffsetRules.SIMPLE;
            }
            if (group.state == State.EMPTY) {
                return OffsetRules.unsubscribed(true, OffsetRules.Retention.FROM_EMPTY, group.stateTimestampMs);
            }
            Set<String> topics = group.subscribedTopics;
            Predicate<String> subscribed = topics == null ? topic -> true : Set.copyOf(topics)::contains;
            OffsetRules.Retention retention = group.state == State.STABLE && group.usesConsumerProtocol()
                    && topics != null ? OffsetRules.Retention.FROM_COMMIT : OffsetRules.Retention.NONE;
            return new OffsetRules(group.usesConsumerProtocol(), subscribed, retention, -1);
        }
    }

    @Override
    public <T> T deleteIfEmpty(String groupId, Supplier<T> writeTombstones) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
        }
        synchronized (group) {
            if (group.state == State.DEAD) {
                throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
            }
            if (group.state != State.EMPTY) {
                throw new GroupNotEmptyException("Group " + groupId + " has members.");
            }
            T written = writeTombstones.get();
            forget(group, Errors.UNKNOWN_MEMBER_ID);
            log.debug("Group {} deleted at generation {}", groupId, group.generationId);
            return written;
        }
    }

    /**
     * Under the group's monitor: the group is gone from here. Waiting requests get {@code error},
     * timers stop, and a later request for the id starts a new group.
     */
    private void forget(ClassicGroup group, Errors error) {
        for (Member m : group.members.values()) {
            GroupTimer.cancel(m.sessionExpiry);
            if (m.joinFuture != null) {
                m.joinFuture.complete(joinError(m.memberId, error));
                m.joinFuture = null;
            }
            if (m.syncFuture != null) {
                m.syncFuture.complete(syncError(error));
                m.syncFuture = null;
            }
        }
        group.pendingMembers.values().forEach(GroupTimer::cancel);
        group.pendingMembers.clear();
        GroupTimer.cancel(group.joinDeadline);
        GroupTimer.cancel(group.syncDeadline);
        transition(group, State.DEAD);
        groups.remove(group.groupId, group);
    }

    // ---- loading ------------------------------------------------------------------------------

    /**
     * Restores the stored groups of a freshly loaded partition. Each member's session starts now:
     * a member that does not heartbeat (or commit) within its session timeout is removed, and the
     * group rebalances without it.
     */
    @Override
    public void onLoaded(Predicate<String> inShard, Map<String, GroupMetadata> classicGroups,
            Map<String, StoredConsumerGroup> consumerGroups) {
        classicGroups.forEach((groupId, stored) -> {
            ClassicGroup group = ClassicGroup.restore(groupId, stored);
            synchronized (group) {
                group.members.values().forEach(m -> scheduleSessionExpiry(group, m));
                groups.put(groupId, group);
            }
        });
    }

    /** Drops the groups of a partition served elsewhere now; their waiting requests get NOT_COORDINATOR. */
    @Override
    public void onUnloaded(Predicate<String> inShard) {
        for (ClassicGroup group : groups.values()) {
            if (inShard.test(group.groupId)) {
                synchronized (group) {
                    forget(group, Errors.NOT_COORDINATOR);
                }
            }
        }
    }

    /** The group's state, or null when unknown (tests, admin). */
    public State stateOf(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        synchronized (group) {
            return group.state;
        }
    }

    /** Stops the timer and answers every waiting request COORDINATOR_NOT_AVAILABLE (shutdown). */
    @Override
    public void close() {
        for (ClassicGroup group : groups.values()) {
            synchronized (group) {
                for (Member m : group.members.values()) {
                    if (m.joinFuture != null) {
                        m.joinFuture.complete(joinError(m.memberId, Errors.COORDINATOR_NOT_AVAILABLE));
                    }
                    if (m.syncFuture != null) {
                        m.syncFuture.complete(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
                    }
                }
                group.state = State.DEAD;
            }
        }
        timer.close();
    }
}
