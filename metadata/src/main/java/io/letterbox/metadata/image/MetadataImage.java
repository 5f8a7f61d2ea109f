package io.letterbox.metadata.image;

import java.util.Map;

/**
 * The whole cluster metadata at one point of the metadata log.
 *
 * <p>Immutable and safe to share between threads without locks: readers take the current image
 * from a volatile reference once and use it for the whole request. A new image is built by
 * {@link MetadataDelta} and shares every unchanged part with its predecessor.
 *
 * @param offset         log index of the last record batch applied ({@code -1} for {@link #EMPTY})
 * @param clusterId      the cluster id, or null before the first controller wrote it
 * @param cluster        registered brokers
 * @param topics         topics, their partitions and config overrides
 * @param brokerConfigs  broker config overrides by broker id string; key "" holds the cluster-wide
 *                       defaults. Unmodifiable; no empty inner maps.
 * @param nextProducerId the first producer id not yet handed out
 */
public record MetadataImage(long offset, String clusterId, ClusterImage cluster, TopicsImage topics,
                            Map<String, Map<String, String>> brokerConfigs, long nextProducerId) {

    public static final MetadataImage EMPTY =
            new MetadataImage(-1L, null, ClusterImage.EMPTY, TopicsImage.EMPTY, Map.of(), 0L);

    /** The config overrides of this broker id string ("" = cluster default), possibly empty. */
    public Map<String, String> brokerConfig(String resourceName) {
        return brokerConfigs.getOrDefault(resourceName, Map.of());
    }

    /** The same image at another log offset. */
    public MetadataImage withOffset(long newOffset) {
        return new MetadataImage(newOffset, clusterId, cluster, topics, brokerConfigs, nextProducerId);
    }
}
