package io.letterbox.it.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.letterbox.it.support.GroupMemberProcess;
import io.letterbox.it.support.GroupMemberProcess.Settings;
import io.letterbox.it.support.GroupMembers;
import io.letterbox.it.support.ItSupport;

/**
 * Times the two group figures of issue 4 against any broker, with the same client settings:
 * <ol>
 * <li>takeover: three member processes share 6 partitions; one is killed with SIGKILL; the time
 * until every partition it owned has a record processed by another member;</li>
 * <li>settle: ten consumers subscribe at once to a 100-partition topic; the time until they own
 * all 100 partitions, each exactly once, every member some.</li>
 * </ol>
 * Run with {@code bench/group-rebalance BOOTSTRAP [classic|consumer] [rounds]}; prints one line per
 * measurement and the median of each figure.
 */
public final class GroupRebalanceBench {

    private static final int SESSION_TIMEOUT_MS = 6_000;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String protocol = args.length > 1 ? args[1] : "classic";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Long> takeovers = new ArrayList<>();
        List<Long> settles = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            long settle = settle(bootstrap, protocol, 10, 100);
            System.out.printf("round %d: settle 10 members on 100 partitions: %d ms%n", round, settle);
            settles.add(settle);
            long takeover = takeover(bootstrap, protocol);
            System.out.printf("round %d: takeover after SIGKILL: %d ms%n", round, takeover);
            takeovers.add(takeover);
        }
        System.out.printf("%s %s: settle median %d ms, takeover median %d ms (%d rounds)%n",
                bootstrap, protocol, median(settles), median(takeovers), rounds);
    }

    private static long takeover(String bootstrap, String protocol) throws Exception {
        String topic = ItSupport.uniqueTopic("bench-takeover");
        int partitions = 6;
        createTopic(bootstrap, topic, partitions);
        // Members keep up with a live stream, so "consumed again" follows the reassignment, not a backlog
        Settings base = "consumer".equals(protocol) ? Settings.consumer() : Settings.classic(SESSION_TIMEOUT_MS);
        Settings settings = new Settings(base.protocol(), base.sessionTimeoutMs(), 100, 0, Duration.ofMinutes(5));
        AtomicBoolean stop = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<String, String> p = ItSupport.producer(bootstrap)) {
                for (long i = 0; !stop.get(); i++) {
                    p.send(new ProducerRecord<>(topic, (int) (i % partitions), null, "v" + i));
                    if (i % partitions == 0) {
                        Thread.sleep(10);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-producer");
        producer.start();
        List<GroupMemberProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(GroupMemberProcess.start(topic + "-m" + i, bootstrap, topic, "g-" + topic, settings));
            }
            await(() -> GroupMembers.ownDisjointAll(members, partitions)
                    && members.stream().allMatch(m -> !m.assignment().isEmpty() && m.processed().size() > 10));
            GroupMemberProcess victim = members.get(0);
            Set<Integer> orphaned = victim.assignment();
            List<GroupMemberProcess> survivors = members.subList(1, members.size());
            victim.kill();
            long killedAt = System.nanoTime();
            await(() -> orphaned.stream().allMatch(p -> GroupMembers.consumedAfter(survivors, p, killedAt)));
            return TimeUnit.NANOSECONDS.toMillis(GroupMembers.latestFirstRecord(survivors, orphaned, killedAt) - killedAt);
        } finally {
            stop.set(true);
            producer.join(30_000);
            members.forEach(GroupMemberProcess::close);
        }
    }

    private static long settle(String bootstrap, String protocol, int memberCount, int partitions) throws Exception {
        String topic = ItSupport.uniqueTopic("bench-settle");
        createTopic(bootstrap, topic, partitions);
        String group = "g-" + topic;
        Map<Integer, Set<TopicPartition>> owned = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < memberCount; i++) {
            int id = i;
            Map<String, Object> extra = new java.util.HashMap<>(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                    ConsumerConfig.CLIENT_ID_CONFIG, "settle-" + i));
            if ("classic".equals(protocol)) {
                extra.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
                extra.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 6);
            }
            KafkaConsumer<String, String> c = ItSupport.consumer(bootstrap, extra);
            Thread t = new Thread(() -> {
                try (c) {
                    go.await();
                    c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> gone) {
                            owned.put(id, Set.copyOf(minus(c.assignment(), gone)));
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> added) {
                            owned.put(id, Set.copyOf(c.assignment()));
                        }

                        @Override
                        public void onPartitionsLost(Collection<TopicPartition> gone) {
                            owned.put(id, Set.of());
                        }
                    });
                    while (!stop.get()) {
                        c.poll(Duration.ofMillis(50));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "settle-" + i);
            t.start();
            threads.add(t);
        }
        long start = System.nanoTime();
        go.countDown();
        try {
            await(() -> settled(owned, memberCount, partitions));
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    private static boolean settled(Map<Integer, Set<TopicPartition>> owned, int members, int partitions) {
        if (owned.size() < members) {
            return false;
        }
        Set<TopicPartition> union = new HashSet<>();
        for (Set<TopicPartition> s : owned.values()) {
            if (s.isEmpty()) {
                return false;
            }
            for (TopicPartition tp : s) {
                if (!union.add(tp)) {
                    return false;
                }
            }
        }
        return union.size() == partitions;
    }

    private static Set<TopicPartition> minus(Set<TopicPartition> all, Collection<TopicPartition> gone) {
        Set<TopicPartition> left = new HashSet<>(all);
        gone.forEach(left::remove);
        return left;
    }

    private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = ItSupport.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Thread.sleep(500); // let metadata reach every listener before clients ask
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up after 240 s");
            }
            Thread.sleep(2);
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
