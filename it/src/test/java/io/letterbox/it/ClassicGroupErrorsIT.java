package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every error of the classic group protocol, provoked on purpose over raw connections, with the
 * exact code Kafka answers: MEMBER_ID_REQUIRED, INVALID_SESSION_TIMEOUT, GROUP_MAX_SIZE_REACHED,
 * INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID and
 * REBALANCE_IN_PROGRESS. After each, a new group still joins, syncs and heartbeats.
 */
class ClassicGroupErrorsIT {

    private static final int MAX_SIZE = 2;
    private static final Set<Errors> COORDINATOR_ERRORS = Set.of(Errors.NOT_COORDINATOR,
            Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.COORDINATOR_NOT_AVAILABLE);

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("classic-group-errors", Map.of(
            "group.max.size", Integer.toString(MAX_SIZE),
            "group.initial.rebalance.delay.ms", "0"));

    private final List<RawConnection> connections = new ArrayList<>();
    private String topic;
    private String group;

    @BeforeEach
    void newGroup() {
        topic = uniqueTopic("errors");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        group = "group-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void brokerStillServesGroups() throws Exception {
        group = "after-" + UUID.randomUUID().toString().substring(0, 8);
        Member m = new Member();
        JoinGroupResponseData joined = m.joinWithId();
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(m.sync(joined.generationId(), m.id)).isEqualTo(Errors.NONE);
        assertThat(m.heartbeat(joined.generationId())).isEqualTo(Errors.NONE);
        connections.forEach(RawConnection::close);
    }

    @Test
    void aNewMemberIsFirstGivenItsIdWithMemberIdRequired() {
        Member m = new Member();
        JoinGroupResponseData first = m.join("", null, "consumer", "range", 10_000);
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).isNotEmpty();

        JoinGroupResponseData second = m.join(first.memberId(), null, "consumer", "range", 10_000);
        assertThat(Errors.forCode(second.errorCode())).isEqualTo(Errors.NONE);
        assertThat(second.memberId()).isEqualTo(first.memberId());
        assertThat(second.generationId()).isEqualTo(1);
    }

    @Test
    void aSessionTimeoutOutsideTheBrokersLimitsIsRefused() {
        Member m = new Member();
        // group.min.session.timeout.ms is 6 s, group.max.session.timeout.ms 30 min by default
        assertThat(Errors.forCode(m.join("", null, "consumer", "range", 1_000).errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        assertThat(Errors.forCode(m.join("", null, "consumer", "range", 1_800_001).errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    }

    @Test
    void heartbeatsSayRebalanceThenIllegalGenerationAndAFullGroupRefusesMore() throws Exception {
        // Given a Stable group of one
        Member a = new Member();
        JoinGroupResponseData first = a.joinWithId();
        assertThat(a.sync(first.generationId(), a.id)).isEqualTo(Errors.NONE);

        // When a second member joins (its join waits for the rebalance)
        Member b = new Member();
        CompletableFuture<JoinGroupResponseData> bJoined = ItSupport.async(b::joinWithId);

        // Then the first one's heartbeats say REBALANCE_IN_PROGRESS until it rejoins
        ItSupport.await("a rebalance is reported", () -> a.heartbeat(first.generationId())
                == Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData again = a.join(a.id, null, "consumer", "range", 10_000);
        JoinGroupResponseData joinedB = bJoined.get(30, TimeUnit.SECONDS);
        assertThat(again.generationId()).isEqualTo(2).isEqualTo(joinedB.generationId());

        // And the old generation is illegal for heartbeats, syncs and commits
        assertThat(a.heartbeat(first.generationId())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(a.sync(first.generationId())).isEqualTo(Errors.ILLEGAL_GENERATION);
        Member leader = again.leader().equals(a.id) ? a : b;
        assertThat(leader.sync(2, a.id, b.id)).isEqualTo(Errors.NONE);
        assertThat((leader == a ? b : a).sync(2)).isEqualTo(Errors.NONE);
        assertThat(a.commit(first.generationId(), a.id, null)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(a.commit(2, a.id, null)).isEqualTo(Errors.NONE);

        // And with group.max.size = 2 a third member is refused
        Member c = new Member();
        assertThat(Errors.forCode(c.join("", null, "consumer", "range", 10_000).errorCode()))
                .isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void aMemberOfAnotherProtocolTypeOrWithoutACommonProtocolIsInconsistent() {
        Member a = new Member();
        a.joinWithId();
        Member other = new Member();
        assertThat(Errors.forCode(other.join("", null, "connect", "range", 10_000).errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(Errors.forCode(other.join("", null, "consumer", "roundrobin", 10_000).errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void anUnknownMemberIsToldSoEverywhere() {
        Member a = new Member();
        JoinGroupResponseData joined = a.joinWithId();
        Member stranger = new Member();
        stranger.id = "stranger";
        assertThat(stranger.heartbeat(joined.generationId())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(stranger.sync(joined.generationId())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(stranger.join("stranger", null, "consumer", "range", 10_000).errorCode()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(stranger.commit(joined.generationId(), "stranger", null)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // A commit from outside the group while it has members is refused the same way
        assertThat(stranger.commit(-1, "", null)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // And a group nobody joined has no members at all
        String existing = group;
        group = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        Member lost = new Member();
        lost.id = "lost";
        assertThat(lost.heartbeat(1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        group = existing;
    }

    @Test
    void aStaticMemberWithAnotherMemberIdIsFenced() {
        // Given a static member "i1" (static members get their id at once, KIP-345)
        Member a = new Member();
        JoinGroupResponseData joined = a.join("", "i1", "consumer", "range", 10_000);
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(a.syncStatic(joined.generationId(), "i1", a.id, a.id)).isEqualTo(Errors.NONE);

        // Then anyone claiming "i1" with another member id is fenced
        Member impostor = new Member();
        impostor.id = "not-" + joined.memberId();
        assertThat(impostor.heartbeat(joined.generationId(), "i1")).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(Errors.forCode(impostor.join(impostor.id, "i1", "consumer", "range", 10_000).errorCode()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(impostor.commit(joined.generationId(), impostor.id, "i1")).isEqualTo(Errors.FENCED_INSTANCE_ID);
        // while the real one carries on
        assertThat(a.heartbeat(joined.generationId(), "i1")).isEqualTo(Errors.NONE);
    }

    /** One member on its own connection (JoinGroup blocks the connection until the rebalance completes). */
    private final class Member {
        private final RawConnection raw = new RawConnection(BROKER.bootstrap());
        String id = "";

        Member() {
            connections.add(raw);
            ItSupport.await("a coordinator for " + group, () -> {
                FindCoordinatorResponse r = raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of(group))).build((short) 4));
                return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
            });
            // Found is not yet serving: right after the offsets topic appears, Kafka's coordinator may
            // still answer NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS (clients retry those).
            ItSupport.await("the coordinator of " + group + " serves", () -> !COORDINATOR_ERRORS.contains(heartbeat(0)));
        }

        JoinGroupResponseData join(String memberId, String instanceId, String protocolType, String protocol,
                int sessionMs) {
            JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestProtocol().setName(protocol).setMetadata(new byte[] {0, 1}));
            JoinGroupRequestData data = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                    .setGroupInstanceId(instanceId).setSessionTimeoutMs(sessionMs).setRebalanceTimeoutMs(20_000)
                    .setProtocolType(protocolType).setProtocols(protocols);
            JoinGroupResponse r = raw.send(new JoinGroupRequest.Builder(data).build(raw.version(ApiKeys.JOIN_GROUP)));
            if (r.data().errorCode() == Errors.NONE.code()) {
                id = r.data().memberId();
            }
            return r.data();
        }

        /** KIP-394's two steps: MEMBER_ID_REQUIRED, then the join with that id. */
        JoinGroupResponseData joinWithId() {
            JoinGroupResponseData first = join("", null, "consumer", "range", 10_000);
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            return join(first.memberId(), null, "consumer", "range", 10_000);
        }

        /** SyncGroup; the leader names the members it assigns to. */
        Errors sync(int generation, String... assignTo) {
            return syncStatic(generation, null, id, assignTo);
        }

        Errors syncStatic(int generation, String instanceId, String memberId, String... assignTo) {
            SyncGroupRequestData data = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation)
                    .setMemberId(memberId).setGroupInstanceId(instanceId).setProtocolType("consumer")
                    .setProtocolName("range");
            for (String m : assignTo) {
                data.assignments().add(new SyncGroupRequestAssignment().setMemberId(m).setAssignment(new byte[] {1}));
            }
            SyncGroupResponse r = raw.send(new SyncGroupRequest.Builder(data).build(raw.version(ApiKeys.SYNC_GROUP)));
            return Errors.forCode(r.data().errorCode());
        }

        Errors heartbeat(int generation) {
            return heartbeat(generation, null);
        }

        Errors heartbeat(int generation, String instanceId) {
            HeartbeatResponse r = raw.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId(group)
                    .setMemberId(id).setGroupInstanceId(instanceId).setGenerationId(generation))
                    .build(raw.version(ApiKeys.HEARTBEAT)));
            return r.error();
        }

        /** OffsetCommit v8 of offset 0 of the test's topic. */
        Errors commit(int generation, String memberId, String instanceId) {
            OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(group)
                    .setGenerationIdOrMemberEpoch(generation).setMemberId(memberId).setGroupInstanceId(instanceId)
                    .setTopics(List.of(new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                            new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(0)))));
            OffsetCommitResponse r = raw.send(OffsetCommitRequest.Builder.forTopicNames(data).build((short) 8));
            return Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
        }
    }
}
