package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids from blocks reserved in the metadata log, so an id is never reused,
 * even after a restart or by another broker. The next block is reserved while a third of the
 * current one is left, so a producer rarely waits for the metadata log.
 *
 * <p>A failed reservation fails only the callers waiting for it; the next call tries again.
 * Thread-safe: state changes under this object's lock; reservations complete on any thread.
 */
public final class ProducerIdAllocator {

    /** Reserves {@code size} ids; completes with the first, once the reservation is committed. */
    @FunctionalInterface
    public interface BlockReserver {
        CompletableFuture<Long> reserve(int size);
    }

    static final int BLOCK_SIZE = 1000;

    private final BlockReserver reserver;
    private final int blockSize;
    private final int refillBelow;
    private long next;
    private long end; // exclusive; next == end: the current block is used up
    private long spareFirst = -1; // a reserved block not yet in use, or -1
    private CompletableFuture<Long> reserving; // in flight, or done but not yet taken in

    public ProducerIdAllocator(BlockReserver reserver) {
        this(reserver, BLOCK_SIZE);
    }

    ProducerIdAllocator(BlockReserver reserver, int blockSize) {
        this.reserver = reserver;
        this.blockSize = blockSize;
        this.refillBelow = Math.max(1, blockSize / 3);
    }

    /** The next unused producer id; completes at once unless a block must be reserved first. */
    public CompletableFuture<Long> allocate() {
        CompletableFuture<Long> waitFor;
        synchronized (this) {
            takeInReservation();
            if (next == end && spareFirst >= 0) {
                next = spareFirst;
                end = spareFirst + blockSize;
                spareFirst = -1;
            }
            if (next < end) {
                long id = next++;
                if (end - next < refillBelow && spareFirst < 0 && reserving == null) {
                    reserving = reserver.reserve(blockSize);
                }
                return CompletableFuture.completedFuture(id);
            }
            if (reserving == null) {
                reserving = reserver.reserve(blockSize);
            }
            waitFor = reserving;
        }
        // Called again once the block is there; a failure goes to this caller only.
        return waitFor.thenCompose(first -> allocate());
    }

    /** A finished reservation becomes the spare block, or is dropped if it failed (caller holds the lock). */
    private void takeInReservation() {
        CompletableFuture<Long> r = reserving;
        if (r == null || !r.isDone()) {
            return;
        }
        reserving = null;
        if (!r.isCompletedExceptionally()) {
            spareFirst = r.join();
        }
    }
}
