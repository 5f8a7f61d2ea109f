package io.letterbox.metadata.record;

import java.util.Objects;

/** The cluster id, written once by the first controller: a 22-character base64 Uuid. */
public record ClusterIdRecord(String clusterId) implements MetadataRecord {
    public ClusterIdRecord {
        Objects.requireNonNull(clusterId, "clusterId");
    }

    @Override
    public RecordType type() {
        return RecordType.CLUSTER_ID;
    }
}
