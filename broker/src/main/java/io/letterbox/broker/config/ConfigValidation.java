package io.letterbox.broker.config;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
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
            LogConfig.of(Map.of(), config.topicDefaults(configs));
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }
}
