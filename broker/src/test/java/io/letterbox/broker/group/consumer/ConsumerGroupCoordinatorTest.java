package io.letterbox.broker.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.group.ConsumerGroupStore;
import io.letterbox.broker.group.GroupMembership;
import io.letterbox.metadata.image.ClusterImage;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.image.TopicsImage;

/**
 * The KIP-848 coordinator on a real metadata image and real timers (short ones): members that
 * behave as the Java consumer does (take an assignment when told, report what they own when it
 * changed) converge, and no partition is ever owned by two of them at once.
 */
class ConsumerGroupCoordinatorTest {

    private static final String GROUP = "g";
    private static final String TOPIC = "t";
    private static final Uuid TOPIC_ID = new Uuid(42, 42);
    private static final int SESSION_MS = 400;
    private static final int HEARTBEAT_MS = 100;

    private final AtomicReference<MetadataImage> image = new AtomicReference<>(image(Map.of(TOPIC, 6)));
    private final Set<String> classicGroupsInUse = new HashSet<>();
    private final Set<String> notCoordinatorFor = new HashSet<>();
    private ConsumerGroupStore store = ConsumerGroupStore.IN_MEMORY;
    private ConsumerGroupCoordinator coordinator = coordinator(3);

    @AfterEach
    void close() {
        coordinator.close();
    }

    private ConsumerGroupCoordinator coordinator(int maxSize) {
        return new ConsumerGroupCoordinator(new ConsumerGroupCoordinator.Config(SESSION_MS, HEARTBEAT_MS, maxSize,
                List.of(new UniformAssignor(), new RangeAssignor())), image::get, groupId -> {
                    if (notCoordinatorFor.contains(groupId)) {
                        throw new NotCoordinatorException("not here");
                    }
                }, classicGroupsInUse::contains, (groupId, group, nowMs) -> store.storeConsumerGroup(groupId, group,
                        nowMs));
    }

    /** An image with these topics (name to partition count); "t" keeps its id across images. */
    private static MetadataImage image(Map<String, Integer> topics) {
        Map<String, TopicImage> byName = new HashMap<>();
        Map<Uuid, TopicImage> byId = new HashMap<>();
        topics.forEach((name, count) -> {
            Map<Integer, PartitionImage> parts = new HashMap<>();
            for (int p = 0; p < count; p++) {
                parts.put(p, new PartitionImage(new int[] {1}, new int[] {1}, 1, 0, 0));
            }
            Uuid id = name.equals(TOPIC) ? TOPIC_ID : new Uuid(7, name.hashCode());
            TopicImage t = new TopicImage(name, id, parts, Map.of());
            byName.put(name, t);
            byId.put(id, t);
        });
        return new MetadataImage(topics.hashCode(), "c", ClusterImage.EMPTY, new TopicsImage(byName, byId), Map.of(), 0);
    }

    /**
     * A consumer as the Java client behaves towards the coordinator: it takes an assignment the
     * moment it gets one (revoking what it lost) and reports what it owns in its next heartbeat
     * when that changed.
     */
    private final class Member {
        final String memberId;
        final String instanceId;
        int epoch;
        Assignment owned = Assignment.EMPTY;
        boolean ownedChanged;
        List<String> topics = List.of(TOPIC);
        String assignor;
        int rebalanceTimeoutMs = 60_000;
        Errors lastError = Errors.NONE;

        Member(String memberId, String instanceId) {
            this.memberId = memberId;
            this.instanceId = instanceId;
        }

        Member(String memberId) {
            this(memberId, null);
        }

        ConsumerGroupHeartbeatResponseData join() {
            epoch = 0;
            owned = Assignment.EMPTY;
            return send(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId(memberId)
                    .setInstanceId(instanceId).setMemberEpoch(0).setRebalanceTimeoutMs(rebalanceTimeoutMs)
                    .setSubscribedTopicNames(topics).setServerAssignor(assignor).setTopicPartitions(new ArrayList<>()));
        }

        ConsumerGroupHeartbeatResponseData heartbeat() {
            ConsumerGroupHeartbeatRequestData r = new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP)
                    .setMemberId(memberId).setInstanceId(instanceId).setMemberEpoch(epoch);
            if (ownedChanged) {
                List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
                owned.partitions().forEach((t, ps) -> tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                        .setTopicId(t).setPartitions(new ArrayList<>(ps))));
                r.setTopicPartitions(tps);
                ownedChanged = false;
            }
            return send(r);
        }

        ConsumerGroupHeartbeatResponseData leave(int leaveEpoch) {
            ConsumerGroupHeartbeatResponseData out = send(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP)
                    .setMemberId(memberId).setInstanceId(instanceId).setMemberEpoch(leaveEpoch));
            owned = Assignment.EMPTY;
            return out;
        }

        private ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData r) {
            ConsumerGroupHeartbeatResponseData out = coordinator.heartbeat(r, "client-" + memberId, "/127.0.0.1",
                    (short) 1).join();
            lastError = Errors.forCode(out.errorCode());
            if (lastError != Errors.NONE) {
                return out;
            }
            epoch = out.memberEpoch();
            if (out.assignment() != null) {
                Map<Uuid, List<Integer>> next = new HashMap<>();
                out.assignment().topicPartitions().forEach(t -> next.put(t.topicId(), t.partitions()));
                Assignment assigned = Assignment.of(next);
                ownedChanged |= !assigned.equals(owned);
                owned = assigned;
            }
            return out;
        }
    }

    /** No partition in two members' hands. */
    private static void assertDisjoint(List<Member> members) {
        Set<String> seen = new HashSet<>();
        for (Member m : members) {
            m.owned.forEach((t, p) -> assertThat(seen.add(t + "-" + p))
                    .as("partition %s owned by %s and another member", p, m.memberId).isTrue());
        }
    }

    private DescribedGroup describe() {
        return coordinator.describeConsumerGroup(GROUP);
    }

    /** Heartbeats every member (interleaved) until {@code done} or 5 s; checks disjointness at each step. */
    private static void heartbeatUntil(List<Member> members, BooleanSupplier done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("group converges within 5 s").isLessThan(deadline);
            for (Member m : members) {
                m.heartbeat();
                assertDisjoint(members);
            }
        }
    }

    private static Assignment partitions(Integer... ps) {
        return Assignment.of(Map.of(TOPIC_ID, List.of(ps)));
    }

    @Test
    void membersHeartbeatingInRandomOrderNeverShareAPartitionAndSettleOnTwoEach() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Member> members = new ArrayList<>();
        List<Member> all = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            int action = random.nextInt(20);
            if (action == 0 && members.size() < 3) {
                Member m = new Member("m" + step);
                m.join();
                members.add(m);
                all.add(m);
            } else if (action == 1 && members.size() > 1) {
                Member m = members.remove(random.nextInt(members.size()));
                m.leave(-1);
            } else if (!members.isEmpty()) {
                Member m = members.get(random.nextInt(members.size()));
                m.heartbeat();
                assertThat(m.lastError).as("seed %s", seed).isEqualTo(Errors.NONE);
            }
            assertDisjoint(all);
        }
        while (members.size() < 3) {
            Member m = new Member("late" + members.size());
            m.join();
            members.add(m);
            all.add(m);
        }

        heartbeatUntil(members, () -> "Stable".equals(describe().groupState()));

        assertThat(members).as("seed %s", seed).allSatisfy(m -> assertThat(m.owned.size()).isEqualTo(2));
        assertDisjoint(all);
        DescribedGroup d = describe();
        assertThat(d.groupEpoch()).isEqualTo(d.assignmentEpoch());
        assertThat(d.members()).allSatisfy(m -> assertThat(m.memberEpoch()).isEqualTo(d.groupEpoch()));
    }

    @Test
    void aJoiningMemberGetsPartitionsOnlyAfterTheirOwnerConfirmedTheRevocation() {
        // Given a member that owns all six partitions
        Member a = new Member("a");
        ConsumerGroupHeartbeatResponseData joined = a.join();
        assertThat(joined.memberEpoch()).isEqualTo(1);
        assertThat(a.owned).isEqualTo(partitions(0, 1, 2, 3, 4, 5));
        a.heartbeat();

        // When a second member joins, it is at epoch 2 with nothing yet
        Member b = new Member("b");
        ConsumerGroupHeartbeatResponseData bJoined = b.join();
        assertThat(bJoined.memberEpoch()).isEqualTo(2);
        assertThat(b.owned).isEqualTo(Assignment.EMPTY);
        assertThat(describe().groupState()).isEqualTo("Reconciling");

        // Then the owner is asked to revoke three at its old epoch, and b waits until it confirms
        ConsumerGroupHeartbeatResponseData revoke = a.heartbeat();
        assertThat(revoke.memberEpoch()).isEqualTo(1);
        assertThat(a.owned.size()).isEqualTo(3);
        assertThat(b.heartbeat().assignment()).isNull();
        assertThat(b.owned).isEqualTo(Assignment.EMPTY);

        ConsumerGroupHeartbeatResponseData confirmed = a.heartbeat();
        assertThat(confirmed.memberEpoch()).isEqualTo(2);
        assertThat(confirmed.assignment()).as("unchanged assignment is not resent").isNull();
        b.heartbeat();
        assertThat(b.owned.size()).isEqualTo(3);
        assertDisjoint(List.of(a, b));
        b.heartbeat();
        assertThat(describe().groupState()).isEqualTo("Stable");
    }

    @Test
    void aMemberThatStopsHeartbeatingIsFencedAfterTheSessionTimeoutAndItsPartitionsGoToTheOthers() {
        Member a = new Member("a");
        Member b = new Member("b");
        a.join();
        b.join();
        heartbeatUntil(List.of(a, b), () -> a.owned.size() == 3 && b.owned.size() == 3);

        // When b goes silent, a keeps heartbeating
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.owned.size() < 6) {
            assertThat(System.nanoTime()).as("b fenced within 5 s").isLessThan(deadline);
            a.heartbeat();
            sleep(50);
        }

        // Then b is gone: its heartbeat is refused and a rejoin makes it a new member
        assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly("a");
        b.heartbeat();
        assertThat(b.lastError).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsFenced() {
        // Given a owns everything and will never confirm a revocation
        Member a = new Member("a");
        a.rebalanceTimeoutMs = 300;
        a.join();
        a.heartbeat();
        Member b = new Member("b");
        b.join();
        a.heartbeat();
        assertThat(a.owned.size()).isEqualTo(3);
        a.ownedChanged = false;

        // When it keeps heartbeating without reporting, past its rebalance timeout
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.lastError == Errors.NONE) {
            assertThat(System.nanoTime()).as("a fenced within 5 s").isLessThan(deadline);
            a.heartbeat();
            b.heartbeat();
            sleep(50);
        }

        // Then it is fenced, and b gets all six
        assertThat(a.lastError).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        b.heartbeat();
        b.heartbeat();
        assertThat(b.owned.size()).isEqualTo(6);
    }

    @Test
    void aStaticMemberThatLeftTemporarilyKeepsItsPartitionsForItsSuccessor() {
        Member a = new Member("a", "instance-a");
        Member b = new Member("b");
        a.join();
        b.join();
        heartbeatUntil(List.of(a, b), () -> "Stable".equals(describe().groupState()));
        Assignment ofA = a.owned;
        int epochOfA = a.epoch;
        int groupEpoch = describe().groupEpoch();

        // A new process under the same instance id cannot join while a is there
        Member successor = new Member("a2", "instance-a");
        successor.join();
        assertThat(successor.lastError).isEqualTo(Errors.UNRELEASED_INSTANCE_ID);

        // When a leaves with epoch -2, its partitions stay with it and b does not get them
        assertThat(a.leave(-2).memberEpoch()).isEqualTo(-2);
        assertThat(describe().members()).anySatisfy(m -> {
            assertThat(m.memberId()).isEqualTo("a");
            assertThat(m.memberEpoch()).isEqualTo(-2);
        });
        b.heartbeat();
        assertThat(b.owned.size()).isEqualTo(3);

        // Then the successor takes over a's partitions and epoch, without a new group epoch
        ConsumerGroupHeartbeatResponseData joined = successor.join();
        assertThat(successor.lastError).isEqualTo(Errors.NONE);
        assertThat(joined.memberEpoch()).isEqualTo(epochOfA);
        assertThat(successor.owned).isEqualTo(ofA);
        assertThat(describe().groupEpoch()).isEqualTo(groupEpoch);
        assertThat(describe().groupState()).isEqualTo("Stable");

        // And the old member id is fenced by the new one
        a.epoch = epochOfA;
        a.heartbeat();
        assertThat(a.lastError).isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void newPartitionsAndDeletedTopicsReachTheTargetAtTheNextHeartbeat() {
        Member a = new Member("a");
        a.topics = List.of(TOPIC, "other");
        a.join();
        a.heartbeat();
        assertThat(a.owned.size()).isEqualTo(6);

        // When the topic grows and another subscribed topic appears
        image.set(image(Map.of(TOPIC, 8, "other", 2)));
        a.heartbeat();
        assertThat(a.owned.size()).isEqualTo(10);

        // When the topic is deleted, its partitions are revoked
        image.set(image(Map.of("other", 2)));
        a.heartbeat();
        assertThat(a.owned.size()).isEqualTo(2);
        assertThat(a.owned.partitions()).doesNotContainKey(TOPIC_ID);
    }

    @Test
    void aRegularExpressionSubscribesToEveryMatchingTopic() {
        image.set(image(Map.of(TOPIC, 2, "t-2", 3, "x", 4)));
        ConsumerGroupHeartbeatResponseData joined = coordinator.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("r").setMemberEpoch(0).setRebalanceTimeoutMs(1000)
                .setSubscribedTopicRegex("t.*").setTopicPartitions(List.of()), "c", "/h", (short) 1).join();

        assertThat(joined.assignment().topicPartitions()).hasSize(2);
        assertThat(describe().members().get(0).subscribedTopicRegex()).isEqualTo("t.*");
    }

    @Test
    void theRangeAssignorIsUsedWhenMembersAskForIt() {
        Member a = new Member("a");
        a.assignor = "range";
        Member b = new Member("b");
        b.assignor = "range";
        a.join();
        b.join();
        heartbeatUntil(List.of(a, b), () -> "Stable".equals(describe().groupState()));

        assertThat(describe().assignorName()).isEqualTo("range");
        assertThat(a.owned).isEqualTo(partitions(0, 1, 2));
        assertThat(b.owned).isEqualTo(partitions(3, 4, 5));
    }

    @Test
    void versionZeroMembersGetAnIdFromTheCoordinator() {
        ConsumerGroupHeartbeatResponseData joined = coordinator.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("").setMemberEpoch(0).setRebalanceTimeoutMs(1000)
                .setSubscribedTopicNames(List.of(TOPIC)).setTopicPartitions(List.of()), "c", "/h", (short) 0).join();

        assertThat(joined.errorCode()).isZero();
        assertThat(joined.memberId()).isNotEmpty();
        assertThat(joined.heartbeatIntervalMs()).isEqualTo(HEARTBEAT_MS);
    }

    @Test
    void requestsAreRefusedWithKafkasErrors() {
        // Given a at epoch 2, its previous epoch 1
        Member a = new Member("a");
        a.join();
        Member b = new Member("b");
        b.join();
        a.heartbeat();
        a.heartbeat();
        assertThat(a.epoch).isEqualTo(2);

        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("nobody")
                .setMemberEpoch(1))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("a")
                .setMemberEpoch(a.epoch + 1))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        // the previous epoch is accepted only from a member that says what it owns, within its assignment
        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("a")
                .setMemberEpoch(1))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("a")
                .setMemberEpoch(1).setTopicPartitions(List.of()))).isEqualTo(Errors.NONE);
        // a group lost with the broker's memory: the member is told to rejoin
        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId("unknown").setMemberId("a")
                .setMemberEpoch(1))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(new ConsumerGroupHeartbeatRequestData().setGroupId("unknown").setMemberId("a")
                .setMemberEpoch(-1))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(error(join("x").setServerAssignor("sticky"))).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        assertThat(error(join("x").setTopicPartitions(null))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(join("x").setRebalanceTimeoutMs(-1))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(join("x").setSubscribedTopicNames(null))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(join(""))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(join("x").setMemberEpoch(-2))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(join("x").setSubscribedTopicRegex("["))).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);

        classicGroupsInUse.add("classic");
        assertThat(error(join("x").setGroupId("classic"))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        notCoordinatorFor.add("elsewhere");
        assertThat(error(join("x").setGroupId("elsewhere"))).isEqualTo(Errors.NOT_COORDINATOR);

        // A group of three is full
        new Member("c").join();
        assertThat(error(join("d"))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    private static ConsumerGroupHeartbeatRequestData join(String memberId) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(1000).setSubscribedTopicNames(List.of(TOPIC)).setTopicPartitions(List.of());
    }

    private Errors error(ConsumerGroupHeartbeatRequestData request) {
        return Errors.forCode(coordinator.heartbeat(request, "c", "/h", (short) 1).join().errorCode());
    }

    @Test
    void offsetCommitsAreCheckedAgainstTheMembersEpoch() {
        GroupMembership membership = coordinator.membership(new GroupMembership() {
            @Override
            public void validateOffsetCommit(String groupId, boolean groupExists, int epoch, String memberId,
                    String instanceId, short apiVersion) {
                throw new IllegalStateException("not a consumer group: " + groupId);
            }

            @Override
            public void validateOffsetFetch(String groupId, boolean groupExists, String memberId, int memberEpoch,
                    short apiVersion) {
                throw new IllegalStateException("not a consumer group: " + groupId);
            }
        });
        Member a = new Member("a");
        a.join();

        membership.validateOffsetCommit(GROUP, true, a.epoch, "a", null, (short) 9);
        membership.validateOffsetFetch(GROUP, true, "a", a.epoch, (short) 9);
        membership.validateOffsetFetch(GROUP, true, null, -1, (short) 9);
        assertThatThrownBy(() -> membership.validateOffsetCommit(GROUP, true, a.epoch + 1, "a", null, (short) 9))
                .isInstanceOf(StaleMemberEpochException.class);
        assertThatThrownBy(() -> membership.validateOffsetCommit(GROUP, true, a.epoch + 1, "a", null, (short) 8))
                .isInstanceOf(UnsupportedVersionException.class);
        assertThatThrownBy(() -> membership.validateOffsetCommit(GROUP, true, -1, "", null, (short) 9))
                .isInstanceOf(UnknownMemberIdException.class);
        assertThatThrownBy(() -> membership.validateOffsetFetch(GROUP, true, "a", a.epoch + 1, (short) 9))
                .isInstanceOf(StaleMemberEpochException.class);
        // a member the coordinator lost in a restart may still read offsets; its heartbeat has it rejoin
        membership.validateOffsetFetch(GROUP, true, "b", 1, (short) 9);
        assertThatThrownBy(() -> membership.validateOffsetCommit("other", true, -1, "", null, (short) 9))
                .hasMessageContaining("not a consumer group");

        // Once the group is empty, commits from outside the group are accepted
        a.leave(-1);
        membership.validateOffsetCommit(GROUP, true, -1, "", null, (short) 9);
        assertThat(describe().groupState()).isEqualTo("Empty");
    }

    @Test
    void aHeartbeatIsAnsweredOnceItsWriteIsDurableAndAFailedWriteIsWrittenAgain() {
        // Given a store that holds each write until the test settles it
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        store = (groupId, group, nowMs) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            writes.add(f);
            return f;
        };

        // When a member joins, its answer waits for the group's record
        CompletableFuture<ConsumerGroupHeartbeatResponseData> joined = coordinator.heartbeat(join("a"), "c", "/h",
                (short) 1);
        assertThat(writes).hasSize(1);
        assertThat(joined).isNotDone();
        writes.get(0).complete(null);
        assertThat(joined.join().memberEpoch()).isEqualTo(1);

        // And a heartbeat that changes nothing writes nothing and is answered at once
        CompletableFuture<ConsumerGroupHeartbeatResponseData> plain = coordinator.heartbeat(
                new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("a").setMemberEpoch(1), "c",
                "/h", (short) 1);
        assertThat(plain.join().errorCode()).isZero();
        assertThat(writes).hasSize(1);

        // When a write fails, the member is told to retry, and its retry writes the group again
        CompletableFuture<ConsumerGroupHeartbeatResponseData> failed = coordinator.heartbeat(join("b"), "c", "/h",
                (short) 1);
        writes.get(1).completeExceptionally(new IllegalStateException("disk full"));
        assertThat(Errors.forCode(failed.join().errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        CompletableFuture<ConsumerGroupHeartbeatResponseData> retried = coordinator.heartbeat(join("b"), "c", "/h",
                (short) 1);
        assertThat(writes).hasSize(3);
        writes.get(2).complete(null);
        assertThat(retried.join().errorCode()).isZero();
        assertThat(retried.join().memberEpoch()).isEqualTo(2);
    }

    @Test
    void groupsAreListedWithTheirStateAndAnEmptyGroupYieldsItsIdToAClassicJoin() {
        Member a = new Member("a");
        a.join();
        assertThat(coordinator.list(Set.of())).singleElement().satisfies(g -> {
            assertThat(g.groupId()).isEqualTo(GROUP);
            assertThat(g.groupType()).isEqualTo("consumer");
            assertThat(g.protocolType()).isEqualTo("consumer");
            assertThat(g.groupState()).isEqualTo("Stable");
        });
        assertThat(coordinator.list(Set.of("empty"))).isEmpty();
        assertThat(coordinator.yieldToClassic(GROUP)).isFalse();

        a.leave(-1);
        assertThat(coordinator.list(Set.of("empty"))).hasSize(1);
        assertThat(coordinator.yieldToClassic(GROUP)).isTrue();
        assertThat(coordinator.contains(GROUP)).isFalse();
        assertThat(describe()).isNull();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
