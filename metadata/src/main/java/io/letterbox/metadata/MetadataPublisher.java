package io.letterbox.metadata;

import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.quorum.ImagePublisher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers images to {@link MetadataListener}s on one thread ("letterbox-metadata-publisher"),
 * in the order the state machine applied them. A listener added late first receives
 * {@code (EMPTY, last published image)}, ordered with respect to the other deliveries, so it
 * never misses nor repeats a change.
 *
 * <p>Thread-safe.
 */
final class MetadataPublisher implements ImagePublisher {
    private static final Logger log = LoggerFactory.getLogger(MetadataPublisher.class);

    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;
    private volatile Thread thread;
    /** The last image delivered; publisher thread only. */
    private MetadataImage last = MetadataImage.EMPTY;

    MetadataPublisher() {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "letterbox-metadata-publisher");
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    @Override
    public CompletableFuture<Void> publish(MetadataImage previous, MetadataImage next) {
        try {
            return CompletableFuture.runAsync(() -> {
                last = next;
                for (MetadataListener l : listeners) {
                    deliver(l, previous, next);
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Adds a listener and waits until it has received {@code (EMPTY, current)}. */
    void addListener(MetadataListener listener) {
        Runnable add = () -> {
            listeners.add(listener);
            deliver(listener, MetadataImage.EMPTY, last);
        };
        if (Thread.currentThread() == thread) {
            add.run();
            return;
        }
        try {
            CompletableFuture.runAsync(add, executor).get();
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The metadata node is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while adding a metadata listener", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Adding a metadata listener failed", e.getCause());
        }
    }

    private static void deliver(MetadataListener l, MetadataImage previous, MetadataImage next) {
        try {
            l.onImage(previous, next);
        } catch (RuntimeException e) {
            log.error("Metadata listener {} failed on the image at offset {}", l, next.offset(), e);
        }
    }

    void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
