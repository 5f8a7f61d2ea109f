package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.consumer;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java producer and consumer against one broker: what is produced is read back unchanged, in
 * order per key, with every codec, both timestamp types, every acks level, and the consumer's size
 * limits and long poll honoured.
 */
class ProduceConsumeIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("produce-consume");

    private static final int KEYS = 20;
    private static final int PER_KEY = 25;

    @Test
    void theClientDefaultsWorkWithoutAnySettingChanged() {
        // Given a producer configured with nothing but where to connect and how to serialize
        String topic = uniqueTopic("defaults");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());
        Map<String, Object> bare = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        List<RecordMetadata> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(bare)) {
            // When it sends keyed records (idempotent, acks=all: the client's defaults)
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sent.add(p.send(new ProducerRecord<>(topic, "k" + (i % 5), "v" + i)));
            }
            sent.forEach(f -> acks.add(get(f)));
        }

        // Then every record is acknowledged with an offset and read back at that offset
        List<ConsumerRecord<String, String>> read = readAll(BROKER.bootstrap(), topic);
        assertThat(read).hasSize(30);
        assertThat(acks).allSatisfy(m -> assertThat(m.offset()).isGreaterThanOrEqualTo(0));
        Map<String, ConsumerRecord<String, String>> byValue = byValue(read);
        for (int i = 0; i < 30; i++) {
            ConsumerRecord<String, String> r = byValue.get("v" + i);
            assertThat(r.partition()).isEqualTo(acks.get(i).partition());
            assertThat(r.offset()).isEqualTo(acks.get(i).offset());
        }
    }

    @Test
    void producingToAnUnknownTopicCreatesItWithOnePartition() {
        // Given a topic nobody created (auto.create.topics.enable and num.partitions at their defaults)
        String topic = uniqueTopic("auto-created");
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            // When a record is produced to it
            RecordMetadata m = get(p.send(new ProducerRecord<>(topic, "k", "v")));

            // Then the topic exists with one partition and holds the record
            assertThat(m.partition()).isZero();
            assertThat(m.offset()).isZero();
            assertThat(p.partitionsFor(topic)).hasSize(1);
        }
        assertThat(readAll(BROKER.bootstrap(), topic)).extracting(ConsumerRecord::value).containsExactly("v");
    }

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCodecRoundTripsKeysValuesHeadersAndCreateTime(String codec) {
        // Given a three-partition topic and a producer that batches with this codec
        String topic = uniqueTopic("codec-" + codec);
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());
        long baseTime = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        Map<String, RecordMetadata> acked = new HashMap<>();
        Map<String, Long> timestamps = new HashMap<>();
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap(), Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20))) {
            // When keyed records with headers and their own CreateTime are sent
            Map<String, Future<RecordMetadata>> futures = new HashMap<>();
            int n = 0;
            for (int seq = 0; seq < PER_KEY; seq++) {
                for (int k = 0; k < KEYS; k++) {
                    String value = value(k, seq);
                    long ts = baseTime + n++;
                    timestamps.put(value, ts);
                    ProducerRecord<String, String> r = new ProducerRecord<>(topic, null, ts, key(k),
                            value, List.of(header("seq", seq), header("codec", codec)));
                    futures.put(value, p.send(r));
                }
            }
            futures.forEach((v, f) -> acked.put(v, get(f)));
        }

        // Then each record comes back once, where it was acknowledged, unchanged
        List<ConsumerRecord<String, String>> read = readAll(BROKER.bootstrap(), topic);
        assertThat(read).hasSize(KEYS * PER_KEY);
        assertThat(read.stream().map(ConsumerRecord::value).distinct().count()).isEqualTo(KEYS * PER_KEY);
        for (ConsumerRecord<String, String> r : read) {
            RecordMetadata m = acked.get(r.value());
            assertThat(m).as("acknowledgement of %s", r.value()).isNotNull();
            assertThat(r.partition()).isEqualTo(m.partition());
            assertThat(r.offset()).isEqualTo(m.offset());
            assertThat(r.key()).isEqualTo(r.value().substring(0, r.value().indexOf('#')));
            assertThat(r.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(r.timestamp()).isEqualTo(timestamps.get(r.value()));
            assertThat(headers(r)).containsExactly(
                    "seq=" + ItSupport.sequenceOf(r.value()), "codec=" + codec);
        }
        // And each key's records are in one partition, in the order they were sent
        ItSupport.assertPerKeyOrder(read);
    }

    @Test
    void aLogAppendTimeTopicStampsRecordsWithTheBrokersClock() {
        // Given a topic with message.timestamp.type=LogAppendTime
        String topic = uniqueTopic("log-append-time");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long tenDaysAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(10);
        long before = System.currentTimeMillis();
        RecordMetadata m;
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            // When a record is sent with a CreateTime ten days old
            m = get(p.send(new ProducerRecord<>(topic, null, tenDaysAgo, "k", "v")));
        }
        long after = System.currentTimeMillis();

        // Then the acknowledgement and the stored record carry the broker's append time instead
        long slack = 1_000;
        assertThat(m.timestamp()).isBetween(before - slack, after + slack);
        ConsumerRecord<String, String> r = readAll(BROKER.bootstrap(), topic).get(0);
        assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(r.timestamp()).isEqualTo(m.timestamp());
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1"})
    void acksZeroAndOneDeliverEveryRecord(String acks) {
        // Given a non-idempotent producer with acks=0 or acks=1
        String topic = uniqueTopic("acks" + acks);
        createTopic(BROKER.bootstrap(), topic, 2, Map.of());
        List<RecordMetadata> metadata = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap(), Map.of(
                ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            // When it sends 100 records
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sent.add(p.send(new ProducerRecord<>(topic, "k" + (i % 7), "v" + i)));
            }
            sent.forEach(f -> metadata.add(get(f)));
        }

        // Then acks=1 reports offsets, acks=0 cannot; either way all 100 arrive
        if (acks.equals("1")) {
            assertThat(metadata).allSatisfy(m -> assertThat(m.offset()).isGreaterThanOrEqualTo(0));
        } else {
            assertThat(metadata).allSatisfy(m -> assertThat(m.offset()).isEqualTo(-1));
        }
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap())) {
            List<TopicPartition> tps = ItSupport.partitions(c, topic);
            ItSupport.await("100 records appended", () ->
                    c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum() == 100);
            assertThat(readAll(c, topic)).extracting(ConsumerRecord::value).hasSize(100).doesNotHaveDuplicates();
        }
    }

    @Test
    void maxPollRecordsBoundsEveryPoll() {
        // Given 100 small records in one partition
        String topic = uniqueTopic("max-poll-records");
        produceSmall(topic, 100);
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            // When the consumer polls them with max.poll.records=7
            List<Integer> pollSizes = pollSizesUntil(c, 100);

            // Then no poll returns more than 7 and all 100 arrive
            assertThat(pollSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(7));
            assertThat(pollSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        }
    }

    @Test
    void maxPartitionFetchBytesBoundsAFetchButNeverStopsProgress() {
        // Given one partition of 10 kB records, one batch each, with a 40 kB record in the middle
        String topic = uniqueTopic("max-partition-fetch-bytes");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sizes.add(i == 15 ? 40_000 : 10_000);
        }
        produceOneBatchEach(topic, 0, sizes);

        // When a consumer with max.partition.fetch.bytes=25000 reads them
        List<List<ConsumerRecord<String, String>>> polls = pollAll(topic, Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 25_000,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000), 30);

        // Then every poll that holds more than one record stays within the limit,
        // and the record larger than the limit still comes through (alone)
        assertWithinLimit(polls, 25_000);
        assertThat(polls.stream().flatMap(List::stream).map(r -> r.value().length()))
                .containsExactlyElementsOf(sizes);
    }

    @Test
    void fetchMaxBytesBoundsAResponseAcrossPartitions() {
        // Given three partitions of ten 10 kB records each
        String topic = uniqueTopic("fetch-max-bytes");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());
        List<Integer> sizes = java.util.Collections.nCopies(10, 10_000);
        for (int p = 0; p < 3; p++) {
            produceOneBatchEach(topic, p, sizes);
        }

        // When a consumer with fetch.max.bytes=25000 reads all partitions
        List<List<ConsumerRecord<String, String>>> polls = pollAll(topic, Map.of(
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 25_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1_048_576,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000), 30);

        // Then no response carried more than the limit, and all 30 records arrived
        assertWithinLimit(polls, 25_000);
        assertThat(polls.stream().mapToInt(List::size).sum()).isEqualTo(30);
    }

    @Test
    void aWaitingFetchReturnsAsSoonAsARecordArrives() throws Exception {
        // Given a consumer long-polling an empty partition with fetch.max.wait.ms=10000
        String topic = uniqueTopic("long-poll");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        long maxWaitMs = 10_000;
        TopicPartition tp = new TopicPartition(topic, 0);
        CompletableFuture<long[]> arrival = new CompletableFuture<>(); // {arrival nanos, fetches while waiting}
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), Map.of(
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) maxWaitMs,
                    ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1))) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                c.position(tp);
                c.poll(Duration.ofMillis(200)); // the first fetch is now parked at the broker
                double fetchesBefore = fetchTotal(c);
                waiting.complete(null);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < until) {
                    ConsumerRecords<String, String> got = c.poll(Duration.ofMillis(200));
                    if (!got.isEmpty()) {
                        arrival.complete(new long[] {System.nanoTime(), (long) (fetchTotal(c) - fetchesBefore)});
                        return;
                    }
                }
                arrival.completeExceptionally(new AssertionError("no record within 30 s"));
            } catch (Throwable t) {
                arrival.completeExceptionally(t);
                waiting.completeExceptionally(t);
            }
        }, "long-poll-reader");
        reader.setDaemon(true); // its close waits behind the next parked fetch; nobody needs to wait for that
        reader.start();
        get(waiting);
        Thread.sleep(2_000);

        // When a record is produced while the fetch waits
        long sentAt;
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            get(p.send(new ProducerRecord<>(topic, "k", "wake up")));
            sentAt = System.nanoTime();
        }

        // Then the consumer has it well before max.wait would have ended the fetch,
        // and it did not busy-poll while it waited (the broker parked the fetch)
        long[] result = get(arrival);
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(Math.max(0, result[0] - sentAt));
        assertThat(latencyMs).as("ms from acknowledgement to delivery").isLessThan(maxWaitMs / 2);
        assertThat(result[1]).as("fetch responses during ~2 s of waiting").isLessThanOrEqualTo(5);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static String key(int k) {
        return "key-" + k;
    }

    private static String value(int k, int seq) {
        return key(k) + "#" + seq;
    }

    private static Header header(String key, Object value) {
        return new RecordHeader(key, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> headers(ConsumerRecord<?, ?> r) {
        return Arrays.stream(r.headers().toArray())
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static Map<String, ConsumerRecord<String, String>> byValue(List<ConsumerRecord<String, String>> read) {
        return read.stream().collect(Collectors.toMap(ConsumerRecord::value, r -> r));
    }

    private static void produceSmall(String topic, int count) {
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(p.send(new ProducerRecord<>(topic, "k", "v" + i)));
            }
            sent.forEach(ItSupport::get);
        }
    }

    /** One record per batch: each send is acknowledged before the next one starts. */
    private static void produceOneBatchEach(String topic, int partition, List<Integer> valueSizes) {
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap(), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (int size : valueSizes) {
                get(p.send(new ProducerRecord<>(topic, partition, null, "x".repeat(size))));
            }
        }
    }

    private static List<List<ConsumerRecord<String, String>>> pollAll(String topic, Map<String, Object> config,
                                                                      int expected) {
        List<List<ConsumerRecord<String, String>>> polls = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer(BROKER.bootstrap(), config)) {
            List<TopicPartition> tps = ItSupport.partitions(c, topic);
            c.assign(tps);
            c.seekToBeginning(tps);
            int total = 0;
            long until = System.nanoTime() + ItSupport.DEADLINE.toNanos();
            while (total < expected) {
                assertThat(System.nanoTime()).as("read %d of %d records in time", total, expected).isLessThan(until);
                List<ConsumerRecord<String, String>> batch = new ArrayList<>();
                c.poll(Duration.ofMillis(200)).forEach(batch::add);
                if (!batch.isEmpty()) {
                    polls.add(batch);
                    total += batch.size();
                }
            }
        }
        return polls;
    }

    private static List<Integer> pollSizesUntil(KafkaConsumer<String, String> c, int expected) {
        List<Integer> sizes = new ArrayList<>();
        int total = 0;
        long until = System.nanoTime() + ItSupport.DEADLINE.toNanos();
        while (total < expected) {
            assertThat(System.nanoTime()).as("read %d of %d records in time", total, expected).isLessThan(until);
            int n = c.poll(Duration.ofMillis(200)).count();
            if (n > 0) {
                sizes.add(n);
                total += n;
            }
        }
        return sizes;
    }

    /** A poll with several records holds one fetch response, so its values must fit the limit. */
    private static void assertWithinLimit(List<List<ConsumerRecord<String, String>>> polls, int limit) {
        for (List<ConsumerRecord<String, String>> poll : polls) {
            if (poll.size() > 1) {
                int bytes = poll.stream().mapToInt(r -> r.serializedValueSize()).sum();
                assertThat(bytes).as("value bytes in one poll of %d records", poll.size()).isLessThanOrEqualTo(limit);
            }
        }
    }

    private static double fetchTotal(KafkaConsumer<?, ?> c) {
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : c.metrics().entrySet()) {
            if (e.getKey().name().equals("fetch-total") && e.getKey().group().equals("consumer-fetch-manager-metrics")
                    && e.getKey().tags().keySet().stream().noneMatch(t -> t.equals("topic"))) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("the consumer has no fetch-total metric");
    }
}
