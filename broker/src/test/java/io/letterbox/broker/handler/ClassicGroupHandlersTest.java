package io.letterbox.broker.handler;

import static io.letterbox.broker.handler.HandlerCalls.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.ConsumerGroupStore;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetsTopicFixture;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;
import io.letterbox.broker.group.consumer.UniformAssignor;
import io.letterbox.metadata.image.MetadataImage;

/**
 * Every advertised version of the classic group APIs, through the handlers: a member joins,
 * syncs, heartbeats, is listed and described, and leaves, and each response serializes at the
 * version it was asked in.
 */
class ClassicGroupHandlersTest {

    @TempDir
    Path dir;

    private OffsetsTopicFixture offsetsTopic;
    private ClassicGroupCoordinator coordinator;
    private JoinGroupHandler join;
    private SyncGroupHandler sync;
    private HeartbeatHandler heartbeat;
    private LeaveGroupHandler leave;
    private ConsumerGroupCoordinator consumerGroups;
    private ListGroupsHandler listGroups;
    private DescribeGroupsHandler describe;

    @BeforeEach
    void open() {
        offsetsTopic = OffsetsTopicFixture.open(dir);
        coordinator = new ClassicGroupCoordinator(new ClassicGroupCoordinator.Limits(100, 60_000, 100, 0),
                offsetsTopic.offsets());
        offsetsTopic.offsets().addLoadListener(coordinator);
        offsetsTopic.load();
        consumerGroups = new ConsumerGroupCoordinator(
                new ConsumerGroupCoordinator.Config(45_000, 5_000, 100, List.of(new UniformAssignor())),
                () -> MetadataImage.EMPTY, groupId -> { }, groupId -> false,
                ConsumerGroupStore.IN_MEMORY);
        GroupRegistry groups = new GroupRegistry(offsetsTopic.offsets(), List.of(consumerGroups, coordinator));
        join = new JoinGroupHandler(coordinator, consumerGroups);
        sync = new SyncGroupHandler(coordinator);
        heartbeat = new HeartbeatHandler(coordinator);
        leave = new LeaveGroupHandler(coordinator, consumerGroups);
        listGroups = new ListGroupsHandler(groups);
        describe = new DescribeGroupsHandler(groups);
    }

    @AfterEach
    void close() {
        coordinator.close();
        consumerGroups.close();
        offsetsTopic.close();
    }

    private JoinGroupResponseData join(String group, String memberId, String instanceId, short v) throws Exception {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        JoinGroupRequestData data = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                .setProtocolType("consumer").setProtocols(protocols);
        JoinGroupResponse r = call(join, new JoinGroupRequest.Builder(data).build(v));
        return r.data();
    }

    @Test
    void everyVersionOfTheLifecycleWorks() throws Exception {
        for (short v = ApiKeys.JOIN_GROUP.oldestVersion(); v <= join.latestVersion(); v++) {
            String group = "g" + v;
            String instance = v >= 5 ? "i" + v : null;
            // Given a member joined (from v4 via MEMBER_ID_REQUIRED, unless static)
            JoinGroupResponseData joined = join(group, "", instance, v);
            if (v >= 4 && instance == null) {
                assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
                joined = join(group, joined.memberId(), instance, v);
            }
            assertThat(Errors.forCode(joined.errorCode())).as("join v%d", v).isEqualTo(Errors.NONE);
            String member = joined.memberId();

            // When it syncs, heartbeats, is listed and described, then leaves
            short sv = (short) Math.min(v, sync.latestVersion());
            SyncGroupRequestData syncData = new SyncGroupRequestData().setGroupId(group)
                    .setGenerationId(joined.generationId()).setMemberId(member)
                    .setGroupInstanceId(sv >= 3 ? instance : null)
                    .setAssignments(List.of(new SyncGroupRequestAssignment().setMemberId(member)
                            .setAssignment(new byte[] {7})));
            SyncGroupResponse synced = call(sync, new SyncGroupRequest.Builder(syncData).build(sv));
            assertThat(synced.data().assignment()).containsExactly(7);

            short hv = (short) Math.min(v, heartbeat.latestVersion());
            HeartbeatResponse hb = call(heartbeat, new HeartbeatRequest.Builder(new HeartbeatRequestData()
                    .setGroupId(group).setGenerationId(joined.generationId()).setMemberId(member)
                    .setGroupInstanceId(hv >= 3 ? instance : null)).build(hv));
            assertThat(hb.error()).isEqualTo(Errors.NONE);

            short lv = (short) Math.min(v, listGroups.latestVersion());
            ListGroupsResponse listed = call(listGroups, new ListGroupsRequest.Builder(new ListGroupsRequestData()
                    .setStatesFilter(lv >= 4 ? List.of("Stable") : List.of())).build(lv));
            assertThat(listed.data().groups()).extracting(g -> g.groupId()).contains(group);

            short dv = (short) Math.min(v, describe.latestVersion());
            DescribeGroupsResponse described = call(describe, new DescribeGroupsRequest.Builder(
                    new DescribeGroupsRequestData().setGroups(List.of(group, "unknown"))).build(dv));
            assertThat(described.data().groups().get(0).groupState()).isEqualTo("Stable");
            assertThat(described.data().groups().get(0).members()).hasSize(1);
            assertThat(described.data().groups().get(1).groupState()).isEqualTo("Dead");

            short leaveV = (short) Math.min(v, leave.latestVersion());
            LeaveGroupRequest leaveRequest = leaveV >= 3
                    ? new LeaveGroupRequest.Builder(group, List.of(new MemberIdentity().setMemberId(member)
                            .setGroupInstanceId(instance))).build(leaveV)
                    : new LeaveGroupRequest.Builder(group, List.of(new MemberIdentity().setMemberId(member)))
                            .build(leaveV);
            LeaveGroupResponse left = call(leave, leaveRequest);
            assertThat(left.error()).isEqualTo(Errors.NONE);
            assertThat(coordinator.stateOf(group)).as("v%d", v).hasToString("EMPTY");
        }
    }

    @Test
    void leavingAnUnknownMemberBeforeV3IsTheResponsesError() throws Exception {
        LeaveGroupResponse left = call(leave, new LeaveGroupRequest.Builder("nobody",
                List.of(new MemberIdentity().setMemberId("m"))).build((short) 1));
        assertThat(left.error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(left.data().members()).isEmpty();
    }
}
