package io.letterbox.it.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
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

    /** Creates {@code topic} with partition 0 on {@code broker} alone and waits until that broker leads it. */
    public static void createOn(Admin admin, String topic, int broker) {
        ItSupport.get(admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(broker))))).all());
        ItSupport.await("topic " + topic + " led by " + broker, () -> {
            TopicPartitionInfo p = describe(admin, topic);
            return p != null && p.leader() != null && p.leader().id() == broker;
        });
    }

    /** Partition 0's replicas as described now; empty when the describe fails. */
    public static List<Integer> replicas(Admin admin, String topic) {
        TopicPartitionInfo p = describe(admin, topic);
        return p == null ? List.of() : p.replicas().stream().map(Node::id).toList();
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
