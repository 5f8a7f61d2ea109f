package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.GroupMemberProcess;
import io.letterbox.it.support.GroupMembers;
import io.letterbox.it.support.GroupMemberProcess.Settings;
import io.letterbox.it.support.ItSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A consumer group survives the crash of a member: three member processes share six
 * partitions, one is killed with SIGKILL mid-stream, and the other two take over its partitions
 * within the session timeout plus one rebalance, with either group protocol. Members commit after
 * processing, so every record is processed at least once and the group's committed offsets reach
 * the end.
 */
class GroupFailoverIT {

    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 400;
    private static final int SESSION_TIMEOUT_MS = 6_000;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("group-failover", Map.of(
            "group.initial.rebalance.delay.ms", "500",
            "group.consumer.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
            "group.consumer.min.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
            "group.consumer.heartbeat.interval.ms", "1000",
            "group.consumer.min.heartbeat.interval.ms", "1000"));

    @Test
    void aKilledClassicMembersPartitionsAreConsumedByTheOthersAndNoRecordIsLost() throws Exception {
        killOneOfThree(Settings.classic(SESSION_TIMEOUT_MS));
    }

    @Test
    void aKilledConsumerProtocolMembersPartitionsAreConsumedByTheOthersAndNoRecordIsLost() throws Exception {
        // group.protocol=consumer: the session timeout is the broker's group.consumer.session.timeout.ms
        killOneOfThree(Settings.consumer());
    }

    private void killOneOfThree(Settings settings) throws Exception {
        // Given a 6-partition topic with 400 records in each partition
        String topic = uniqueTopic("failover");
        createTopic(BROKER.bootstrap(), topic, PARTITIONS, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int part = 0; part < PARTITIONS; part++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    p.send(new ProducerRecord<>(topic, part, "k" + i, "v" + i));
                }
            }
            p.flush();
        }
        String group = "g-" + topic;

        // And three member processes of one group, consuming slowly
        List<GroupMemberProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(GroupMemberProcess.start(topic + "-member" + i, BROKER.bootstrap(), topic, group,
                        settings));
            }
            await("every member owns a disjoint share of all six partitions and has processed records",
                    () -> GroupMembers.ownDisjointAll(members, PARTITIONS) && members.stream().allMatch(m -> m.processed().size() > 10));

            // When one member is killed with SIGKILL
            GroupMemberProcess victim = members.get(0);
            Set<Integer> orphaned = victim.assignment();
            List<GroupMemberProcess> survivors = members.subList(1, 3);
            victim.kill();
            long killedAt = System.nanoTime();

            // Then the survivors consume the victim's partitions within the session timeout plus a rebalance
            await("the survivors consume every partition the victim owned",
                    () -> orphaned.stream().allMatch(p -> GroupMembers.consumedAfter(survivors, p, killedAt)));
            long takeoverMs = Duration.ofNanos(GroupMembers.latestFirstRecord(survivors, orphaned, killedAt) - killedAt).toMillis();
            System.out.printf("GroupFailoverIT %s: killed member's partitions %s consumed again after %d ms%n",
                    settings.protocol(), orphaned, takeoverMs);
            assertThat(takeoverMs).isLessThan(SESSION_TIMEOUT_MS + 15_000L);
            await("the survivors own a disjoint share of all six partitions", () -> GroupMembers.ownDisjointAll(survivors, PARTITIONS));

            // And every record is processed at least once, and the group commits up to the end
            await("every record is processed", () -> GroupMembers.processedEverything(members, PARTITIONS, PER_PARTITION));
            try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
                await("committed offsets reach the end of every partition", () -> {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get();
                    return committed.size() == PARTITIONS && committed.values().stream()
                            .allMatch(o -> o != null && o.offset() == PER_PARTITION);
                });
            }
        } finally {
            members.forEach(GroupMemberProcess::close);
        }
    }

    private static void await(String what, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }
}
