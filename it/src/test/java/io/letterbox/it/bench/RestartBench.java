package io.letterbox.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;

/**
 * Restart time of a broker holding many partitions: fills N partitions with a total volume, waits
 * for a recovery-point checkpoint, then measures a restart after {@code kill -9} and one after a
 * clean shutdown (SIGTERM). A restart is timed from the launch of the process until ListOffsets
 * answers for every partition with the end offset it had before, as a client sees it.
 *
 * <p>Each broker is started by a launcher with Letterbox's command line: {@code bin/letterbox} for
 * Letterbox and {@code kafka-as-letterbox} for Apache Kafka, both with
 * {@code log.flush.offset.checkpoint.interval.ms=5000} so the wait before the kill is short.
 * Run with {@code bench/restart PARTITIONS VOLUME_MB [letterbox|kafka|both]}.
 */
public final class RestartBench {

    private static final int VALUE_BYTES = 4096;
    /** Records sent to one partition before moving to the next, so batches fill as a keyed stream's do. */
    private static final int RUN = 64;
    private static final int CHECKPOINT_INTERVAL_MS = 5000;
    private static final Duration RESTART_LIMIT = Duration.ofMinutes(15);
    private static final int CREATE_STEP = 5_000;
    /** After the clean restart, before reading the resident memory: start-up garbage has time to settle. */
    private static final long IDLE_BEFORE_RSS_MS = 5_000;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RestartBench PARTITIONS VOLUME_MB [letterbox|kafka|both]");
            System.exit(2);
        }
        int partitions = Integer.parseInt(args[0]);
        long volumeBytes = Long.parseLong(args[1]) * 1024 * 1024;
        String which = args.length > 2 ? args[2] : "both";
        Map<String, String> launchers = new LinkedHashMap<>();
        if (!which.equals("kafka")) {
            launchers.put("letterbox", System.getProperty("bench.letterbox"));
        }
        if (!which.equals("letterbox")) {
            launchers.put("kafka", System.getProperty("bench.kafka"));
        }
        Path base = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/tmp")), "restart-bench-");
        List<String> results = new ArrayList<>();
        try {
            for (Map.Entry<String, String> e : launchers.entrySet()) {
                results.add(run(e.getKey(), e.getValue(), base.resolve(e.getKey()), partitions, volumeBytes));
            }
        } finally {
            if (!Boolean.getBoolean("bench.keepData")) {
                ItSupport.deleteRecursively(base);
            }
        }
        System.out.printf("%nbroker     partitions  volume   restart after kill -9   restart after SIGTERM"
                + "  RSS empty  RSS idle%n");
        results.forEach(System.out::println);
    }

    private static String run(String name, String launcher, Path dataDir, int partitions, long volumeBytes)
            throws Exception {
        try (BrokerProcess broker = BrokerProcess.builder("restart-bench-" + name).launcher(launcher)
                .dataDir(dataDir).startTimeout(RESTART_LIMIT)
                .override("log.flush.offset.checkpoint.interval.ms", Integer.toString(CHECKPOINT_INTERVAL_MS))
                .build()) {
            broker.start();
            long emptyRss = rssMiB(broker);
            String topic = "restart-bench";
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            try (Admin admin = admin(broker.bootstrap(), Duration.ofMinutes(5))) {
                long createStart = System.nanoTime();
                // Kafka's controller refuses more than 10,000 records in one operation: at most 5,000 partitions a step
                int created = Math.min(partitions, CREATE_STEP);
                admin.createTopics(List.of(new NewTopic(topic, created, (short) 1))).all().get(5, TimeUnit.MINUTES);
                while (created < partitions) {
                    created = Math.min(partitions, created + CREATE_STEP);
                    admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(created))).all()
                            .get(5, TimeUnit.MINUTES);
                }
                System.out.printf("%s: created a topic of %d partitions in %d ms%n", name, partitions,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createStart));
            }
            long fillStart = System.nanoTime();
            fill(broker.bootstrap(), topic, partitions, volumeBytes);
            Map<TopicPartition, Long> ends = endOffsets(broker.bootstrap(), tps);
            System.out.printf("%s: wrote %d MiB to %d partitions in %d ms%n", name, volumeBytes >> 20, partitions,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fillStart));
            Thread.sleep(CHECKPOINT_INTERVAL_MS + 2000);

            broker.kill();
            long unclean = timedStart(broker, tps, ends);
            System.out.printf("%s: restart after kill -9: %d ms%n", name, unclean);
            broker.stop();
            long clean = timedStart(broker, tps, ends);
            System.out.printf("%s: restart after SIGTERM: %d ms%n", name, clean);
            Thread.sleep(IDLE_BEFORE_RSS_MS);
            long idleRss = rssMiB(broker);
            System.out.printf("%s: resident memory %d MiB when started empty, %d MiB idle with %d partitions after the"
                    + " clean restart: %.1f KiB per partition%n", name, emptyRss, idleRss, partitions,
                    (idleRss - emptyRss) * 1024.0 / partitions);
            return String.format("%-10s %10d  %4d MiB  %18d ms  %19d ms  %8d MiB  %8d MiB", name, partitions,
                    volumeBytes >> 20, unclean, clean, emptyRss, idleRss);
        }
    }

    /** The broker's resident memory (VmRSS), MiB. */
    private static long rssMiB(BrokerProcess broker) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(broker.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("No VmRSS for pid " + broker.pid());
    }

    /** Produces {@code volumeBytes} of values over all partitions, acks=all, and waits for every ack. */
    private static void fill(String bootstrap, String topic, int partitions, long volumeBytes) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, RUN * (VALUE_BYTES + 100));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        byte[] value = new byte[VALUE_BYTES];
        long records = volumeBytes / VALUE_BYTES;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (long i = 0; i < records; i++) {
                int partition = (int) ((i / RUN) % partitions);
                producer.send(new ProducerRecord<>(topic, partition, null, value), (md, e) -> {
                    if (e != null) {
                        System.err.println("send failed: " + e);
                    }
                });
            }
            producer.flush();
        }
    }

    /** Starts the broker and returns the milliseconds until it answers every partition's end offset as before. */
    private static long timedStart(BrokerProcess broker, List<TopicPartition> tps, Map<TopicPartition, Long> ends)
            throws InterruptedException {
        long start = System.nanoTime();
        broker.start();
        long deadline = start + RESTART_LIMIT.toNanos();
        try (Admin admin = admin(broker.bootstrap(), Duration.ofSeconds(5))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (endOffsets(admin, tps).equals(ends)) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    }
                } catch (RuntimeException notReady) {
                    // still loading: ask again
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException(broker + " did not answer the end offsets within " + RESTART_LIMIT);
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap, List<TopicPartition> tps) {
        try (Admin admin = admin(bootstrap, Duration.ofSeconds(30))) {
            return endOffsets(admin, tps);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<TopicPartition> tps) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> result;
        try {
            result = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("ListOffsets failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** An admin client that reconnects quickly, for polling a starting broker. */
    private static Admin admin(String bootstrap, Duration requestTimeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis() * 2);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 20);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 20);
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100);
        return Admin.create(p);
    }
}
