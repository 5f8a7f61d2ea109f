package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Configs through AdminClient on a broker started with {@code log.retention.hours=48} in its
 * static config: invalid values are refused naming the key and what is allowed; DescribeConfigs
 * reports each value's source and synonyms layer by layer (default, static broker, dynamic
 * cluster default, dynamic broker, topic); a dynamic broker default applies to the topics that do
 * not override it at once, and survives a clean restart and {@code kill -9}.
 */
class ConfigIT {

    private static final String LARGE_VALUE = "x".repeat(5000);
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    private static BrokerProcess broker;

    @BeforeAll
    static void start() {
        Assumptions.assumeFalse(ItSupport.external(), "restarts its broker: run without -Dit.bootstrap");
        broker = BrokerProcess.builder("config").override("log.retention.hours", "48").build();
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void invalidValuesAreRefusedNamingTheKeyAndWhatIsAllowed() {
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            String topic = uniqueTopic("valid");
            createTopic(admin, topic, 1, Map.of());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

            Throwable negativeSegment = failureOf(admin.createTopics(List.of(new NewTopic(uniqueTopic("neg"), 1,
                    (short) 1).configs(Map.of("segment.bytes", "-1")))).all());
            Throwable unknownPolicy = failureOf(admin.createTopics(List.of(new NewTopic(uniqueTopic("policy"), 1,
                    (short) 1).configs(Map.of("cleanup.policy", "sometimes")))).all());
            Throwable ratioOutOfRange = failureOf(admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "1.5"),
                            AlterConfigOp.OpType.SET)))).all());

            assertThat(negativeSegment).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("segment.bytes").hasMessageContaining("at least");
            assertThat(unknownPolicy).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("cleanup.policy").hasMessageContaining("compact");
            assertThat(ratioOutOfRange).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("min.cleanable.dirty.ratio");
            if (!ItSupport.kafkaPeer()) {
                assertThat(ratioOutOfRange).hasMessageContaining("[0,...,1]");
            }
            assertThat(topicConfig(admin, topic).get("min.cleanable.dirty.ratio").value()).isEqualTo("0.5");
        }
    }

    @Test
    void eachValueReportsTheLayerThatSetItWithItsSynonyms() {
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            String plain = uniqueTopic("layers");
            String overriding = uniqueTopic("layers-override");
            createTopic(admin, plain, 1, Map.of());
            createTopic(admin, overriding, 1, Map.of("retention.ms", "600000"));
            ConfigResource thisBroker = new ConfigResource(ConfigResource.Type.BROKER, brokerId(admin));
            try {
                // Static: server.properties says 48 hours; segment.bytes is set nowhere
                ConfigEntry retention = topicConfig(admin, plain).get("retention.ms");
                assertThat(retention.value()).isEqualTo("172800000");
                if (!ItSupport.kafkaPeer()) { // Kafka 4.1 lists no synonym here and says DEFAULT_CONFIG
                    assertThat(retention.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
                    assertThat(retention.synonyms()).extracting(ConfigEntry.ConfigSynonym::name,
                            ConfigEntry.ConfigSynonym::value, ConfigEntry.ConfigSynonym::source)
                            .contains(org.assertj.core.groups.Tuple.tuple("log.retention.hours", "48",
                                    ConfigSource.STATIC_BROKER_CONFIG));
                }
                assertThat(topicConfig(admin, plain).get("segment.bytes").source())
                        .isEqualTo(ConfigSource.DEFAULT_CONFIG);

                // Dynamic cluster-wide default beats the static value
                alter(admin, CLUSTER_DEFAULT, "log.retention.ms", "3600000");
                await("cluster default seen by the topic",
                        () -> "3600000".equals(topicConfig(admin, plain).get("retention.ms").value()));
                retention = topicConfig(admin, plain).get("retention.ms");
                assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
                assertThat(retention.synonyms().get(0).name()).isEqualTo("log.retention.ms");
                assertThat(retention.synonyms().get(0).source())
                        .isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

                // Dynamic config of this broker beats the cluster default
                alter(admin, thisBroker, "log.retention.ms", "7200000");
                await("broker config seen by the topic",
                        () -> "7200000".equals(topicConfig(admin, plain).get("retention.ms").value()));
                assertThat(topicConfig(admin, plain).get("retention.ms").source())
                        .isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
                ConfigEntry brokerEntry = brokerConfig(admin, thisBroker).get("log.retention.ms");
                assertThat(brokerEntry.value()).isEqualTo("7200000");
                assertThat(brokerEntry.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
                assertThat(brokerEntry.synonyms()).extracting(ConfigEntry.ConfigSynonym::source)
                        .contains(ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

                // A topic override beats every broker layer
                ConfigEntry overridden = topicConfig(admin, overriding).get("retention.ms");
                assertThat(overridden.value()).isEqualTo("600000");
                assertThat(overridden.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
            } finally {
                delete(admin, thisBroker, "log.retention.ms");
                delete(admin, CLUSTER_DEFAULT, "log.retention.ms");
            }
            await("static value back", () -> "172800000".equals(topicConfig(admin, plain).get("retention.ms")
                    .value()));
        }
    }

    @Test
    void aDynamicBrokerDefaultAppliesToTopicsWithoutAnOverrideAndSurvivesRestart() {
        Assumptions.assumeTrue(broker.canRestart(), "restarts the broker");
        String plain = uniqueTopic("small-default");
        String overriding = uniqueTopic("own-limit");
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            createTopic(admin, plain, 1, Map.of());
            createTopic(admin, overriding, 1, Map.of("max.message.bytes", "100000"));

            // When the cluster-wide default for max.message.bytes drops below one record
            alter(admin, CLUSTER_DEFAULT, "message.max.bytes", "2000");
            await("new default seen by the topic",
                    () -> "2000".equals(topicConfig(admin, plain).get("max.message.bytes").value()));
        }

        // Then the topic without an override refuses the record, the other accepts it
        assertLimitApplies(plain, overriding);

        // And so it stays after a clean restart and after kill -9
        broker.restart();
        assertLimitApplies(plain, overriding);
        broker.killAndRestart();
        assertLimitApplies(plain, overriding);

        // When the default is removed, the record fits again
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            delete(admin, CLUSTER_DEFAULT, "message.max.bytes");
            await("default removed", () -> topicConfig(admin, plain).get("max.message.bytes").source()
                    == ConfigSource.DEFAULT_CONFIG);
        }
        try (KafkaProducer<String, String> p = largeRecordProducer()) {
            get(p.send(new ProducerRecord<>(plain, "k", LARGE_VALUE)));
        }
    }

    private static void assertLimitApplies(String plain, String overriding) {
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            ConfigEntry limit = topicConfig(admin, plain).get("max.message.bytes");
            assertThat(limit.value()).isEqualTo("2000");
            assertThat(limit.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        }
        try (KafkaProducer<String, String> p = largeRecordProducer()) {
            assertThat(failureOf(p.send(new ProducerRecord<>(plain, "k", LARGE_VALUE))))
                    .isInstanceOf(RecordTooLargeException.class);
            get(p.send(new ProducerRecord<>(overriding, "k", LARGE_VALUE)));
        }
    }

    private static KafkaProducer<String, String> largeRecordProducer() {
        return ItSupport.producer(broker.bootstrap(), Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    private static String brokerId(Admin admin) {
        return get(admin.describeCluster().nodes()).iterator().next().idString();
    }

    private static Config topicConfig(Admin admin, String topic) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return get(admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true)).all())
                .get(r);
    }

    private static Config brokerConfig(Admin admin, ConfigResource r) {
        return get(admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true)).all())
                .get(r);
    }

    private static void alter(Admin admin, ConfigResource r, String key, String value) {
        get(admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)))).all());
    }

    private static void delete(Admin admin, ConfigResource r, String key) {
        get(admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry(key, ""), AlterConfigOp.OpType.DELETE)))).all());
    }
}
