package io.letterbox.metadata;

import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.record.Endpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** Test helpers: configs, broker registrations, and a validator with a few real rules. */
public final class Nodes {
    private Nodes() {
    }

    /**
     * Rejects negative or non-numeric {@code retention.ms} and {@code num.partitions}, and any key
     * starting with "bogus".
     */
    public static final ConfigValidator VALIDATOR = new ConfigValidator() {
        @Override
        public void validateTopicConfigs(Map<String, String> configs) {
            check(configs, "retention.ms");
        }

        @Override
        public void validateBrokerConfigs(Map<String, String> configs) {
            check(configs, "num.partitions");
        }

        private void check(Map<String, String> configs, String numericKey) {
            for (String key : configs.keySet()) {
                if (key.startsWith("bogus")) {
                    throw new InvalidConfigurationException("Unknown configuration '" + key + "'.");
                }
            }
            String value = configs.get(numericKey);
            if (value != null) {
                try {
                    if (Long.parseLong(value) < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidConfigurationException("Invalid value " + value + " for configuration "
                            + numericKey + ": must be a non-negative number.");
                }
            }
        }
    };

    public static MetadataConfig config(Path dir) {
        return new MetadataConfig(1, dir, "127.0.0.1", 0, 1, (short) 1, VALIDATOR);
    }

    public static BrokerRegistration broker(int id) {
        return new BrokerRegistration(id, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id, SecurityProtocol.PLAINTEXT)), null);
    }

    public static MetadataNode startWithBrokers(Path dir, int brokers) throws Exception {
        MetadataNode node = MetadataNode.start(config(dir));
        for (int id = 1; id <= brokers; id++) {
            get(node.controller().registerBroker(broker(id)));
        }
        return node;
    }

    public static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }
}
