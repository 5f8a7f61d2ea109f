package io.letterbox.broker.partition;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;

import io.letterbox.storage.log.GroupCommit;
import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogAppendInfo;

/**
 * One partition this broker leads: its log, its leader epoch and its high watermark.
 *
 * <p>The high watermark is what consumers may read and what {@code acks=all} waits for. With
 * {@code flush.on.ack} (the default) it advances only to the fsynced offset, so a record is
 * acknowledged and readable only once a crash can no longer lose it; without it, it follows the
 * log end at once (Kafka's page-cache behaviour on a single node). Replication will add "and
 * every in-sync replica has it" to the same rule.
 *
 * <p>Thread-safe: appends are serialized by the log; high watermark moves happen under this
 * object's lock; listeners run on the thread that moved it.
 */
public final class Partition {

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Log log;
    private final GroupCommit groupCommit;
    private final Consumer<Partition> highWatermarkListener;
    private final PriorityQueue<AckWaiter> ackWaiters = new PriorityQueue<>(Comparator.comparingLong(AckWaiter::offset));
    private volatile int leaderEpoch;

    Partition(TopicPartition topicPartition, Uuid topicId, int leaderEpoch, Log log, GroupCommit groupCommit,
            Consumer<Partition> highWatermarkListener) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.groupCommit = groupCommit;
        this.highWatermarkListener = highWatermarkListener;
        becomeLeader(leaderEpoch);
        // After a crash the log may hold recovered batches past its recovery point: make them
        // durable before anyone may read them.
        makeDurable();
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

    void setLeaderEpoch(int epoch) {
        if (epoch != leaderEpoch) {
            becomeLeader(epoch);
        }
    }

    /** Starts a leader epoch at the log end, so OffsetForLeaderEpoch can answer for it (KIP-101). */
    private void becomeLeader(int epoch) {
        this.leaderEpoch = epoch;
        if (log.latestEpoch().orElse(-1) < epoch) {
            log.assignEpochStartOffset(epoch);
        }
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
        LogAppendInfo info = log.appendAsLeader(records, leaderEpoch, nowMs);
        // A duplicate also goes through here: its original may not be durable yet.
        makeDurable();
        return info;
    }

    /** Requests an fsync of everything appended (under flush.on.ack), then moves the high watermark. */
    private void makeDurable() {
        long end = log.logEndOffset();
        if (log.config().flushOnAck() && log.flushedOffset() < end) {
            groupCommit.flush(log, end).whenComplete((ok, error) -> {
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

    /** Moves the high watermark to what is durable now, wakes waiting acks and fetches. */
    void advanceHighWatermark() {
        boolean moved;
        ArrayDeque<AckWaiter> ready = new ArrayDeque<>();
        synchronized (this) {
            long target = log.config().flushOnAck() ? log.flushedOffset() : log.logEndOffset();
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
        for (AckWaiter w : ready) {
            if (w.truncations == truncations) {
                w.future.complete(null);
            } else {
                w.future.completeExceptionally(truncatedBelow(w.offset));
            }
        }
    }

    private void failWaiters(Throwable error) {
        ArrayDeque<AckWaiter> failed;
        synchronized (this) {
            failed = new ArrayDeque<>(ackWaiters);
            ackWaiters.clear();
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        KafkaStorageException storageError = cause instanceof KafkaStorageException kse ? kse
                : new KafkaStorageException("fsync failed for " + topicPartition, cause);
        for (AckWaiter w : failed) {
            w.future.completeExceptionally(storageError);
        }
    }

    /** Fails every waiting acknowledgement: the partition is going away. */
    void close(Throwable reason) {
        failWaiters(reason);
    }

    private record AckWaiter(long offset, long truncations, CompletableFuture<Void> future) {
        AckWaiter(long offset, long truncations) {
            this(offset, truncations, new CompletableFuture<>());
        }
    }
}
