package io.letterbox.broker.handler;

import static io.letterbox.broker.handler.HandlerCalls.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.ClassicGroup;
import io.letterbox.broker.group.ConsumerGroupStore;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetsTopicFixture;
import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;
import io.letterbox.broker.group.consumer.RangeAssignor;
import io.letterbox.broker.group.consumer.UniformAssignor;
import io.letterbox.metadata.image.ClusterImage;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.image.TopicsImage;

/**
 * The KIP-848 APIs through their handlers at every advertised version, and what the classic
 * handlers answer for a consumer group: ListGroups lists it once, DescribeGroups refers to
 * ConsumerGroupDescribe, JoinGroup is refused while it has members, LeaveGroup removes members.
 */
class ConsumerGroupHandlersTest {

    private static final Uuid TOPIC_ID = new Uuid(1, 1);

    private final ClassicGroupCoordinator classic = new ClassicGroupCoordinator(
            new ClassicGroupCoordinator.Limits(100, 60_000, 100, 0));
    private final ConsumerGroupCoordinator consumer = new ConsumerGroupCoordinator(
            new ConsumerGroupCoordinator.Config(45_000, 5_000, 100, List.of(new UniformAssignor(), new RangeAssignor())),
            ConsumerGroupHandlersTest::image, groupId -> { }, groupId -> {
                ClassicGroup.State s = classic.stateOf(groupId);
                return s != null && s != ClassicGroup.State.EMPTY;
            }, ConsumerGroupStore.IN_MEMORY);
    private final ConsumerGroupHeartbeatHandler heartbeat = new ConsumerGroupHeartbeatHandler(consumer);
    private final ConsumerGroupDescribeHandler describe = new ConsumerGroupDescribeHandler(consumer, classic,
            groupId -> { });
    private final JoinGroupHandler joinGroup = new JoinGroupHandler(classic, consumer);
    private final LeaveGroupHandler leaveGroup = new LeaveGroupHandler(classic, consumer);
    private OffsetsTopicFixture offsetsTopic;
    private ListGroupsHandler listGroups;
    private DescribeGroupsHandler describeGroups;

    @BeforeEach
    void open(@TempDir Path dir) {
        offsetsTopic = OffsetsTopicFixture.open(dir).load();
        GroupRegistry groups = new GroupRegistry(offsetsTopic.offsets(), List.of(consumer, classic));
        listGroups = new ListGroupsHandler(groups);
        describeGroups = new DescribeGroupsHandler(groups);
    }

    @AfterEach
    void close() {
        consumer.close();
        classic.close();
        offsetsTopic.close();
    }

    private static MetadataImage image() {
        Map<Integer, PartitionImage> parts = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            parts.put(p, new PartitionImage(new int[] {1}, new int[] {1}, 1, 0, 0));
        }
        TopicImage t = new TopicImage("t", TOPIC_ID, parts, Map.of());
        return new MetadataImage(1, "c", ClusterImage.EMPTY, new TopicsImage(Map.of("t", t), Map.of(TOPIC_ID, t)),
                Map.of(), 0);
    }

    private ConsumerGroupHeartbeatResponseData join(String group, String memberId, short v) throws Exception {
        ConsumerGroupHeartbeatResponse r = call(heartbeat, new ConsumerGroupHeartbeatRequest.Builder(
                new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                        .setRebalanceTimeoutMs(10_000).setSubscribedTopicNames(List.of("t"))
                        .setTopicPartitions(List.of()), true).build(v));
        return r.data();
    }

    @Test
    void everyVersionJoinsIsDescribedAndLeaves() throws Exception {
        for (short v = 0; v <= heartbeat.latestVersion(); v++) {
            String group = "g" + v;
            // v0 lets the coordinator choose the member id; v1 brings its own
            ConsumerGroupHeartbeatResponseData joined = join(group, v == 0 ? "" : "member-" + v, v);
            assertThat(Errors.forCode(joined.errorCode())).as("join v%d", v).isEqualTo(Errors.NONE);
            assertThat(joined.memberId()).isNotEmpty();
            assertThat(joined.memberEpoch()).isEqualTo(1);
            assertThat(joined.assignment().topicPartitions()).singleElement()
                    .satisfies(tp -> assertThat(tp.partitions()).containsExactly(0, 1));

            for (short dv = 0; dv <= describe.latestVersion(); dv++) {
                ConsumerGroupDescribeResponse d = call(describe, new ConsumerGroupDescribeRequest.Builder(
                        new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group, "unknown"))).build(dv));
                DescribedGroup described = d.data().groups().get(0);
                assertThat(described.groupState()).isEqualTo("Stable");
                assertThat(described.assignorName()).isEqualTo("uniform");
                assertThat(described.members()).singleElement().satisfies(m -> {
                    assertThat(m.memberId()).isEqualTo(joined.memberId());
                    assertThat(m.clientId()).isEqualTo("client");
                    assertThat(m.clientHost()).isEqualTo("/" + InetAddress.getLoopbackAddress().getHostAddress());
                    assertThat(m.assignment().topicPartitions()).singleElement()
                            .satisfies(tp -> assertThat(tp.topicName()).isEqualTo("t"));
                });
                assertThat(Errors.forCode(d.data().groups().get(1).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            }

            ConsumerGroupHeartbeatResponse left = call(heartbeat, new ConsumerGroupHeartbeatRequest.Builder(
                    new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(joined.memberId())
                            .setMemberEpoch(-1), true).build(v));
            assertThat(left.data().memberEpoch()).isEqualTo(-1);
        }
    }

    @Test
    void classicHandlersSeeConsumerGroupsAsKafkaDoes() throws Exception {
        join("cg", "m", (short) 1);

        // ListGroups lists it as a consumer group, and not under the classic type filter
        ListGroupsResponse listed = call(listGroups, new ListGroupsRequest.Builder(new ListGroupsRequestData()).build((short) 5));
        assertThat(listed.data().groups()).singleElement().satisfies(g -> {
            assertThat(g.groupId()).isEqualTo("cg");
            assertThat(g.groupType()).isEqualTo("consumer");
            assertThat(g.protocolType()).isEqualTo("consumer");
            assertThat(g.groupState()).isEqualTo("Stable");
        });
        ListGroupsResponse classicOnly = call(listGroups, new ListGroupsRequest.Builder(new ListGroupsRequestData()
                .setTypesFilter(List.of("classic"))).build((short) 5));
        assertThat(classicOnly.data().groups()).isEmpty();

        // DescribeGroups: Dead, and from v6 GROUP_ID_NOT_FOUND, as for a group it does not know
        DescribeGroupsResponse old = call(describeGroups, new DescribeGroupsRequest.Builder(
                new DescribeGroupsRequestData().setGroups(List.of("cg"))).build((short) 5));
        assertThat(old.data().groups().get(0).groupState()).isEqualTo("Dead");
        assertThat(old.data().groups().get(0).errorCode()).isZero();
        DescribeGroupsResponse v6 = call(describeGroups, new DescribeGroupsRequest.Builder(
                new DescribeGroupsRequestData().setGroups(List.of("cg"))).build((short) 6));
        assertThat(Errors.forCode(v6.data().groups().get(0).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(v6.data().groups().get(0).errorMessage()).contains("not a classic group");

        // JoinGroup is refused while the consumer group has members, at every version
        for (short v = 0; v <= joinGroup.latestVersion(); v++) {
            JoinGroupResponse refused = call(joinGroup, new JoinGroupRequest.Builder(classicJoin("cg")).build(v));
            assertThat(refused.error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }

        // LeaveGroup removes its members (Admin.removeMembersFromConsumerGroup)
        LeaveGroupResponse left = call(leaveGroup, new LeaveGroupRequest.Builder("cg", List.of(
                new MemberIdentity().setMemberId("m"), new MemberIdentity().setMemberId("stranger"))).build((short) 5));
        assertThat(left.data().members()).extracting(m -> Errors.forCode(m.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);

        // Once it is empty, a classic member takes the id over
        JoinGroupResponse accepted = call(joinGroup, new JoinGroupRequest.Builder(classicJoin("cg")).build((short) 9));
        assertThat(accepted.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(consumer.contains("cg")).isFalse();
    }

    @Test
    void aClassicGroupIsNotAConsumerGroup() throws Exception {
        JoinGroupResponse first = call(joinGroup, new JoinGroupRequest.Builder(classicJoin("classic")).build((short) 9));
        call(joinGroup, new JoinGroupRequest.Builder(classicJoin("classic").setMemberId(first.data().memberId()))
                .build((short) 9));

        ConsumerGroupDescribeResponse d = call(describe, new ConsumerGroupDescribeRequest.Builder(
                new ConsumerGroupDescribeRequestData().setGroupIds(List.of("classic"))).build((short) 1));
        assertThat(Errors.forCode(d.data().groups().get(0).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(d.data().groups().get(0).errorMessage()).contains("not a consumer group");
        assertThat(Errors.forCode(join("classic", "m", (short) 1).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    private static JoinGroupRequestData classicJoin(String group) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        return new JoinGroupRequestData().setGroupId(group).setMemberId("").setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000).setProtocolType("consumer").setProtocols(protocols);
    }
}
