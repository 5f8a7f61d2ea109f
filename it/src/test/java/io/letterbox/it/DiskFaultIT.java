package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.admin;
import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.FaultyDisks;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disks that fill up or fail under a running broker (a child process), on real file systems this
 * test mounts (root only; skipped otherwise). A full log directory refuses produce with
 * KAFKA_STORAGE_ERROR, never keeps half a batch, keeps serving fetch, and takes produce again once
 * space is freed, with every acknowledged record read back once, in order. An I/O error on one of two
 * log directories takes only that directory offline: its partitions answer KAFKA_STORAGE_ERROR and
 * have no leader in Metadata, DescribeLogDirs reports it in error, the other directory's partitions
 * carry on, and a restart with the disk healthy brings its partitions back.
 */
class DiskFaultIT {

    private static final String VALUE = "v".repeat(1000);
    /** Enough to fill the 12 MiB tmpfs several times over: the stream stops long before. */
    private static final int MAX_RECORDS = 60_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void needsItsOwnBrokerAndRoot() {
        org.junit.jupiter.api.Assumptions.assumeFalse(ItSupport.external() || "in-process".equals(
                System.getProperty("it.broker")), "mounts the broker's log directories: needs a child-process broker");
        ItSupport.assumeLetterboxBehaviour("Kafka takes a full log directory offline until a restart");
        FaultyDisks.assumeRoot();
    }

    @AfterEach
    void cleanUp() throws Exception {
        // Brokers first, then the file systems under them.
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void aFullLogDirRefusesProduceKeepsServingFetchAndTakesProduceAgainOnceSpaceIsFreed() throws Exception {
        // Given a broker whose second log directory is a 12 MiB tmpfs, with 2 MiB of it taken by a filler file
        Path base = ItSupport.tempDir("disk-full");
        FaultyDisks.Mount full = track(FaultyDisks.tmpfs(base.resolve("full"), "12m"));
        Path filler = full.dir().resolve("filler");
        Files.write(filler, new byte[2 * 1024 * 1024]);
        BrokerProcess broker = startBroker("disk-full", base.resolve("main"), full.dir());
        String topic = uniqueTopic("full");
        createTopic(broker.bootstrap(), topic, 2, Map.of("segment.bytes", Integer.toString(1024 * 1024)));
        TopicPartition onFull = partitionIn(broker, topic, full.dir());
        TopicPartition onMain = new TopicPartition(topic, 1 - onFull.partition());

        // When a producer without retries streams into the partition on the tmpfs until a send fails
        Map<Long, String> acked = new ConcurrentSkipListMap<>();
        Throwable failure;
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap(), noRetries())) {
            failure = streamUntilFailure(producer, onFull, acked);
            // Then the failure is the storage error, and the other directory's partition still takes records
            assertThat(failure).isInstanceOf(KafkaStorageException.class);
            assertThat(producer.send(new ProducerRecord<>(topic, onMain.partition(), "k", "main")).get(30,
                    TimeUnit.SECONDS).offset()).isZero();
        }
        assertThat(broker.isAlive()).isTrue();
        assertThat(acked).isNotEmpty();

        // and fetch serves exactly what was acknowledged: no half or refused batch is visible
        assertThat(readPartition(broker, onFull)).containsExactlyEntriesOf(acked);

        // When space is freed, the same producer's records are taken again
        Files.delete(filler);
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap(), noRetries())) {
            for (int i = 0; i < 300; i++) {
                String value = "after#" + i;
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, onFull.partition(), "k", value))
                        .get(30, TimeUnit.SECONDS);
                acked.put(m.offset(), value);
            }
        }

        // Then every acknowledged record is read back once, in order, at offsets without gaps
        Map<Long, String> read = readPartition(broker, onFull);
        assertThat(read).containsExactlyEntriesOf(acked);
        assertThat(read.keySet()).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, acked.size()).boxed().toList());
        try (Admin admin = admin(broker.bootstrap())) {
            assertThat(logDirs(admin).get(full.dir().toString()).error()).isNull();
        }
    }

    @Test
    void anIoErrorOnOneOfTwoLogDirsTakesOnlyThatDirOfflineUntilARestartWithTheDiskHealthy() throws Exception {
        // Given a broker with log dirs a (plain) and b (ext4 on a loop device, errors=remount-ro),
        // and a topic with one partition in each holding 100 acknowledged records
        Path base = ItSupport.tempDir("disk-error");
        FaultyDisks.Ext4 disk = track(FaultyDisks.ext4(base.resolve("b.img"), base.resolve("b"), 64));
        BrokerProcess broker = startBroker("disk-error", base.resolve("a"), disk.dir());
        String topic = uniqueTopic("dir-error");
        createTopic(broker.bootstrap(), topic, 2, Map.of());
        TopicPartition onB = partitionIn(broker, topic, disk.dir());
        TopicPartition onA = new TopicPartition(topic, 1 - onB.partition());
        Map<Long, String> ackedA = new LinkedHashMap<>();
        Map<Long, String> ackedB = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap(), noRetries())) {
            produce(producer, onA, "a-before", 100, ackedA);
            produce(producer, onB, "b-before", 100, ackedB);

            // When the disk under b fails and a record goes to b's partition
            disk.fail();
            Future<RecordMetadata> refused = producer.send(new ProducerRecord<>(topic, onB.partition(), "k", "b-lost"));

            // Then it is refused with the storage error; a's partition keeps taking records
            assertThat(ItSupport.failureOf(refused)).isInstanceOf(KafkaStorageException.class);
            produce(producer, onA, "a-after", 100, ackedA);
        }
        assertThat(broker.isAlive()).isTrue();
        assertThat(readPartition(broker, onA)).containsExactlyEntriesOf(ackedA);
        // b's partition answers KAFKA_STORAGE_ERROR to produce and fetch, and has no leader in Metadata
        try (RawConnection raw = new RawConnection(broker.bootstrap())) {
            ByteBuffer records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("raw".getBytes())).buffer();
            assertThat(raw.produce(topic, onB.partition(), records, (short) 1).errorCode())
                    .isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
            assertThat(rawFetchError(raw, onB)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(rawFetchError(raw, onA)).isEqualTo(Errors.NONE);
        }
        try (Admin admin = admin(broker.bootstrap())) {
            TopicDescription description = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
            assertThat(description.partitions().get(onB.partition()).leader()).isNull();
            assertThat(description.partitions().get(onA.partition()).leader()).isNotNull();
            Map<String, LogDirDescription> dirs = logDirs(admin);
            assertThat(dirs.get(disk.dir().toString()).error()).isInstanceOf(KafkaStorageException.class);
            assertThat(dirs.get(base.resolve("a").toString()).error()).isNull();
        }
        // and the broker said so in one ERROR line naming the directory
        assertThat(broker.output().lines().filter(l -> l.contains("ERROR") && l.contains(disk.dir().toString())))
                .hasSize(1);

        // When the broker restarts with the disk healthy again
        broker.stop();
        disk.remount();
        broker.start();

        // Then b's partition is back with what was acknowledged, and takes records again
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap(), noRetries())) {
            produce(producer, onB, "b-after", 10, ackedB);
        }
        assertThat(readPartition(broker, onB)).containsExactlyEntriesOf(ackedB);
        assertThat(readPartition(broker, onA)).containsExactlyEntriesOf(ackedA);
    }

    private <T extends AutoCloseable> T track(T resource) {
        toClose.add(resource);
        return resource;
    }

    private BrokerProcess startBroker(String name, Path plainDir, Path faultyDir) {
        BrokerProcess broker = BrokerProcess.builder(name)
                .override("log.dirs", plainDir + "," + faultyDir)
                .build();
        track(broker);
        broker.start();
        return broker;
    }

    /** acks=all without retries or idempotence: every send is answered once, success or the broker's error. */
    private static Map<String, Object> noRetries() {
        return Map.of(ProducerConfig.RETRIES_CONFIG, 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    }

    /** Sends records to {@code tp} until one fails (bounded by count and time); returns that failure. */
    private static Throwable streamUntilFailure(KafkaProducer<String, String> producer, TopicPartition tp,
            Map<Long, String> acked) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < MAX_RECORDS && failure.get() == null && System.nanoTime() < deadline; i++) {
            String value = "before#" + i + VALUE;
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value), (m, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    acked.put(m.offset(), value);
                }
            });
            if (i % 500 == 499) {
                producer.flush();
            }
        }
        producer.flush();
        assertThat(failure.get()).as("a send failed within %d records", MAX_RECORDS).isNotNull();
        return failure.get();
    }

    private static void produce(KafkaProducer<String, String> producer, TopicPartition tp, String prefix, int count,
            Map<Long, String> acked) throws Exception {
        for (int i = 0; i < count; i++) {
            String value = prefix + "#" + i;
            RecordMetadata m = producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value))
                    .get(30, TimeUnit.SECONDS);
            acked.put(m.offset(), value);
        }
    }

    /** The partition of {@code topic} whose log DescribeLogDirs places in {@code dir}. */
    private static TopicPartition partitionIn(BrokerProcess broker, String topic, Path dir) {
        try (Admin admin = admin(broker.bootstrap())) {
            return logDirs(admin).get(dir.toString()).replicaInfos().keySet().stream()
                    .filter(tp -> tp.topic().equals(topic)).findFirst()
                    .orElseThrow(() -> new AssertionError("no partition of " + topic + " in " + dir));
        }
    }

    private static Map<String, LogDirDescription> logDirs(Admin admin) {
        try {
            return admin.describeLogDirs(List.of(1)).allDescriptions().get(30, TimeUnit.SECONDS).get(1);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("DescribeLogDirs failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Offset to value of every record of {@code tp}, read from the start to its end offset. */
    private static Map<Long, String> readPartition(BrokerProcess broker, TopicPartition tp) {
        Map<Long, String> read = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> c = consumer(broker.bootstrap())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), ItSupport.DEADLINE).get(tp);
            long deadline = System.nanoTime() + ItSupport.DEADLINE.toNanos();
            while (c.position(tp, ItSupport.DEADLINE) < end) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read " + read.size() + " records of " + tp + ", end offset " + end);
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    assertThat(read.put(r.offset(), r.value())).as("offset %d read twice", r.offset()).isNull();
                }
            }
        }
        return read;
    }

    private static Errors rawFetchError(RawConnection raw, TopicPartition tp) {
        short version = raw.version(ApiKeys.FETCH, (short) 12);
        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        wanted.put(tp, new FetchRequest.PartitionData(org.apache.kafka.common.Uuid.ZERO_UUID, 0, -1, 1024 * 1024,
                java.util.Optional.empty()));
        FetchResponse response = raw.send(FetchRequest.Builder.forConsumer(version, 0, 1, wanted).build(version));
        FetchResponseData.PartitionData data = response.data().responses().get(0).partitions().get(0);
        return Errors.forCode(data.errorCode());
    }
}
