package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.admin;
import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention on a running broker: closed segments of old records go at the next check, the log
 * start moves (ListOffsets earliest follows), and a consumer positioned behind it resets as its
 * {@code auto.offset.reset} says; a retention change by IncrementalAlterConfigs applies without a
 * restart; a broker with two log directories spreads partitions over them and DescribeLogDirs
 * reports both. Old records are produced with CreateTime two hours back, so time retention (one
 * hour) is decided by the data, not by waiting. The broker checks retention every 200 ms and removes
 * deleted files after one second, so these tests start their brokers (a child process, or Kafka
 * through {@code kafka-as-letterbox}).
 */
class RetentionIT {

    private static final long HOUR = 3_600_000L;
    /** Kafka 4.1's smallest segment.bytes. */
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final String VALUE = "x".repeat(1000);
    private static final Duration NEGATIVE_WAIT = Duration.ofMillis(1500);

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("retention", Map.of(
            "log.retention.check.interval.ms", "200", "log.segment.delete.delay.ms", "1000"));

    @BeforeAll
    static void needsItsOwnBroker() {
        Assumptions.assumeFalse(ItSupport.external(),
                "needs log.retention.check.interval.ms=200 on the broker: run without -Dit.bootstrap");
    }

    @Test
    void closedSegmentsOfOldRecordsGoAndTheLogStartMovesToTheFirstKeptSegment() {
        // Given: 3.5 segments of records two hours old, then half a segment of new ones, retention 1 h
        String topic = uniqueTopic("time-retention");
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(BROKER.bootstrap(), topic, 1, Map.of("segment.bytes", Integer.toString(SEGMENT_BYTES),
                "retention.ms", Long.toString(HOUR)));
        long now = System.currentTimeMillis();
        produce(topic, 3500, now - 2 * HOUR, "old");
        List<Long> fresh = produce(topic, 500, now, "new");

        // When the next checks have run
        // (checks may run while the old records are still being written, so the start moves in steps)
        await("log start of " + tp + " past the old records", () -> earliest(tp) > 2000);
        await("segments of " + tp + " before its log start removed", () -> {
            List<String> files = segmentFiles(tp);
            return files.stream().noneMatch(n -> n.endsWith(".deleted")) && files.stream()
                    .filter(n -> n.endsWith(".log")).findFirst()
                    .map(n -> n.equals(String.format("%020d.log", earliest(tp)))).orElse(false);
        });

        // Then: only whole old segments went; the first kept one holds the last old records and the new ones
        long earliest = earliest(tp);
        assertThat(earliest).isLessThanOrEqualTo(fresh.get(0)).isGreaterThan(2000);
        assertThat(segmentFiles(tp)).filteredOn(n -> n.endsWith(".log")).first()
                .isEqualTo(String.format("%020d.log", earliest));
        List<ConsumerRecord<String, String>> left = readAll(BROKER.bootstrap(), topic);
        assertThat(left.get(0).offset()).isEqualTo(earliest);
        assertThat(left).filteredOn(r -> r.key().startsWith("new")).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(fresh);
    }

    @Test
    void aConsumerBehindTheLogStartResetsToEarliestOrFailsWithNone() {
        // Given a topic whose first segments expired
        String topic = uniqueTopic("reset");
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(BROKER.bootstrap(), topic, 1, Map.of("segment.bytes", Integer.toString(SEGMENT_BYTES),
                "retention.ms", Long.toString(HOUR)));
        long now = System.currentTimeMillis();
        produce(topic, 2500, now - 2 * HOUR, "old");
        produce(topic, 200, now, "new");
        // (checks may run while the old records are still being written, so the start moves in steps)
        await("log start of " + tp + " past the old records", () -> earliest(tp) > 2000);
        long earliest = earliest(tp);

        // When consumers fetch from offset 0, below the log start
        ConsumerRecord<String, String> first;
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            c.assign(List.of(tp));
            c.seek(tp, 0);
            first = ItSupport.poll(c, 1, ItSupport.DEADLINE).get(0);
        }
        Throwable failure;
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            c.assign(List.of(tp));
            c.seek(tp, 0);
            failure = pollUntilFailure(c);
        }

        // Then: earliest restarts at the log start, none gets OffsetOutOfRange for offset 0
        assertThat(first.offset()).isEqualTo(earliest);
        assertThat(failure).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(((OffsetOutOfRangeException) failure).offsetOutOfRangePartitions()).containsEntry(tp, 0L);
    }

    @Test
    void sizeRetentionKeepsTheNewestSegmentsWithinRetentionBytes() {
        // Given: five and a half segments into a partition with retention.bytes of two segments
        String topic = uniqueTopic("size-retention");
        TopicPartition tp = new TopicPartition(topic, 0);
        long retentionBytes = 2L * SEGMENT_BYTES;
        createTopic(BROKER.bootstrap(), topic, 1, Map.of("segment.bytes", Integer.toString(SEGMENT_BYTES),
                "retention.bytes", Long.toString(retentionBytes)));
        List<Long> offsets = produce(topic, 5500, System.currentTimeMillis(), "r");

        // When
        await("segments of " + tp + " beyond retention.bytes deleted",
                () -> partitionSize(tp) <= retentionBytes + SEGMENT_BYTES && earliest(tp) > 0);

        // Then: what is left is the newest records, from the log start to the end
        long earliest = earliest(tp);
        assertThat(earliest).isGreaterThan(2000);
        assertThat(partitionSize(tp)).isGreaterThanOrEqualTo(retentionBytes);
        assertThat(readAll(BROKER.bootstrap(), topic)).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(offsets.subList((int) earliest, offsets.size()));
    }

    @Test
    void aRetentionChangeByIncrementalAlterConfigsAppliesWithoutRestart() {
        // Given a topic that keeps records forever, holding old records in closed segments
        String topic = uniqueTopic("alter-retention");
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(BROKER.bootstrap(), topic, 1, Map.of("segment.bytes", Integer.toString(SEGMENT_BYTES),
                "retention.ms", "-1"));
        long now = System.currentTimeMillis();
        produce(topic, 2500, now - 100 * 24 * HOUR, "old");
        produce(topic, 100, now, "new");
        sleep(NEGATIVE_WAIT);
        assertThat(earliest(tp)).as("log start with retention.ms=-1").isZero();

        // When retention.ms becomes one hour
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin(BROKER.bootstrap())) {
            get(admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", Long.toString(HOUR)), AlterConfigOp.OpType.SET)))).all());
        }

        // Then the next checks delete the old segments
        await("log start of " + tp + " moved after the change", () -> earliest(tp) > 0);
    }

    @Test
    void twoLogDirectoriesShareThePartitionsAndDescribeLogDirsReportsBoth() {
        // Given a broker with two log directories
        Path base = ItSupport.tempDir("retention-two-dirs");
        Path a = base.resolve("a");
        Path b = base.resolve("b");
        try (BrokerProcess broker = BrokerProcess.builder("retention-two-dirs").dataDir(base)
                .override("log.dirs", a + "," + b).build()) {
            broker.start();
            String topic = uniqueTopic("two-dirs");
            createTopic(broker.bootstrap(), topic, 4, Map.of());

            // When every partition gets records, and again after a restart
            produceToEachPartition(broker.bootstrap(), topic, 4, "before");
            Map<String, List<Integer>> before = partitionsByDir(broker.bootstrap(), topic);
            broker.restart();
            produceToEachPartition(broker.bootstrap(), topic, 4, "after");

            // Then both directories hold partitions, each partition stays where it was, and nothing is lost
            assertThat(before).containsOnlyKeys(a.toString(), b.toString());
            assertThat(before.values()).allSatisfy(ps -> assertThat(ps).isNotEmpty());
            assertThat(before.values().stream().mapToInt(List::size).sum()).isEqualTo(4);
            assertThat(partitionsByDir(broker.bootstrap(), topic)).isEqualTo(before);
            assertThat(readAll(broker.bootstrap(), topic)).hasSize(8);
            assertThat(sizesOf(broker.bootstrap(), topic)).allSatisfy(size -> assertThat(size).isPositive());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Sends {@code count} records with the given timestamp to partition 0; returns their offsets in order. */
    private static List<Long> produce(String topic, int count, long timestamp, String keyPrefix) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap(),
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024, ProducerConfig.LINGER_MS_CONFIG, 10))) {
            for (int i = 0; i < count; i++) {
                acks.add(p.send(new ProducerRecord<>(topic, 0, timestamp, keyPrefix + i, VALUE)));
            }
            p.flush();
        }
        List<Long> offsets = new ArrayList<>();
        for (Future<RecordMetadata> ack : acks) {
            offsets.add(get(ack).offset());
        }
        return offsets;
    }

    private static void produceToEachPartition(String bootstrap, String topic, int partitions, String value) {
        try (KafkaProducer<String, String> p = producer(bootstrap)) {
            for (int i = 0; i < partitions; i++) {
                get(p.send(new ProducerRecord<>(topic, i, "k", value)));
            }
        }
    }

    private static long earliest(TopicPartition tp) {
        try (Admin admin = admin(BROKER.bootstrap())) {
            return get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)).offset();
        }
    }

    /** Directory -> partitions of {@code topic} in it, from DescribeLogDirs. */
    private static Map<String, List<Integer>> partitionsByDir(String bootstrap, String topic) {
        Map<String, List<Integer>> result = new java.util.TreeMap<>();
        describeLogDirs(bootstrap).forEach((dir, description) -> result.put(dir,
                description.replicaInfos().keySet().stream().filter(tp -> tp.topic().equals(topic))
                        .map(TopicPartition::partition).sorted().toList()));
        return result;
    }

    private static List<Long> sizesOf(String bootstrap, String topic) {
        return describeLogDirs(bootstrap).values().stream()
                .flatMap(d -> d.replicaInfos().entrySet().stream())
                .filter(e -> e.getKey().topic().equals(topic))
                .map(e -> e.getValue().size()).toList();
    }

    private static long partitionSize(TopicPartition tp) {
        return describeLogDirs(BROKER.bootstrap()).values().stream()
                .map(d -> d.replicaInfos().get(tp)).filter(java.util.Objects::nonNull)
                .mapToLong(ReplicaInfo::size).sum();
    }

    private static Map<String, LogDirDescription> describeLogDirs(String bootstrap) {
        try (Admin admin = admin(bootstrap)) {
            int node = get(admin.describeCluster().nodes()).iterator().next().id();
            return get(admin.describeLogDirs(List.of(node)).allDescriptions()).get(node);
        }
    }

    /** Names of the segment files in the partition's directory, sorted. */
    private static List<String> segmentFiles(TopicPartition tp) {
        Path dir = BROKER.broker().dataDir().resolve(tp.topic() + "-" + tp.partition());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".log") || n.contains(".index") || n.contains(".timeindex"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Throwable pollUntilFailure(KafkaConsumer<String, String> c) {
        long until = System.nanoTime() + ItSupport.DEADLINE.toNanos();
        while (System.nanoTime() < until) {
            try {
                c.poll(Duration.ofMillis(200));
            } catch (RuntimeException e) {
                return e;
            }
        }
        throw new AssertionError("poll did not fail within " + ItSupport.DEADLINE);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
