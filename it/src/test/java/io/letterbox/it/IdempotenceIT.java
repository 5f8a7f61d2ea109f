package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotent producers: many at once lose and duplicate nothing; the broker's per-producer
 * sequence checks answer duplicates with their original offset and gaps with an error; and that
 * producer state survives a broker restart.
 */
class IdempotenceIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("idempotence");

    private static final int PRODUCERS = 50;
    private static final int PER_PRODUCER = 200;

    @Test
    void fiftyProducersAtOnceLoseNothingAndDuplicateNothing() throws Exception {
        // Given a three-partition topic and 50 threads, each with its own idempotent producer
        String topic = uniqueTopic("fifty-producers");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());
        Map<String, RecordMetadata> acked = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int id = p;
                done.add(pool.submit(() -> {
                    try (KafkaProducer<String, String> producer = producer(BROKER.bootstrap())) {
                        go.await();
                        // When all of them send 200 keyed records at the same moment
                        Map<String, Future<RecordMetadata>> sent = new HashMap<>();
                        for (int seq = 0; seq < PER_PRODUCER; seq++) {
                            String value = "p" + id + "#" + seq;
                            sent.put(value, producer.send(new ProducerRecord<>(topic, "p" + id + "-k" + seq % 4,
                                    value)));
                        }
                        sent.forEach((v, f) -> acked.put(v, get(f)));
                    }
                    return null;
                }));
            }
            go.countDown();
            done.forEach(f -> get(f));
        } finally {
            pool.shutdownNow();
        }

        // Then every record was acknowledged, and the log holds each exactly once, where it was acknowledged
        assertThat(acked).hasSize(PRODUCERS * PER_PRODUCER);
        List<ConsumerRecord<String, String>> read = readAll(BROKER.bootstrap(), topic);
        assertThat(read).hasSize(PRODUCERS * PER_PRODUCER);
        assertThat(read).extracting(ConsumerRecord::value).doesNotHaveDuplicates();
        for (ConsumerRecord<String, String> r : read) {
            RecordMetadata m = acked.get(r.value());
            assertThat(r.partition()).as("partition of %s", r.value()).isEqualTo(m.partition());
            assertThat(r.offset()).as("offset of %s", r.value()).isEqualTo(m.offset());
        }
        // And each key's records are in send order
        ItSupport.assertPerKeyOrder(read);
    }

    @Test
    void theSameProducerContinuesAfterARestartWithoutDuplicatesOrGaps() {
        BROKER.broker().assumeCanRestart();
        // Given an idempotent producer that has written to a topic
        String topic = uniqueTopic("restart-producer");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            List<Future<RecordMetadata>> first = send(p, topic, 0, 100);
            first.forEach(f -> get(f));

            // When the broker restarts and the same producer instance goes on
            BROKER.broker().restart();
            List<Future<RecordMetadata>> second = send(p, topic, 100, 100);

            // Then every send succeeds (no OutOfOrderSequence, no UnknownProducerId surfaced)
            List<Long> offsets = new ArrayList<>();
            first.forEach(f -> offsets.add(get(f).offset()));
            second.forEach(f -> offsets.add(get(f).offset()));
            assertThat(offsets).containsExactlyElementsOf(
                    IntStream.range(0, 200).mapToObj(Long::valueOf).collect(Collectors.toList()));
        }
        // And the log holds the 200 records once each, in order
        assertThat(readAll(BROKER.bootstrap(), topic)).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "v" + i).toList());
    }

    /**
     * Kafka keeps the last five batches per producer in memory but only the last one in its
     * snapshot, so across a restart only a retry of the last batch is recognised; this asks the same.
     */
    @Test
    void aDuplicateBatchGetsItsOriginalOffsetAndAGapIsRefusedAlsoAfterARestart() {
        // Given a producer id, a batch of three records (sequences 0..2) at offset 0 and one more (3) at 3
        String topic = uniqueTopic("sequences");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        long[] pid;
        ByteBuffer last;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            pid = raw.initProducerId();
            ByteBuffer first = batch(pid, 0, "a", "b", "c");
            assertAppended(raw.produce(topic, 0, first, (short) -1), 0);
            last = batch(pid, 3, "d");
            assertAppended(raw.produce(topic, 0, last, (short) -1), 3);

            // When the first batch is sent again (a retry whose answer was lost)
            PartitionProduceResponse duplicate = raw.produce(topic, 0, first, (short) -1);
            // Then it is answered with its original offset and not appended again
            assertAppended(duplicate, 0);
        }
        if (BROKER.broker().canRestart()) {
            // (When the broker can be restarted, everything below also proves the state survived it.)
            BROKER.broker().restart();
        }
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // When the last batch is sent again
            assertAppended(raw.produce(topic, 0, last, (short) -1), 3);

            // When a batch skips sequences 4..9
            PartitionProduceResponse gap = raw.produce(topic, 0, batch(pid, 10, "k"), (short) -1);
            // Then it is refused
            assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);

            // And the next sequence in order is appended right after the last record
            assertAppended(raw.produce(topic, 0, batch(pid, 4, "e"), (short) -1), 4);
        }
        assertThat(readAll(BROKER.bootstrap(), topic)).extracting(ConsumerRecord::value)
                .containsExactly("a", "b", "c", "d", "e");
    }

    private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> p, String topic, int from,
                                                     int count) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            sent.add(p.send(new ProducerRecord<>(topic, "k", "v" + i)));
        }
        return sent;
    }

    private static ByteBuffer batch(long[] pid, int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null,
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid[0], (short) pid[1], baseSequence, records)
                .buffer();
    }

    private static void assertAppended(PartitionProduceResponse r, long baseOffset) {
        assertThat(Errors.forCode(r.errorCode())).as(r.errorMessage()).isEqualTo(Errors.NONE);
        assertThat(r.baseOffset()).isEqualTo(baseOffset);
    }
}
