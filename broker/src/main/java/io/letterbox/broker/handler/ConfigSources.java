package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.storage.config.LogConfig;

/**
 * Says where each config value comes from, for DescribeConfigs and CreateTopics: a topic
 * override, a dynamic broker config (this broker's, or the cluster default), the static
 * {@code server.properties}, or the built-in default.
 *
 * <p>Synonyms are listed in precedence order, so the first one is the value in effect: a topic
 * key's override, then its broker keys most precise unit first ({@code retention.ms} ←
 * {@code log.retention.ms}, {@code log.retention.minutes}, {@code log.retention.hours}), each from
 * dynamic-per-broker to default. This is the order {@link BrokerConfig#topicDefaults} applies;
 * Kafka orders by source first, which names the wrong source when units and sources mix.
 *
 * <p>The built-in default of a broker key that only sets a topic default is the topic key's
 * default, given to the coarsest unit that expresses it ({@code log.retention.hours=168}), as
 * Kafka shows it. Immutable; build one per request from the current image.
 */
final class ConfigSources {

    private static final Map<String, String> BROKER_DEFAULTS = brokerDefaults();

    private final Map<String, String> staticConfigs;
    private final Map<String, String> dynamicDefault;
    private final Map<String, String> dynamicBroker;

    /**
     * @param staticConfigs  the keys set in {@code server.properties} or on the command line
     * @param dynamicDefault dynamic broker configs for the whole cluster (resource name "")
     * @param dynamicBroker  dynamic broker configs of this broker (resource name = its id)
     */
    ConfigSources(Map<String, String> staticConfigs, Map<String, String> dynamicDefault,
            Map<String, String> dynamicBroker) {
        this.staticConfigs = staticConfigs;
        this.dynamicDefault = dynamicDefault;
        this.dynamicBroker = dynamicBroker;
    }

    /**
     * Every topic key with its effective value.
     *
     * @param overrides the topic's own configs
     * @param effective the topic's resolved config (overrides over this broker's defaults)
     * @param keys      the keys wanted, or null for all
     */
    List<DescribeConfigsResourceResult> topic(Map<String, String> overrides, LogConfig effective,
            Collection<String> keys, boolean includeSynonyms, boolean includeDocumentation) {
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (Map.Entry<String, String> e : effective.values().entrySet()) {
            String key = e.getKey();
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            ConfigDef.ConfigKey def = LogConfig.CONFIG_DEF.configKeys().get(key);
            List<DescribeConfigsSynonym> synonyms = topicSynonyms(key, overrides);
            out.add(entry(key, e.getValue(), def, synonyms, false, includeSynonyms, includeDocumentation));
        }
        return out;
    }

    /** A topic key's synonyms, the one in effect first: the override, then its broker keys. */
    List<DescribeConfigsSynonym> topicSynonyms(String topicKey, Map<String, String> overrides) {
        List<DescribeConfigsSynonym> out = new ArrayList<>();
        if (overrides.containsKey(topicKey)) {
            out.add(synonym(topicKey, overrides.get(topicKey), ConfigSource.TOPIC_CONFIG));
        }
        for (Map.Entry<String, String> e : BrokerConfig.TOPIC_DEFAULT_KEYS.entrySet()) {
            if (e.getValue().equals(topicKey)) {
                out.addAll(brokerSynonyms(e.getKey(), true));
            }
        }
        return out;
    }

    /**
     * The broker's keys. Per broker: every key, its own value and where it comes from. For the
     * cluster default (resource name ""): only the keys set there, as Kafka answers.
     */
    List<DescribeConfigsResourceResult> broker(boolean perBroker, Collection<String> keys, boolean includeSynonyms,
            boolean includeDocumentation) {
        Collection<String> names = perBroker ? BrokerConfig.CONFIG_DEF.names() : dynamicDefault.keySet();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(names)) {
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            ConfigDef.ConfigKey def = BrokerConfig.CONFIG_DEF.configKeys().get(key);
            List<DescribeConfigsSynonym> synonyms = brokerSynonyms(key, perBroker);
            String value = synonyms.isEmpty() ? null : synonyms.get(0).value();
            boolean readOnly = !BrokerConfig.dynamicKeys().contains(key);
            out.add(entry(key, value, def, synonyms, readOnly, includeSynonyms, includeDocumentation));
        }
        return out;
    }

    /** Where a broker key is set, the one in effect first; only the cluster default unless per broker. */
    List<DescribeConfigsSynonym> brokerSynonyms(String key, boolean perBroker) {
        List<DescribeConfigsSynonym> out = new ArrayList<>();
        if (perBroker && dynamicBroker.containsKey(key)) {
            out.add(synonym(key, dynamicBroker.get(key), ConfigSource.DYNAMIC_BROKER_CONFIG));
        }
        if (dynamicDefault.containsKey(key)) {
            out.add(synonym(key, dynamicDefault.get(key), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        }
        if (perBroker && staticConfigs.containsKey(key)) {
            out.add(synonym(key, staticConfigs.get(key), ConfigSource.STATIC_BROKER_CONFIG));
        }
        if (perBroker && BROKER_DEFAULTS.containsKey(key)) {
            out.add(synonym(key, BROKER_DEFAULTS.get(key), ConfigSource.DEFAULT_CONFIG));
        }
        return out;
    }

    private static DescribeConfigsResourceResult entry(String key, String value, ConfigDef.ConfigKey def,
            List<DescribeConfigsSynonym> synonyms, boolean readOnly, boolean includeSynonyms,
            boolean includeDocumentation) {
        boolean sensitive = def != null && def.type == ConfigDef.Type.PASSWORD;
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG
                : ConfigSource.forId(synonyms.get(0).source());
        if (sensitive) {
            synonyms.forEach(s -> s.setValue(null));
        }
        return new DescribeConfigsResourceResult()
                .setName(key)
                .setValue(sensitive ? null : value)
                .setReadOnly(readOnly)
                .setConfigSource(source.id())
                .setIsSensitive(sensitive)
                .setSynonyms(includeSynonyms ? synonyms : new ArrayList<>())
                .setConfigType(typeOf(def).id())
                .setDocumentation(includeDocumentation && def != null ? def.documentation : null);
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    static ConfigType typeOf(ConfigDef.ConfigKey def) {
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

    /** The built-in default of every broker key that has one (see the class comment). */
    static Map<String, String> brokerDefaults() {
        Map<String, String> out = new TreeMap<>();
        for (ConfigDef.ConfigKey def : BrokerConfig.CONFIG_DEF.configKeys().values()) {
            if (def.hasDefault() && def.defaultValue != null) {
                out.put(def.name, ConfigDef.convertToString(def.defaultValue, def.type));
            }
        }
        // Broker keys grouped by the topic key they set, most precise unit first.
        Map<String, List<String>> byTopicKey = new LinkedHashMap<>();
        BrokerConfig.TOPIC_DEFAULT_KEYS.forEach((brokerKey, topicKey) ->
                byTopicKey.computeIfAbsent(topicKey, k -> new ArrayList<>()).add(brokerKey));
        for (Map.Entry<String, List<String>> e : byTopicKey.entrySet()) {
            ConfigDef.ConfigKey topicDef = LogConfig.CONFIG_DEF.configKeys().get(e.getKey());
            if (topicDef == null || !topicDef.hasDefault() || topicDef.defaultValue == null) {
                continue;
            }
            List<String> brokerKeys = e.getValue();
            if (brokerKeys.size() == 1) {
                out.putIfAbsent(brokerKeys.get(0), ConfigDef.convertToString(topicDef.defaultValue, topicDef.type));
                continue;
            }
            long millis = ((Number) topicDef.defaultValue).longValue();
            for (int i = brokerKeys.size() - 1; i >= 0; i--) {
                long scale = unitMillis(brokerKeys.get(i));
                if (millis < 0 ? scale == 1 : millis % scale == 0) {
                    out.putIfAbsent(brokerKeys.get(i), Long.toString(millis < 0 ? millis : millis / scale));
                    break;
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static long unitMillis(String brokerKey) {
        if (brokerKey.endsWith(".hours")) {
            return 3_600_000L;
        }
        if (brokerKey.endsWith(".minutes")) {
            return 60_000L;
        }
        return 1L;
    }
}
