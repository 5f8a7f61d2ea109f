package io.letterbox.broker.group.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.ConsumerGroupStore;
import io.letterbox.broker.group.GroupLoadListener;
import io.letterbox.broker.group.GroupMembership;
import io.letterbox.broker.group.GroupTimer;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.group.ManagedGroups;
import io.letterbox.broker.group.OffsetRules;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * The consumer group protocol of KIP-848: ConsumerGroupHeartbeat joins, heartbeats and
 * leaves members; the coordinator computes each group's target assignment with a server-side
 * {@link PartitionAssignor} and walks every member to it by incremental reconciliation
 * ({@link MemberAssignment}): partitions are revoked before they are handed to another member.
 *
 * <p>A member that stops heartbeating for {@code group.consumer.session.timeout.ms}, or that does
 * not revoke within its rebalance timeout, is fenced: removed, its partitions free for the new
 * target. Both are tasks on one timer thread. Subscriptions are re-resolved against the metadata
 * image at each heartbeat after it changes, so new partitions and deleted topics reach the target
 * within one heartbeat interval.
 *
 * <p>Persistence: whenever a request or a timer changes a group (epochs, target, members, their
 * assignments or subscriptions), the whole group goes to its {@link ConsumerGroupStore} as one
 * record ({@link io.letterbox.broker.group.ConsumerGroupRecords}), appended under the group's
 * monitor so the log has the changes in order. A heartbeat is answered once the state it shows is
 * durable. Leaves (ConsumerGroupHeartbeat -1/-2, LeaveGroup) and fencing are not waited for: if
 * such a write is lost, the member comes back with the group and its session timer, started at
 * load, fences it. When the store's partition is loaded, {@link #onLoaded} restores its groups.
 *
 * <p>Thread-safe: each group is guarded by its own monitor; a request or a timer event takes only
 * that group's (then the store's, to append). Nothing here blocks; store completions take no
 * monitor.
 */
public final class ConsumerGroupCoordinator implements ManagedGroups, GroupLoadListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupCoordinator.class);

    /** The group type ListGroups v5 reports. */
    public static final String GROUP_TYPE = "consumer";
    /** The protocol type ListGroups reports for these groups, as Kafka does. */
    public static final String PROTOCOL_TYPE = "consumer";

    private static final int JOIN_EPOCH = 0;
    private static final int LEAVE_EPOCH = -1;
    private static final int STATIC_LEAVE_EPOCH = -2;
    /** ConsumerGroupDescribe v1's member type of a member that speaks this protocol. */
    private static final byte CONSUMER_MEMBER_TYPE = 1;
    /** How long a heartbeat waits for its write before answering COORDINATOR_NOT_AVAILABLE. */
    private static final long STORE_TIMEOUT_MS = 5_000;

    /**
     * The broker's {@code group.consumer.*} settings.
     *
     * @param assignors the assignors members may ask for; the first is the default
     */
    public record Config(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<PartitionAssignor> assignors) {
        public Config {
            assignors = List.copyOf(assignors);
        }

        String assignorNames() {
            return assignors.stream().map(PartitionAssignor::name).collect(Collectors.joining(", "));
        }

        PartitionAssignor assignor(String name) {
            return assignors.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
        }
    }

    private final Config config;
    private final Supplier<MetadataImage> images;
    private final Consumer<String> coordinatorCheck;
    private final Predicate<String> classicGroupInUse;
    private final ConsumerGroupStore store;
    private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final GroupTimer timer;

    /**
     * @param images            the current metadata image, to resolve subscriptions
     * @param coordinatorCheck  throws NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS (as kafka-clients
     *                          exceptions) unless this broker may serve the group now
     * @param classicGroupInUse whether a classic group of that id has members: the id is taken
     * @param store             where groups are written
     */
    public ConsumerGroupCoordinator(Config config, Supplier<MetadataImage> images, Consumer<String> coordinatorCheck,
            Predicate<String> classicGroupInUse, ConsumerGroupStore store) {
        this.config = config;
        this.images = images;
        this.coordinatorCheck = coordinatorCheck;
        this.classicGroupInUse = classicGroupInUse;
        this.store = store;
        timer = new GroupTimer("letterbox-consumer-group-timer");
    }

    // ---- ConsumerGroupHeartbeat ---------------------------------------------------------------

    /**
     * Joins (epoch 0), heartbeats (the member's epoch) or leaves (-1; -2 for a static member that
     * will be back). The answer carries the member's epoch and, when it changed (or the request is
     * a full one, sent after an error), its assignment. Completes once what it shows is durable.
     */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> heartbeat(ConsumerGroupHeartbeatRequestData request,
            String clientId, String clientHost, short version) {
        try {
            validate(request, version);
            coordinatorCheck.accept(request.groupId());
            if (request.memberEpoch() == LEAVE_EPOCH || request.memberEpoch() == STATIC_LEAVE_EPOCH) {
                return CompletableFuture.completedFuture(leave(request));
            }
            return joinOrHeartbeat(request, clientId, clientHost, version);
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(error(e));
        }
    }

    private static ConsumerGroupHeartbeatResponseData error(ApiException e) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.forException(e).code())
                .setErrorMessage(e.getMessage());
    }

    /** Kafka's checks of a heartbeat on its own, in Kafka's order and with its messages. */
    private void validate(ConsumerGroupHeartbeatRequestData r, short version) {
        int epoch = r.memberEpoch();
        if ((version >= 1 || epoch > 0 || epoch == LEAVE_EPOCH) && blank(r.memberId())) {
            throw new InvalidRequestException("MemberId can't be empty.");
        }
        if (blank(r.groupId())) {
            throw new InvalidRequestException("GroupId can't be empty.");
        }
        if (r.instanceId() != null && blank(r.instanceId())) {
            throw new InvalidRequestException("InstanceId can't be empty.");
        }
        if (r.rackId() != null && blank(r.rackId())) {
            throw new InvalidRequestException("RackId can't be empty.");
        }
        if (epoch == JOIN_EPOCH) {
            if (r.rebalanceTimeoutMs() == -1) {
                throw new InvalidRequestException("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                throw new InvalidRequestException("TopicPartitions must be empty when (re-)joining.");
            }
            if (r.subscribedTopicNames() == null && r.subscribedTopicRegex() == null) {
                throw new InvalidRequestException(
                        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        } else if (epoch == STATIC_LEAVE_EPOCH) {
            if (r.instanceId() == null) {
                throw new InvalidRequestException("InstanceId can't be null.");
            }
        } else if (epoch < STATIC_LEAVE_EPOCH) {
            throw new InvalidRequestException("MemberEpoch is invalid.");
        }
        if (r.serverAssignor() != null && config.assignor(r.serverAssignor()) == null) {
            throw new UnsupportedAssignorException("ServerAssignor " + r.serverAssignor()
                    + " is not supported. Supported assignors: " + config.assignorNames() + ".");
        }
        compile(r.subscribedTopicRegex());
    }

    private static boolean blank(String s) {
        return s == null || s.trim().isEmpty();
    }

    /** The subscription's regular expression (Java syntax), null for none or "". */
    private static Pattern compile(String regex) {
        if (regex == null || regex.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidRegularExpression("SubscribedTopicRegex `" + regex
                    + "` is not a valid regular expression: " + e.getDescription() + ".");
        }
    }

    /** A member found or created for a heartbeat; {@code added} when it is new to the group. */
    private record Arrival(ConsumerGroupMember member, boolean added) {
    }

    private CompletableFuture<ConsumerGroupHeartbeatResponseData> joinOrHeartbeat(
            ConsumerGroupHeartbeatRequestData request, String clientId, String clientHost, short version) {
        String groupId = request.groupId();
        boolean joining = request.memberEpoch() == JOIN_EPOCH;
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            if (!joining) {
                // Kafka says GROUP_ID_NOT_FOUND, which the Java consumer takes as fatal. Here it is a
                // member of a group that was deleted or whose first write was lost (a crash before it
                // was durable): UNKNOWN_MEMBER_ID makes it rejoin.
                throw new UnknownMemberIdException("Member " + request.memberId() + " is not a member of group "
                        + groupId + ".");
            }
            if (classicGroupInUse.test(groupId)) {
                throw new GroupIdNotFoundException("Group " + groupId + " is a classic group with members; "
                        + "Letterbox does not convert a group between protocols.");
            }
            group = groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, config.assignors().get(0).name()));
        }
        Assignment reported = Assignment.fromRequest(request.topicPartitions());
        synchronized (group) {
            if (group.dead) {
                throw new CoordinatorNotAvailableException("Group " + groupId + " was just removed; retry.");
            }
            Arrival arrival = joining ? arrive(group, request, version) : find(group, request, reported);
            ConsumerGroupMember member = arrival.member();
            boolean changed = updateSubscription(member, request, clientId, clientHost) || arrival.added();
            if (group.refreshSubscriptions(images.get(), changed) || changed) {
                group.groupEpoch++;
                assign(group);
            }
            MemberAssignment before = member.assignment;
            MemberAssignment next = before.reconcile(member.memberId, group.targetEpoch,
                    group.targetOf(member.memberId), reported, group::ownerOf);
            if (next != before) {
                group.update(member, next);
                watchRevocation(group, member, before, next);
            }
            scheduleSessionExpiry(group, member);
            ConsumerGroupHeartbeatResponseData out = new ConsumerGroupHeartbeatResponseData()
                    .setMemberId(member.memberId).setMemberEpoch(member.epoch())
                    .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
            if (joining || isFull(request) || !next.assigned().equals(before.assigned())) {
                out.setAssignment(next.assigned().toHeartbeat());
            }
            return persist(group).copy().orTimeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((ok, e) -> e == null ? out
                    : error(unwrap(e) instanceof NotCoordinatorException ? new NotCoordinatorException(e.getMessage())
                            : new CoordinatorNotAvailableException("The group's state could not be stored: " + e)));
        }
    }

    /**
     * A request with every field set, as the Java consumer sends after an error: it may have missed
     * the answer with its assignment, so the answer carries it again (as in Kafka).
     */
    private static boolean isFull(ConsumerGroupHeartbeatRequestData r) {
        return r.rebalanceTimeoutMs() != -1 && r.topicPartitions() != null
                && (r.subscribedTopicNames() != null || r.subscribedTopicRegex() != null);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * Under the group's monitor: appends the group's record if the group changed since the last
     * one, so a heartbeat that changes nothing writes nothing. The future completes once the group
     * as it is now is durable (this write, or the last one when nothing changed).
     */
    private CompletableFuture<Void> persist(ConsumerGroup group) {
        StoredConsumerGroup next = group.toStored();
        if (next.equals(group.stored)) {
            return group.lastWrite;
        }
        group.stored = next;
        CompletableFuture<Void> written;
        try {
            written = store.storeConsumerGroup(group.groupId, next, System.currentTimeMillis());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        group.lastWrite = written.whenComplete((ok, e) -> {
            if (e != null) {
                // The next request writes the whole group again.
                group.stored = null;
                log.warn("Could not store consumer group {} at epoch {}: {}", group.groupId, next.groupEpoch(),
                        unwrap(e).toString());
            }
        });
        return group.lastWrite;
    }

    /**
     * A heartbeat with epoch 0: a new member, a known one rejoining (it keeps what it has), or a
     * static member restarted under a new id after leaving with epoch -2 (it takes over the old
     * one's partitions and epoch, with no rebalance).
     */
    private Arrival arrive(ConsumerGroup group, ConsumerGroupHeartbeatRequestData request, short version) {
        String memberId = version == 0 && request.memberId().isEmpty() ? Uuid.randomUuid().toString()
                : request.memberId();
        String instanceId = request.instanceId();
        if (instanceId != null) {
            String holder = group.staticMembers.get(instanceId);
            if (holder != null) {
                ConsumerGroupMember previous = group.members.get(holder);
                if (!previous.leftStatically) {
                    throw new UnreleasedInstanceIdException("Static member " + memberId + " with instance id "
                            + instanceId + " cannot join the group because the instance id is owned by " + holder
                            + " member.");
                }
                cancelTimers(previous);
                ConsumerGroupMember successor = previous.withId(memberId);
                group.replace(previous, successor);
                log.debug("Static member {} of group {} rejoined as {}", instanceId, group.groupId, memberId);
                return new Arrival(successor, false);
            }
        }
        ConsumerGroupMember known = group.members.get(memberId);
        if (known != null) {
            return new Arrival(known, false);
        }
        if (group.members.size() >= config.maxSize()) {
            throw new GroupMaxSizeReachedException("The consumer group has reached its maximum capacity of "
                    + config.maxSize() + " members.");
        }
        ConsumerGroupMember member = new ConsumerGroupMember(memberId, instanceId);
        group.add(member);
        log.debug("Member {} joins group {}", memberId, group.groupId);
        return new Arrival(member, true);
    }

    /** The member a heartbeat (epoch above 0) comes from, after Kafka's identity and epoch checks. */
    private static Arrival find(ConsumerGroup group, ConsumerGroupHeartbeatRequestData request, Assignment reported) {
        ConsumerGroupMember member = identify(group, request);
        int known = member.epoch();
        int received = request.memberEpoch();
        if (received > known) {
            throw new FencedMemberEpochException("The consumer group member has a greater member epoch (" + received
                    + ") than the one known by the group coordinator (" + known
                    + "). The member must abandon all its partitions and rejoin.");
        }
        // A member that missed the answer moving it on may repeat its previous epoch, if it
        // claims nothing beyond what it has.
        if (received < known && !(received == member.assignment.previousEpoch() && reported != null
                && reported.isSubsetOf(member.assignment.assigned()))) {
            throw new FencedMemberEpochException("The consumer group member has a smaller member epoch (" + received
                    + ") than the one known by the group coordinator (" + known
                    + "). The member must abandon all its partitions and rejoin.");
        }
        return new Arrival(member, false);
    }

    /** The member a request names: by instance id for a static member, else by member id. */
    private static ConsumerGroupMember identify(ConsumerGroup group, ConsumerGroupHeartbeatRequestData request) {
        String memberId = request.memberId();
        String instanceId = request.instanceId();
        if (instanceId != null) {
            String holder = group.staticMembers.get(instanceId);
            if (holder == null) {
                throw new UnknownMemberIdException("Instance id " + instanceId + " is unknown.");
            }
            if (!holder.equals(memberId)) {
                throw new FencedInstanceIdException("Static member " + memberId + " with instance id " + instanceId
                        + " was fenced by member " + holder + ".");
            }
            return group.members.get(holder);
        }
        ConsumerGroupMember member = group.members.get(memberId);
        if (member == null) {
            throw new UnknownMemberIdException("Member " + memberId + " is not a member of group "
                    + group.groupId + ".");
        }
        return member;
    }

    /** Applies what the heartbeat sets (null means unchanged); true when the subscription changed. */
    private static boolean updateSubscription(ConsumerGroupMember member, ConsumerGroupHeartbeatRequestData request,
            String clientId, String clientHost) {
        member.clientId = clientId;
        member.clientHost = clientHost;
        if (request.rackId() != null) {
            member.rackId = request.rackId();
        }
        if (request.rebalanceTimeoutMs() != -1) {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        boolean changed = false;
        if (request.subscribedTopicNames() != null) {
            changed |= member.subscribe(request.subscribedTopicNames());
        }
        if (request.subscribedTopicRegex() != null) {
            changed |= member.subscribe(compile(request.subscribedTopicRegex()));
        }
        if (request.serverAssignor() != null && !request.serverAssignor().equals(member.serverAssignor)) {
            member.serverAssignor = request.serverAssignor();
            changed = true;
        }
        return changed;
    }

    // ---- leaving and fencing ------------------------------------------------------------------

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData request) {
        ConsumerGroup group = groups.get(request.groupId());
        if (group == null) {
            throw new GroupIdNotFoundException("Group " + request.groupId() + " not found.");
        }
        synchronized (group) {
            if (group.dead) {
                throw new CoordinatorNotAvailableException("Group " + request.groupId() + " was just removed; retry.");
            }
            ConsumerGroupMember member = identify(group, request);
            if (request.memberEpoch() == STATIC_LEAVE_EPOCH) {
                // It keeps its partitions for a successor under the same instance id; its session decides.
                member.leftStatically = true;
                scheduleSessionExpiry(group, member);
                log.debug("Static member {} ({}) of group {} left for now", member.instanceId, member.memberId,
                        group.groupId);
            } else {
                log.debug("Member {} leaves group {}", member.memberId, group.groupId);
                remove(group, member);
            }
            persist(group);
            return new ConsumerGroupHeartbeatResponseData().setMemberId(member.memberId)
                    .setMemberEpoch(request.memberEpoch());
        }
    }

    /**
     * LeaveGroup for a consumer group: removes members named by member id or, for static members,
     * by instance id (a member id given with it must match: FENCED_INSTANCE_ID otherwise); one
     * answer each, UNKNOWN_MEMBER_ID for a member the group does not have.
     */
    public List<MemberResponse> removeMembers(String groupId, List<MemberIdentity> leaving) {
        List<MemberResponse> out = new ArrayList<>();
        ConsumerGroup group = groups.get(groupId);
        for (MemberIdentity id : leaving) {
            MemberResponse answer = new MemberResponse().setMemberId(id.memberId())
                    .setGroupInstanceId(id.groupInstanceId());
            out.add(answer);
            if (group == null) {
                answer.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                continue;
            }
            synchronized (group) {
                ConsumerGroupMember member;
                if (id.groupInstanceId() != null) {
                    String holder = group.staticMembers.get(id.groupInstanceId());
                    member = holder == null ? null : group.members.get(holder);
                    if (member != null && id.memberId() != null && !id.memberId().isEmpty()
                            && !id.memberId().equals(holder)) {
                        answer.setErrorCode(Errors.FENCED_INSTANCE_ID.code());
                        continue;
                    }
                } else {
                    member = group.members.get(id.memberId());
                }
                if (group.dead || member == null) {
                    answer.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                    continue;
                }
                log.debug("Member {} removed from group {} by LeaveGroup", member.memberId, groupId);
                remove(group, member);
                persist(group);
            }
        }
        return out;
    }

    /** Under the group's monitor: takes a member out and assigns its partitions anew. */
    private void remove(ConsumerGroup group, ConsumerGroupMember member) {
        cancelTimers(member);
        group.remove(member);
        group.refreshSubscriptions(images.get(), true);
        group.groupEpoch++;
        assign(group);
    }

    private void fence(ConsumerGroup group, ConsumerGroupMember member, String why) {
        synchronized (group) {
            if (group.dead || group.members.get(member.memberId) != member) {
                return;
            }
            log.debug("Member {} of group {} fenced: {}", member.memberId, group.groupId, why);
            remove(group, member);
            persist(group);
        }
    }

    private void scheduleSessionExpiry(ConsumerGroup group, ConsumerGroupMember member) {
        GroupTimer.cancel(member.sessionExpiry);
        member.sessionExpiry = timer.schedule(() -> fence(group, member, "no heartbeat within the session timeout of "
                + config.sessionTimeoutMs() + " ms"), config.sessionTimeoutMs());
    }

    /** A member asked to revoke has its rebalance timeout to do so; the clock starts at each new ask. */
    private void watchRevocation(ConsumerGroup group, ConsumerGroupMember member, MemberAssignment before,
            MemberAssignment next) {
        if (next.state() != MemberAssignment.State.UNREVOKED_PARTITIONS) {
            GroupTimer.cancel(member.rebalanceDeadline);
            member.rebalanceDeadline = null;
        } else if (!next.pendingRevocation().equals(before.pendingRevocation())) {
            GroupTimer.cancel(member.rebalanceDeadline);
            member.rebalanceDeadline = timer.schedule(() -> fence(group, member, "partitions not revoked within the "
                    + "rebalance timeout of " + member.rebalanceTimeoutMs + " ms"), member.rebalanceTimeoutMs);
        }
    }

    private static void cancelTimers(ConsumerGroupMember member) {
        GroupTimer.cancel(member.sessionExpiry);
        GroupTimer.cancel(member.rebalanceDeadline);
    }

    // ---- target assignment --------------------------------------------------------------------

    /** Under the group's monitor: a new target for the current group epoch. */
    private void assign(ConsumerGroup group) {
        PartitionAssignor assignor = chooseAssignor(group);
        Map<String, Assignment> before = new HashMap<>();
        group.members.keySet().forEach(m -> before.put(m, group.targetOf(m)));
        group.computeTarget(assignor);
        boolean moved = group.members.keySet().stream().anyMatch(m -> !group.targetOf(m).equals(before.get(m)));
        if (moved) {
            log.info("Group {} epoch {} with {} members (consumer protocol, assignor {})", group.groupId,
                    group.groupEpoch, group.members.size(), assignor.name());
        }
    }

    /** The assignor most members ask for; ties and no preference go to the configured order. */
    private PartitionAssignor chooseAssignor(ConsumerGroup group) {
        Map<String, Integer> votes = new HashMap<>();
        for (ConsumerGroupMember m : group.members.values()) {
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        }
        PartitionAssignor best = config.assignors().get(0);
        int bestVotes = 0;
        for (PartitionAssignor a : config.assignors()) {
            int v = votes.getOrDefault(a.name(), 0);
            if (v > bestVotes) {
                best = a;
                bestVotes = v;
            }
        }
        return best;
    }

    // ---- offsets, admin, other protocols ------------------------------------------------------

    /**
     * The membership check OffsetCommit and OffsetFetch ask for, as Kafka's consumer groups answer
     * it: a commit must come from a member at its current epoch (STALE_MEMBER_EPOCH; UNKNOWN_MEMBER_ID
     * for a stranger; UNSUPPORTED_VERSION before OffsetCommit v9, which members send), except that a
     * group without members takes commits from outside (epoch -1), as {@code assign()} users and
     * admins make. A fetch naming a member it has is checked the same way; one naming none, or a
     * member it does not have (lost with a restart), is allowed.
     * Groups this coordinator does not have are {@code next}'s to judge.
     */
    public GroupMembership membership(GroupMembership next) {
        return new GroupMembership() {
            @Override
            public void validateOffsetCommit(String groupId, boolean groupExists, int memberEpoch, String memberId,
                    String groupInstanceId, short apiVersion) {
                ConsumerGroup group = groups.get(groupId);
                if (group == null) {
                    next.validateOffsetCommit(groupId, groupExists, memberEpoch, memberId, groupInstanceId, apiVersion);
                    return;
                }
                synchronized (group) {
                    if (memberEpoch < 0 && group.members.isEmpty()) {
                        return;
                    }
                    ConsumerGroupMember member = memberOf(group, memberId);
                    if (apiVersion < 9) {
                        throw new UnsupportedVersionException("OffsetCommit version 9 or above must be used by "
                                + "members using the consumer group protocol");
                    }
                    if (memberEpoch != member.epoch()) {
                        throw new StaleMemberEpochException("Epoch " + memberEpoch + " is not member " + memberId
                                + "'s epoch " + member.epoch() + ".");
                    }
                }
            }

            @Override
            public void validateOffsetFetch(String groupId, boolean groupExists, String memberId, int memberEpoch,
                    short apiVersion) {
                ConsumerGroup group = groups.get(groupId);
                if (group == null) {
                    next.validateOffsetFetch(groupId, groupExists, memberId, memberEpoch, apiVersion);
                    return;
                }
                if (memberId == null && memberEpoch < 0) {
                    return;
                }
                synchronized (group) {
                    ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
                    if (member == null) {
                        // Kafka says UNKNOWN_MEMBER_ID, which the Java consumer throws from poll(). This
                        // is a member whose join was lost with a crash, reading offsets for partitions
                        // it still has; its next heartbeat makes it rejoin.
                        return;
                    }
                    if (memberEpoch != member.epoch()) {
                        throw new StaleMemberEpochException("Epoch " + memberEpoch + " is not member " + memberId
                                + "'s epoch " + member.epoch() + ".");
                    }
                }
            }
        };
    }

    private static ConsumerGroupMember memberOf(ConsumerGroup group, String memberId) {
        ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
        if (member == null) {
            throw new UnknownMemberIdException("Member " + memberId + " is not a member of group "
                    + group.groupId + ".");
        }
        return member;
    }

    /** Whether this coordinator has the group (with members or not). */
    public boolean contains(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return false;
        }
        synchronized (group) {
            return !group.dead;
        }
    }

    /**
     * Lets a classic JoinGroup take the group id: an empty consumer group is dropped (as Kafka
     * converts an empty group to the protocol of the member that joins it). False when the group
     * has members: the id is taken.
     */
    public boolean yieldToClassic(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return true;
        }
        synchronized (group) {
            if (!group.members.isEmpty()) {
                return false;
            }
            group.dead = true;
            groups.remove(groupId, group);
            // Not waited for: the classic group's own record, written after this one, wins at load.
            try {
                store.storeConsumerGroup(groupId, null, System.currentTimeMillis());
            } catch (RuntimeException e) {
                log.warn("Could not tombstone consumer group {}: {}", groupId, e.toString());
            }
            return true;
        }
    }

    @Override
    public String groupType() {
        return GROUP_TYPE;
    }

    @Override
    public boolean manages(String groupId) {
        return contains(groupId);
    }

    @Override
    public Collection<String> groupIds() {
        return new ArrayList<>(groups.keySet());
    }

    /** ListGroups: groups whose state, in lower case, is in {@code states} (empty: all). */
    @Override
    public List<ListedGroup> list(Set<String> states) {
        List<ListedGroup> out = new ArrayList<>();
        for (ConsumerGroup group : groups.values()) {
            synchronized (group) {
                ConsumerGroup.State state = group.state();
                if (state == ConsumerGroup.State.DEAD
                        || (!states.isEmpty() && !states.contains(state.label.toLowerCase(Locale.ROOT)))) {
                    continue;
                }
                out.add(new ListedGroup().setGroupId(group.groupId).setProtocolType(PROTOCOL_TYPE)
                        .setGroupState(state.label).setGroupType(GROUP_TYPE));
            }
        }
        return out;
    }

    /** The classic DescribeGroups does not describe consumer groups: Kafka answers them as Dead (v6: not found). */
    @Override
    public DescribeGroupsResponseData.DescribedGroup describe(String groupId) {
        return new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setGroupState("Dead")
                .setProtocolType("").setProtocolData("")
                .setErrorMessage("Group " + groupId + " is not a classic group.");
    }

    /**
     * Members' subscriptions protect their topics' offsets from OffsetDelete and expiry; an empty
     * group's offsets expire from their commit (the moment it emptied is not kept).
     */
    @Override
    public OffsetRules offsetRules(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        synchronized (group) {
            if (group.dead) {
                return null;
            }
            if (group.members.isEmpty()) {
                return OffsetRules.unsubscribed(true, OffsetRules.Retention.FROM_EMPTY, -1);
            }
            List<ConsumerGroupMember> members = List.copyOf(group.members.values());
            return new OffsetRules(true, topic -> members.stream().anyMatch(m -> m.subscribesTo(topic)),
                    OffsetRules.Retention.FROM_COMMIT, -1);
        }
    }

    @Override
    public <T> T deleteIfEmpty(String groupId, Supplier<T> writeTombstones) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
        }
        synchronized (group) {
            if (group.dead) {
                throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
            }
            if (!group.members.isEmpty()) {
                throw new GroupNotEmptyException("Group " + groupId + " has members.");
            }
            T written = writeTombstones.get();
            group.dead = true;
            groups.remove(groupId, group);
            return written;
        }
    }

    /** ConsumerGroupDescribe of one group, or null when this coordinator does not have it. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return null;
        }
        MetadataImage image = images.get();
        Function<Uuid, String> names = id -> {
            TopicImage t = image.topics().byId().get(id);
            return t == null ? group.topicName(id) : t.name();
        };
        synchronized (group) {
            if (group.dead) {
                return null;
            }
            List<ConsumerGroupDescribeResponseData.Member> members = new ArrayList<>();
            for (ConsumerGroupMember m : group.members.values()) {
                members.add(new ConsumerGroupDescribeResponseData.Member()
                        .setMemberId(m.memberId).setInstanceId(m.instanceId).setRackId(m.rackId)
                        .setMemberEpoch(m.epoch())
                        .setClientId(m.clientId == null ? "" : m.clientId)
                        .setClientHost(m.clientHost == null ? "" : m.clientHost)
                        .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                        .setSubscribedTopicRegex(m.subscribedTopicRegex == null ? "" : m.subscribedTopicRegex.pattern())
                        .setAssignment(m.assignment.assigned().toDescribe(names))
                        .setTargetAssignment(group.targetOf(m.memberId).toDescribe(names))
                        .setMemberType(CONSUMER_MEMBER_TYPE));
            }
            return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                    .setGroupState(group.state().label).setGroupEpoch(group.groupEpoch)
                    .setAssignmentEpoch(group.targetEpoch).setAssignorName(group.assignorName).setMembers(members);
        }
    }

    // ---- loading ------------------------------------------------------------------------------

    /**
     * Restores the stored consumer groups of a freshly loaded partition, members with their epochs
     * and assignments: one that heartbeats again carries on without a rebalance. Each member's
     * session starts now (and the revocation deadline of one asked to revoke): one that does not
     * return is fenced.
     */
    @Override
    public void onLoaded(Predicate<String> inShard, Map<String, GroupMetadata> classicGroups,
            Map<String, StoredConsumerGroup> consumerGroups) {
        consumerGroups.forEach((groupId, stored) -> {
            ConsumerGroup group;
            try {
                group = ConsumerGroup.restore(groupId, stored);
            } catch (RuntimeException e) {
                log.error("Skipping stored consumer group {}: {}", groupId, e.toString());
                return;
            }
            synchronized (group) {
                for (ConsumerGroupMember m : group.members.values()) {
                    scheduleSessionExpiry(group, m);
                    watchRevocation(group, m, MemberAssignment.NEW, m.assignment);
                }
                groups.put(groupId, group);
            }
        });
    }

    /** Drops the groups of a partition served elsewhere now (requests for them get NOT_COORDINATOR). */
    @Override
    public void onUnloaded(Predicate<String> inShard) {
        for (ConsumerGroup group : groups.values()) {
            if (inShard.test(group.groupId)) {
                synchronized (group) {
                    group.members.values().forEach(ConsumerGroupCoordinator::cancelTimers);
                    group.dead = true;
                    groups.remove(group.groupId, group);
                }
            }
        }
    }

    /** Stops the timer; later requests for the groups answer COORDINATOR_NOT_AVAILABLE (shutdown). */
    @Override
    public void close() {
        for (ConsumerGroup group : groups.values()) {
            synchronized (group) {
                group.dead = true;
            }
        }
        timer.close();
    }
}
