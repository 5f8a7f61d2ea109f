package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.TestBroker;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
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
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Everything AdminClient does with consumer groups, end to end with real consumers where a group
 * must be active: listing (by state and type), describing, deleting groups, listing several groups'
 * offsets at once, altering and deleting offsets, and what survives a restart: a deleted group stays
 * deleted, an emptied group comes back Empty with its generation, an active member keeps its
 * generation, and expired offsets are gone.
 */
class GroupAdminIT {

    private static final int PARTITIONS = 2;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("group-admin",
            Map.of("group.initial.rebalance.delay.ms", "0"));

    private Admin admin;
    private String topic;

    @BeforeEach
    void connect() {
        admin = ItSupport.admin(BROKER.bootstrap());
        topic = uniqueTopic("groups");
        createTopic(admin, topic, PARTITIONS, Map.of());
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    // ---- listing and describing -------------------------------------------------------------

    @Test
    void groupsOfEveryStateAreListedByStateAndTypeAndDescribed() {
        // Given an active group, a group whose member left, and a simple group (offsets only)
        String active = uniqueGroup();
        String emptied = uniqueGroup();
        String simple = uniqueGroup();
        try (KafkaConsumer<String, String> member = subscribed(BROKER.bootstrap(), active, Map.of())) {
            commitFirstOffsets(member);
            emptyGroupWithOffsets(emptied);
            simpleGroupWithOffsets(simple);
            Set<String> ours = Set.of(active, emptied, simple);

            // Then listConsumerGroups shows each with its state; the simple one as simple
            Map<String, ConsumerGroupListing> listed = get(admin.listConsumerGroups().all()).stream()
                    .filter(g -> ours.contains(g.groupId()))
                    .collect(Collectors.toMap(ConsumerGroupListing::groupId, g -> g));
            assertThat(listed).containsOnlyKeys(active, emptied, simple);
            assertThat(listed.get(active).groupState()).contains(GroupState.STABLE);
            assertThat(listed.get(emptied).groupState()).contains(GroupState.EMPTY);
            assertThat(listed.get(emptied).isSimpleConsumerGroup()).isFalse();
            assertThat(listed.get(simple).groupState()).contains(GroupState.EMPTY);
            assertThat(listed.get(simple).isSimpleConsumerGroup()).isTrue();

            // And listGroups filters by state and by type, all three being classic groups
            assertThat(listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.STABLE)), ours))
                    .containsExactly(active);
            assertThat(listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.EMPTY)), ours))
                    .containsExactlyInAnyOrder(emptied, simple);
            assertThat(listGroups(new ListGroupsOptions().withTypes(Set.of(GroupType.CLASSIC)), ours))
                    .containsExactlyInAnyOrder(active, emptied, simple);
            assertThat(listGroups(new ListGroupsOptions().withTypes(Set.of(GroupType.CONSUMER)), ours)).isEmpty();
            assertThat(get(admin.listGroups().all()).stream().filter(g -> ours.contains(g.groupId()))
                    .map(GroupListing::type)).allMatch(t -> t.equals(Optional.of(GroupType.CLASSIC)));

            // And describeConsumerGroups shows the active member and its partitions, the others empty
            Map<String, ConsumerGroupDescription> described = describe(active, emptied, simple);
            ConsumerGroupDescription a = described.get(active);
            assertThat(a.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(a.type()).isEqualTo(GroupType.CLASSIC);
            assertThat(a.partitionAssignor()).isNotEmpty();
            assertThat(a.members()).singleElement().satisfies(m -> assertThat(m.assignment().topicPartitions())
                    .containsExactlyInAnyOrderElementsOf(partitions()));
            assertThat(described.get(emptied).groupState()).isEqualTo(GroupState.EMPTY);
            assertThat(described.get(emptied).members()).isEmpty();
            assertThat(described.get(emptied).isSimpleConsumerGroup()).isFalse();
            assertThat(described.get(simple).groupState()).isEqualTo(GroupState.EMPTY);
            assertThat(described.get(simple).isSimpleConsumerGroup()).isTrue();
        }
    }

    @Test
    void anUnknownGroupIsNotFound() {
        String unknown = uniqueGroup();
        assertThat(failureOf(admin.describeConsumerGroups(List.of(unknown)).describedGroups().get(unknown)))
                .isInstanceOf(GroupIdNotFoundException.class);
        assertThat(failureOf(admin.deleteConsumerGroups(List.of(unknown)).deletedGroups().get(unknown)))
                .isInstanceOf(GroupIdNotFoundException.class);
        assertThat(failureOf(admin.deleteConsumerGroupOffsets(unknown, Set.of(tp(0))).all()))
                .isInstanceOf(GroupIdNotFoundException.class);
        assertThat(get(admin.listConsumerGroupOffsets(unknown).partitionsToOffsetAndMetadata())).isEmpty();
    }

    // ---- offsets -------------------------------------------------------------------------------

    @Test
    void offsetsOfSeveralGroupsAreListedInOneRequestStableOrNot() {
        // Given two groups with different offsets, and one without any
        String one = uniqueGroup();
        String two = uniqueGroup();
        String none = uniqueGroup();
        Map<TopicPartition, OffsetAndMetadata> ofOne = Map.of(tp(0), new OffsetAndMetadata(3, "one"),
                tp(1), new OffsetAndMetadata(4, "one"));
        Map<TopicPartition, OffsetAndMetadata> ofTwo = Map.of(tp(0), new OffsetAndMetadata(7, "two"));
        get(admin.alterConsumerGroupOffsets(one, ofOne).all());
        get(admin.alterConsumerGroupOffsets(two, ofTwo).all());

        // When they are listed together: all of one, partition 0 of two, all of the third
        Map<String, ListConsumerGroupOffsetsSpec> specs = Map.of(one, new ListConsumerGroupOffsetsSpec(),
                two, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp(0))),
                none, new ListConsumerGroupOffsetsSpec());
        for (boolean requireStable : new boolean[] {false, true}) {
            var result = admin.listConsumerGroupOffsets(specs,
                    new ListConsumerGroupOffsetsOptions().requireStable(requireStable));

            // Then each group gets its own, with no offset pending (there are no transactions)
            assertThat(get(result.partitionsToOffsetAndMetadata(one))).isEqualTo(ofOne);
            assertThat(get(result.partitionsToOffsetAndMetadata(two))).isEqualTo(ofTwo);
            assertThat(get(result.partitionsToOffsetAndMetadata(none))).isEmpty();
        }
    }

    @Test
    void offsetsOfAnEmptyGroupCanBeAlteredButNotThoseOfAnActiveOne() {
        // Given a group whose member left, on a topic with records
        String group = uniqueGroup();
        emptyGroupWithOffsets(group);
        try (KafkaProducer<String, String> producer = ItSupport.producer(BROKER.bootstrap())) {
            for (int i = 0; i < 3; i++) {
                get(producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)));
            }
        }

        // When its offsets are altered
        Map<TopicPartition, OffsetAndMetadata> altered = Map.of(tp(0), new OffsetAndMetadata(1, "reset"),
                tp(1), new OffsetAndMetadata(0, "reset"));
        get(admin.alterConsumerGroupOffsets(group, altered).all());

        // Then they are listed, and the next member starts there
        assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())).isEqualTo(altered);
        try (KafkaConsumer<String, String> next = consumer(BROKER.bootstrap(), memberConfig(group, Map.of()))) {
            next.subscribe(List.of(topic));
            assertThat(ItSupport.poll(next, 2, ItSupport.DEADLINE)).extracting(ConsumerRecord::offset)
                    .containsExactly(1L, 2L);

            // And while that member is active, altering is refused as Kafka refuses it
            Throwable refused = failureOf(admin.alterConsumerGroupOffsets(group,
                    Map.of(tp(0), new OffsetAndMetadata(2))).all());
            assertThat(refused).isInstanceOf(UnknownMemberIdException.class);
            assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).get(tp(0)).offset())
                    .isEqualTo(1);
        }
    }

    @Test
    void offsetsAreDeletedExceptThoseOfTopicsAnActiveGroupReads() {
        // Given an active group reading the topic, with offsets of it and of a topic it does not read
        String group = uniqueGroup();
        String other = uniqueTopic("unread");
        createTopic(admin, other, 1, Map.of());
        TopicPartition unread = new TopicPartition(other, 0);
        try (KafkaConsumer<String, String> member = subscribed(BROKER.bootstrap(), group, Map.of())) {
            commitFirstOffsets(member);
            member.commitSync(Map.of(unread, new OffsetAndMetadata(5)), Duration.ofSeconds(30));

            // When both are deleted
            var result = admin.deleteConsumerGroupOffsets(group, Set.of(tp(0), unread));

            // Then the subscribed topic's offset stays (GROUP_SUBSCRIBED_TO_TOPIC) and the other goes
            assertThat(failureOf(result.partitionResult(tp(0)))).isInstanceOf(GroupSubscribedToTopicException.class);
            get(result.partitionResult(unread));
            assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()))
                    .containsOnlyKeys(tp(0), tp(1));
        }

        // And once the group is empty, its topic's offsets can be deleted too
        get(admin.deleteConsumerGroupOffsets(group, Set.of(tp(0))).all());
        assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())).containsOnlyKeys(tp(1));
    }

    // ---- deleting groups ------------------------------------------------------------------------

    @Test
    void emptyGroupsAreDeletedForGoodAndActiveOnesRefused() {
        // Given an active group, a group whose member left and a simple group
        String active = uniqueGroup();
        String emptied = uniqueGroup();
        String simple = uniqueGroup();
        try (KafkaConsumer<String, String> member = subscribed(BROKER.bootstrap(), active, Map.of())) {
            commitFirstOffsets(member);
            emptyGroupWithOffsets(emptied);
            simpleGroupWithOffsets(simple);

            // When all three are deleted
            var result = admin.deleteConsumerGroups(List.of(active, emptied, simple));

            // Then the active one is refused, the others are gone with their offsets
            assertThat(failureOf(result.deletedGroups().get(active))).isInstanceOf(GroupNotEmptyException.class);
            get(result.deletedGroups().get(emptied));
            get(result.deletedGroups().get(simple));
            assertDeleted(emptied, simple);
            assertThat(get(admin.listConsumerGroupOffsets(active).partitionsToOffsetAndMetadata())).hasSize(PARTITIONS);
        }

        // And they stay deleted after a restart
        BROKER.broker().assumeCanRestart();
        BROKER.broker().restart();
        assertDeleted(emptied, simple);
    }

    private void assertDeleted(String... groups) {
        Set<String> listed = get(admin.listGroups().all()).stream().map(GroupListing::groupId)
                .collect(Collectors.toSet());
        for (String group : groups) {
            assertThat(listed).doesNotContain(group);
            assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())).isEmpty();
            assertThat(failureOf(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)))
                    .isInstanceOf(GroupIdNotFoundException.class);
        }
    }

    // ---- restarts -------------------------------------------------------------------------------

    @Test
    void anEmptiedGroupComesBackEmptyWithItsGenerationAfterARestart() {
        BROKER.broker().assumeCanRestart();
        // Given a group whose member left at generation g (leaving moved it to g + 1, Empty)
        String group = uniqueGroup();
        int generation = emptyGroupWithOffsets(group);

        // When the broker restarts
        BROKER.broker().restart();

        // Then, once its partition of __consumer_offsets is loaded, it is listed and described Empty,
        // still a consumer group
        ItSupport.await(group + " is listed Empty", () -> listGroups(ListGroupsOptions.forConsumerGroups()
                .inGroupStates(Set.of(GroupState.EMPTY)), Set.of(group)).contains(group));
        ConsumerGroupDescription d = describe(group).get(group);
        assertThat(d.groupState()).isEqualTo(GroupState.EMPTY);
        assertThat(d.isSimpleConsumerGroup()).isFalse();

        // And the next member continues its generations: g + 2
        try (KafkaConsumer<String, String> next = subscribed(BROKER.bootstrap(), group, Map.of())) {
            assertThat(next.groupMetadata().generationId()).isEqualTo(generation + 2);
        }
    }

    @Test
    void anActiveMemberKeepsItsGenerationAndPartitionsAcrossARestart() {
        BROKER.broker().assumeCanRestart();
        // Given an active member that committed at generation g
        String group = uniqueGroup();
        AtomicInteger assignments = new AtomicInteger();
        try (KafkaConsumer<String, String> member = consumer(BROKER.bootstrap(), memberConfig(group, Map.of()))) {
            member.subscribe(List.of(topic), countingAssignments(assignments));
            pollUntilAssigned(member);
            commitFirstOffsets(member);
            int generation = member.groupMetadata().generationId();

            // When the broker restarts under it
            BROKER.broker().restart();

            // Then it commits again at the same generation, without a rebalance
            member.commitSync(Map.of(tp(0), new OffsetAndMetadata(1)), Duration.ofSeconds(60));
            member.poll(Duration.ofMillis(200));
            assertThat(member.groupMetadata().generationId()).isEqualTo(generation);
            assertThat(assignments.get()).isEqualTo(1);
            assertThat(describe(group).get(group).groupState()).isEqualTo(GroupState.STABLE);
        }
    }

    @Test
    void aMemberThatDoesNotComeBackAfterARestartIsRemovedAfterItsSessionTimeout() {
        BROKER.broker().assumeCanRestart();
        // Given an active member with a short session, gone while the broker was down
        String group = uniqueGroup();
        KafkaConsumer<String, String> member = subscribed(BROKER.bootstrap(), group,
                Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000));
        commitFirstOffsets(member);
        BROKER.broker().stop();
        member.close(Duration.ofMillis(100));
        BROKER.broker().start();

        // Then the restarted coordinator still knows it, then removes it: the group ends Empty
        ItSupport.await("group " + group + " is empty", Duration.ofSeconds(45),
                () -> describe(group).get(group).groupState() == GroupState.EMPTY);
        assertThat(describe(group).get(group).members()).isEmpty();
        assertThat(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())).hasSize(PARTITIONS);
    }

    // ---- expiry ---------------------------------------------------------------------------------

    @Test
    void offsetsOfGroupsWithoutMembersExpireAndActiveGroupsKeepTheirs() {
        org.junit.jupiter.api.Assumptions.assumeFalse(ItSupport.external(),
                "starts its own broker with short retention settings");
        // Given a broker keeping offsets one minute (the shortest retention) and checking every 500 ms
        try (TestBroker broker = ItSupport.startBroker("group-expiry", Map.of(
                "offsets.retention.minutes", "1",
                "offsets.retention.check.interval.ms", "500",
                "group.initial.rebalance.delay.ms", "0"));
                Admin expiring = ItSupport.admin(broker.bootstrap())) {
            createTopic(expiring, topic, PARTITIONS, Map.of());
            String simple = uniqueGroup();
            String emptied = uniqueGroup();
            String active = uniqueGroup();
            get(expiring.alterConsumerGroupOffsets(simple, Map.of(tp(0), new OffsetAndMetadata(1))).all());
            try (KafkaConsumer<String, String> leaving = subscribed(broker.bootstrap(), emptied, Map.of())) {
                commitFirstOffsets(leaving);
            }
            try (KafkaConsumer<String, String> member = subscribed(broker.bootstrap(), active, Map.of())) {
                commitFirstOffsets(member);

                // When more than the retention passes
                ItSupport.await("offsets of " + simple + " and " + emptied + " expire", Duration.ofSeconds(100),
                        () -> offsets(expiring, simple).isEmpty() && offsets(expiring, emptied).isEmpty());

                // Then both groups without members are gone, the active group keeps its offsets
                ItSupport.await("expired groups are removed", Duration.ofSeconds(10), () -> {
                    Set<String> listed = get(expiring.listGroups().all()).stream().map(GroupListing::groupId)
                            .collect(Collectors.toSet());
                    return !listed.contains(simple) && !listed.contains(emptied) && listed.contains(active);
                });
                assertThat(offsets(expiring, active)).hasSize(PARTITIONS);
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(Admin admin, String group) {
        return get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String uniqueGroup() {
        return "group-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private TopicPartition tp(int partition) {
        return new TopicPartition(topic, partition);
    }

    private List<TopicPartition> partitions() {
        return List.of(tp(0), tp(1));
    }

    private static Map<String, Object> memberConfig(String group, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
        config.putAll(extra);
        return config;
    }

    /** A classic member of {@code group} subscribed to the test's topic, polled until it owns both partitions. */
    private KafkaConsumer<String, String> subscribed(String bootstrap, String group, Map<String, Object> extra) {
        KafkaConsumer<String, String> c = consumer(bootstrap, memberConfig(group, extra));
        c.subscribe(List.of(topic));
        pollUntilAssigned(c);
        return c;
    }

    private static void pollUntilAssigned(KafkaConsumer<String, String> c) {
        ItSupport.await("partitions assigned", () -> {
            c.poll(Duration.ofMillis(100));
            return c.assignment().size() == PARTITIONS;
        });
    }

    private void commitFirstOffsets(KafkaConsumer<String, String> c) {
        c.commitSync(Map.of(tp(0), new OffsetAndMetadata(0), tp(1), new OffsetAndMetadata(0)), Duration.ofSeconds(30));
    }

    /** A member joins, commits and leaves; returns the generation it had. */
    private int emptyGroupWithOffsets(String group) {
        try (KafkaConsumer<String, String> member = subscribed(BROKER.bootstrap(), group, Map.of())) {
            commitFirstOffsets(member);
            return member.groupMetadata().generationId();
        }
    }

    private void simpleGroupWithOffsets(String group) {
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), memberConfig(group, Map.of()))) {
            c.assign(partitions());
            commitFirstOffsets(c);
        }
    }

    private List<String> listGroups(ListGroupsOptions options, Set<String> ours) {
        return get(admin.listGroups(options).all()).stream().map(GroupListing::groupId).filter(ours::contains)
                .toList();
    }

    private Map<String, ConsumerGroupDescription> describe(String... groups) {
        return get(admin.describeConsumerGroups(List.of(groups)).all());
    }

    private static ConsumerRebalanceListener countingAssignments(AtomicInteger assignments) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assignments.incrementAndGet();
            }
        };
    }
}
