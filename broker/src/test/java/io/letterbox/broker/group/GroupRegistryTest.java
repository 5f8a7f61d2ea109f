package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups of every kind through the registry, on a real {@code __consumer_offsets} with the classic
 * coordinator: simple groups list and describe as Kafka shows them, deletion refuses groups with
 * members, offset rules follow the members' subscriptions, and expiry removes what nobody needs.
 */
class GroupRegistryTest {

    private static final long HOUR = TimeUnit.HOURS.toMillis(1);
    private static final String G = ConsumerMembers.GROUP;
    private static final TopicPartition ORDERS = new TopicPartition("orders", 0);
    private static final TopicPartition PAYMENTS = new TopicPartition("payments", 0);

    @TempDir
    Path dir;

    private OffsetsTopicFixture topic;
    private ClassicGroupCoordinator coordinator;
    private GroupRegistry registry;
    private ConsumerMembers members;

    @BeforeEach
    void open() {
        topic = OffsetsTopicFixture.open(dir);
        coordinator = new ClassicGroupCoordinator(new ClassicGroupCoordinator.Limits(100, 30_000, 10, 200),
                topic.offsets());
        topic.offsets().addLoadListener(coordinator);
        topic.load();
        registry = new GroupRegistry(topic.offsets(), List.of(coordinator));
        members = new ConsumerMembers(coordinator, 30_000);
    }

    @AfterEach
    void close() {
        coordinator.close();
        topic.close();
    }

    private void commit(String groupId, TopicPartition tp, long commitMs) throws Exception {
        topic.offsets().commit(groupId, Map.of(tp, new CommittedOffset(1, -1, "", commitMs)), commitMs)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSimpleGroupIsListedAndDescribedAsAnEmptyClassicGroupWithoutProtocolType() throws Exception {
        commit("simple", ORDERS, System.currentTimeMillis());

        assertThat(registry.list(List.of(), List.of())).extracting(ListedGroup::groupId, ListedGroup::groupType,
                ListedGroup::groupState, ListedGroup::protocolType).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("simple", "classic", "Empty", ""));
        assertThat(registry.list(List.of("EMPTY"), List.of("Classic"))).hasSize(1);
        assertThat(registry.list(List.of("Stable"), List.of())).isEmpty();
        assertThat(registry.list(List.of(), List.of("consumer"))).isEmpty();
        assertThat(registry.describe("simple").groupState()).isEqualTo("Empty");
        assertThat(registry.describe("simple").protocolType()).isEmpty();
        assertThat(registry.describe("unknown")).isNull();
    }

    @Test
    void deletionRefusesGroupsWithMembersAndRemovesEmptyOnesForGood() throws Exception {
        // Given an active consumer group, an emptied one and a simple one, each with offsets
        long now = System.currentTimeMillis();
        members.stable(1, "orders");
        commit(G, ORDERS, now);
        commit("simple", ORDERS, now);

        // Then the active group and an unknown one cannot be deleted
        assertThatThrownBy(() -> registry.delete(G, now)).isInstanceOf(GroupNotEmptyException.class);
        assertThatThrownBy(() -> registry.delete("unknown", now)).isInstanceOf(GroupIdNotFoundException.class);

        // When the simple one is deleted, and the classic one once its member left
        registry.delete("simple", now).get(10, TimeUnit.SECONDS);
        JoinGroupResponseData member = coordinator.describe(G).members().stream()
                .map(m -> new JoinGroupResponseData().setMemberId(m.memberId())).findFirst().orElseThrow();
        coordinator.leave(G, List.of(new MemberIdentity().setMemberId(member.memberId())));
        registry.delete(G, now).get(10, TimeUnit.SECONDS);

        // Then neither exists, lists or has offsets, also after the partitions load again
        assertThat(registry.list(List.of(), List.of())).isEmpty();
        assertThat(registry.describe(G)).isNull();
        assertThat(topic.offsets().fetch(G, null)).isEmpty();
        assertThatThrownBy(() -> registry.delete(G, now)).isInstanceOf(GroupIdNotFoundException.class);
        close();
        open();
        assertThat(registry.list(List.of(), List.of())).isEmpty();
        assertThat(topic.offsets().fetch("simple", null)).isEmpty();
    }

    @Test
    void offsetRulesFollowTheMembersSubscriptionsAndProtocol() throws Exception {
        // A consumer group reading "orders": its offsets of "orders" are in use, the others are not
        members.stable(1, "orders");
        OffsetRules rules = registry.offsetRules(G);
        assertThat(rules.deletable()).isTrue();
        assertThat(rules.subscribed()).accepts("orders").rejects("payments");
        assertThat(rules.retention()).isEqualTo(OffsetRules.Retention.FROM_COMMIT);

        // A group of another protocol keeps its offsets whole while it has members
        coordinator.join(members.joinRequest("", null, "connect", new byte[] {1}).setGroupId("connect-group"), "c",
                "/h", false).get(10, TimeUnit.SECONDS);
        OffsetRules connect = registry.offsetRules("connect-group");
        assertThat(connect.deletable()).isFalse();
        assertThat(connect.retention()).isEqualTo(OffsetRules.Retention.NONE);

        // A group only the offsets store knows is simple; no group at all is not found
        commit("simple", ORDERS, System.currentTimeMillis());
        assertThat(registry.offsetRules("simple")).isEqualTo(OffsetRules.SIMPLE);
        assertThatThrownBy(() -> registry.offsetRules("unknown")).isInstanceOf(GroupIdNotFoundException.class);
    }

    @Test
    void expiryRemovesOffsetsNobodyNeedsAndThenTheUnusedGroups() throws Exception {
        // Given: a simple group committed long ago; an active consumer group reading "orders" with
        // old offsets of "orders" and "payments"; a group whose member left
        long old = System.currentTimeMillis() - 3 * HOUR;
        commit("simple", ORDERS, old);
        members.stable(1, "orders");
        commit(G, ORDERS, old);
        commit(G, PAYMENTS, old);
        ConsumerMembers other = new ConsumerMembers(coordinator, 30_000);
        JoinGroupResponseData leaving = coordinator.join(other.joinRequest("", null, "consumer",
                ConsumerMembers.subscription("orders")).setGroupId("left"), "c", "/h", false).get(10, TimeUnit.SECONDS);
        commit("left", ORDERS, System.currentTimeMillis());
        coordinator.leave("left", List.of(new MemberIdentity().setMemberId(leaving.memberId())));

        // When expiry runs with a retention of one hour, first now, then two hours later
        OffsetExpiry expiry = new OffsetExpiry(topic.offsets(), registry, HOUR);
        OffsetExpiry.Pass now = expiry.expire(System.currentTimeMillis());
        OffsetExpiry.Pass later = expiry.expire(System.currentTimeMillis() + 2 * HOUR);
        expiry.close();

        // Then first the simple group's offset and the unread topic's go, and the simple group with it;
        // the emptied group's offsets count from when it became empty, so they go only later
        assertThat(now).isEqualTo(new OffsetExpiry.Pass(2, 1));
        assertThat(later).isEqualTo(new OffsetExpiry.Pass(1, 1));
        assertThat(topic.offsets().fetch(G, null)).containsOnlyKeys(ORDERS);
        assertThat(registry.list(List.of(), List.of())).extracting(ListedGroup::groupId).containsExactly(G);
    }
}
