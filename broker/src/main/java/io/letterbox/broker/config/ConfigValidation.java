package io.letterbox.broker.config;

import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;

import io.letterbox.metadata.ConfigValidator;
import io.letterbox.storage.config.LogConfig;

/**
 * Checks configs before they enter the metadata log: topic overrides against the topic
 * definition, dynamic broker configs against the keys that may change at run time.
 */
public final class ConfigValidation implements ConfigValidator {

    private final BrokerConfig config;

    public ConfigValidation(BrokerConfig config) {
        this.config = config;
    }

    @Override
    public void validateTopicConfigs(Map<String, String> configs) {
        LogConfig.of(configs, Map.of());
    }

    /** Topic keys default to this broker's topic defaults; broker keys to their static values. */
    @Override
    public String defaultValue(ConfigResource.Type type, String key) {
        if (type == ConfigResource.Type.TOPIC) {
            return LogConfig.of(Map.of(), config.topicDefaults(Map.of())).values().get(key);
        }
        return config.valuesAsStrings().get(key);
    }

    @Override
    public void validateBrokerConfigs(Map<String, String> configs) {
        for (String key : configs.keySet()) {
            if (!BrokerConfig.CONFIG_DEF.names().contains(key)) {
                throw new InvalidConfigurationException("Unknown broker config '" + key + "'");
            }
            if (!BrokerConfig.dynamicKeys().contains(key)) {
                throw new InvalidConfigurationException("Cannot update '" + key
                        + "' while the broker runs; set it in server.properties and restart");
            }
        }
        try {
            for (Map.Entry<String, String> e : configs.entrySet()) {
                if (!BrokerConfig.TOPIC_DEFAULT_KEYS.containsKey(e.getKey())) {
                    ConfigDef.ConfigKey key = BrokerConfig.CONFIG_DEF.configKeys().get(e.getKey());
                    Object value = ConfigDef.parseType(key.name, e.getValue(), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(key.name, value);
                    }
                }
            }
            LogConfig.of(Map.of(), config.topicDefaults(configs));
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }
}
