package io.letterbox.metadata.image;

import io.letterbox.metadata.record.Endpoint;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker: its id, the incarnation (one per process start), the listeners clients
 * reach it on, its rack (null if none), and whether the controller fenced it because its
 * heartbeats stopped. A (re-)registration is unfenced. Immutable.
 */
public record BrokerRegistration(int id, Uuid incarnationId, List<Endpoint> endpoints, String rack, boolean fenced) {
    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }

    /** A new, unfenced registration. */
    public BrokerRegistration(int id, Uuid incarnationId, List<Endpoint> endpoints, String rack) {
        this(id, incarnationId, endpoints, rack, false);
    }

    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(id, incarnationId, endpoints, rack, newFenced);
    }
}
