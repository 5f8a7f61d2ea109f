package io.letterbox.it.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.KraftNodes;
import io.letterbox.it.support.PartitionZero;

/**
 * Three combined KRaft nodes on loopback, Letterbox and Apache Kafka 4.1.1 in turn, both with Kafka's
 * default heartbeat (2 s) and session timeout (9 s):
 * <ul>
 *   <li>acks=all produce throughput at RF=3, min.insync.replicas=2, 3 partitions: one producer at
 *       the client's defaults (idempotent, acks=all), N values of 512 B; records/s, MB/s and the
 *       99th percentile of the time from {@code send()} to its acknowledgement;</li>
 *   <li>failover: a one-partition RF=3 topic, one record every 5 ms with acks=all; the leader's
 *       process is killed with SIGKILL, and the failover time runs from the kill to the first
 *       acknowledgement of a record sent after it. Three kills; the node is restarted and the ISR
 *       is full again between them.</li>
 * </ul>
 * Run with {@code bench/cluster [RECORDS] [letterbox|kafka|both]}.
 */
public final class ClusterBench {

    private static final int VALUE_BYTES = 512;
    private static final int KILLS = 3;
    private static final long SEND_INTERVAL_MS = 5;
    private static final Duration STEP_LIMIT = Duration.ofMinutes(2);
    private static final Map<String, String> KAFKA_DEFAULT_LIVENESS = Map.of(
            "broker.heartbeat.interval.ms", "2000",
            "broker.session.timeout.ms", "9000");

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        String which = args.length > 1 ? args[1] : "both";
        Map<String, String> launchers = new LinkedHashMap<>();
        if (!which.equals("kafka")) {
            launchers.put("letterbox", System.getProperty("bench.letterbox"));
        }
        if (!which.equals("letterbox")) {
            launchers.put("kafka", System.getProperty("bench.kafka"));
        }
        Path base = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/tmp")), "cluster-bench-");
        List<String> results = new ArrayList<>();
        try {
            for (Map.Entry<String, String> e : launchers.entrySet()) {
                results.add(run(e.getKey(), e.getValue(), base.resolve(e.getKey()), records));
            }
        } finally {
            if (!Boolean.getBoolean("bench.keepData")) {
                ItSupport.deleteRecursively(base);
            }
        }
        System.out.printf("%nthree combined nodes, RF=3, min.insync.replicas=2, %d B values, heartbeat 2 s, session 9 s%n",
                VALUE_BYTES);
        System.out.println("Letterbox fsyncs before answering acks=all (log.flush.on.ack default); Kafka acks from the"
                + " page cache (its default)");
        System.out.printf("%-10s %8s %10s %7s %11s   %-26s %7s%n", "broker", "records", "records/s", "MB/s",
                "p99 ack ms", "failover ms (3 kills)", "median");
        results.forEach(System.out::println);
    }

    private static String run(String name, String launcher, Path dataDir, int records) throws Exception {
        KraftNodes kraft = new KraftNodes(3, List.of(1, 2, 3));
        List<BrokerProcess> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            BrokerProcess.Builder b = kraft.node("cluster-bench-" + name + id, id, KraftNodes.COMBINED)
                    .launcher(launcher).dataDir(dataDir.resolve("node" + id)).startTimeout(STEP_LIMIT);
            KAFKA_DEFAULT_LIVENESS.forEach(b::override);
            nodes.add(b.build());
        }
        String bootstrap = nodes.stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
        try {
            KraftNodes.startTogether(nodes);
            try (Admin admin = ItSupport.admin(bootstrap)) {
                await("three brokers registered",
                        () -> ItSupport.get(admin.describeCluster().nodes()).size() == 3);
                createTopic(admin, "throughput", 3);
                createTopic(admin, "failover", 1);
            }
            String throughput = throughput(name, bootstrap, records);
            List<Long> failovers = failovers(name, bootstrap, nodes);
            List<Long> sorted = failovers.stream().sorted().toList();
            return String.format("%s   %-26s %7d", throughput,
                    failovers.stream().map(String::valueOf).collect(Collectors.joining(" ")), sorted.get(sorted.size() / 2));
        } finally {
            nodes.forEach(BrokerProcess::close);
        }
    }

    private static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3)
                .configs(Map.of("min.insync.replicas", "2")))).all().get(1, TimeUnit.MINUTES);
        await(topic + " has a full ISR on every partition", () -> isrFull(admin, topic, partitions));
    }

    /** Sends {@code records} values at the client's defaults and times every acknowledgement. */
    private static String throughput(String name, String bootstrap, int records) {
        long[] latencies = new long[records];
        AtomicInteger failures = new AtomicInteger();
        byte[] value = new byte[VALUE_BYTES];
        long start;
        long elapsed;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientDefaults(bootstrap))) {
            start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                int index = i;
                long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>("throughput", value), (m, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                    }
                    latencies[index] = System.nanoTime() - sentAt;
                });
            }
            producer.flush();
            elapsed = System.nanoTime() - start;
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(name + ": " + failures + " sends failed");
        }
        Arrays.sort(latencies);
        double seconds = elapsed / 1e9;
        double p99Ms = latencies[(int) (records * 0.99)] / 1e6;
        System.out.printf("%s: %d records in %.1f s%n", name, records, seconds);
        return String.format("%-10s %8d %10.0f %7.1f %11.1f", name, records, records / seconds,
                (double) records * VALUE_BYTES / 1e6 / seconds, p99Ms);
    }

    /** Kills partition 0's leader {@value #KILLS} times under a steady acks=all stream; the time to recover each. */
    private static List<Long> failovers(String name, String bootstrap, List<BrokerProcess> nodes) throws Exception {
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAckAfterKill = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        List<Long> result = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientDefaults(bootstrap));
             Admin admin = ItSupport.admin(bootstrap)) {
            Thread sender = new Thread(() -> {
                byte[] value = new byte[VALUE_BYTES];
                while (!Thread.currentThread().isInterrupted()) {
                    long sentAt = System.nanoTime();
                    producer.send(new ProducerRecord<>("failover", 0, null, value), (m, e) -> {
                        long now = System.nanoTime();
                        if (e != null) {
                            failures.incrementAndGet();
                            return;
                        }
                        lastAck.set(now);
                        if (sentAt > killedAt.get()) {
                            firstAckAfterKill.compareAndSet(0, now);
                        }
                    });
                    try {
                        Thread.sleep(SEND_INTERVAL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "failover-sender");
            sender.start();
            try {
                for (int kill = 1; kill <= KILLS; kill++) {
                    await("a full ISR on failover-0", () -> isrFull(admin, "failover", 1));
                    long steady = System.nanoTime();
                    await("acknowledgements flowing", () -> lastAck.get() > steady);
                    int leader = PartitionZero.describe(admin, "failover").leader().id();
                    int controller = activeController(admin);
                    BrokerProcess victim = nodes.get(leader - 1);
                    firstAckAfterKill.set(0);
                    System.out.printf("%s: %s kill %d of node %d (active controller: node %d)%n", name,
                            LocalTime.now(), kill, leader, controller);
                    killedAt.set(System.nanoTime());
                    victim.kill();
                    await("an acknowledgement after the kill", () -> firstAckAfterKill.get() != 0);
                    long ms = TimeUnit.NANOSECONDS.toMillis(firstAckAfterKill.get() - killedAt.get());
                    killedAt.set(Long.MAX_VALUE);
                    System.out.printf("%s: kill %d of node %d: first acknowledgement after %d ms%n", name, kill, leader, ms);
                    result.add(ms);
                    victim.start();
                }
            } finally {
                sender.interrupt();
                sender.join(10_000);
            }
            producer.flush();
        }
        if (failures.get() > 0) {
            System.out.printf("%s: %d failover sends failed%n", name, failures.get());
        }
        return result;
    }

    /** The active controller: the metadata quorum's leader, as DescribeQuorum names it on both brokers. */
    private static int activeController(Admin admin) throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
    }

    private static boolean isrFull(Admin admin, String topic, int partitions) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().stream().filter(p -> p.leader() != null && p.isr().size() == 3).count() == partitions;
        } catch (Exception e) {
            return false;
        }
    }

    /** Bootstrap and serializers only: acks=all, idempotence, linger and batch size stay the client's defaults. */
    private static Map<String, Object> clientDefaults(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + STEP_LIMIT);
            }
            Thread.sleep(20);
        }
    }
}
