package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.GroupMemberProcess;
import io.letterbox.it.support.GroupMemberProcess.Processed;
import io.letterbox.it.support.GroupMemberProcess.Settings;
import io.letterbox.it.support.ItSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * within the session timeout plus one rebalance. Members commit after processing, so every
 * record is processed at least once and the group's committed offsets reach the end.
 */
class GroupFailoverIT {

    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 400;
    private static final int SESSION_TIMEOUT_MS = 6_000;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("group-failover",
            Map.of("group.initial.rebalance.delay.ms", "500"));

    @Test
    void aKilledClassicMembersPartitionsAreConsumedByTheOthersAndNoRecordIsLost() throws Exception {
        killOneOfThree(Settings.classic(SESSION_TIMEOUT_MS));
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
                    () -> ownsDisjointAll(members) && members.stream().allMatch(m -> m.processed().size() > 10));

            // When one member is killed with SIGKILL
            GroupMemberProcess victim = members.get(0);
            Set<Integer> orphaned = victim.assignment();
            List<GroupMemberProcess> survivors = members.subList(1, 3);
            victim.kill();
            long killedAt = System.nanoTime();

            // Then the survivors consume the victim's partitions within the session timeout plus a rebalance
            await("the survivors consume every partition the victim owned",
                    () -> orphaned.stream().allMatch(p -> consumedAfter(survivors, p, killedAt)));
            long takeoverMs = Duration.ofNanos(latestFirstRecord(survivors, orphaned, killedAt) - killedAt).toMillis();
            System.out.printf("GroupFailoverIT %s: killed member's partitions %s consumed again after %d ms%n",
                    settings.protocol(), orphaned, takeoverMs);
            assertThat(takeoverMs).isLessThan(SESSION_TIMEOUT_MS + 15_000L);
            await("the survivors own a disjoint share of all six partitions", () -> ownsDisjointAll(survivors));

            // And every record is processed at least once, and the group commits up to the end
            await("every record is processed", () -> processedEverything(members));
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

    private static boolean ownsDisjointAll(List<GroupMemberProcess> members) {
        Set<Integer> seen = new HashSet<>();
        for (GroupMemberProcess m : members) {
            for (int p : m.assignment()) {
                if (!seen.add(p)) {
                    return false;
                }
            }
        }
        return seen.size() == PARTITIONS;
    }

    private static boolean consumedAfter(List<GroupMemberProcess> members, int partition, long afterNanos) {
        return members.stream().flatMap(m -> m.processed().stream())
                .anyMatch(r -> r.partition() == partition && r.atNanos() > afterNanos);
    }

    /** When the last of {@code partitions} saw its first record after {@code afterNanos}. */
    private static long latestFirstRecord(List<GroupMemberProcess> members, Set<Integer> partitions, long afterNanos) {
        long latest = afterNanos;
        for (int p : partitions) {
            long first = Long.MAX_VALUE;
            for (GroupMemberProcess m : members) {
                for (Processed r : m.processed()) {
                    if (r.partition() == p && r.atNanos() > afterNanos) {
                        first = Math.min(first, r.atNanos());
                        break;
                    }
                }
            }
            latest = Math.max(latest, first);
        }
        return latest;
    }

    private static boolean processedEverything(List<GroupMemberProcess> members) {
        List<Set<Long>> offsets = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            offsets.add(new TreeSet<>());
        }
        for (GroupMemberProcess m : members) {
            for (Processed r : m.processed()) {
                offsets.get(r.partition()).add(r.offset());
            }
        }
        return offsets.stream().allMatch(s -> s.size() == PER_PARTITION);
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
