package io.letterbox.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;

import io.letterbox.broker.Broker;
import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.storage.log.LogManager;

/**
 * A short broker life on a temporary directory, run by {@code bin/letterbox} once per build under
 * the JVM's class-data recording ({@code -XX:AOTCacheOutput} or {@code -XX:ArchiveClassesAtExit}),
 * so that later server starts map the classes a start needs instead of loading them: the command
 * line parsed as {@code letterbox server start} parses it, a first start, a topic created and
 * written, a clean restart, a restart after an unclean stop (the recovery path), and the end offsets
 * read back, as a client does after a restart. Exits 0 when done.
 */
public final class StartupTraining {

    private static final String TOPIC = "startup-training";
    private static final int PARTITIONS = 8;

    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("letterbox-training-");
        try {
            int port = freePort();
            new CommandLine(new Letterbox()).parseArgs("server", "start", "--override", "log.dirs=" + dir);
            ManagementFactory.getRuntimeMXBean().getStartTime();
            BrokerConfig config = BrokerConfig.parse(Map.of(
                    "listeners", "PLAINTEXT://127.0.0.1:" + port,
                    "log.dirs", dir.toString()));
            String bootstrap = "127.0.0.1:" + port;
            try (Broker broker = Broker.start(config)) {
                try (Admin admin = admin(bootstrap)) {
                    admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all()
                            .get(60, TimeUnit.SECONDS);
                }
                produce(bootstrap);
            }
            try (Broker broker = Broker.start(config)) {
                readEndOffsets(bootstrap);
            }
            // As if the process had been killed: the next start recovers the logs.
            Files.delete(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE));
            try (Broker broker = Broker.start(config)) {
                readEndOffsets(bootstrap);
            }
        } finally {
            deleteRecursively(dir);
        }
        System.exit(0);
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void produce(String bootstrap) throws Exception {
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
