package io.letterbox.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Sets ({@code value != null}) or removes ({@code value == null}) one config override.
 * Resource type is TOPIC (name = topic name) or BROKER (name = broker id, or "" for the
 * cluster-wide default).
 */
public record ConfigRecord(ConfigResource.Type resourceType, String resourceName, String key, String value)
        implements MetadataRecord {
    public ConfigRecord {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(key, "key");
        if (resourceType != ConfigResource.Type.TOPIC && resourceType != ConfigResource.Type.BROKER) {
            throw new IllegalArgumentException("Unsupported config resource type " + resourceType);
        }
    }

    @Override
    public RecordType type() {
        return RecordType.CONFIG;
    }
}
