package io.letterbox.it.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;

/** For tests that move partition 0 of a topic around a cluster while a producer writes to it. */
public final class PartitionZero {
    /** An idempotent acks=all producer that rides out leadership moves. */
    public static final Map<String, Object> ACKS_ALL_RETRYING = Map.of(ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.LINGER_MS_CONFIG, 5);

    private PartitionZero() {
    }

    /** Partition 0 as described now, or null when the describe fails (a broker down, say). */
    public static TopicPartitionInfo describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().get(0);
        } catch (Exception e) {
            return null;
        }
    }

    /** Records {@code v#<seq>} to partition 0, at most 100 in flight and 100,000 in all. */
    public static AckedStream stream(KafkaProducer<String, String> producer, String topic) {
        return stream(producer, topic, 100);
    }

    /** Records {@code v#<seq>} to partition 0, at most {@code maxInFlight} in flight and 100,000 in all. */
    public static AckedStream stream(KafkaProducer<String, String> producer, String topic, int maxInFlight) {
        return new AckedStream(producer, maxInFlight, 100_000, seq -> new ProducerRecord<>(topic, 0, "k", "v#" + seq),
                m -> { });
    }
}
