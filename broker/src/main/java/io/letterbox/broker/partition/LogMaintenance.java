package io.letterbox.broker.partition;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogCleaner;
import io.letterbox.storage.log.LogManager;

/**
 * The periodic work on this broker's logs, all on one thread ({@code letterbox-log-scheduler}):
 * retention over the partitions this broker leads, every {@code log.retention.check.interval.ms};
 * the recovery-point checkpoint of every log directory, every
 * {@code log.flush.offset.checkpoint.interval.ms}; and, on the same thread, the delayed removal of
 * deleted segments that {@link LogManager} schedules ({@link #scheduler()}). Compaction of the
 * partitions whose topic has {@code cleanup.policy=compact} runs on the {@link LogCleaner}'s own threads,
 * started and stopped with these tasks.
 *
 * <p>Retention covers partitions only, not every log on disk: a partition's log carries its topic's
 * config from the metadata image, while a log opened at start-up has the broker defaults until then,
 * and must not be trimmed by them (its topic may keep data forever). The same holds for compaction.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called once each, by the broker's life
 * cycle; the tasks run on the scheduler thread.
 */
public final class LogMaintenance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogMaintenance.class);

    private final ScheduledThreadPoolExecutor scheduler;
    private final Time time;
    private volatile LogCleaner cleaner;

    public LogMaintenance(Time time) {
        this.time = time;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "letterbox-log-scheduler");
            t.setDaemon(true);
            return t;
        });
        // A segment deletion due in a minute must not keep a stopping broker waiting.
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The thread on which {@link LogManager} removes deleted segments after their delay. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Starts the periodic tasks, the first of each one interval from now, and the cleaner if configured. */
    public void start(PartitionManager partitions, LogManager logManager, long retentionCheckIntervalMs,
            long checkpointIntervalMs, Optional<LogCleaner.Config> cleanerConfig) {
        cleanerConfig.ifPresent(c -> {
            cleaner = new LogCleaner(c, () -> partitions.all().stream().map(Partition::log).toList(), time);
            cleaner.start();
        });
        scheduler.scheduleWithFixedDelay(() -> enforceRetention(partitions), retentionCheckIntervalMs,
                retentionCheckIntervalMs, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> checkpoint(logManager), checkpointIntervalMs, checkpointIntervalMs,
                TimeUnit.MILLISECONDS);
    }

    private void enforceRetention(PartitionManager partitions) {
        long now = time.milliseconds();
        for (Partition p : partitions.all()) {
            Log partitionLog = p.log();
            if (partitionLog.isOffline()) {
                continue;
            }
            try {
                partitionLog.enforceRetention(now);
            } catch (RuntimeException e) {
                // One failing log (a disk error, or its topic deleted meanwhile) must not stop the others.
                log.warn("Retention on {} failed: {}", p.topicPartition(), e.getMessage());
            }
        }
    }

    private static void checkpoint(LogManager logManager) {
        try {
            logManager.checkpoint();
        } catch (RuntimeException e) {
            log.warn("Could not checkpoint recovery points: {}", e.getMessage());
        }
    }

    /** Stops the tasks, waiting for one that is running; deletions still due are left to {@link LogManager#close()}. */
    @Override
    public void close() {
        LogCleaner c = cleaner;
        if (c != null) {
            c.close();
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("A log maintenance task did not finish within 30 s of shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
