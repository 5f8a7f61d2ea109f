package io.letterbox.metadata;

/**
 * Kafka's automatic leader rebalance settings: whether the active controller moves leaderships back to
 * preferred replicas, how often it checks, and the share of a broker's preferred partitions led elsewhere
 * that it tolerates.
 *
 * @param enabled             {@code auto.leader.rebalance.enable}
 * @param checkIntervalMs     {@code leader.imbalance.check.interval.seconds}, in milliseconds
 * @param perBrokerPercentage {@code leader.imbalance.per.broker.percentage}
 */
public record LeaderBalance(boolean enabled, long checkIntervalMs, int perBrokerPercentage) {
    public static final LeaderBalance DEFAULT = new LeaderBalance(true, 300_000, 10);

    public LeaderBalance {
        if (checkIntervalMs < 1) {
            throw new IllegalArgumentException("checkIntervalMs must be positive: " + checkIntervalMs);
        }
        if (perBrokerPercentage < 0 || perBrokerPercentage > 100) {
            throw new IllegalArgumentException("perBrokerPercentage must be within 0..100: " + perBrokerPercentage);
        }
    }
}
