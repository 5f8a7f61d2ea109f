package io.letterbox.metadata;

import java.util.Map;

/**
 * Checks a complete set of config overrides before the controller writes it. Supplied by the
 * broker, which knows the config definitions; the metadata module knows none.
 *
 * <p>Implementations throw {@link org.apache.kafka.common.errors.InvalidConfigurationException}
 * with a message for the client; they are called on the controller thread and must not block.
 */
public interface ConfigValidator {
    /** Accepts everything. */
    ConfigValidator NONE = new ConfigValidator() {
        @Override
        public void validateTopicConfigs(Map<String, String> configs) {
        }

        @Override
        public void validateBrokerConfigs(Map<String, String> configs) {
        }
    };

    void validateTopicConfigs(Map<String, String> configs);

    void validateBrokerConfigs(Map<String, String> configs);

    /**
     * The value {@code key} has on a resource of this type that does not override it (null when
     * none): where APPEND and SUBTRACT start, as in Kafka.
     */
    default String defaultValue(org.apache.kafka.common.config.ConfigResource.Type type, String key) {
        return null;
    }
}
