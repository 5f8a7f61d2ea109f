package io.letterbox.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A broker (re-)registers: replaces any earlier registration with the same id. A new
 * incarnation id means the broker process restarted.
 */
public record RegisterBrokerRecord(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack)
        implements MetadataRecord {
    public RegisterBrokerRecord {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }

    @Override
    public RecordType type() {
        return RecordType.REGISTER_BROKER;
    }
}
