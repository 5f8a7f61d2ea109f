package io.letterbox.broker.partition;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.metadata.controller.IsrChange;
import io.letterbox.metadata.image.PartitionImage;

import io.letterbox.storage.log.GroupCommit;
import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogAppendInfo;

/**
 * One partition this broker leads: its log, its leader epoch, its replicas and its high watermark.
 *
 * <p>The high watermark is what consumers may read and what {@code acks=all} waits for. With
 * {@code flush.on.ack} (the default) it advances only to the fsynced offset, so a record is
 * acknowledged and readable only once a crash can no longer lose it; without it, it follows the
 * log end at once (Kafka's page-cache behaviour). With followers it also waits until every in-sync
 * replica holds the record ({@link ReplicaSet}); it never goes back.
 *
 * <p>ISR: followers' fetches report their positions ({@link #recordFollowerFetch}); a follower that
 * caught up is added, one out of sync for {@code replica.lag.time.max.ms} removed, each through the
 * controller ({@link IsrRequests}); the ISR in force is the one in the metadata image. {@code acks=all}
 * needs {@code min.insync.replicas} in the ISR: before the append (NOT_ENOUGH_REPLICAS) and when it is
 * acknowledged (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
 *
 * <p>Thread-safe: appends are serialized by the log; high watermark moves happen under this
 * object's lock; listeners run on the thread that moved it.
 */
public final class Partition {

    /** Sends a leader's ISR change to the controller; completes with its answer. */
    public interface IsrRequests {
        CompletableFuture<ApiError> request(IsrChange change);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);
    private static final long ISR_RETRY_BACKOFF_MS = 500;

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Log log;
    private final GroupCommit groupCommit;
    private final Consumer<Partition> highWatermarkListener;
    private final PriorityQueue<AckWaiter> ackWaiters = new PriorityQueue<>(Comparator.comparingLong(AckWaiter::offset));
    private final int localId;
    private final IsrRequests isrRequests;
    private final ReplicaSet replicas;
    private volatile int leaderEpoch;
    private volatile long leaderEpochStartOffset;
    private volatile int isrSize;
    private volatile boolean replicated;
    /** After a refused ISR request, none is sent before this time (ms): the refusal usually needs a new image. */
    private volatile long nextIsrRequestMs;

    Partition(TopicPartition topicPartition, Uuid topicId, int localId, PartitionImage image, Log log,
            GroupCommit groupCommit, Consumer<Partition> highWatermarkListener, IsrRequests isrRequests, long nowMs) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localId = localId;
        this.log = log;
        this.groupCommit = groupCommit;
        this.highWatermarkListener = highWatermarkListener;
        this.isrRequests = isrRequests;
        this.replicas = new ReplicaSet(localId);
        synchronized (this) {
            updateReplicas(image, nowMs);
        }
        becomeLeader(image.leaderEpoch());
        // After a crash the log may hold recovered batches past its recovery point: make them
        // durable before anyone may read them.
        makeDurable(true);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public Log log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Follows a new image of this partition, which this broker still leads. */
    void update(PartitionImage image, long nowMs) {
        synchronized (this) {
            updateReplicas(image, nowMs);
        }
        if (image.leaderEpoch() != leaderEpoch) {
            becomeLeader(image.leaderEpoch());
        }
        // A smaller ISR may let the high watermark move.
        advanceHighWatermark();
    }

    private void updateReplicas(PartitionImage image, long nowMs) {
        replicas.update(image.replicas(), image.isr(), image.partitionEpoch(), nowMs);
        isrSize = image.isr().length;
        replicated = image.replicas().length > 1;
    }

    /** Starts a leader epoch at the log end, so OffsetForLeaderEpoch can answer for it (KIP-101). */
    private void becomeLeader(int epoch) {
        this.leaderEpoch = epoch;
        if (log.latestEpoch().orElse(-1) < epoch) {
            log.assignEpochStartOffset(epoch);
        }
        Long start = log.epochEntries().get(epoch);
        leaderEpochStartOffset = start == null ? log.logEndOffset() : start;
    }

    /** acks=all needs min.insync.replicas in the ISR before anything is appended. */
    public void checkEnoughReplicas() {
        int min = log.config().minInsyncReplicas();
        if (isrSize < min) {
            throw new NotEnoughReplicasException("The ISR of " + topicPartition + " has " + isrSize
                    + " replica(s), fewer than min.insync.replicas " + min);
        }
    }

    /**
     * A follower fetched at {@code position}: it holds everything below. May add it to the ISR (through
     * the controller) and move the high watermark. Returns false when {@code replicaId} is no replica.
     */
    public boolean recordFollowerFetch(int replicaId, long position, long nowMs) {
        int[] expanded;
        int partitionEpoch;
        synchronized (this) {
            if (!replicas.recordFetch(replicaId, position, log.logEndOffset(), nowMs)) {
                return false;
            }
            expanded = nowMs < nextIsrRequestMs ? null
                    : replicas.expansionFor(replicaId, log.highWatermark(), leaderEpochStartOffset);
            partitionEpoch = replicas.partitionEpoch();
            if (expanded != null) {
                replicas.setPending(expanded);
            }
        }
        if (expanded != null) {
            requestIsr(expanded, partitionEpoch, "caught up: add " + replicaId);
        }
        advanceHighWatermark();
        return true;
    }

    /** Drops from the ISR the followers out of sync for longer than {@code lagMs} (through the controller). */
    void shrinkIsr(long nowMs, long lagMs) {
        int[] shrunk;
        int partitionEpoch;
        synchronized (this) {
            shrunk = nowMs < nextIsrRequestMs ? null : replicas.shrinkage(nowMs, lagMs);
            partitionEpoch = replicas.partitionEpoch();
            if (shrunk != null) {
                replicas.setPending(shrunk);
            }
        }
        if (shrunk != null) {
            requestIsr(shrunk, partitionEpoch, "out of sync for " + lagMs + " ms");
        }
    }

    private void requestIsr(int[] isr, int partitionEpoch, String why) {
        LOG.info("Asking to set the ISR of {} to {} ({})", topicPartition, java.util.Arrays.toString(isr), why);
        List<Integer> members = new java.util.ArrayList<>(isr.length);
        for (int id : isr) {
            members.add(id);
        }
        isrRequests.request(new IsrChange(topicId, topicPartition.partition(), localId, leaderEpoch, partitionEpoch,
                members)).whenComplete((answer, error) -> {
                    if (error != null || answer.error() != Errors.NONE) {
                        LOG.debug("The ISR change of {} was refused: {}", topicPartition,
                                error != null ? error.toString() : answer.messageWithFallback());
                        synchronized (this) {
                            nextIsrRequestMs = System.currentTimeMillis() + ISR_RETRY_BACKOFF_MS;
                            replicas.clearPending(isr);
                        }
                    }
                    // Accepted: the image that carries it (or the newer change that won) settles it.
                });
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** Transactions are not supported yet, so nothing is ever open: the LSO is the HW. */
    public long lastStableOffset() {
        return log.highWatermark();
    }

    /**
     * Appends a produce request's records as leader. On return the batch is in the page cache;
     * the high watermark follows once it is durable (see the class comment).
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records, long nowMs) {
        LogAppendInfo info = appendAsLeaderBeforeFsync(records, nowMs);
        makeDurable(true);
        return info;
    }

    /**
     * Appends as leader without asking for the fsync: the caller calls {@link #makeDurable} next, once
     * it has appended to every partition of its request, so that one group commit round covers them
     * all. Asked after each append, the first partition's fsync could start a round that the others of
     * the same request then wait out before their own.
     */
    public LogAppendInfo appendAsLeaderBeforeFsync(MemoryRecords records, long nowMs) {
        LogAppendInfo info = log.appendAsLeader(records, leaderEpoch, nowMs);
        if (replicated) {
            // Followers waiting at the log end fetch it now.
            highWatermarkListener.accept(this);
        }
        return info;
    }

    /**
     * Requests an fsync of everything appended (under flush.on.ack), then moves the high watermark.
     * A duplicate append also needs it: its original may not be durable yet. {@code answerWaits} false
     * (an acks=0 or acks=1 produce, answered once appended) lets the fsync wait, under load, to share a
     * round ({@link GroupCommit#flushSoon}).
     */
    public void makeDurable(boolean answerWaits) {
        long end = log.logEndOffset();
        if (log.config().flushOnAck() && log.flushedOffset() < end) {
            (answerWaits ? groupCommit.flush(log, end) : groupCommit.flushSoon(log, end)).whenComplete((ok, error) -> {
                if (error != null) {
                    failWaiters(error);
                } else {
                    advanceHighWatermark();
                }
            });
        } else {
            advanceHighWatermark();
        }
    }

    /** Completes once the high watermark reaches {@code offset}: the acks=all promise. */
    public CompletableFuture<Void> awaitHighWatermark(long offset) {
        return awaitHighWatermark(offset, log.truncations());
    }

    /**
     * The acks=all promise for an append: completes once the high watermark covers it, fails with
     * KAFKA_STORAGE_ERROR if the log was truncated since (a failed fsync cut the batch, and its
     * offsets may now hold other records).
     */
    public CompletableFuture<Void> awaitHighWatermark(LogAppendInfo appended) {
        return awaitHighWatermark(appended.lastOffset() + 1, appended.truncations());
    }

    private CompletableFuture<Void> awaitHighWatermark(long offset, long truncations) {
        synchronized (this) {
            if (log.truncations() != truncations) {
                return CompletableFuture.failedFuture(truncatedBelow(offset));
            }
            if (log.highWatermark() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            AckWaiter waiter = new AckWaiter(offset, truncations);
            ackWaiters.add(waiter);
            return waiter.future;
        }
    }

    private KafkaStorageException truncatedBelow(long offset) {
        return new KafkaStorageException("The log of " + topicPartition + " was truncated below " + offset
                + " before it was durable");
    }

    /** Moves the high watermark to what is durable here and held by the ISR now, wakes waiting acks and fetches. */
    void advanceHighWatermark() {
        boolean moved;
        ArrayDeque<AckWaiter> ready = new ArrayDeque<>();
        synchronized (this) {
            long local = log.config().flushOnAck() ? log.flushedOffset() : log.logEndOffset();
            long target = replicas.highWatermarkBound(local);
            long before = log.highWatermark();
            if (target > before) {
                log.updateHighWatermark(target);
            }
            long hw = log.highWatermark();
            moved = hw > before;
            while (!ackWaiters.isEmpty() && ackWaiters.peek().offset <= hw) {
                ready.add(ackWaiters.poll());
            }
        }
        // Fetches are woken before acks complete, so a producer told "acked" finds readers already woken.
        if (moved) {
            highWatermarkListener.accept(this);
        }
        long truncations = log.truncations();
        int min = log.config().minInsyncReplicas();
        for (AckWaiter w : ready) {
            if (w.truncations != truncations) {
                w.future.completeExceptionally(truncatedBelow(w.offset));
            } else if (isrSize < min) {
                w.future.completeExceptionally(new NotEnoughReplicasAfterAppendException("The ISR of "
                        + topicPartition + " shrank to " + isrSize + ", below min.insync.replicas " + min));
            } else {
                w.future.complete(null);
            }
        }
    }

    /** Fails every waiting acknowledgement with KAFKA_STORAGE_ERROR: the fsync they waited for failed. */
    private void failWaiters(Throwable fsyncError) {
        Throwable cause = fsyncError instanceof java.util.concurrent.CompletionException && fsyncError.getCause() != null
                ? fsyncError.getCause() : fsyncError;
        failAll(cause instanceof KafkaStorageException kse ? kse
                : new KafkaStorageException("fsync failed for " + topicPartition, cause));
    }

    private void failAll(ApiException error) {
        ArrayDeque<AckWaiter> failed;
        synchronized (this) {
            failed = new ArrayDeque<>(ackWaiters);
            ackWaiters.clear();
        }
        for (AckWaiter w : failed) {
            w.future.completeExceptionally(error);
        }
    }

    /**
     * Fails every waiting acknowledgement with {@code reason}, the error the producer is answered
     * (NOT_LEADER_OR_FOLLOWER when leadership moved, so it looks for the new leader and retries):
     * the partition is going away from this broker.
     */
    void close(ApiException reason) {
        failAll(reason);
    }

    private record AckWaiter(long offset, long truncations, CompletableFuture<Void> future) {
        AckWaiter(long offset, long truncations) {
            this(offset, truncations, new CompletableFuture<>());
        }
    }
}
