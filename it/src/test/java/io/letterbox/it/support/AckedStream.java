package io.letterbox.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A background thread sending records {@code v#<seq>} through one producer, at most {@code maxInFlight}
 * unanswered, remembering each acknowledged record's partition and offset and each failure; and the
 * check that a read-back holds every acknowledged record once, at its offset, in send order per
 * partition. Bounded: it stops after {@code maxRecords} sends or at {@link #stop}.
 */
public final class AckedStream {
    private final Map<String, RecordMetadata> acked = new ConcurrentHashMap<>();
    private final List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;

    /** @param record the record to send for a sequence number (its value must be {@code v#<seq>}) */
    public AckedStream(KafkaProducer<String, String> producer, int maxInFlight, int maxRecords,
                       IntFunction<ProducerRecord<String, String>> record, AckListener listener) {
        Semaphore inFlight = new Semaphore(maxInFlight);
        thread = new Thread(() -> {
            try {
                while (streaming.get() && sent.get() < maxRecords) {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    ProducerRecord<String, String> r = record.apply(sent.getAndIncrement());
                    producer.send(r, (m, e) -> {
                        if (e == null) {
                            acked.put(r.value(), m);
                            listener.acked(m);
                        } else {
                            failures.add(e);
                        }
                        inFlight.release();
                    });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "acked-stream");
        thread.start();
    }

    /** Told of each acknowledgement, on the producer's thread. */
    public interface AckListener {
        void acked(RecordMetadata m);
    }

    public int ackedCount() {
        return acked.size();
    }

    /** Stops sending; the caller flushes the producer for the answers still due. */
    public void stop() throws InterruptedException {
        streaming.set(false);
        thread.join(10_000);
    }

    /** Nothing failed, everything sent was acknowledged, and {@code read} holds each acknowledged record as told. */
    public void assertEveryAcknowledgedRecordIn(List<ConsumerRecord<String, String>> read) {
        assertThat(failures).as("send failures").isEmpty();
        assertThat(acked).hasSize(sent.get());
        assertThat(read).extracting(ConsumerRecord::value).doesNotHaveDuplicates();
        Map<String, ConsumerRecord<String, String>> byValue = read.stream()
                .collect(Collectors.toMap(ConsumerRecord::value, r -> r));
        acked.forEach((value, m) -> {
            ConsumerRecord<String, String> r = byValue.get(value);
            assertThat(r).as("acknowledged record %s at %d/%d", value, m.partition(), m.offset()).isNotNull();
            assertThat(r.partition()).as("partition of %s", value).isEqualTo(m.partition());
            assertThat(r.offset()).as("offset of %s", value).isEqualTo(m.offset());
        });
        Map<Integer, List<Integer>> seqs = read.stream().collect(Collectors.groupingBy(ConsumerRecord::partition,
                Collectors.mapping(r -> ItSupport.sequenceOf(r.value()), Collectors.toList())));
        seqs.forEach((p, s) -> assertThat(s).as("send order in partition %d", p).isSorted());
    }
}
