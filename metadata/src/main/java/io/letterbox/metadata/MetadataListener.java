package io.letterbox.metadata;

import io.letterbox.metadata.image.MetadataImage;

/**
 * Told about every new image, on the single metadata publisher thread, in log order.
 *
 * <p>A controller write completes only after every listener has seen the image containing it,
 * so a listener must never block waiting for a controller future (that would deadlock).
 * An exception thrown by a listener is logged and does not stop delivery.
 */
public interface MetadataListener {
    void onImage(MetadataImage previous, MetadataImage next);
}
