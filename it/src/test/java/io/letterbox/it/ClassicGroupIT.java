package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Classic consumer groups with real consumers: three members of one group on six partitions
 * each own a disjoint share, together all of them, and together read every record once.
 */
class ClassicGroupIT {

    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 5;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("classic-group",
            Map.of("group.initial.rebalance.delay.ms", "500"));

    @Test
    void threeConsumersShareSixPartitionsEachOwnedByExactlyOne() {
        // Given a 6-partition topic
        String topic = uniqueTopic("classic");
        createTopic(BROKER.bootstrap(), topic, PARTITIONS, Map.of());
        String group = "g-" + topic;

        // When three consumers of one group subscribe, settle, and then records arrive in every partition
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                        ConsumerConfig.CLIENT_ID_CONFIG, "member-" + i));
                c.subscribe(List.of(topic));
                consumers.add(c);
            }
            pollUntil(consumers, () -> consumers.stream().allMatch(c -> c.assignment().size() == 2));
            try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
                for (int part = 0; part < PARTITIONS; part++) {
                    for (int i = 0; i < PER_PARTITION; i++) {
                        p.send(new ProducerRecord<>(topic, part, "k", part + "-" + i));
                    }
                }
                p.flush();
            }
            List<String> read = new ArrayList<>();
            long deadline = System.nanoTime() + ItSupport.DEADLINE.toNanos();
            while (System.nanoTime() < deadline && !(read.size() >= PARTITIONS * PER_PARTITION
                    && consumers.stream().allMatch(c -> c.assignment().size() == 2))) {
                for (KafkaConsumer<String, String> c : consumers) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                        read.add(r.value());
                    }
                }
            }

            // Then every partition belongs to exactly one member, and every record was read once
            Set<TopicPartition> union = new HashSet<>();
            int total = 0;
            for (KafkaConsumer<String, String> c : consumers) {
                assertThat(c.assignment()).hasSize(2);
                union.addAll(c.assignment());
                total += c.assignment().size();
            }
            assertThat(total).isEqualTo(PARTITIONS);
            assertThat(union).hasSize(PARTITIONS);
            assertThat(read).hasSize(PARTITIONS * PER_PARTITION).doesNotHaveDuplicates();

            // And the group commits and AdminClient describes it as a Stable classic group of three
            for (KafkaConsumer<String, String> c : consumers) {
                c.commitSync();
            }
            try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
                ConsumerGroupDescription d = ItSupport.get(admin.describeConsumerGroups(List.of(group))
                        .describedGroups().get(group));
                assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(d.members()).hasSize(3);
                assertThat(ItSupport.get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()))
                        .hasSize(PARTITIONS);
            }
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
    }

    @Test
    void twoGroupsEachReadEveryRecord() {
        // Given a 6-partition topic with records in every partition
        String topic = uniqueTopic("two-groups");
        createTopic(BROKER.bootstrap(), topic, PARTITIONS, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < PARTITIONS * PER_PARTITION; i++) {
                p.send(new ProducerRecord<>(topic, i % PARTITIONS, "k", "r" + i));
            }
            p.flush();
        }

        // When one consumer in each of two groups subscribes
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        try {
            List<List<String>> read = new ArrayList<>();
            for (String group : List.of("a-" + topic, "b-" + topic)) {
                KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
                c.subscribe(List.of(topic));
                consumers.add(c);
                read.add(new ArrayList<>());
            }
            pollUntil(consumers, () -> read.stream().allMatch(r -> r.size() >= PARTITIONS * PER_PARTITION),
                    (i, r) -> read.get(i).add(r.value()));

            // Then each group read every record, once
            for (List<String> r : read) {
                assertThat(r).hasSize(PARTITIONS * PER_PARTITION).doesNotHaveDuplicates();
            }
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
    }

    @Test
    void aRestartedStaticMemberGetsItsPartitionsBackWithoutARebalanceOfTheOthers() {
        // Given two static members of one group sharing a 6-partition topic
        String topic = uniqueTopic("static");
        createTopic(BROKER.bootstrap(), topic, PARTITIONS, Map.of());
        String group = "g-" + topic;
        AtomicInteger assignedToA = new AtomicInteger();
        KafkaConsumer<String, String> a = staticConsumer(group, "a");
        KafkaConsumer<String, String> b = staticConsumer(group, "b");
        boolean bClosed = false;
        KafkaConsumer<String, String> b2 = null;
        try {
            a.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignedToA.incrementAndGet();
                }
            });
            b.subscribe(List.of(topic));
            pollUntil(List.of(a, b), () -> a.assignment().size() == 3 && b.assignment().size() == 3);
            Set<TopicPartition> ofB = Set.copyOf(b.assignment());
            int rebalancesOfA = assignedToA.get();

            // When b stops without leaving (static members do not) and restarts under the same instance id
            b.close();
            bClosed = true;
            KafkaConsumer<String, String> restarted = staticConsumer(group, "b");
            b2 = restarted;
            restarted.subscribe(List.of(topic));
            pollUntil(List.of(a, restarted), () -> restarted.assignment().size() == 3);

            // Then it owns what b owned, and a saw no rebalance
            assertThat(restarted.assignment()).isEqualTo(ofB);
            for (int i = 0; i < 10; i++) {
                a.poll(Duration.ofMillis(100));
            }
            assertThat(assignedToA.get()).isEqualTo(rebalancesOfA);
            assertThat(a.assignment()).hasSize(3);
        } finally {
            a.close();
            if (!bClosed) {
                b.close();
            }
            if (b2 != null) {
                b2.close();
            }
        }
    }

    private static KafkaConsumer<String, String> staticConsumer(String group, String instance) {
        return consumer(BROKER.bootstrap(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "static-" + instance));
    }

    private static void pollUntil(List<KafkaConsumer<String, String>> consumers, java.util.function.BooleanSupplier done) {
        pollUntil(consumers, done, (i, r) -> { });
    }

    /** Polls every consumer until {@code done}, handing each record and its consumer's index to {@code sink}. */
    private static void pollUntil(List<KafkaConsumer<String, String>> consumers, java.util.function.BooleanSupplier done,
            java.util.function.BiConsumer<Integer, ConsumerRecord<String, String>> sink) {
        long deadline = System.nanoTime() + ItSupport.DEADLINE.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("group settles within %s", ItSupport.DEADLINE).isLessThan(deadline);
            for (int i = 0; i < consumers.size(); i++) {
                for (ConsumerRecord<String, String> r : consumers.get(i).poll(Duration.ofMillis(100))) {
                    sink.accept(i, r);
                }
            }
        }
    }
}
