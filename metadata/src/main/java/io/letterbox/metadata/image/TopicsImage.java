package io.letterbox.metadata.image;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * All topics as of an image, indexed by name and by id (both maps hold the same
 * {@link TopicImage} instances). Immutable; the maps are unmodifiable.
 */
public record TopicsImage(Map<String, TopicImage> byName, Map<Uuid, TopicImage> byId) {
    public static final TopicsImage EMPTY = new TopicsImage(Map.of(), Map.of());

    /** The topic with this name, or null. */
    public TopicImage get(String name) {
        return byName.get(name);
    }

    /** The topic with this id, or null. */
    public TopicImage get(Uuid id) {
        return byId.get(id);
    }

    public int size() {
        return byName.size();
    }
}
