package io.letterbox.storage.log;

import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group commit for fsync: callers ask for "this log durable up to offset N" and get a future; one
 * daemon thread repeatedly takes every request waiting at that moment, fsyncs each distinct log once
 * (up to the largest offset asked of it) and completes all their futures. Requests that arrive during
 * an fsync are covered by the next round, so under load one fsync answers many produce requests.
 *
 * <p>Done means: when a future completes normally, everything below the requested offset of that log is
 * fsynced ({@link Log#flush}). A failed fsync fails that log's futures with {@link KafkaStorageException}.
 * Futures complete on the flusher thread: callers must not block in their continuations.
 *
 * <p>The logs of one round are fsynced in parallel ({@value #FSYNC_THREADS} at a time): an fsync
 * waits on the disk, not the CPU, so several partitions' fsyncs overlap instead of queueing.
 *
 * <p>Thread-safety: {@link #flush} may be called from any thread.
 */
public final class GroupCommit implements Closeable {

    private record Request(Log log, long offset, CompletableFuture<Void> future) {
    }

    static final int FSYNC_THREADS = 4;

    private final Object lock = new Object();
    private final ExecutorService fsyncs;
    private final Thread thread;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong logFlushes = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private List<Request> waiting = new ArrayList<>();
    private boolean closed;

    public GroupCommit(String threadName) {
        fsyncs = Executors.newFixedThreadPool(FSYNC_THREADS, r -> {
            Thread t = new Thread(r, threadName + "-fsync");
            t.setDaemon(true);
            return t;
        });
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A future completed once {@code log} is fsynced below {@code upToOffsetExclusive}; already if it is.
     * An offset above the log end fails the future with IllegalArgumentException.
     */
    public CompletableFuture<Void> flush(Log log, long upToOffsetExclusive) {
        if (upToOffsetExclusive <= log.flushedOffset()) {
            return CompletableFuture.completedFuture(null);
        }
        if (upToOffsetExclusive > log.logEndOffset()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("Cannot flush " + log.topicPartition()
                    + " up to " + upToOffsetExclusive + ": log end is " + log.logEndOffset()));
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new KafkaStorageException("Group commit is closed"));
            }
            waiting.add(new Request(log, upToOffsetExclusive, future));
            requests.incrementAndGet();
            lock.notifyAll();
        }
        return future;
    }

    private void run() {
        while (true) {
            List<Request> batch;
            synchronized (lock) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (waiting.isEmpty()) {
                    return;
                }
                batch = waiting;
                waiting = new ArrayList<>();
            }
            process(batch);
        }
    }

    private void process(List<Request> batch) {
        rounds.incrementAndGet();
        Map<Log, Long> targets = new IdentityHashMap<>();
        for (Request r : batch) {
            targets.merge(r.log(), r.offset(), Math::max);
        }
        Map<Log, RuntimeException> failures = new IdentityHashMap<>();
        if (targets.size() == 1) {
            targets.forEach((log, offset) -> flushOne(log, offset, failures));
        } else {
            List<Future<?>> running = new ArrayList<>(targets.size());
            targets.forEach((log, offset) -> running.add(fsyncs.submit(() -> flushOne(log, offset, failures))));
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    // flushOne records its own failures; nothing else can be thrown.
                }
            }
        }
        for (Request r : batch) {
            RuntimeException failure = failures.get(r.log());
            if (failure != null) {
                r.future().completeExceptionally(failure);
            } else if (r.offset() <= r.log().flushedOffset()) {
                r.future().complete(null);
            } else {
                r.future().completeExceptionally(new KafkaStorageException("Log " + r.log().topicPartition()
                        + " was truncated below " + r.offset() + " before it could be flushed"));
            }
        }
    }

    private void flushOne(Log log, long offset, Map<Log, RuntimeException> failures) {
        try {
            if (offset > log.flushedOffset()) {
                log.flush(offset);
                logFlushes.incrementAndGet();
            }
        } catch (KafkaStorageException ex) {
            synchronized (failures) {
                failures.put(log, ex);
            }
        } catch (RuntimeException ex) {
            synchronized (failures) {
                failures.put(log, new KafkaStorageException("Flush of " + log.topicPartition() + " failed", ex));
            }
        }
    }

    /** Rounds run so far (each takes every waiting request). */
    public long rounds() {
        return rounds.get();
    }

    /** Log fsyncs performed so far (at most one per distinct log per round). */
    public long logFlushes() {
        return logFlushes.get();
    }

    /** Requests that had to wait for a round (those already durable are not counted). */
    public long requests() {
        return requests.get();
    }

    /** Serves the requests already waiting, then stops the thread; later requests fail. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(10_000);
            fsyncs.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Request> left;
        synchronized (lock) {
            left = waiting;
            waiting = new ArrayList<>();
        }
        for (Request r : left) {
            r.future().completeExceptionally(new KafkaStorageException("Group commit closed before the flush"));
        }
    }
}
