package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka Streams, unmodified, against the broker: a word count whose grouping goes through a
 * repartition topic and whose counts live in a state store backed by a compacted changelog, both
 * internal topics created by Streams itself with the broker's default replication factor. The
 * application is then stopped, its local state deleted, and started again: it must rebuild the
 * store from the changelog and resume from its committed offsets, so the counts go on from where
 * they were rather than starting over or counting twice.
 */
class StreamsIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("streams");

    private static final List<String> FIRST = List.of("the quick brown fox", "jumps over the lazy dog",
            "the dog sleeps");
    private static final List<String> SECOND = List.of("the fox wakes", "a quick dog");

    @Test
    void aWordCountSurvivesARestartWithItsLocalStateDeleted() throws Exception {
        String input = uniqueTopic("streams-lines");
        String output = uniqueTopic("streams-counts");
        String appId = uniqueTopic("wordcount");
        createTopic(BROKER.bootstrap(), input, 3, Map.of());
        createTopic(BROKER.bootstrap(), output, 3, Map.of());
        Topology topology = wordCount(input, output);

        send(input, FIRST);
        Map<String, Long> latest = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, Long> reader = countReader()) {
            reader.subscribe(List.of(output));
            Path state = ItSupport.tempDir("streams-state-1");
            try (KafkaStreams app = start(topology, appId, state)) {
                awaitCounts(reader, latest, expected(FIRST));
            }
            ItSupport.deleteRecursively(state);

            send(input, SECOND);
            Path freshState = ItSupport.tempDir("streams-state-2");
            try (KafkaStreams app = start(topology, appId, freshState)) {
                List<String> all = new ArrayList<>(FIRST);
                all.addAll(SECOND);
                awaitCounts(reader, latest, expected(all));
            } finally {
                ItSupport.deleteRecursively(freshState);
            }
        }

        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            String changelog = appId + "-counts-changelog";
            String repartition = appId + "-words-repartition";
            Map<String, TopicDescription> internal = get(admin.describeTopics(List.of(changelog, repartition))
                    .allTopicNames());
            assertThat(internal.get(changelog).partitions()).hasSize(3);
            assertThat(internal.get(repartition).partitions()).hasSize(3);
            Config changelogConfig = get(admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, changelog))).all()).values().iterator().next();
            assertThat(changelogConfig.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    private static Topology wordCount(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()))
                .count(Materialized.as("counts"))
                .toStream()
                .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private static KafkaStreams start(Topology topology, String appId, Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Streams does not leave its group on close, so the next instance waits out the old member
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        KafkaStreams app = new KafkaStreams(topology, p);
        app.start();
        await("the streams application is running", Duration.ofSeconds(60),
                () -> app.state() == KafkaStreams.State.RUNNING);
        return app;
    }

    private static void send(String topic, List<String> lines) {
        try (KafkaProducer<String, String> producer = producer(BROKER.bootstrap())) {
            for (String line : lines) {
                get(producer.send(new ProducerRecord<>(topic, line, line)));
            }
        }
    }

    private static KafkaConsumer<String, Long> countReader() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, uniqueTopic("count-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new LongDeserializer());
    }

    /** Reads counts until each word's latest count is what {@code expected} says. */
    private static void awaitCounts(KafkaConsumer<String, Long> reader, Map<String, Long> latest,
            Map<String, Long> expected) {
        await("word counts " + expected, Duration.ofSeconds(60), () -> {
            for (ConsumerRecord<String, Long> r : reader.poll(Duration.ofMillis(200))) {
                latest.put(r.key(), r.value());
            }
            return latest.equals(expected);
        });
    }

    private static Map<String, Long> expected(List<String> lines) {
        Map<String, Long> counts = new HashMap<>();
        for (String line : lines) {
            for (String word : line.split(" ")) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }
}
