package io.letterbox.storage.log;

import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * waits on the disk, not the CPU, so several partitions' fsyncs overlap instead of queueing. Where the
 * JDK and operating system offer it ({@link FileSystemSync}), the logs of one log directory that need
 * only their active segment's data made durable share one sync of their file system instead: each
 * fsync has a fixed price in CPU and in time, and a round of many partitions pays it once.
 *
 * <p>A request nobody waits on ({@link #flushSoon}: an acks=1 append, whose readers wait only for
 * the high watermark) may wait for company: under load, when the last round took at least
 * {@value #LINGER_MIN_REQUESTS} requests and no {@link #flush} request waits, the next round starts
 * no sooner than {@value #LINGER_MS} ms after the last one began. Each fsync costs this machine's
 * CPU a fixed price whatever it writes, so fewer, larger rounds leave more CPU to the clients; a
 * lone request (one record at a time) never waits.
 *
 * <p>Thread-safety: {@link #flush} and {@link #flushSoon} may be called from any thread.
 */
public final class GroupCommit implements Closeable {

    private record Request(Log log, long offset, CompletableFuture<Void> future) {
    }

    static final int FSYNC_THREADS = 4;
    static final int LINGER_MS = 5;
    static final int LINGER_MIN_REQUESTS = 4;

    private final Object lock = new Object();
    private final long lingerNs;
    private final ExecutorService fsyncs;
    private final Thread thread;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong logFlushes = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong fileSystemSyncs = new AtomicLong();
    /** By log directory; used by the flusher thread only, closed once it has stopped. */
    private final Map<Path, Optional<FileSystemSync>> syncs = new HashMap<>();
    private volatile boolean fileSystemSyncEnabled = true;
    private List<Request> waiting = new ArrayList<>();
    /** Whether a request in {@link #waiting} came through {@link #flush}: the next round starts at once. */
    private boolean urgent;
    private boolean closed;
    /** Written by the flusher thread only. */
    private long lastRoundStartNs;
    private volatile int lastRoundRequests;

    public GroupCommit(String threadName) {
        this(threadName, LINGER_MS);
    }

    /** With another linger than {@value #LINGER_MS} ms (tests make it long, to see it). */
    GroupCommit(String threadName, long lingerMs) {
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(lingerMs);
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
     * An offset above the log end fails the future with IllegalArgumentException. The next round
     * starts at once.
     */
    public CompletableFuture<Void> flush(Log log, long upToOffsetExclusive) {
        return request(log, upToOffsetExclusive, true);
    }

    /**
     * As {@link #flush}, for an offset nobody is answered on: under load the round may wait up to
     * {@value #LINGER_MS} ms for more requests (see the class comment).
     */
    public CompletableFuture<Void> flushSoon(Log log, long upToOffsetExclusive) {
        return request(log, upToOffsetExclusive, false);
    }

    private CompletableFuture<Void> request(Log log, long upToOffsetExclusive, boolean now) {
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
            // The flusher waits for a first request, or lingers until an urgent one: wake it only then.
            if (now && !urgent || waiting.size() == 1) {
                urgent |= now;
                lock.notifyAll();
            }
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
                if (!linger()) {
                    return;
                }
                batch = waiting;
                waiting = new ArrayList<>();
                urgent = false;
            }
            lastRoundStartNs = System.nanoTime();
            lastRoundRequests = batch.size();
            process(batch);
        }
    }

    /**
     * Under load and with only {@link #flushSoon} requests waiting, waits (holding the lock's monitor)
     * until {@value #LINGER_MS} ms after the last round began or an urgent request comes. False if
     * interrupted.
     */
    private boolean linger() {
        if (lastRoundRequests < LINGER_MIN_REQUESTS) {
            return true;
        }
        long until = lastRoundStartNs + lingerNs;
        long left;
        while (!urgent && !closed && (left = until - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void process(List<Request> batch) {
        rounds.incrementAndGet();
        Map<Log, Long> targets = new IdentityHashMap<>();
        for (Request r : batch) {
            targets.merge(r.log(), r.offset(), Math::max);
        }
        Map<Log, RuntimeException> failures = new IdentityHashMap<>();
        List<Runnable> work = plan(targets, failures);
        if (work.size() == 1) {
            work.get(0).run();
        } else {
            List<Future<?>> running = new ArrayList<>(work.size());
            for (Runnable task : work) {
                running.add(fsyncs.submit(task));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    // The tasks record their own failures; nothing else can be thrown.
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

    /**
     * The round's tasks: one file system sync for the logs of each log directory when two or more of them
     * need only their active segment's data made durable, and one fsync for each other log. An armed
     * {@link FailurePoint#FSYNC} makes every log fsync on its own, where the point sits.
     */
    private List<Runnable> plan(Map<Log, Long> targets, Map<Log, RuntimeException> failures) {
        List<Runnable> work = new ArrayList<>(targets.size());
        Map<FileSystemSync, List<Shared>> shared = new IdentityHashMap<>();
        boolean share = fileSystemSyncEnabled && targets.size() > 1 && !FailurePoint.FSYNC.armed();
        targets.forEach((log, offset) -> {
            if (offset <= log.flushedOffset()) {
                return;
            }
            FileSystemSync sync = share ? fileSystemSync(log) : null;
            Log.SyncTarget target = sync != null ? log.fileSystemSyncTarget(offset) : null;
            if (target == null) {
                work.add(() -> flushOne(log, offset, failures));
            } else {
                shared.computeIfAbsent(sync, k -> new ArrayList<>()).add(new Shared(log, offset, target));
            }
        });
        shared.forEach((sync, logs) -> {
            if (logs.size() == 1) {
                Shared alone = logs.get(0);
                work.add(() -> flushOne(alone.log(), alone.offset(), failures));
            } else {
                work.add(() -> syncTogether(sync, logs, failures));
            }
        });
        return work;
    }

    /** A log made durable by its directory's file system sync, and what that sync covers of it. */
    private record Shared(Log log, long offset, Log.SyncTarget target) {
    }

    private void syncTogether(FileSystemSync sync, List<Shared> logs, Map<Log, RuntimeException> failures) {
        try {
            sync.sync();
        } catch (IOException | RuntimeException e) {
            // The error names no file: each log's own fsync reports it for the right one.
            Log.LOG.warn("File system sync failed ({}); fsyncing each of {} logs instead", e.getMessage(), logs.size());
            for (Shared s : logs) {
                flushOne(s.log(), s.offset(), failures);
            }
            return;
        }
        fileSystemSyncs.incrementAndGet();
        for (Shared s : logs) {
            s.log().fileSystemSynced(s.target());
            logFlushes.incrementAndGet();
        }
    }

    private static void closeQuietly(FileSystemSync sync) {
        try {
            sync.close();
        } catch (IOException e) {
            Log.LOG.warn("Could not close a file system sync: {}", e.getMessage());
        }
    }

    /** The file system sync of the log's directory, opened at first use; null where there is none. */
    private FileSystemSync fileSystemSync(Log log) {
        return syncs.computeIfAbsent(log.dir().getParent(), GroupCommit::openSync).orElse(null);
    }

    private static Optional<FileSystemSync> openSync(Path logDir) {
        try {
            return FileSystemSync.open(logDir);
        } catch (IOException | RuntimeException e) {
            Log.LOG.warn("No file system sync for {} ({}); its logs are fsynced one by one", logDir, e.getMessage());
            return Optional.empty();
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

    /** Requests the latest round took. */
    int lastRoundRequests() {
        return lastRoundRequests;
    }

    /** Log fsyncs performed so far (at most one per distinct log per round). */
    public long logFlushes() {
        return logFlushes.get();
    }

    /** Whether logs may share a sync of their file system ({@code log.flush.syncfs}); true by default. */
    public void fileSystemSync(boolean enabled) {
        fileSystemSyncEnabled = enabled;
    }

    /** File system syncs performed so far, each covering two or more logs of a round. */
    public long fileSystemSyncs() {
        return fileSystemSyncs.get();
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
        if (!thread.isAlive()) {
            // Once the flusher is gone: a descriptor closed under a running sync could be reused.
            for (Optional<FileSystemSync> sync : syncs.values()) {
                sync.ifPresent(GroupCommit::closeQuietly);
            }
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
