package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The consumer group protocol of KIP-848 with real consumers ({@code group.protocol=consumer}):
 * members share partitions, each owned by one member at a time; closing members hand theirs over;
 * groups are independent; committed offsets carry over to new members; a restarted static member
 * gets its partitions back; AdminClient describes and lists the group; and the coordinator's
 * errors are Kafka's. Heartbeats every 500 ms keep it quick; the same overrides are valid for
 * Kafka, so {@code -Dit.peer=kafka -Dit.broker.cmd=.../kafka-as-letterbox} checks the expectations.
 */
class ConsumerGroupIT {

    private static final int PARTITIONS = 6;
    private static final int MAX_GROUP_SIZE = 4;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("consumer-group", Map.of(
            "group.consumer.heartbeat.interval.ms", "500",
            "group.consumer.min.heartbeat.interval.ms", "500",
            "group.consumer.session.timeout.ms", "6000",
            "group.consumer.min.session.timeout.ms", "6000",
            "group.consumer.max.size", Integer.toString(MAX_GROUP_SIZE),
            "group.initial.rebalance.delay.ms", "0"));

    // ---- sharing partitions --------------------------------------------------------------------

    @Test
    void threeConsumersOwnTwoOfSixPartitionsEachAndReadEveryRecordOnce() {
        // Given three consumers of one group on a 6-partition topic, settled
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        List<KafkaConsumer<String, String>> consumers = members(group, topic, 3);
        try {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 2));
            assertDisjointAndComplete(consumers, PARTITIONS);

            // When records arrive in every partition
            produce(topic, PARTITIONS, 5);

            // Then each is read once, by the member that owns its partition
            pollUntil(consumers, read, () -> total(read) >= PARTITIONS * 5);
            assertThat(read.values().stream().flatMap(List::stream).map(ConsumerRecord::value))
                    .hasSize(PARTITIONS * 5).doesNotHaveDuplicates();
            read.forEach((c, records) -> assertThat(records).allSatisfy(r -> assertThat(c.assignment())
                    .contains(new TopicPartition(r.topic(), r.partition()))));
        } finally {
            closeAll(consumers);
        }
    }

    @Test
    void aConsumerThatClosesGivesItsPartitionsToTheOthers() {
        // Given three settled members
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        List<KafkaConsumer<String, String>> consumers = members(group, topic, 3);
        try {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 2));

            // When one closes (it leaves the group)
            KafkaConsumer<String, String> leaving = consumers.remove(2);
            leaving.close();

            // Then the other two own three each, and read what arrives in every partition
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 3));
            assertDisjointAndComplete(consumers, PARTITIONS);
            produce(topic, PARTITIONS, 2);
            pollUntil(consumers, read, () -> total(read) >= PARTITIONS * 2);
            assertThat(read.values().stream().flatMap(List::stream).map(ConsumerRecord::value))
                    .hasSize(PARTITIONS * 2).doesNotHaveDuplicates();
        } finally {
            closeAll(consumers);
        }
    }

    @Test
    void twoGroupsEachReadEveryRecord() {
        String topic = topic(3);
        produce(topic, 3, 4);
        List<KafkaConsumer<String, String>> first = members("a-" + topic, topic, 1);
        List<KafkaConsumer<String, String>> second = members("b-" + topic, topic, 1);
        try {
            for (List<KafkaConsumer<String, String>> group : List.of(first, second)) {
                Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
                pollUntil(group, read, () -> total(read) >= 12);
                assertThat(read.get(group.get(0))).extracting(ConsumerRecord::value).hasSize(12).doesNotHaveDuplicates();
            }
        } finally {
            closeAll(first);
            closeAll(second);
        }
    }

    @Test
    void aNewConsumerOfTheGroupResumesAtTheCommittedOffset() {
        // Given a member that read part of a partition and committed there
        String topic = topic(1);
        produce(topic, 1, 20);
        String group = "g-" + topic;
        TopicPartition tp = new TopicPartition(topic, 0);
        List<KafkaConsumer<String, String>> firstRun = members(group, topic, 1);
        try {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(firstRun, read, () -> total(read) >= 8);
            firstRun.get(0).commitSync(Map.of(tp, new OffsetAndMetadata(8)));
        } finally {
            closeAll(firstRun);
        }

        // When a new consumer of the group starts
        List<KafkaConsumer<String, String>> secondRun = members(group, topic, 1);
        try {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(secondRun, read, () -> total(read) >= 12);

            // Then it reads from offset 8 on, each record once
            List<ConsumerRecord<String, String>> records = read.get(secondRun.get(0));
            assertThat(records).extracting(ConsumerRecord::offset)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(8, 20).boxed().toList());
        } finally {
            closeAll(secondRun);
        }
    }

    @Test
    void aRestartedStaticMemberGetsItsPartitionsBackAndTheOtherKeepsItsOwn() {
        // Given two static members sharing six partitions
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        AtomicInteger revokedFromA = new AtomicInteger();
        KafkaConsumer<String, String> a = staticMember(group, "a");
        KafkaConsumer<String, String> b = staticMember(group, "b");
        KafkaConsumer<String, String> restarted = null;
        boolean bClosed = false;
        try {
            a.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revokedFromA.incrementAndGet();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            b.subscribe(List.of(topic));
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(List.of(a, b), read, () -> a.assignment().size() == 3 && b.assignment().size() == 3);
            Set<TopicPartition> ofA = Set.copyOf(a.assignment());
            Set<TopicPartition> ofB = Set.copyOf(b.assignment());
            int revocationsBefore = revokedFromA.get();

            // When b closes (a static member leaves only for now) and a new process takes its instance id
            b.close();
            bClosed = true;
            KafkaConsumer<String, String> b2 = staticMember(group, "b");
            restarted = b2;
            b2.subscribe(List.of(topic));
            pollUntil(List.of(a, b2), read, () -> b2.assignment().size() == 3);

            // Then it owns what b owned, and a kept its partitions throughout
            assertThat(b2.assignment()).isEqualTo(ofB);
            for (int i = 0; i < 5; i++) {
                a.poll(Duration.ofMillis(100));
            }
            assertThat(a.assignment()).isEqualTo(ofA);
            assertThat(revokedFromA.get()).isEqualTo(revocationsBefore);
        } finally {
            a.close();
            if (!bClosed) {
                b.close();
            }
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    @Test
    void theRangeAssignorCanBeChosenByTheConsumers() {
        // Given two co-partitioned topics and two members asking for the range assignor
        String left = topic(4);
        String right = topic(4);
        String group = "g-" + left;
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                KafkaConsumer<String, String> c = member(group, i, Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG,
                        "range"));
                c.subscribe(List.of(left, right));
                consumers.add(c);
            }
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 4));

            // Then each member has the same two partition numbers of both topics (co-partitioning)
            assertDisjointAndComplete(consumers, 8);
            for (KafkaConsumer<String, String> c : consumers) {
                Map<String, Set<Integer>> byTopic = c.assignment().stream().collect(Collectors.groupingBy(
                        TopicPartition::topic, Collectors.mapping(TopicPartition::partition, Collectors.toSet())));
                assertThat(byTopic.get(left)).hasSize(2).isEqualTo(byTopic.get(right));
            }
            try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
                ConsumerGroupDescription d = get(admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group));
                assertThat(d.partitionAssignor()).isEqualTo("range");
            }
        } finally {
            closeAll(consumers);
        }
    }

    @Test
    void membersCarryOnAfterTheBrokerRestarts() {
        BROKER.broker().assumeCanRestart();
        // Given two settled members
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        List<KafkaConsumer<String, String>> consumers = members(group, topic, 2);
        try {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 3));

            // When the broker restarts under them
            BROKER.broker().restart();

            // Then they settle again as a Stable group of the same two members (the group is stored:
            // they carry on at their epochs), and read what arrives afterwards, each record once
            try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
                pollUntil(consumers, read, () -> settled(admin, group, consumers));
            }
            produce(topic, PARTITIONS, 3);
            pollUntil(consumers, read, () -> total(read) >= PARTITIONS * 3
                    && consumers.stream().allMatch(c -> c.assignment().size() == 3));
            assertDisjointAndComplete(consumers, PARTITIONS);
            assertThat(read.values().stream().flatMap(List::stream).map(ConsumerRecord::value))
                    .hasSize(PARTITIONS * 3).doesNotHaveDuplicates();
        } finally {
            closeAll(consumers);
        }
    }

    @Test
    void anEmptyGroupIsStillAnEmptyConsumerGroupAfterTheBrokerRestarts() {
        BROKER.broker().assumeCanRestart();
        // Given a consumer group whose only member left
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        List<KafkaConsumer<String, String>> consumers = members(group, topic, 1);
        try {
            pollUntil(consumers, new HashMap<>(), () -> consumers.get(0).assignment().size() == PARTITIONS);
        } finally {
            closeAll(consumers);
        }
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            ItSupport.await("the group is Empty", () -> describeConsumerGroup(admin, group).groupState()
                    == GroupState.EMPTY);
            int epoch = describeConsumerGroup(admin, group).groupEpoch().orElseThrow();

            // When the broker restarts
            BROKER.broker().restart();

            // Then the group is listed and described as an Empty consumer group, at its epoch
            ItSupport.await("the group is listed after the restart", () -> {
                try {
                    return get(admin.listGroups().all()).stream().anyMatch(g -> g.groupId().equals(group));
                } catch (RuntimeException e) {
                    return false; // still loading
                }
            });
            assertThat(get(admin.listGroups().all())).filteredOn(g -> g.groupId().equals(group)).singleElement()
                    .satisfies(g -> {
                        assertThat(g.type()).hasValue(GroupType.CONSUMER);
                        assertThat(g.groupState()).hasValue(GroupState.EMPTY);
                    });
            ConsumerGroupDescription d = describeConsumerGroup(admin, group);
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.groupState()).isEqualTo(GroupState.EMPTY);
            assertThat(d.groupEpoch()).hasValue(epoch);
        }
    }

    private static ConsumerGroupDescription describeConsumerGroup(Admin admin, String group) {
        return get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    }

    // ---- admin ---------------------------------------------------------------------------------

    @Test
    void adminDescribesAndListsTheGroupWithItsMembers() {
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        List<KafkaConsumer<String, String>> consumers = members(group, topic, 2);
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(consumers, read, () -> consumers.stream().allMatch(c -> c.assignment().size() == 3));

            // describeConsumerGroups: a Stable consumer group of two, each with three partitions
            ItSupport.await("the group is described Stable", () -> {
                ConsumerGroupDescription d = get(admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group));
                return d.groupState() == GroupState.STABLE;
            });
            ConsumerGroupDescription d = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.isSimpleConsumerGroup()).isFalse();
            assertThat(d.partitionAssignor()).isEqualTo("uniform");
            assertThat(d.members()).hasSize(2);
            assertThat(d.members()).extracting(MemberDescription::clientId)
                    .containsExactlyInAnyOrder("member-0", "member-1");
            assertThat(d.members()).allSatisfy(m -> {
                assertThat(m.assignment().topicPartitions()).hasSize(3);
                assertThat(m.targetAssignment()).isPresent();
                assertThat(m.targetAssignment().get().topicPartitions()).isEqualTo(m.assignment().topicPartitions());
                assertThat(m.memberEpoch()).hasValue(d.groupEpoch().orElseThrow());
            });

            // listGroups: the group as a consumer group, also through the state and type filters
            Collection<GroupListing> all = get(admin.listGroups().all());
            assertThat(all).filteredOn(g -> g.groupId().equals(group)).singleElement().satisfies(g -> {
                assertThat(g.type()).hasValue(GroupType.CONSUMER);
                assertThat(g.protocol()).isEqualTo("consumer");
                assertThat(g.groupState()).hasValue(GroupState.STABLE);
            });
            assertThat(get(admin.listGroups(ListGroupsOptions.forConsumerGroups().withTypes(Set.of(GroupType.CONSUMER))
                    .inGroupStates(Set.of(GroupState.STABLE))).all())).extracting(GroupListing::groupId).contains(group);
            assertThat(get(admin.listGroups(ListGroupsOptions.forConsumerGroups().withTypes(Set.of(GroupType.CLASSIC)))
                    .all())).extracting(GroupListing::groupId).doesNotContain(group);
        } finally {
            closeAll(consumers);
        }
    }

    @Test
    void adminRemovesAStaticMemberThatLeftAndTheOtherTakesItsPartitionsAtOnce() {
        // Given two static members sharing six partitions, and b closed: a static member leaves only
        // for now, keeping its partitions for a restart until its session times out
        String topic = topic(PARTITIONS);
        String group = "g-" + topic;
        KafkaConsumer<String, String> a = staticMember(group, "a");
        KafkaConsumer<String, String> b = staticMember(group, "b");
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            a.subscribe(List.of(topic));
            b.subscribe(List.of(topic));
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read = new HashMap<>();
            pollUntil(List.of(a, b), read, () -> a.assignment().size() == 3 && b.assignment().size() == 3);
            b.close();

            // When an admin removes it
            get(admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove("b")))).all());

            // Then it is gone at once, not after its session timeout, and a takes all six
            ConsumerGroupDescription d = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
            assertThat(d.members()).extracting(m -> m.groupInstanceId().orElse(null)).containsExactly("a");
            pollUntil(List.of(a), read, () -> a.assignment().size() == PARTITIONS);
        } finally {
            a.close();
        }
    }

    // ---- errors, provoked on purpose -------------------------------------------------------------

    @Test
    void theCoordinatorAnswersKafkasErrors() {
        String topic = topic(2);
        String group = "raw-" + topic;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            awaitCoordinator(raw, group);
            ConsumerGroupHeartbeatResponseData joined = heartbeat(raw, join(group, "m-0", topic));
            assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
            assertThat(joined.memberId()).isEqualTo("m-0");
            if (!ItSupport.external()) {
                assertThat(joined.heartbeatIntervalMs()).isEqualTo(500);
            }

            assertThat(error(raw, beat(group, "stranger", joined.memberEpoch()))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(error(raw, beat(group, "m-0", joined.memberEpoch() + 1))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
            assertThat(error(raw, join(group, "m-x", topic).setServerAssignor("no-such-assignor")))
                    .isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
            assertThat(error(raw, join(group, "m-x", topic).setTopicPartitions(null))).isEqualTo(Errors.INVALID_REQUEST);
            // Letterbox keeps groups in memory: a heartbeat for a group it does not know comes from a
            // member of a group lost in a restart, and is told to rejoin (Kafka: GROUP_ID_NOT_FOUND)
            assertThat(error(raw, beat("no-such-group-" + topic, "m-0", 1)))
                    .isEqualTo(ItSupport.kafkaPeer() ? Errors.GROUP_ID_NOT_FOUND : Errors.UNKNOWN_MEMBER_ID);

            if (!ItSupport.external()) {
                // group.consumer.max.size is this class's override; an external broker has its own
                for (int i = 1; i < MAX_GROUP_SIZE; i++) {
                    assertThat(error(raw, join(group, "m-" + i, topic))).isEqualTo(Errors.NONE);
                }
                assertThat(error(raw, join(group, "one-too-many", topic))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
            }
            for (int i = 0; i < MAX_GROUP_SIZE; i++) {
                heartbeat(raw, beat(group, "m-" + i, -1));
            }
        }
    }

    @Test
    void aGroupIdIsEitherAClassicOrAConsumerGroup() {
        String topic = topic(1);
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // A classic group with a member keeps consumer-protocol members out
            String classic = "classic-" + topic;
            awaitCoordinator(raw, classic);
            JoinGroupResponseData first = classicJoin(raw, classic, "");
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            assertThat(Errors.forCode(classicJoin(raw, classic, first.memberId()).errorCode())).isEqualTo(Errors.NONE);
            assertThat(error(raw, join(classic, "m-0", topic))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);

            // A consumer group with a member keeps classic members out
            String consumer = "consumer-" + topic;
            awaitCoordinator(raw, consumer);
            assertThat(error(raw, join(consumer, "m-0", topic))).isEqualTo(Errors.NONE);
            assertThat(Errors.forCode(classicJoin(raw, consumer, "").errorCode()))
                    .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            heartbeat(raw, beat(consumer, "m-0", -1));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String topic(int partitions) {
        String topic = uniqueTopic("cg");
        createTopic(BROKER.bootstrap(), topic, partitions, Map.of());
        return topic;
    }

    private static void produce(String topic, int partitions, int perPartition) {
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int part = 0; part < partitions; part++) {
                for (int i = 0; i < perPartition; i++) {
                    p.send(new ProducerRecord<>(topic, part, "k", topic + "/" + part + "-" + i + "-" + UUID.randomUUID()));
                }
            }
            p.flush();
        }
    }

    private static KafkaConsumer<String, String> member(String group, int index, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.CLIENT_ID_CONFIG, "member-" + index));
        config.putAll(extra);
        return consumer(BROKER.bootstrap(), config);
    }

    private static List<KafkaConsumer<String, String>> members(String group, String topic, int count) {
        List<KafkaConsumer<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            KafkaConsumer<String, String> c = member(group, i, Map.of());
            c.subscribe(List.of(topic));
            out.add(c);
        }
        return out;
    }

    private static KafkaConsumer<String, String> staticMember(String group, String instance) {
        return member(group, 0, Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance,
                ConsumerConfig.CLIENT_ID_CONFIG, "static-" + instance));
    }

    /**
     * Closes the consumers at once: one by one, each leave hands partitions to members that are
     * closing too, whose clients then log that they could not finish taking them.
     */
    private static void closeAll(List<KafkaConsumer<String, String>> consumers) {
        List<Thread> closing = new ArrayList<>();
        for (KafkaConsumer<String, String> c : consumers) {
            Thread t = new Thread(c::close, "close-" + closing.size());
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            try {
                t.join(ItSupport.DEADLINE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Polls every consumer in turn, collecting what each reads, until {@code done} (at most the deadline). */
    private static void pollUntil(List<KafkaConsumer<String, String>> consumers,
            Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> read, BooleanSupplier done) {
        long deadline = System.nanoTime() + ItSupport.DEADLINE.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the group gets there within %s", ItSupport.DEADLINE).isLessThan(deadline);
            for (KafkaConsumer<String, String> c : consumers) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    read.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
                }
            }
        }
    }

    /** The group is Stable with exactly these consumers, each holding what the coordinator gave it. */
    private static boolean settled(Admin admin, String group, List<KafkaConsumer<String, String>> consumers) {
        ConsumerGroupDescription d;
        try {
            d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        } catch (Exception e) {
            return false; // the coordinator is still loading after the restart
        }
        Map<String, Set<TopicPartition>> byMember = d.members().stream().collect(Collectors.toMap(
                MemberDescription::consumerId, m -> m.assignment().topicPartitions()));
        return d.groupState() == GroupState.STABLE && byMember.size() == consumers.size()
                && consumers.stream().allMatch(c -> c.assignment().equals(byMember.get(c.groupMetadata().memberId())));
    }

    private static int total(Map<?, ? extends List<?>> read) {
        return read.values().stream().mapToInt(List::size).sum();
    }

    /** Together the consumers own {@code partitions} partitions, none of them twice. */
    private static void assertDisjointAndComplete(List<KafkaConsumer<String, String>> consumers, int partitions) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (KafkaConsumer<String, String> c : consumers) {
            union.addAll(c.assignment());
            total += c.assignment().size();
        }
        assertThat(total).isEqualTo(partitions);
        assertThat(union).hasSize(partitions);
    }

    private static void awaitCoordinator(RawConnection raw, String group) {
        ItSupport.await("a coordinator for " + group, () -> {
            FindCoordinatorResponse r = raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of(group))).build((short) 4));
            return r.data().coordinators().get(0).errorCode() == Errors.NONE.code();
        });
    }

    private static ConsumerGroupHeartbeatRequestData join(String group, String memberId, String topic) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of(topic)).setTopicPartitions(List.of());
    }

    private static ConsumerGroupHeartbeatRequestData beat(String group, String memberId, int epoch) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(epoch);
    }

    /** Sends a heartbeat, again while the coordinator is still loading the group's partition. */
    private static ConsumerGroupHeartbeatResponseData heartbeat(RawConnection raw, ConsumerGroupHeartbeatRequestData r) {
        short version = raw.version(ApiKeys.CONSUMER_GROUP_HEARTBEAT);
        ConsumerGroupHeartbeatResponseData[] out = new ConsumerGroupHeartbeatResponseData[1];
        ItSupport.await("the coordinator of " + r.groupId() + " is loaded", () -> {
            ConsumerGroupHeartbeatResponse response = raw.send(new ConsumerGroupHeartbeatRequest(r, version));
            out[0] = response.data();
            Errors e = Errors.forCode(out[0].errorCode());
            return e != Errors.COORDINATOR_LOAD_IN_PROGRESS && e != Errors.NOT_COORDINATOR
                    && e != Errors.COORDINATOR_NOT_AVAILABLE;
        });
        return out[0];
    }

    private static Errors error(RawConnection raw, ConsumerGroupHeartbeatRequestData r) {
        return Errors.forCode(heartbeat(raw, r).errorCode());
    }

    /** A classic JoinGroup of a Connect-style member (one protocol, no metadata). */
    private static JoinGroupResponseData classicJoin(RawConnection raw, String group, String memberId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("worker").setMetadata(new byte[0]));
        JoinGroupResponse r = raw.send(new JoinGroupRequest.Builder(new JoinGroupRequestData().setGroupId(group)
                .setMemberId(memberId).setProtocolType("connect").setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(10_000).setProtocols(protocols)).build(raw.version(ApiKeys.JOIN_GROUP, (short) 9)));
        return r.data();
    }
}
