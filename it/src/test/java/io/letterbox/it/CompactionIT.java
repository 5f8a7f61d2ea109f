package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.admin;
import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compaction on a running broker, through the Java producer and consumer: a compacted topic ends with
 * the latest value of each key at the offset it was written at (gaps between), tombstones stay for
 * {@code delete.retention.ms} after they were first cleaned and then go; a consumer reading while the
 * cleaner works sees a consistent log; and a broker killed with SIGKILL while cleaning comes back with a
 * complete log and finishes the cleaning. A record without key is refused with INVALID_RECORD, and
 * {@code __consumer_offsets} is cleaned with committed offsets intact. The cleaner backs off 200 ms and is throttled to 2 MB/s, so
 * cleaning a few MB takes seconds and a kill can land inside it.
 */
class CompactionIT {

    private static final Map<String, String> BROKER_OVERRIDES = Map.of("log.cleaner.backoff.ms", "200",
            "log.cleaner.io.max.bytes.per.second", "2000000", "log.segment.delete.delay.ms", "1000");
    private static final Duration COMPACTED_WITHIN = Duration.ofSeconds(90);

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("compaction", BROKER_OVERRIDES);

    @BeforeAll
    static void needsItsOwnBroker() {
        Assumptions.assumeFalse(ItSupport.external(),
                "needs log.cleaner.backoff.ms=200 on the broker: run without -Dit.bootstrap");
    }

    private static Map<String, String> topicConfig(String policy, int segmentBytes, long deleteRetentionMs) {
        return Map.of("cleanup.policy", policy, "retention.ms", "-1", "segment.bytes", Integer.toString(segmentBytes),
                "segment.ms", "500", "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", Long.toString(deleteRetentionMs));
    }

    private static Map<String, String> compacted(int segmentBytes, long deleteRetentionMs) {
        return topicConfig("compact", segmentBytes, deleteRetentionMs);
    }

    /** A topic that only starts being compacted when {@link #startCompacting} says, so the cleaner sees all at once. */
    private static Map<String, String> compactedLater(int segmentBytes, long deleteRetentionMs) {
        return topicConfig("delete", segmentBytes, deleteRetentionMs);
    }

    private static void startCompacting(String bootstrap, String topic) {
        try (Admin admin = admin(bootstrap)) {
            ItSupport.get(admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"),
                            AlterConfigOp.OpType.SET)))).all());
        }
    }

    /** Writes {@code rounds} updates of every key (value {@code <key>#<round>}), acks=all; returns the acks. */
    private static Map<String, RecordMetadata> update(String bootstrap, String topic, int keys, int rounds,
            int valueBytes) {
        Map<String, RecordMetadata> latest = new HashMap<>();
        String padding = "x".repeat(valueBytes);
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            List<String> keysSent = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < keys; k++) {
                    String key = "key-" + k;
                    acks.add(producer.send(new ProducerRecord<>(topic, key, key + "#" + round + ":" + padding)));
                    keysSent.add(key);
                }
            }
            for (int i = 0; i < acks.size(); i++) {
                latest.put(keysSent.get(i), ItSupport.get(acks.get(i)));
            }
        }
        return latest;
    }

    /** Sends one record after segment.ms, so that the segment holding the previous ones is closed. */
    private static RecordMetadata rollWith(String bootstrap, String topic, String key, String value) {
        ItSupport.sleep(700);
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            return ItSupport.get(producer.send(new ProducerRecord<>(topic, key, value)));
        }
    }

    /** Waits up to {@code timeout} for {@code condition}; false if it never held. */
    private static boolean awaitQuietly(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            ItSupport.sleep(50);
        }
        return false;
    }

    private static boolean cleanerFilesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap") || n.endsWith(".deleted"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean everyKeyOnce(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::key).distinct().count() == records.size();
    }

    /** Offsets rise, and each key's values were written in the order read (round numbers rise). */
    private static void assertConsistent(List<ConsumerRecord<String, String>> records) {
        assertThat(records).extracting(ConsumerRecord::offset).isSorted().doesNotHaveDuplicates();
        Map<String, Integer> lastRound = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.value() != null && r.value().contains("#")) {
                int round = Integer.parseInt(r.value().substring(r.value().indexOf('#') + 1, r.value().indexOf(':')));
                Integer before = lastRound.put(r.key(), round);
                assertThat(before == null || before < round).as("rounds of %s rise at offset %d", r.key(), r.offset())
                        .isTrue();
            }
        }
    }

    @Test
    void theLatestValueOfEachKeyStaysAtItsOffsetAndTombstonesGoAfterDeleteRetentionMs() {
        // Given: 50 keys updated 40 times, then 10 of them deleted, in 16 KB segments, tombstones kept 5 s
        String bootstrap = BROKER.bootstrap();
        String topic = uniqueTopic("compacted");
        createTopic(bootstrap, topic, 1, compacted(16 * 1024, 5_000));
        Map<String, RecordMetadata> latest = update(bootstrap, topic, 50, 40, 20);
        Set<String> deleted = new HashSet<>();
        Map<String, Long> tombstoneOffsets = new HashMap<>();
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int k = 0; k < 10; k++) {
                String key = "key-" + k;
                deleted.add(key);
                tombstoneOffsets.put(key, ItSupport.get(producer.send(new ProducerRecord<>(topic, key, null))).offset());
            }
        }
        RecordMetadata filler = rollWith(bootstrap, topic, "filler", "f");

        // When the cleaner has run: every key once
        List<List<ConsumerRecord<String, String>>> reads = new ArrayList<>();
        await("every key of " + topic + " once", COMPACTED_WITHIN, () -> {
            reads.add(0, readAll(bootstrap, topic));
            return everyKeyOnce(reads.get(0));
        });
        List<ConsumerRecord<String, String>> compacted = reads.get(0);

        // Then: live keys at their last offset with their last value, tombstones at theirs, gaps between
        assertConsistent(compacted);
        assertThat(compacted).hasSize(50 + 1);
        for (ConsumerRecord<String, String> r : compacted) {
            if (deleted.contains(r.key())) {
                assertThat(r.value()).as("value of deleted %s", r.key()).isNull();
                assertThat(r.offset()).isEqualTo(tombstoneOffsets.get(r.key()));
            } else if (!r.key().equals("filler")) {
                assertThat(r.value()).startsWith(r.key() + "#39:");
                assertThat(r.offset()).isEqualTo(latest.get(r.key()).offset());
            }
        }
        assertThat(compacted.get(compacted.size() - 1).offset()).isEqualTo(filler.offset());
        assertThat(filler.offset()).isEqualTo(50 * 40 + 10);

        // When delete.retention.ms has passed since the first cleaning: the tombstones go
        await("tombstones of " + topic + " removed", COMPACTED_WITHIN,
                () -> readAll(bootstrap, topic).stream().noneMatch(r -> r.value() == null));

        // Then: the live keys are untouched
        List<ConsumerRecord<String, String>> after = readAll(bootstrap, topic);
        assertThat(after).hasSize(40 + 1);
        assertThat(after).extracting(ConsumerRecord::key).doesNotContainAnyElementsOf(deleted);
        assertConsistent(after);
    }

    @Test
    void aRecordWithoutKeyIsRefusedWithInvalidRecord() {
        // Given a compacted topic
        String topic = uniqueTopic("keyless");
        createTopic(BROKER.bootstrap(), topic, 1, compacted(16 * 1024, 5_000));

        // When a record without key is produced
        Throwable failure;
        try (KafkaProducer<String, String> producer = producer(BROKER.bootstrap())) {
            failure = ItSupport.failureOf(producer.send(new ProducerRecord<>(topic, 0, null, "no key")));
        }

        // Then
        assertThat(failure).isInstanceOf(InvalidRecordException.class).hasMessageContaining("without key");
    }

    @Test
    void committedOffsetsSurviveTheCleaningOfConsumerOffsetsAndARestart() {
        // Given: a broker whose __consumer_offsets has 4 KB segments, one partition, cleaned at any dirt
        BrokerProcess.Builder builder = BrokerProcess.builder("compaction-offsets")
                .override("offsets.topic.num.partitions", "1").override("log.segment.bytes", "4096")
                .override("log.cleaner.min.cleanable.ratio", "0.01");
        BROKER_OVERRIDES.forEach(builder::override);
        try (BrokerProcess broker = builder.build()) {
            broker.start();
            String topic = uniqueTopic("committed");
            createTopic(broker.bootstrap(), topic, 1, Map.of());
            TopicPartition tp = new TopicPartition(topic, 0);

            // When: a group commits 300 times, and the cleaner has cleaned __consumer_offsets
            try (KafkaConsumer<String, String> c = consumer(broker.bootstrap(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, "compacted-group"))) {
                for (int i = 1; i <= 300; i++) {
                    c.commitSync(Map.of(tp, new OffsetAndMetadata(i, "commit " + i)));
                }
            }
            await("__consumer_offsets-0 cleaned", COMPACTED_WITHIN, () -> cleanerCheckpointOf(broker)
                    .lines().anyMatch(line -> line.startsWith("__consumer_offsets 0 ")));
            broker.killAndRestart();

            // Then: the group's offset is its last commit, after kill -9 too
            try (KafkaConsumer<String, String> c = consumer(broker.bootstrap(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, "compacted-group"))) {
                assertThat(c.committed(Set.of(tp), ItSupport.DEADLINE).get(tp))
                        .isEqualTo(new OffsetAndMetadata(300, "commit 300"));
            }
        }
    }

    @Test
    void aConsumerReadingWhileTheCleanerWorksSeesAConsistentLog() {
        // Given: 2 MB of updates of 100 keys in 64 KB segments
        String bootstrap = BROKER.bootstrap();
        String topic = uniqueTopic("read-during");
        createTopic(bootstrap, topic, 1, compactedLater(64 * 1024, 60_000));
        Map<String, RecordMetadata> latest = update(bootstrap, topic, 100, 50, 400);
        rollWith(bootstrap, topic, "filler", "f");
        startCompacting(bootstrap, topic);

        // When: reading from the beginning again and again while the cleaner runs (bounded: 60 reads)
        int reads = 0;
        int partial = 0;
        boolean done = false;
        while (!done && reads < 60) {
            List<ConsumerRecord<String, String>> read = readAll(bootstrap, topic);
            reads++;

            // Then: every read is consistent and ends with each key's final value
            assertConsistent(read);
            Map<String, ConsumerRecord<String, String>> lastPerKey = new HashMap<>();
            read.forEach(r -> lastPerKey.put(r.key(), r));
            assertThat(lastPerKey).hasSize(101);
            latest.forEach((key, ack) -> {
                assertThat(lastPerKey.get(key).offset()).as("last offset of %s", key).isEqualTo(ack.offset());
                assertThat(lastPerKey.get(key).value()).startsWith(key + "#49:");
            });
            done = everyKeyOnce(read);
            if (!done && read.size() < 100 * 50 + 1) {
                partial++;
            }
        }
        assertThat(done).as("compacted after %d reads", reads).isTrue();
        System.out.printf("read-during-compaction: %d reads, %d of them of a partly cleaned log%n", reads, partial);
    }

    @Test
    void aBrokerKilledWhileCleaningComesBackWithACompleteLogAndFinishesTheCleaning() {
        // Given: a broker of its own (its data directory is watched) and 5 MB of updates
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("CompactionIT kill seed " + seed);
        BrokerProcess.Builder builder = BrokerProcess.builder("compaction-kill");
        BROKER_OVERRIDES.forEach(builder::override);
        try (BrokerProcess broker = builder.build()) {
            broker.start();
            String topic = uniqueTopic("kill-cleaning");
            createTopic(broker.bootstrap(), topic, 1, compactedLater(64 * 1024, 600_000));
            Map<String, RecordMetadata> latest = update(broker.bootstrap(), topic, 50, 200, 500);
            RecordMetadata filler = rollWith(broker.bootstrap(), topic, "filler", "f");
            startCompacting(broker.bootstrap(), topic);
            Path partitionDir = broker.dataDir().resolve(topic + "-0");

            // When: killed at a random moment (within 1.5 s) after the cleaner began swapping cleaned
            // segments in (a .cleaned, .swap or .deleted file shows); again after each restart while
            // the cleaner starts over, at most three times in two minutes
            int kills = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (kills < 3 && System.nanoTime() < deadline
                    && awaitQuietly(Duration.ofSeconds(30), () -> cleanerFilesIn(partitionDir))) {
                ItSupport.sleep(random.nextInt(1500));
                broker.killAndRestart();
                kills++;
            }
            assertThat(kills).as("kills while cleaning").isPositive();

            // Then: after the restart the cleaning finishes, and the log is whole
            await("every key of " + topic + " once after " + kills + " kills", COMPACTED_WITHIN,
                    () -> everyKeyOnce(readAll(broker.bootstrap(), topic)));
            List<ConsumerRecord<String, String>> read = readAll(broker.bootstrap(), topic);
            assertConsistent(read);
            assertThat(read).hasSize(51);
            for (ConsumerRecord<String, String> r : read) {
                if (!r.key().equals("filler")) {
                    assertThat(r.offset()).as("offset of %s", r.key()).isEqualTo(latest.get(r.key()).offset());
                    assertThat(r.value()).startsWith(r.key() + "#199:");
                }
            }
            assertThat(read.get(read.size() - 1).offset()).isEqualTo(filler.offset());
            System.out.printf("kill-while-cleaning: %d kills, seed %d%n", kills, seed);
        }
    }

    /** The broker's cleaner-offset-checkpoint ("topic partition offset" lines), empty before the first cleaning. */
    private static String cleanerCheckpointOf(BrokerProcess broker) {
        Path file = broker.dataDir().resolve("cleaner-offset-checkpoint");
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
