package io.letterbox.metadata.image;

import java.util.Map;
import java.util.TreeMap;

/**
 * The registered brokers as of an image, by id. Immutable; the map is unmodifiable and sorted by
 * broker id.
 */
public record ClusterImage(Map<Integer, BrokerRegistration> brokers) {
    public static final ClusterImage EMPTY = new ClusterImage(Map.of());

    /** The broker with this id, or null. */
    public BrokerRegistration broker(int id) {
        return brokers.get(id);
    }

    /** The unfenced brokers, by id: those clients are told of and new replicas go to. */
    public Map<Integer, BrokerRegistration> liveBrokers() {
        Map<Integer, BrokerRegistration> live = new TreeMap<>();
        brokers.forEach((id, b) -> {
            if (!b.fenced()) {
                live.put(id, b);
            }
        });
        return live;
    }
}
