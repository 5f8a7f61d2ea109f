package io.letterbox.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.handler.ConfigSources.Entry;
import io.letterbox.broker.handler.ConfigSources.Synonym;

class ConfigSourcesTest {

    private static final Map<String, String> NONE = Map.of();

    @Test
    void aTopicKeySetNowhereIsTheDefaultShownOnItsLeastPreciseBrokerKey() {
        ConfigSources sources = new ConfigSources(BrokerConfig.parse(NONE), NONE, NONE);

        Entry retention = find(sources.topic(NONE), "retention.ms");

        assertThat(retention.value()).isEqualTo("604800000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(retention.synonyms()).containsExactly(
                new Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
        assertThat(retention.type()).isEqualTo(ConfigType.LONG);
        assertThat(retention.documentation()).isNotBlank();
    }

    @Test
    void aTopicOverrideComesFirstThenTheBrokerKeysByPrecisionThenLayer() {
        // Given retention set at every layer, in three units
        BrokerConfig config = BrokerConfig.parse(Map.of("log.retention.hours", "2", "log.retention.ms", "5000"));
        ConfigSources sources = new ConfigSources(config, Map.of("log.retention.minutes", "3"),
                Map.of("log.retention.ms", "4000"));

        // When a topic with an override is described
        Entry retention = find(sources.topic(Map.of("retention.ms", "1000")), "retention.ms");

        // Then the override decides, and the synonyms follow in the order they would decide
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.source()).isEqualTo(ConfigSource.TOPIC_CONFIG);
        assertThat(retention.synonyms()).containsExactly(
                new Synonym("retention.ms", "1000", ConfigSource.TOPIC_CONFIG),
                new Synonym("log.retention.ms", "4000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                new Synonym("log.retention.ms", "5000", ConfigSource.STATIC_BROKER_CONFIG),
                new Synonym("log.retention.minutes", "3", ConfigSource.DYNAMIC_BROKER_CONFIG),
                new Synonym("log.retention.hours", "2", ConfigSource.STATIC_BROKER_CONFIG),
                new Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
    }

    @Test
    void withoutAnOverrideTheMostPreciseBrokerKeyDecides() {
        // A static ms beats a dynamic hours: the unit wins before the layer
        BrokerConfig config = BrokerConfig.parse(Map.of("log.retention.ms", "5000"));
        ConfigSources sources = new ConfigSources(config, Map.of("log.retention.hours", "2"), NONE);

        Entry retention = find(sources.topic(NONE), "retention.ms");

        assertThat(retention.value()).isEqualTo("5000");
        assertThat(retention.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(retention.synonyms()).extracting(Synonym::name)
                .containsExactly("log.retention.ms", "log.retention.hours", "log.retention.hours");
    }

    @Test
    void aBrokerKeyListsItsLayersAndTheDefinitionDefault() {
        BrokerConfig config = BrokerConfig.parse(Map.of("num.partitions", "3", "log.retention.hours", "2"));
        ConfigSources sources = new ConfigSources(config, Map.of("log.retention.hours", "5"),
                Map.of("log.retention.hours", "4"));

        List<Entry> broker = sources.broker(true);

        Entry partitions = find(broker, "num.partitions");
        assertThat(partitions.value()).isEqualTo("3");
        assertThat(partitions.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(partitions.synonyms()).containsExactly(
                new Synonym("num.partitions", "3", ConfigSource.STATIC_BROKER_CONFIG),
                new Synonym("num.partitions", "1", ConfigSource.DEFAULT_CONFIG));
        Entry hours = find(broker, "log.retention.hours");
        assertThat(hours.value()).isEqualTo("5");
        assertThat(hours.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(hours.synonyms()).extracting(Synonym::source).containsExactly(
                ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigSource.STATIC_BROKER_CONFIG, ConfigSource.DEFAULT_CONFIG);
        // log.retention.ms is set nowhere: a less precise key does not make it "set"
        Entry ms = find(broker, "log.retention.ms");
        assertThat(ms.value()).isNull();
        assertThat(ms.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(ms.synonyms()).isEmpty();
        assertThat(find(broker, "log.dirs").value()).isNull();
        // A topic default set nowhere shows the topic definition's default, like Kafka's log.* defaults
        Entry maxBytes = find(broker, "message.max.bytes");
        assertThat(maxBytes.value()).isEqualTo("1048588");
        assertThat(maxBytes.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(find(broker, "num.network.threads").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void theClusterDefaultResourceListsOnlyWhatIsSetThere() {
        ConfigSources sources = new ConfigSources(BrokerConfig.parse(Map.of("log.retention.hours", "2")),
                Map.of("log.retention.hours", "5"), Map.of("log.retention.hours", "4"));

        List<Entry> defaults = sources.broker(false);

        assertThat(defaults).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("log.retention.hours");
            assertThat(e.value()).isEqualTo("4");
            assertThat(e.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(e.synonyms()).extracting(Synonym::source).containsExactly(
                    ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigSource.STATIC_BROKER_CONFIG,
                    ConfigSource.DEFAULT_CONFIG);
        });
    }

    @Test
    void onlyTopicDefaultsAreWritable() {
        assertThat(ConfigSources.isReadOnly("log.retention.ms")).isFalse();
        assertThat(ConfigSources.isReadOnly("log.dirs")).isTrue();
    }

    private static Entry find(List<Entry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }
}
