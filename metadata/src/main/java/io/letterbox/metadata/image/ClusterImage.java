package io.letterbox.metadata.image;

import java.util.Map;

/**
 * The registered brokers as of an image, by id. Immutable; the map is unmodifiable and sorted by
 * broker id.
 *
 * <p>Broker liveness (heartbeats, fencing) is not tracked yet: every registered broker counts
 * as available for placement.
 */
public record ClusterImage(Map<Integer, BrokerRegistration> brokers) {
    public static final ClusterImage EMPTY = new ClusterImage(Map.of());

    /** The broker with this id, or null. */
    public BrokerRegistration broker(int id) {
        return brokers.get(id);
    }
}
