package io.letterbox.metadata.image;

import io.letterbox.metadata.record.Endpoint;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker: its id, the incarnation (one per process start), the listeners clients
 * reach it on, and its rack (null if none). Immutable.
 */
public record BrokerRegistration(int id, Uuid incarnationId, List<Endpoint> endpoints, String rack) {
    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }
}
