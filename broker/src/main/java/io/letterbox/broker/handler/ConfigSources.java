package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.storage.config.LogConfig;

/**
 * Where each config value of a topic or of this broker comes from, as DescribeConfigs (and
 * CreateTopics v5+) report it: the value, its source and its synonyms, most binding first.
 *
 * <p>The layers, most binding first: the topic override (topics only), this broker's dynamic
 * config, the cluster-wide dynamic default, {@code server.properties}, the definition's default
 * (for a topic default key, the topic definition's, see {@link #definitionDefault}).
 * A topic key's broker synonyms are the broker keys that set its default, in the order
 * {@link BrokerConfig#TOPIC_DEFAULT_KEYS} gives them (retention.ms: log.retention.ms,
 * log.retention.minutes, log.retention.hours). Synonyms are ordered by key first, then by layer,
 * because that is how the value is resolved (a static log.retention.ms beats a dynamic
 * log.retention.hours); Kafka orders by layer first, which differs only when units are mixed
 * across layers. The first synonym is therefore always the one that decided the value, and its
 * layer is the entry's source; with none, the source is DEFAULT_CONFIG.
 *
 * <p>A broker key's synonyms start at the key itself, as Kafka's do: log.retention.minutes lists
 * itself at every layer that sets it, then log.retention.hours; when log.retention.minutes is set
 * nowhere it has no synonyms (and source DEFAULT_CONFIG), whatever the hours say.
 *
 * <p>Immutable; built per request from one metadata image.
 */
final class ConfigSources {

    /** One synonym: a key, its value at one layer, and that layer. */
    record Synonym(String name, String value, ConfigSource source) {
    }

    /** One described config; {@code synonyms} starts with the one that decided the value, if any. */
    record Entry(String name, String value, ConfigSource source, List<Synonym> synonyms, ConfigType type,
            String documentation) {
    }

    private final BrokerConfig config;
    private final Map<String, String> dynamicBroker;
    private final Map<String, String> dynamicDefault;

    ConfigSources(BrokerConfig config, Map<String, String> dynamicBroker, Map<String, String> dynamicDefault) {
        this.config = config;
        this.dynamicBroker = dynamicBroker;
        this.dynamicDefault = dynamicDefault;
    }

    /** The layers this node sees in {@code image}. */
    static ConfigSources of(BrokerConfig config, MetadataImage image) {
        return new ConfigSources(config, image.brokerConfig(Integer.toString(config.nodeId())), image.brokerConfig(""));
    }

    /** The dynamic broker configs that apply here: this broker's over the cluster-wide ones. */
    Map<String, String> dynamicBrokerConfigs() {
        Map<String, String> merged = new HashMap<>(dynamicDefault);
        merged.putAll(dynamicBroker);
        return merged;
    }

    /**
     * Every topic-level key of a topic with these overrides, sorted by key.
     *
     * @throws org.apache.kafka.common.errors.InvalidConfigurationException if the overrides are invalid
     */
    List<Entry> topic(Map<String, String> overrides) {
        LogConfig effective = LogConfig.of(overrides, config.topicDefaults(dynamicBrokerConfigs()));
        List<Entry> out = new ArrayList<>();
        effective.values().forEach((key, value) -> {
            List<Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(key)) {
                synonyms.add(new Synonym(key, overrides.get(key), ConfigSource.TOPIC_CONFIG));
            }
            for (String brokerKey : brokerKeysOf(key)) {
                addLayers(synonyms, brokerKey);
            }
            ConfigDef.ConfigKey def = LogConfig.CONFIG_DEF.configKeys().get(key);
            out.add(entry(key, value, synonyms, def));
        });
        return out;
    }

    /**
     * Every broker key as this broker ({@code perBroker}) or as the cluster-wide default resource
     * (""), sorted by key. The default resource lists only the keys set there, as Kafka does.
     */
    List<Entry> broker(boolean perBroker) {
        Map<String, String> statics = config.valuesAsStrings();
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, ConfigDef.ConfigKey> e : new java.util.TreeMap<>(BrokerConfig.CONFIG_DEF.configKeys()).entrySet()) {
            String key = e.getKey();
            if (!perBroker && !dynamicDefault.containsKey(key)) {
                continue;
            }
            List<Synonym> synonyms = new ArrayList<>();
            for (String synonym : brokerSynonymsFrom(key)) {
                addLayers(synonyms, synonym);
            }
            if (!perBroker) {
                synonyms.removeIf(s -> s.source() == ConfigSource.DYNAMIC_BROKER_CONFIG);
            }
            // A less precise key does not decide this one's value: unset here means no synonyms.
            while (!synonyms.isEmpty() && !synonyms.get(0).name().equals(key)) {
                synonyms.remove(0);
            }
            String value = !perBroker ? dynamicDefault.get(key)
                    : synonyms.isEmpty() || synonyms.get(0).source() == ConfigSource.STATIC_BROKER_CONFIG
                            ? statics.get(key) : synonyms.get(0).value();
            out.add(entry(key, value, synonyms, e.getValue()));
        }
        return out;
    }

    /** Whether AlterConfigs may change this broker key at run time. */
    static boolean isReadOnly(String brokerKey) {
        return !BrokerConfig.dynamicKeys().contains(brokerKey);
    }

    private void addLayers(List<Synonym> out, String brokerKey) {
        if (dynamicBroker.containsKey(brokerKey)) {
            out.add(new Synonym(brokerKey, dynamicBroker.get(brokerKey), ConfigSource.DYNAMIC_BROKER_CONFIG));
        }
        if (dynamicDefault.containsKey(brokerKey)) {
            out.add(new Synonym(brokerKey, dynamicDefault.get(brokerKey), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        }
        if (config.originals().containsKey(brokerKey)) {
            out.add(new Synonym(brokerKey, config.originals().get(brokerKey), ConfigSource.STATIC_BROKER_CONFIG));
        }
        String definitionDefault = definitionDefault(brokerKey);
        if (definitionDefault != null) {
            out.add(new Synonym(brokerKey, definitionDefault, ConfigSource.DEFAULT_CONFIG));
        }
    }

    /**
     * A broker key's default when nothing sets it. A topic default key has none of its own (the
     * topic definition's applies), so it shows that one, as Kafka shows its log.* defaults: on the
     * least precise key of a setting, in its unit (log.retention.hours=168; log.retention.ms and
     * log.retention.minutes stay null).
     */
    static String definitionDefault(String brokerKey) {
        String topicKey = BrokerConfig.TOPIC_DEFAULT_KEYS.get(brokerKey);
        if (topicKey == null) {
            ConfigDef.ConfigKey def = BrokerConfig.CONFIG_DEF.configKeys().get(brokerKey);
            return def == null || !def.hasDefault() || def.defaultValue == null ? null
                    : ConfigDef.convertToString(def.defaultValue, def.type);
        }
        List<String> keys = brokerKeysOf(topicKey);
        if (!keys.get(keys.size() - 1).equals(brokerKey)) {
            return null;
        }
        ConfigDef.ConfigKey def = LogConfig.CONFIG_DEF.configKeys().get(topicKey);
        String value = ConfigDef.convertToString(def.defaultValue, def.type);
        if (brokerKey.endsWith(".hours")) {
            return Long.toString(Long.parseLong(value) / 3_600_000L);
        }
        return value;
    }

    /** The broker keys that set a topic key's default, most precise first. */
    static List<String> brokerKeysOf(String topicKey) {
        List<String> out = new ArrayList<>();
        BrokerConfig.TOPIC_DEFAULT_KEYS.forEach((brokerKey, t) -> {
            if (t.equals(topicKey)) {
                out.add(brokerKey);
            }
        });
        return out;
    }

    /** A broker key and the less precise keys of the same setting after it (log.retention.minutes, hours). */
    private static List<String> brokerSynonymsFrom(String brokerKey) {
        String topicKey = BrokerConfig.TOPIC_DEFAULT_KEYS.get(brokerKey);
        if (topicKey == null) {
            return List.of(brokerKey);
        }
        List<String> all = brokerKeysOf(topicKey);
        return all.subList(all.indexOf(brokerKey), all.size());
    }

    private static Entry entry(String key, String value, List<Synonym> synonyms, ConfigDef.ConfigKey def) {
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
        return new Entry(key, value, source, List.copyOf(synonyms), typeOf(def), def == null ? null : def.documentation);
    }

    private static ConfigType typeOf(ConfigDef.ConfigKey def) {
        if (def == null) {
            return ConfigType.UNKNOWN;
        }
        return switch (def.type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
