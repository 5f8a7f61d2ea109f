package io.letterbox.broker.delayed;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;

/**
 * Long-poll fetches waiting for data ({@code max.wait.ms}, {@code min.bytes}). A waiting fetch
 * watches its partitions; a high watermark move on any of them wakes it to check again, and its
 * deadline completes it with whatever is there. Nothing polls.
 *
 * <p>Thread-safe: watchers are woken on the thread that moved the high watermark, deadlines
 * fire on one timer thread.
 */
public final class DelayedFetches implements AutoCloseable {

    private final ConcurrentHashMap<TopicPartition, Set<DelayedFetch>> watchers = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer;

    public DelayedFetches() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "letterbox-fetch-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** A fetch that waits: {@link #tryComplete()} answers it if enough is there now. */
    public abstract static class DelayedFetch {
        private boolean done;
        private Collection<TopicPartition> watched = Set.of();
        private java.util.concurrent.ScheduledFuture<?> deadline;
        private DelayedFetches owner;

        /** Re-reads; returns true and answers when the fetch is satisfied. Called under the lock. */
        protected abstract boolean tryComplete();

        /** Answers with what is there now. Called under the lock, once. */
        protected abstract void completeNow();

        final synchronized void wake() {
            if (!done && tryComplete()) {
                finish();
            }
        }

        final synchronized void expire() {
            if (!done) {
                completeNow();
                finish();
            }
        }

        private void finish() {
            done = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            owner.unwatch(this, watched);
        }
    }

    /**
     * Parks a fetch until data arrives on one of its partitions or {@code maxWaitMs} passes. It is
     * checked once right after parking, so a move that raced with the first read is not missed.
     */
    public void await(DelayedFetch fetch, Collection<TopicPartition> partitions, long maxWaitMs) {
        synchronized (fetch) {
            fetch.owner = this;
            fetch.watched = partitions;
            for (TopicPartition tp : partitions) {
                watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(fetch);
            }
            try {
                fetch.deadline = timer.schedule(fetch::expire, maxWaitMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // Shutting down (followers keep fetching until the listeners close): answer at once.
                fetch.expire();
                return;
            }
        }
        fetch.wake();
    }

    /** The high watermark (or log start) of this partition moved: waiting fetches look again. */
    public void onPartitionChanged(TopicPartition tp) {
        Set<DelayedFetch> set = watchers.get(tp);
        if (set != null) {
            for (DelayedFetch fetch : set) {
                fetch.wake();
            }
        }
    }

    private void unwatch(DelayedFetch fetch, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            watchers.computeIfPresent(tp, (k, set) -> {
                set.remove(fetch);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Number of fetches waiting, for tests and metrics. */
    public int waiting() {
        return watchers.values().stream().mapToInt(Set::size).sum();
    }

    /** Answers every waiting fetch now (shutdown). */
    @Override
    public void close() {
        for (Set<DelayedFetch> set : watchers.values()) {
            for (DelayedFetch fetch : set) {
                fetch.expire();
            }
        }
        timer.shutdownNow();
    }

    ScheduledExecutorService timer() {
        return timer;
    }
}
