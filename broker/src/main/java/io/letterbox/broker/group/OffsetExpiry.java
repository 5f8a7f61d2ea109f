package io.letterbox.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes committed offsets nobody needs any more ({@code offsets.retention.minutes}), every
 * {@code offsets.retention.check.interval.ms}, as Kafka's group metadata cleanup does: for each
 * group, the offsets its {@link OffsetRules} say have outlived the retention are tombstoned; then a
 * group with neither members nor offsets left is deleted (a tombstone for its metadata), so that it
 * no longer lists. Offsets of a group with members that read their topics are kept.
 *
 * <p>Tombstones go through the same log and fsync path as commits, so a restart does not bring
 * expired offsets back. Runs on its own thread, one pass at a time; quiet unless it removed
 * something. Thread-safe.
 */
public final class OffsetExpiry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OffsetExpiry.class);
    /** How long a pass waits for its tombstones to be durable before it moves on. */
    private static final long WRITE_WAIT_MS = 30_000;

    private final GroupMetadataManager offsets;
    private final GroupRegistry registry;
    private final long retentionMs;
    private final ScheduledExecutorService executor;

    public OffsetExpiry(GroupMetadataManager offsets, GroupRegistry registry, long retentionMs) {
        this.offsets = offsets;
        this.registry = registry;
        this.retentionMs = retentionMs;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "offsets-expiry");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a pass every {@code intervalMs}, the first one interval from now. */
    public void start(long intervalMs) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                expire(System.currentTimeMillis());
            } catch (RuntimeException e) {
                log.error("Offset expiry pass failed", e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** What one pass removed. */
    public record Pass(int offsets, int groups) {
    }

    /**
     * One pass over every group of the partitions loaded here, as of {@code nowMs}. Returns once
     * its tombstones are durable (or after {@link #WRITE_WAIT_MS}).
     */
    public Pass expire(long nowMs) {
        long start = System.nanoTime();
        int expired = 0;
        List<String> unused = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String groupId : registry.groupIds()) {
            try {
                OffsetsShard.Expiry e = offsets.expire(groupId, registry.offsetRules(groupId), retentionMs, nowMs);
                expired += e.expired();
                writes.add(e.written());
                if (e.noneLeft()) {
                    unused.add(groupId);
                }
            } catch (ApiException e) {
                // Deleted or moved meanwhile: nothing to expire here.
            }
        }
        await(writes);
        writes.clear();
        int deleted = 0;
        for (String groupId : unused) {
            try {
                writes.add(registry.deleteIfUnused(groupId, nowMs));
                deleted++;
            } catch (ApiException e) {
                // Members joined or offsets were committed since: the group is in use.
            }
        }
        await(writes);
        if (expired > 0 || deleted > 0) {
            log.info("Expired {} committed offsets and removed {} unused groups in {} ms", expired, deleted,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return new Pass(expired, deleted);
    }

    private static void await(List<CompletableFuture<Void>> writes) {
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(WRITE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A failed tombstone leaves the offset in place; the next pass tries again.
            log.warn("Some offset expiry writes failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
