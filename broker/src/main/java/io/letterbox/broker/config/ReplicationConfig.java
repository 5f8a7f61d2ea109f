package io.letterbox.broker.config;

/**
 * How followers fetch and when leaders drop them from the ISR: Kafka's {@code replica.*} keys and
 * {@code inter.broker.listener.name} (the listener name whose advertised endpoint followers connect to),
 * and the static values of the replication throttles ({@code Long.MAX_VALUE}: none) with the windows
 * their rates are measured over. {@code interBrokerTls} is that listener's TLS settings when it is
 * an SSL or SASL_SSL listener (followers then connect over TLS), else null; {@code interBrokerLogin}
 * the SASL/PLAIN login followers use on a SASL listener, else null.
 */
public record ReplicationConfig(String interBrokerListener, long lagTimeMaxMs, int numFetchers,
                                int fetchMaxBytes, int fetchResponseMaxBytes, int fetchWaitMaxMs, int fetchBackoffMs,
                                int socketTimeoutMs, long leaderThrottledRate, long followerThrottledRate,
                                int quotaWindows, long quotaWindowMs, TlsConfig interBrokerTls,
                                PlainUsers.Login interBrokerLogin) {
}
