package io.letterbox.broker.group;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs a group coordinator's deadlines (sessions, rebalance timeouts,
 * delays) and the completions it hands off. A task that throws is logged and the thread goes on;
 * cancelled tasks leave the queue at once, since most deadlines are cancelled by a heartbeat.
 */
public final class GroupTimer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupTimer.class);

    private final ScheduledThreadPoolExecutor executor;

    public GroupTimer(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} after {@code delayMs}. */
    public ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        return executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("Group timer task failed", e);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Cancels a task from {@link #schedule}, if any. */
    public static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Runs tasks on this thread; after {@link #close()} they are dropped (nothing waits for them then). */
    public Executor executor() {
        return task -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                // Closed.
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
