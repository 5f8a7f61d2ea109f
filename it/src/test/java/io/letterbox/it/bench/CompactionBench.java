package io.letterbox.it.bench;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.letterbox.it.support.ItSupport;

/**
 * Times compaction against any broker (node id 1): a one-partition topic with 1 MiB segments gets
 * {@code records} updates of {@code keys} keys ({@code valueBytes} random bytes each, acks=1) under
 * {@code cleanup.policy=delete}; then the policy becomes {@code compact}, and the time is taken until
 * DescribeLogDirs reports the partition at its compacted size (two segments plus one record per key).
 * The broker's {@code log.cleaner.backoff.ms} is set to 100 ms first (a dynamic broker config on Kafka;
 * start Letterbox with {@code --override log.cleaner.backoff.ms=100}), so the wait measures cleaning,
 * not the default 15 s back-off.
 *
 * <p>Run with {@code bench/compaction BOOTSTRAP [records] [keys] [valueBytes] [kafka]}.
 */
public final class CompactionBench {

    private static final int SEGMENT_BYTES = 1024 * 1024;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int keys = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int valueBytes = args.length > 3 ? Integer.parseInt(args[3]) : 512;
        boolean kafka = args.length > 4 && args[4].equals("kafka");
        String topic = ItSupport.uniqueTopic("bench-compaction");
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = ItSupport.admin(bootstrap)) {
            if (kafka) {
                alter(admin, new ConfigResource(ConfigResource.Type.BROKER, "1"), "log.cleaner.backoff.ms", "100");
            }
            ItSupport.createTopic(admin, topic, 1, Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                    "segment.bytes", Integer.toString(SEGMENT_BYTES)));
            produce(bootstrap, topic, records, keys, valueBytes);
            long before = size(admin, tp);
            long target = 2L * SEGMENT_BYTES + (long) keys * (valueBytes + 80);
            long start = System.nanoTime();
            alter(admin, new ConfigResource(ConfigResource.Type.TOPIC, topic), "cleanup.policy", "compact");
            long after;
            while ((after = size(admin, tp)) > target) {
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(300)) {
                    throw new IllegalStateException("not compacted within 300 s: " + after + " bytes");
                }
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: %d bytes compacted to %d in %.2f s (%.1f MB of log per s)%n", bootstrap, before,
                    after, seconds, before / 1e6 / seconds);
        }
    }

    private static void alter(Admin admin, ConfigResource resource, String key, String value) {
        ItSupport.get(admin.incrementalAlterConfigs(Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)))).all());
    }

    private static void produce(String bootstrap, String topic, int records, int keys, int valueBytes) {
        byte[] value = new byte[valueBytes];
        new Random(1).nextBytes(value);
        Map<String, Object> config = ItSupport.producerConfig(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65536,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), value));
            }
            producer.flush();
        }
    }

    private static long size(Admin admin, TopicPartition tp) {
        long total = 0;
        Map<String, LogDirDescription> dirs = ItSupport.get(admin.describeLogDirs(List.of(1)).allDescriptions()).get(1);
        for (LogDirDescription dir : dirs.values()) {
            ReplicaInfo info = dir.replicaInfos().get(tp);
            if (info != null) {
                total += info.size();
            }
        }
        return total;
    }
}
