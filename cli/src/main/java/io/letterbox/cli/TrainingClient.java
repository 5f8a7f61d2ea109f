package io.letterbox.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client side of {@link StartupTraining}, in its own JVM: {@code produce BOOTSTRAP} creates the
 * training topic and writes to every partition; {@code end-offsets BOOTSTRAP} reads the end offsets
 * back, as a client does after a restart.
 */
public final class TrainingClient {

    private static final String TOPIC = "startup-training";
    private static final int PARTITIONS = 8;

    private TrainingClient() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[1];
        switch (args[0]) {
            case "produce" -> {
                try (Admin admin = admin(bootstrap)) {
                    admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all()
                            .get(60, TimeUnit.SECONDS);
                }
                produce(bootstrap);
            }
            case "end-offsets" -> readEndOffsets(bootstrap);
            default -> throw new IllegalArgumentException("unknown action " + args[0]);
        }
        System.exit(0);
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void produce(String bootstrap) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < 1000; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, new byte[100]));
            }
            producer.flush();
        }
    }

    private static void readEndOffsets(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
        }
    }
}
