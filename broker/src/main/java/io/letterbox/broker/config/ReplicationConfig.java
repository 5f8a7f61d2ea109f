package io.letterbox.broker.config;

/**
 * How followers fetch and when leaders drop them from the ISR: Kafka's {@code replica.*} keys and
 * {@code inter.broker.listener.name} (the listener name whose advertised endpoint followers connect to).
 */
public record ReplicationConfig(String interBrokerListener, long lagTimeMaxMs, int numFetchers,
                                int fetchMaxBytes, int fetchResponseMaxBytes, int fetchWaitMaxMs, int fetchBackoffMs,
                                int socketTimeoutMs) {
}
