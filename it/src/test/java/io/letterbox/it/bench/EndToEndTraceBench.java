package io.letterbox.it.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.letterbox.it.support.ItSupport;

/**
 * Kafka's {@code EndToEndLatency} loop with the same client settings (acks=1, linger.ms=0,
 * fetch.max.wait.ms=0, one partition, one record at a time: send, wait for the ack, poll until the
 * record is back), timed in microseconds rather than whole milliseconds, with each slow iteration
 * split into its acknowledgement and the wait for the consumer to see the record. That split is what
 * {@code peer-vs}'s end-to-end figure cannot show: whether a tail is the broker's ack, the record's
 * way to the reader, or the machine.
 *
 * <p>Run with {@code bench/e2e-trace BOOTSTRAP [records] [recordBytes]}.
 */
public final class EndToEndTraceBench {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        String topic = ItSupport.uniqueTopic("bench-e2e");
        try (Admin admin = ItSupport.admin(bootstrap)) {
            ItSupport.createTopic(admin, topic, 1, Map.of());
        }
        Map<String, Object> consumerProps = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0);
        Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            long[] ackUs = new long[n];
            long[] totalUs = new long[n];
            byte[] value = new byte[size];
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value)).get();
                long acked = System.nanoTime();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(60));
                long seen = System.nanoTime();
                if (records.count() != 1) {
                    throw new IllegalStateException("iteration " + i + " read " + records.count() + " records, not 1");
                }
                ackUs[i] = (acked - start) / 1000;
                totalUs[i] = (seen - start) / 1000;
            }
            report(ackUs, totalUs);
        }
    }

    private static void report(long[] ackUs, long[] totalUs) {
        int n = totalUs.length;
        long[] total = totalUs.clone();
        long[] ack = ackUs.clone();
        Arrays.sort(total);
        Arrays.sort(ack);
        System.out.printf("end to end, us: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n", total[n / 2],
                total[n * 9 / 10], total[n * 99 / 100], total[n * 999 / 1000], total[n - 1]);
        System.out.printf("acknowledgement, us: p50 %d  p90 %d  p99 %d%n", ack[n / 2], ack[n * 9 / 10],
                ack[n * 99 / 100]);
        long p99 = total[n * 99 / 100];
        int slow = 0;
        int slowAfterAck = 0;
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (totalUs[i] >= p99) {
                slow++;
                long afterAck = totalUs[i] - ackUs[i];
                if (afterAck > ackUs[i]) {
                    slowAfterAck++;
                }
                at.append(' ').append(i).append(':').append(ackUs[i] / 1000).append('+').append(afterAck / 1000);
            }
        }
        System.out.printf("iterations at or above p99: %d, of which %d spent longer after the ack than before%n",
                slow, slowAfterAck);
        System.out.println("each as iteration:ack ms+after-ack ms:" + at);
    }
}
