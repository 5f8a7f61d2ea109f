package io.letterbox.metadata.quorum;

import io.letterbox.metadata.image.MetadataImage;
import java.util.concurrent.CompletableFuture;

/**
 * Receives each new image from the state machine, in apply order, on the apply thread. Must not
 * block: it hands the image over and returns a future completed once the image was delivered.
 */
@FunctionalInterface
public interface ImagePublisher {
    CompletableFuture<Void> publish(MetadataImage previous, MetadataImage next);
}
