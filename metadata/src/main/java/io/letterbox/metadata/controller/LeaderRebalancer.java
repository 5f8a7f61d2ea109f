package io.letterbox.metadata.controller;

import io.letterbox.metadata.LeaderBalance;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Paces the automatic leader rebalance on the active controller: one {@link Controller#rebalanceLeaders}
 * per check interval, the first one interval after this node became the active controller (so a cluster
 * that is starting up, its brokers registering one by one, is left to settle first).
 *
 * <p>Not thread-safe: used from the active controller's timer thread only.
 */
public final class LeaderRebalancer {
    private final LeaderBalance config;
    private final LongSupplier clockMs;
    private long nextCheckMs;

    public LeaderRebalancer(LeaderBalance config, LongSupplier clockMs) {
        this.config = Objects.requireNonNull(config, "config");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
    }

    /** This node just became the active controller. */
    public void startLeading() {
        nextCheckMs = clockMs.getAsLong() + config.checkIntervalMs();
    }

    /** Rebalances when a check is due; completes with the number of leaderships moved. */
    public CompletableFuture<Integer> maybeRebalance(Controller controller) {
        long now = clockMs.getAsLong();
        if (!config.enabled() || now < nextCheckMs) {
            return CompletableFuture.completedFuture(0);
        }
        nextCheckMs = now + config.checkIntervalMs();
        return controller.rebalanceLeaders(config.perBrokerPercentage());
    }
}
