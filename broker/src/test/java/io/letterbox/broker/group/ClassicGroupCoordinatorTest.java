package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.ClassicGroup.State;

/** The classic group state machine on a real coordinator with short timeouts. */
class ClassicGroupCoordinatorTest {

    /** Short enough for expiry tests, long enough that a busy 2-core machine does not expire members between calls. */
    private static final int SESSION_MS = 1000;
    private static final int REBALANCE_MS = 2000;

    private ClassicGroupCoordinator coordinator = new ClassicGroupCoordinator(
            new ClassicGroupCoordinator.Limits(100, 10_000, 3, 200));

    @AfterEach
    void close() {
        coordinator.close();
    }

    private static JoinGroupRequestData joinRequest(String memberId, String instanceId, String... protocols) {
        JoinGroupRequestProtocolCollection ps = new JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            ps.add(new JoinGroupRequestProtocol().setName(p).setMetadata(p.getBytes(StandardCharsets.UTF_8)));
        }
        return new JoinGroupRequestData().setGroupId("g").setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(SESSION_MS).setRebalanceTimeoutMs(REBALANCE_MS).setProtocolType("consumer")
                .setProtocols(ps);
    }

    private CompletableFuture<JoinGroupResponseData> join(String memberId, String... protocols) {
        return coordinator.join(joinRequest(memberId, null, protocols), "c", "/127.0.0.1", true);
    }

    /** KIP-394 two-step join: returns the pending second join. */
    private CompletableFuture<JoinGroupResponseData> joinNew(String... protocols) {
        JoinGroupResponseData first = join("", protocols).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("c-");
        return join(first.memberId(), protocols);
    }

    private static JoinGroupResponseData done(CompletableFuture<JoinGroupResponseData> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private CompletableFuture<SyncGroupResponseData> sync(JoinGroupResponseData joined, String... assignTo) {
        SyncGroupRequestData req = new SyncGroupRequestData().setGroupId("g").setGenerationId(joined.generationId())
                .setMemberId(joined.memberId());
        for (String m : assignTo) {
            req.assignments().add(new SyncGroupRequestAssignment().setMemberId(m)
                    .setAssignment(("for " + m).getBytes(StandardCharsets.UTF_8)));
        }
        return coordinator.sync(req);
    }

    private Errors heartbeat(JoinGroupResponseData joined) {
        return coordinator.heartbeat(new HeartbeatRequestData().setGroupId("g")
                .setGenerationId(joined.generationId()).setMemberId(joined.memberId()));
    }

    /** Two members joined and synced: a Stable group at generation 1. */
    private JoinGroupResponseData[] stableGroupOfTwo() throws Exception {
        CompletableFuture<JoinGroupResponseData> a = joinNew("range");
        CompletableFuture<JoinGroupResponseData> b = joinNew("range");
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);
        JoinGroupResponseData leader = ja.leader().equals(ja.memberId()) ? ja : jb;
        JoinGroupResponseData follower = leader == ja ? jb : ja;
        CompletableFuture<SyncGroupResponseData> fs = sync(follower);
        sync(leader, leader.memberId(), follower.memberId()).get(5, TimeUnit.SECONDS);
        fs.get(5, TimeUnit.SECONDS);
        assertThat(coordinator.stateOf("g")).isEqualTo(State.STABLE);
        return new JoinGroupResponseData[] {leader, follower};
    }

    @Test
    void membersJoinThenTheLeaderGetsAllMetadataAndFollowersWaitForTheAssignment() throws Exception {
        // Given two members that joined with their ids (KIP-394)
        CompletableFuture<JoinGroupResponseData> a = joinNew("range", "roundrobin");
        assertThat(a).isNotDone();
        CompletableFuture<JoinGroupResponseData> b = joinNew("roundrobin", "range");
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);

        // Then both are in generation 1, the first is leader and sees both members' metadata
        assertThat(ja.generationId()).isEqualTo(1).isEqualTo(jb.generationId());
        assertThat(ja.leader()).isEqualTo(ja.memberId()).isEqualTo(jb.leader());
        assertThat(ja.members()).hasSize(2);
        assertThat(jb.members()).isEmpty();
        // the tie between one vote each goes to the leader's preference
        assertThat(ja.protocolName()).isEqualTo("range").isEqualTo(jb.protocolName());
        assertThat(coordinator.stateOf("g")).isEqualTo(State.COMPLETING_REBALANCE);

        // When the follower syncs it waits, until the leader sends the assignment
        CompletableFuture<SyncGroupResponseData> fs = sync(jb);
        assertThat(fs).isNotDone();
        SyncGroupResponseData ls = sync(ja, ja.memberId(), jb.memberId()).get(5, TimeUnit.SECONDS);

        // Then each gets its own assignment and the group is Stable
        assertThat(new String(ls.assignment(), StandardCharsets.UTF_8)).isEqualTo("for " + ja.memberId());
        assertThat(new String(fs.get(5, TimeUnit.SECONDS).assignment(), StandardCharsets.UTF_8))
                .isEqualTo("for " + jb.memberId());
        assertThat(coordinator.stateOf("g")).isEqualTo(State.STABLE);
        assertThat(heartbeat(ja)).isEqualTo(Errors.NONE);
    }

    @Test
    void aNewMemberStartsARebalanceThatHeartbeatsReport() throws Exception {
        // Given a stable group
        JoinGroupResponseData[] g = stableGroupOfTwo();

        // When a third member joins
        CompletableFuture<JoinGroupResponseData> c = joinNew("range");

        // Then heartbeats say rebalance, old generations are illegal after it completes
        assertThat(heartbeat(g[0])).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        CompletableFuture<JoinGroupResponseData> a = join(g[0].memberId(), "range");
        CompletableFuture<JoinGroupResponseData> b = join(g[1].memberId(), "range");
        JoinGroupResponseData jc = done(c);
        assertThat(done(a).generationId()).isEqualTo(2);
        assertThat(done(b).generationId()).isEqualTo(2);
        assertThat(jc.generationId()).isEqualTo(2);
        assertThat(heartbeat(g[1])).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId("g").setGenerationId(2)
                .setMemberId("nobody"))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberThatDoesNotRejoinInTimeIsDropped() throws Exception {
        // Given a stable group, and a new member starting a rebalance
        JoinGroupResponseData[] g = stableGroupOfTwo();
        CompletableFuture<JoinGroupResponseData> c = joinNew("range");

        // When only one old member rejoins
        CompletableFuture<JoinGroupResponseData> a = join(g[0].memberId(), "range");

        // Then after the rebalance timeout the generation completes without the other
        JoinGroupResponseData ja = done(a);
        assertThat(ja.generationId()).isEqualTo(2);
        assertThat(done(c).generationId()).isEqualTo(2);
        assertThat(ja.members()).extracting(m -> m.memberId()).doesNotContain(g[1].memberId());
        assertThat(heartbeat(g[1])).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberThatStopsHeartbeatingIsRemovedAndARebalanceStarts() throws Exception {
        // Given a stable group where only the leader keeps heartbeating
        JoinGroupResponseData[] g = stableGroupOfTwo();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Errors seen = Errors.NONE;
        while (seen == Errors.NONE && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = heartbeat(g[0]);
        }
        // Then the follower's session expired and the leader is told to rejoin
        assertThat(seen).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData ja = done(join(g[0].memberId(), "range"));
        assertThat(ja.generationId()).isEqualTo(2);
        assertThat(ja.members()).hasSize(1);
        assertThat(heartbeat(g[1])).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void leavingMembersEmptyTheGroup() throws Exception {
        // Given a stable group
        JoinGroupResponseData[] g = stableGroupOfTwo();

        // When both leave in one batch (v3+), one unknown beside them
        var answers = coordinator.leave("g", List.of(new MemberIdentity().setMemberId(g[0].memberId()),
                new MemberIdentity().setMemberId(g[1].memberId()), new MemberIdentity().setMemberId("x")));

        // Then each gets its own answer and the group is Empty
        assertThat(answers).extracting(r -> Errors.forCode(r.errorCode()))
                .containsExactly(Errors.NONE, Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.stateOf("g")).isEqualTo(State.EMPTY);
        assertThat(coordinator.list(Set.of("empty"))).hasSize(1);
        assertThat(coordinator.list(Set.of("stable"))).isEmpty();
    }

    @Test
    void aStaticMemberRestartingWithTheSameMetadataGetsItsAssignmentWithoutARebalance() throws Exception {
        // Given a stable group with a static member "i1" and a dynamic one
        CompletableFuture<JoinGroupResponseData> a = coordinator.join(joinRequest("", "i1", "range"), "c", "h", true);
        CompletableFuture<JoinGroupResponseData> b = joinNew("range");
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);
        CompletableFuture<SyncGroupResponseData> fs = sync(jb);
        sync(ja, ja.memberId(), jb.memberId()).get(5, TimeUnit.SECONDS);
        fs.get(5, TimeUnit.SECONDS);

        // When "i1" restarts: it joins with no member id and the same protocols
        JoinGroupResponseData again = done(coordinator.join(joinRequest("", "i1", "range"), "c", "h", true));

        // Then it gets a new id in the same generation, the group stays Stable, the old id is fenced
        assertThat(again.errorCode()).isZero();
        assertThat(again.memberId()).isNotEqualTo(ja.memberId());
        assertThat(again.generationId()).isEqualTo(1);
        assertThat(again.skipAssignment()).isTrue();
        assertThat(coordinator.stateOf("g")).isEqualTo(State.STABLE);
        assertThat(heartbeat(jb)).isEqualTo(Errors.NONE);
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId("g").setGenerationId(1)
                .setMemberId(ja.memberId()).setGroupInstanceId("i1"))).isEqualTo(Errors.FENCED_INSTANCE_ID);
        SyncGroupResponseData s = coordinator.sync(new SyncGroupRequestData().setGroupId("g").setGenerationId(1)
                .setMemberId(again.memberId()).setGroupInstanceId("i1")).get(5, TimeUnit.SECONDS);
        assertThat(new String(s.assignment(), StandardCharsets.UTF_8)).isEqualTo("for " + ja.memberId());
    }

    @Test
    void limitsAreEnforcedWithTheProtocolsErrors() throws Exception {
        // Session timeout outside [min, max]
        JoinGroupRequestData tooShort = joinRequest("", null, "range").setSessionTimeoutMs(10);
        assertThat(Errors.forCode(coordinator.join(tooShort, "c", "h", true).join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        JoinGroupRequestData tooLong = joinRequest("", null, "range").setSessionTimeoutMs(20_000);
        assertThat(Errors.forCode(coordinator.join(tooLong, "c", "h", true).join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);

        // group.max.size = 3: the fourth is refused
        joinNew("range");
        joinNew("range");
        joinNew("range");
        assertThat(Errors.forCode(join("", "range").join().errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);

        // A protocol no member shares
        assertThat(Errors.forCode(coordinator.join(joinRequest("", null, "sticky"), "c", "h", false).join()
                .errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void theInitialRebalanceDelayGathersMembersOfANewGroup() throws Exception {
        coordinator.close();
        coordinator = new ClassicGroupCoordinator(new ClassicGroupCoordinator.Limits(100, 10_000, 10, 300));
        // Given a new group's first member (v3: no member id round trip)
        long start = System.nanoTime();
        CompletableFuture<JoinGroupResponseData> a = coordinator.join(joinRequest("", null, "range"), "c", "h", false);
        Thread.sleep(100);
        CompletableFuture<JoinGroupResponseData> b = coordinator.join(joinRequest("", null, "range"), "c", "h", false);

        // Then both land in generation 1 after the delay, not before
        assertThat(done(a).generationId()).isEqualTo(1);
        assertThat(done(b).generationId()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(done(a).members()).hasSize(2);
    }
}
