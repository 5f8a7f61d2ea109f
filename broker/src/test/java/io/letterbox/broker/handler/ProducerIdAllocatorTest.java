package io.letterbox.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.errors.NotControllerException;
import org.junit.jupiter.api.Test;

class ProducerIdAllocatorTest {

    /** Reservations the test completes by hand, in the order they were asked for. */
    private static final class ManualReserver implements ProducerIdAllocator.BlockReserver {
        final List<CompletableFuture<Long>> asked = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Long> reserve(int size) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            asked.add(f);
            return f;
        }

        synchronized CompletableFuture<Long> last() {
            return asked.get(asked.size() - 1);
        }
    }

    @Test
    void theFirstCallerWaitsForTheFirstBlockThenIdsAreConsecutive() throws Exception {
        ManualReserver reserver = new ManualReserver();
        ProducerIdAllocator allocator = new ProducerIdAllocator(reserver, 10);

        CompletableFuture<Long> first = allocator.allocate();
        assertThat(first).isNotDone();
        reserver.last().complete(100L);

        assertThat(first.get(1, TimeUnit.SECONDS)).isEqualTo(100L);
        assertThat(allocator.allocate().join()).isEqualTo(101L);
        assertThat(allocator.allocate().join()).isEqualTo(102L);
        assertThat(reserver.asked).hasSize(1);
    }

    @Test
    void theNextBlockIsReservedAheadOnceAndUsedWhenTheCurrentRunsOut() {
        // Given a block of 10 ids starting at 0
        ManualReserver reserver = new ManualReserver();
        ProducerIdAllocator allocator = new ProducerIdAllocator(reserver, 10);
        CompletableFuture<Long> first = allocator.allocate();
        reserver.last().complete(0L);
        first.join();

        // When most of it is used, one reservation goes out ahead of need
        for (int i = 1; i <= 7; i++) {
            assertThat(allocator.allocate().join()).isEqualTo(i);
        }
        assertThat(reserver.asked).hasSize(2);
        allocator.allocate().join();
        assertThat(reserver.asked).hasSize(2);
        reserver.last().complete(5000L);

        // Then the block is used up, and the next id comes from the new block without waiting
        assertThat(allocator.allocate().join()).isEqualTo(9L);
        CompletableFuture<Long> next = allocator.allocate();
        assertThat(next).isCompletedWithValue(5000L);
    }

    @Test
    void aFailedReservationFailsItsWaitersAndTheNextCallTriesAgain() throws Exception {
        ManualReserver reserver = new ManualReserver();
        ProducerIdAllocator allocator = new ProducerIdAllocator(reserver, 10);
        CompletableFuture<Long> a = allocator.allocate();
        CompletableFuture<Long> b = allocator.allocate();
        assertThat(reserver.asked).hasSize(1);

        reserver.last().completeExceptionally(new NotControllerException("no leader"));

        assertThatThrownBy(() -> a.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotControllerException.class);
        assertThatThrownBy(b::join).hasCauseInstanceOf(NotControllerException.class);
        CompletableFuture<Long> c = allocator.allocate();
        assertThat(reserver.asked).hasSize(2);
        reserver.last().complete(40L);
        assertThat(c.get(1, TimeUnit.SECONDS)).isEqualTo(40L);
    }

    @Test
    void concurrentCallersNeverGetTheSameId() throws Exception {
        // Given reservations that complete on another thread, like the controller's
        AtomicLong nextBlock = new AtomicLong();
        ExecutorService controller = Executors.newSingleThreadExecutor();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            ProducerIdAllocator allocator = new ProducerIdAllocator(
                    size -> CompletableFuture.supplyAsync(() -> nextBlock.getAndAdd(size), controller), 7);
            Set<Long> ids = ConcurrentHashMap.newKeySet();
            List<Future<?>> done = new ArrayList<>();

            // When 8 threads take 500 ids each
            for (int t = 0; t < 8; t++) {
                done.add(callers.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        ids.add(allocator.allocate().join());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }

            // Then every id is distinct and none lies outside a reserved block
            assertThat(ids).hasSize(4000);
            assertThat(ids).allMatch(id -> id < nextBlock.get());
        } finally {
            callers.shutdownNow();
            controller.shutdownNow();
            assertThat(callers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(controller.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
