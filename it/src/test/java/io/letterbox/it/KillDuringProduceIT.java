package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.TestBroker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker is SIGKILLed in the middle of a stream of acks=all produces and restarted on the
 * same directory: every acknowledged record is read back once, at its acknowledged offset, in
 * order per partition, and the same producer carries on without an error.
 */
class KillDuringProduceIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("kill-during-produce");

    @Test
    void everyAcknowledgedRecordSurvivesKillDashNine() throws Exception {
        TestBroker broker = BROKER.broker();
        broker.assumeCanKill();
        // Given a producer (client defaults: acks=all, idempotent) streaming keyed records
        String topic = uniqueTopic("kill-9");
        createTopic(broker.bootstrap(), topic, 3, Map.of());
        Map<String, RecordMetadata> acked = new ConcurrentHashMap<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Semaphore inFlight = new Semaphore(500);
        int ackedBeforeKill;
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap())) {
            Thread stream = new Thread(() -> {
                try {
                    while (streaming.get()) {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        int seq = sent.getAndIncrement();
                        String value = "v#" + seq;
                        producer.send(new ProducerRecord<>(topic, "key-" + seq % 10, value), (m, e) -> {
                            if (e == null) {
                                acked.put(value, m);
                            } else {
                                failures.add(e);
                            }
                            inFlight.release();
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "produce-stream");
            stream.start();
            ItSupport.await("records acknowledged before the kill", () -> acked.size() >= 200);
            Thread.sleep(1_500);

            // When the broker is killed mid-stream and started again on the same directory
            ackedBeforeKill = acked.size();
            broker.kill();
            Thread.sleep(500);
            broker.start();
            int ackedAtRestart = acked.size();
            ItSupport.await("records acknowledged after the restart", () -> acked.size() >= ackedAtRestart + 200);
            Thread.sleep(1_500);
            streaming.set(false);
            stream.join(10_000);
            producer.flush();
        }

        // Then the producer carried on without an error, through the crash
        assertThat(failures).as("send failures").isEmpty();
        assertThat(acked).hasSize(sent.get());
        assertThat(ackedBeforeKill).isPositive();

        // And every acknowledged record is in the log once, at its offset, in order per partition
        List<ConsumerRecord<String, String>> read = readAll(broker.bootstrap(), topic);
        assertThat(read).extracting(ConsumerRecord::value).doesNotHaveDuplicates();
        Map<String, ConsumerRecord<String, String>> byValue = read.stream()
                .collect(Collectors.toMap(ConsumerRecord::value, r -> r));
        acked.forEach((value, m) -> {
            ConsumerRecord<String, String> r = byValue.get(value);
            assertThat(r).as("acknowledged record %s at %d/%d", value, m.partition(), m.offset()).isNotNull();
            assertThat(r.partition()).as("partition of %s", value).isEqualTo(m.partition());
            assertThat(r.offset()).as("offset of %s", value).isEqualTo(m.offset());
        });
        Map<Integer, List<Integer>> seqsByPartition = read.stream().collect(Collectors.groupingBy(
                ConsumerRecord::partition, Collectors.mapping(r -> Integer.parseInt(r.value().substring(2)),
                        Collectors.toList())));
        seqsByPartition.forEach((p, seqs) -> assertThat(seqs).as("send order in partition %d", p).isSorted());
    }
}
