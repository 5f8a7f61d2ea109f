package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import io.letterbox.metadata.controller.Controller;

/**
 * Hands out producer ids from blocks reserved in the metadata log, so an id is never reused,
 * even after a restart. The next block is reserved when a third of the current one is left,
 * so a producer rarely waits for the metadata log. Thread-safe.
 */
public final class ProducerIdAllocator {

    static final int BLOCK_SIZE = 1000;

    private final Controller controller;
    private long next;
    private long end; // exclusive
    private CompletableFuture<Long> nextBlock;

    public ProducerIdAllocator(Controller controller) {
        this.controller = controller;
    }

    /** The next unused producer id. */
    public synchronized CompletableFuture<Long> allocate() {
        if (next < end) {
            long id = next++;
            if (end - next < BLOCK_SIZE / 3 && nextBlock == null) {
                nextBlock = controller.allocateProducerIds(BLOCK_SIZE);
            }
            return CompletableFuture.completedFuture(id);
        }
        if (nextBlock == null) {
            nextBlock = controller.allocateProducerIds(BLOCK_SIZE);
        }
        CompletableFuture<Long> pending = nextBlock;
        return pending.thenCompose(first -> {
            synchronized (this) {
                if (nextBlock == pending) {
                    nextBlock = null;
                    next = first;
                    end = first + BLOCK_SIZE;
                }
            }
            return allocate();
        });
    }
}
