package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.CorruptCheckpointException;
import io.letterbox.storage.checkpoint.OffsetCheckpointFile;
import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Compacts the logs whose {@code cleanup.policy} contains {@code compact}, on {@code log.cleaner.threads}
 * background threads. Each round a thread takes the dirtiest log not being cleaned whose dirty ratio is at
 * least {@code min.cleanable.dirty.ratio}, or whose oldest dirty record is older than
 * {@code max.compaction.lag.ms}, or, failing those, one holding a tombstone whose delete horizon has
 * passed; it cleans it with its {@link Cleaner} and records where the dirty section now starts. With
 * nothing to do it waits {@code log.cleaner.backoff.ms}.
 *
 * <p>Each log directory holds, in Kafka's format ({@link OffsetCheckpointFile}):
 * <pre>
 * cleaner-offset-checkpoint    per compacted partition: the first offset not cleaned yet
 * </pre>
 * written (durably) after each round, so a restart does not clean from zero again.
 *
 * <p>A log whose cleaning fails unexpectedly is marked uncleanable with one WARN line and skipped until
 * the next start; the other logs go on. Logs whose directory is offline are skipped; a failed rename
 * while swapping takes the log's directory offline like any other I/O error of the log.
 *
 * <p>Thread-safety: thread-safe. {@link #start} and {@link #close} are called once each.
 */
public final class LogCleaner implements Closeable {

    public static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    private static final long THROTTLE_CHECK_INTERVAL_MS = 300;

    /** The broker's {@code log.cleaner.*} settings. */
    public record Config(int threads, long backoffMs, long dedupeBufferSize, double ioMaxBytesPerSecond) {
        public Config {
            if (threads < 1 || backoffMs < 0 || dedupeBufferSize <= 0 || !(ioMaxBytesPerSecond > 0)) {
                throw new IllegalArgumentException("Bad cleaner config " + threads + ", " + backoffMs + ", "
                        + dedupeBufferSize + ", " + ioMaxBytesPerSecond);
            }
        }
    }

    private final Config config;
    private final Supplier<Collection<Log>> logs;
    private final Time time;
    private final Throttler throttler;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final Set<TopicPartition> uncleanable = new HashSet<>();
    private final Map<Path, Map<TopicPartition, Long>> checkpoints = new HashMap<>();
    private final Map<TopicPartition, Long> deleteHorizons = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    /** @param logs the logs to consider, with their topic's config (the partitions this broker holds) */
    public LogCleaner(Config config, Supplier<Collection<Log>> logs, Time time) {
        this.config = config;
        this.logs = logs;
        this.time = time;
        this.throttler = new Throttler(config.ioMaxBytesPerSecond(), THROTTLE_CHECK_INTERVAL_MS, time);
    }

    public void start() {
        long perThread = config.dedupeBufferSize() / config.threads();
        for (int i = 0; i < config.threads(); i++) {
            Cleaner cleaner = new Cleaner(new OffsetMap(perThread), throttler, time, () -> stopping);
            Thread t = new Thread(() -> run(cleaner), "letterbox-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(Cleaner cleaner) {
        while (!stopping) {
            boolean cleaned;
            try {
                cleaned = cleanFilthiest(cleaner);
            } catch (RuntimeException e) {
                LOG.error("Log cleaner round failed", e);
                cleaned = false;
            }
            if (!cleaned) {
                synchronized (lock) {
                    if (!stopping) {
                        try {
                            lock.wait(Math.max(1, config.backoffMs()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** One round: cleans the filthiest log, if any is cleanable. Returns whether one was cleaned. */
    boolean cleanFilthiest(Cleaner cleaner) {
        LogToClean target = grabFilthiest(time.milliseconds());
        if (target == null) {
            return false;
        }
        Log log = target.log();
        TopicPartition tp = log.topicPartition();
        try {
            LOG.debug("Cleaning {} from offset {} to {} (dirty ratio {})", tp, target.firstDirtyOffset(),
                    target.firstUncleanableOffset(), String.format("%.2f", target.dirtyRatio()));
            long startNs = time.nanoseconds();
            Cleaner.Result result = cleaner.clean(target);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(time.nanoseconds() - startNs);
            LOG.debug("Cleaned {} up to offset {}: {} segments, {} bytes read, {} written, {} ms", tp,
                    result.nextDirtyOffset(), result.segmentsCleaned(), result.bytesRead(), result.bytesWritten(),
                    tookMs);
            done(log, result.nextDirtyOffset(), result.earliestDeleteHorizon());
            return true;
        } catch (CancellationException stop) {
            return false;
        } catch (IOException e) {
            if (StorageFaults.isOutOfSpace(e)) {
                // The cleaned copy did not fit; it was removed and the log is as it was. Try again later.
                LOG.warn("Could not clean {}: {}", tp, e.getMessage());
                return false;
            }
            markUncleanable(log, e);
            return false;
        } catch (RuntimeException e) {
            markUncleanable(log, e);
            return false;
        } finally {
            synchronized (lock) {
                inProgress.remove(tp);
            }
        }
    }

    private void markUncleanable(Log log, Exception e) {
        // A closed log (its topic deleted) or an offline one (its directory failed) is no cleaner fault.
        if (!log.isClosed() && !log.isOffline()) {
            LOG.warn("Marking {} uncleanable after an unexpected failure: {}", log.topicPartition(), e.toString());
            LOG.debug("stack trace", e);
            synchronized (lock) {
                uncleanable.add(log.topicPartition());
            }
        }
    }

    /** Picks and marks in progress the log to clean next, or null. */
    LogToClean grabFilthiest(long nowMs) {
        synchronized (lock) {
            LogToClean best = null;
            LogToClean tombstonesDue = null;
            for (Log log : logs.get()) {
                TopicPartition tp = log.topicPartition();
                LogConfig cfg = log.config();
                if (!cfg.cleanupPolicy().contains(LogConfig.CLEANUP_POLICY_COMPACT) || log.isClosed()
                        || log.isOffline() || inProgress.contains(tp) || uncleanable.contains(tp)) {
                    continue;
                }
                LogToClean candidate;
                try {
                    candidate = LogToClean.measure(log, checkpointOf(log), nowMs);
                } catch (IOException | RuntimeException e) {
                    if (!log.isClosed()) {
                        LOG.warn("Marking {} uncleanable: could not measure it: {}", tp, e.toString());
                        uncleanable.add(tp);
                    }
                    continue;
                }
                boolean dirty = candidate.firstUncleanableOffset() > candidate.firstDirtyOffset();
                if (dirty && (candidate.mustClean() || candidate.dirtyRatio() >= cfg.minCleanableDirtyRatio())) {
                    if (best == null || candidate.mustClean() && !best.mustClean()
                            || candidate.mustClean() == best.mustClean() && candidate.dirtyRatio() > best.dirtyRatio()) {
                        best = candidate;
                    }
                } else if (deleteHorizons.getOrDefault(tp, Long.MAX_VALUE) <= nowMs && tombstonesDue == null) {
                    tombstonesDue = candidate;
                }
            }
            LogToClean chosen = best != null ? best : tombstonesDue;
            if (chosen != null) {
                inProgress.add(chosen.log().topicPartition());
            }
            return chosen;
        }
    }

    /** Where the dirty section of {@code log} starts, per the checkpoint (0 if unknown). */
    long checkpointOf(Log log) {
        synchronized (lock) {
            return dirCheckpoints(log.dir().getParent()).getOrDefault(log.topicPartition(), 0L);
        }
    }

    private Map<TopicPartition, Long> dirCheckpoints(Path dir) {
        return checkpoints.computeIfAbsent(dir, d -> {
            try {
                return new LinkedHashMap<>(new OffsetCheckpointFile(d.resolve(CHECKPOINT_FILE)).read());
            } catch (CorruptCheckpointException e) {
                LOG.warn("{}; cleaning the compacted logs of {} from their start", e.getMessage(), d);
                return new LinkedHashMap<>();
            } catch (IOException e) {
                LOG.warn("Could not read {}: {}", d.resolve(CHECKPOINT_FILE), e.toString());
                return new LinkedHashMap<>();
            }
        });
    }

    /** Records a round's result and writes the directory's checkpoint (durably), dropping deleted logs. */
    private void done(Log log, long nextDirtyOffset, OptionalLong earliestHorizon) {
        synchronized (lock) {
            TopicPartition tp = log.topicPartition();
            if (earliestHorizon.isPresent()) {
                deleteHorizons.put(tp, earliestHorizon.getAsLong());
            } else {
                deleteHorizons.remove(tp);
            }
            Path dir = log.dir().getParent();
            Map<TopicPartition, Long> offsets = dirCheckpoints(dir);
            offsets.put(tp, nextDirtyOffset);
            offsets.keySet().removeIf(p -> !Files.isDirectory(dir.resolve(p.topic() + "-" + p.partition())));
            try {
                new OffsetCheckpointFile(dir.resolve(CHECKPOINT_FILE)).write(offsets);
            } catch (IOException e) {
                LOG.warn("Could not write {}: {}", dir.resolve(CHECKPOINT_FILE), e.toString());
            }
        }
    }

    /** Stops the threads; a cleaning in progress is abandoned (its {@code .cleaned} files removed). */
    @Override
    public void close() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("{} did not stop within 30 s", t.getName());
            }
        }
    }
}
