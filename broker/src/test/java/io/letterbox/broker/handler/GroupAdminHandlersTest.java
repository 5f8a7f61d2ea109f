package io.letterbox.broker.handler;

import static io.letterbox.broker.handler.HandlerCalls.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.CommittedOffset;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetsTopicFixture;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.TopicRecord;

/**
 * DeleteGroups, OffsetDelete, ListGroups and DescribeGroups through their handlers on a real
 * {@code __consumer_offsets}: each error code Kafka answers, at every advertised version, each
 * response serializing at the version asked for.
 */
class GroupAdminHandlersTest {

    private static final Uuid ORDERS_ID = Uuid.randomUuid();
    /** The cluster as the handlers see it: topic "orders" with two partitions. */
    private static final MetadataImage IMAGE = new MetadataDelta(MetadataImage.EMPTY).replayAll(List.of(
            new TopicRecord("orders", ORDERS_ID),
            new PartitionRecord(ORDERS_ID, 0, List.of(1), List.of(1), 1, 0, 0),
            new PartitionRecord(ORDERS_ID, 1, List.of(1), List.of(1), 1, 0, 0))).apply(1);

    @TempDir
    Path dir;

    private OffsetsTopicFixture topic;
    private ClassicGroupCoordinator coordinator;
    private DeleteGroupsHandler deleteGroups;
    private OffsetDeleteHandler offsetDelete;
    private ListGroupsHandler listGroups;
    private DescribeGroupsHandler describeGroups;

    private void open(boolean load) {
        topic = OffsetsTopicFixture.open(dir);
        coordinator = new ClassicGroupCoordinator(new ClassicGroupCoordinator.Limits(100, 60_000, 10, 0),
                topic.offsets());
        topic.offsets().addLoadListener(coordinator);
        if (load) {
            topic.load();
        }
        GroupRegistry groups = new GroupRegistry(topic.offsets(), List.of(coordinator));
        deleteGroups = new DeleteGroupsHandler(groups, Time.SYSTEM);
        offsetDelete = new OffsetDeleteHandler(() -> IMAGE, topic.offsets(), groups, Time.SYSTEM);
        listGroups = new ListGroupsHandler(groups);
        describeGroups = new DescribeGroupsHandler(groups);
    }

    @AfterEach
    void close() {
        coordinator.close();
        topic.close();
    }

    private void commit(String group, int partition) throws Exception {
        long now = System.currentTimeMillis();
        topic.offsets().commit(group, Map.of(new TopicPartition("orders", partition),
                new CommittedOffset(3, -1, "", now)), now).get(10, TimeUnit.SECONDS);
    }

    /** A member of {@code group} (v3 join, no member id round trip); returns when it has joined. */
    private void activeMember(String group, String protocolType, byte[] metadata) throws Exception {
        JoinGroupRequestProtocolCollection ps = new JoinGroupRequestProtocolCollection();
        ps.add(new JoinGroupRequestProtocol().setName("range").setMetadata(metadata));
        coordinator.join(new JoinGroupRequestData().setGroupId(group).setMemberId("").setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(30_000).setProtocolType(protocolType).setProtocols(ps), "c", "/h", false)
                .get(10, TimeUnit.SECONDS);
    }

    private static byte[] subscriptionTo(String topic) {
        java.nio.ByteBuffer b = org.apache.kafka.clients.consumer.internals.ConsumerProtocol.serializeSubscription(
                new org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription(List.of(topic)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void deleteGroupsAnswersEachGroupAtEveryVersion() throws Exception {
        open(true);
        activeMember("active", "consumer", subscriptionTo("orders"));
        for (short v = 0; v <= deleteGroups.latestVersion(); v++) {
            String simple = "simple-" + v;
            commit(simple, 0);
            DeleteGroupsResponse r = call(deleteGroups, new DeleteGroupsRequest(new DeleteGroupsRequestData()
                    .setGroupsNames(List.of(simple, "active", "unknown", "")), v));
            assertThat(r.errors()).as("v%d", v).isEqualTo(Map.of(simple, Errors.NONE, "active",
                    Errors.NON_EMPTY_GROUP, "unknown", Errors.GROUP_ID_NOT_FOUND, "", Errors.GROUP_ID_NOT_FOUND));
            assertThat(topic.offsets().fetch(simple, null)).isEmpty();
        }
    }

    @Test
    void aBrokerThatDoesNotCoordinateTheGroupSaysSo() throws Exception {
        open(false);
        DeleteGroupsResponse deleted = call(deleteGroups, new DeleteGroupsRequest(new DeleteGroupsRequestData()
                .setGroupsNames(List.of("g")), (short) 2));
        assertThat(deleted.get("g")).isEqualTo(Errors.NOT_COORDINATOR);
        OffsetDeleteResponse offsets = call(offsetDelete, offsetDeleteRequest("g", "orders", 0));
        assertThat(Errors.forCode(offsets.data().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void offsetDeleteAnswersLikeKafka() throws Exception {
        open(true);
        // Group-level errors
        assertThat(topError(call(offsetDelete, offsetDeleteRequest("", "orders", 0)))).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(topError(call(offsetDelete, offsetDeleteRequest("unknown", "orders", 0))))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        activeMember("connect", "connect", new byte[] {1});
        assertThat(topError(call(offsetDelete, offsetDeleteRequest("connect", "orders", 0))))
                .isEqualTo(Errors.NON_EMPTY_GROUP);

        // Per partition: unknown ones, the subscribed topic of an active consumer group, the rest deleted
        activeMember("active", "consumer", subscriptionTo("orders"));
        commit("active", 0);
        OffsetDeleteResponse subscribed = call(offsetDelete, offsetDeleteRequest("active", "orders", 0, 7));
        assertThat(partitionErrors(subscribed, "orders")).containsExactly(Errors.GROUP_SUBSCRIBED_TO_TOPIC,
                Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(topic.offsets().fetch("active", null)).hasSize(1);

        commit("simple", 0);
        commit("simple", 1);
        OffsetDeleteResponse deleted = call(offsetDelete, offsetDeleteRequest("simple", "orders", 0, 1));
        assertThat(partitionErrors(deleted, "orders")).containsExactly(Errors.NONE, Errors.NONE);
        assertThat(partitionErrors(call(offsetDelete, offsetDeleteRequest("simple", "gone", 0)), "gone"))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(topic.offsets().fetch("simple", null)).isEmpty();
    }

    @Test
    void aSimpleGroupIsListedAndDescribedAtEveryVersion() throws Exception {
        open(true);
        commit("simple", 0);
        for (short v = 0; v <= listGroups.latestVersion(); v++) {
            ListGroupsRequestData data = new ListGroupsRequestData();
            if (v >= 4) {
                data.setStatesFilter(List.of("EMPTY"));
            }
            if (v >= 5) {
                data.setTypesFilter(List.of("classic"));
            }
            ListGroupsResponse r = call(listGroups, new ListGroupsRequest.Builder(data).build(v));
            assertThat(r.data().groups()).as("v%d", v).singleElement()
                    .satisfies(g -> assertThat(g.groupId()).isEqualTo("simple"))
                    .satisfies(g -> assertThat(g.protocolType()).isEmpty());
        }
        for (short v = 0; v <= describeGroups.latestVersion(); v++) {
            DescribeGroupsResponse r = call(describeGroups, new DescribeGroupsRequest.Builder(
                    new DescribeGroupsRequestData().setGroups(List.of("simple"))).build(v));
            assertThat(r.data().groups().get(0).groupState()).as("v%d", v).isEqualTo("Empty");
            assertThat(r.data().groups().get(0).errorCode()).isZero();
        }
    }

    private static OffsetDeleteRequest offsetDeleteRequest(String group, String topicName, int... partitions) {
        OffsetDeleteRequestTopic t = new OffsetDeleteRequestTopic().setName(topicName);
        for (int p : partitions) {
            t.partitions().add(new OffsetDeleteRequestPartition().setPartitionIndex(p));
        }
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        topics.add(t);
        return new OffsetDeleteRequest(new OffsetDeleteRequestData().setGroupId(group).setTopics(topics), (short) 0);
    }

    private static Errors topError(OffsetDeleteResponse r) {
        return Errors.forCode(r.data().errorCode());
    }

    private static List<Errors> partitionErrors(OffsetDeleteResponse r, String topicName) {
        assertThat(r.data().errorCode()).isZero();
        return r.data().topics().find(topicName).partitions().stream().map(OffsetDeleteResponsePartition::errorCode)
                .map(Errors::forCode).toList();
    }
}
