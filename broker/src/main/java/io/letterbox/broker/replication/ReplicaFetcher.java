package io.letterbox.broker.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.ReplicationConfig;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.storage.log.Log;

/**
 * One thread fetching a set of partitions from one leader broker with the Fetch API, as Kafka's
 * followers do: each partition from its log end, with the epoch of its last batch (Fetch v12+), so
 * the leader answers a diverging log with the epoch and offset to truncate to (KIP-320). Fetched
 * batches are appended as they are ({@link Log#appendAsFollower}); the leader's high watermark
 * (capped at the local log end) becomes the local one.
 *
 * <p>Thread-safety: {@link #add}/{@link #remove} may be called from any thread. Responses are applied
 * under the same lock, so once {@link #remove} returns this thread no longer touches that log; a
 * response for a partition removed or re-added meanwhile is dropped.
 */
final class ReplicaFetcher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    /** v15+: the follower names itself with ReplicaState; v13+ topics by id. */
    private static final short FETCH_VERSION = 16;
    private static final long PARTITION_ERROR_BACKOFF_MS = 20;
    /** How long a fetcher whose partitions are all throttled waits before it looks at the quota again. */
    private static final long THROTTLED_PAUSE_MS = 100;

    private final int localId;
    private final int leaderId;
    private final ReplicationConfig config;
    private final IntFunction<InetSocketAddress> endpoints;
    private final Supplier<MetadataImage> images;
    private final ReplicationThrottles throttles;
    private final Thread thread;
    private final Object lock = new Object();
    private final Map<TopicPartition, FollowedPartition> partitions = new HashMap<>();
    private volatile boolean running = true;
    private volatile LeaderConnection connection;
    private boolean failing;

    /** @param endpoints the leader's inter-broker endpoint, or null while it is unknown */
    ReplicaFetcher(int localId, int leaderId, int index, ReplicationConfig config,
            IntFunction<InetSocketAddress> endpoints, Supplier<MetadataImage> images, ReplicationThrottles throttles) {
        this.localId = localId;
        this.leaderId = leaderId;
        this.config = config;
        this.endpoints = endpoints;
        this.images = images;
        this.throttles = throttles;
        this.thread = new Thread(this, "letterbox-replica-fetcher-" + leaderId + "-" + index);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void add(FollowedPartition p) {
        synchronized (lock) {
            partitions.put(p.topicPartition(), p);
            lock.notifyAll();
        }
    }

    /** Stops fetching {@code tp}; on return no response touches its log any more. */
    FollowedPartition remove(TopicPartition tp) {
        synchronized (lock) {
            return partitions.remove(tp);
        }
    }

    @Override
    public void run() {
        while (running) {
            Map<TopicPartition, FollowedPartition> sent;
            synchronized (lock) {
                while (running && partitions.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                sent = new LinkedHashMap<>(partitions);
            }
            if (!running) {
                return;
            }
            try {
                fetchOnce(sent);
                if (failing) {
                    failing = false;
                    LOG.info("Fetching from broker {} again", leaderId);
                }
            } catch (IOException | RuntimeException e) {
                closeConnection();
                if (!failing) {
                    failing = true;
                    LOG.warn("Fetching from broker {} failed, will retry: {}", leaderId, e.toString());
                }
                backOff();
            }
        }
        closeConnection();
    }

    private void fetchOnce(Map<TopicPartition, FollowedPartition> sent) throws IOException {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        Map<Uuid, String> topicNames = new HashMap<>();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        MetadataImage image = images.get();
        boolean overQuota = throttles.followerQuota().isExceeded();
        Set<TopicPartition> throttled = null; // made only when a throttle applies
        for (FollowedPartition p : sent.values()) {
            if (throttles.followerThrottled(image, p.topicPartition())) {
                if (overQuota) {
                    continue;
                }
                if (throttled == null) {
                    throttled = new HashSet<>();
                }
                throttled.add(p.topicPartition());
            }
            Log log = p.log();
            long offset = log.logEndOffset();
            offsets.put(p.topicPartition(), offset);
            topicNames.put(p.topicId(), p.topicPartition().topic());
            data.put(p.topicPartition(), new FetchRequest.PartitionData(p.topicId(), offset, log.logStartOffset(),
                    config.fetchMaxBytes(), Optional.of(p.leaderEpoch()),
                    log.latestEpoch().isPresent() ? Optional.of(log.latestEpoch().getAsInt()) : Optional.empty()));
        }
        if (data.isEmpty()) {
            // Every partition is throttled and the quota is spent: look again once it may have recovered.
            pause(THROTTLED_PAUSE_MS);
            return;
        }
        FetchRequest request = FetchRequest.Builder.forReplica(FETCH_VERSION, localId, -1L,
                config.fetchWaitMaxMs(), 1, data).setMaxBytes(config.fetchResponseMaxBytes()).build(FETCH_VERSION);
        FetchResponse response = connection().fetch(request);
        if (response.error() != Errors.NONE) {
            throw new IOException("Fetch from broker " + leaderId + " answered " + response.error());
        }
        boolean backOff = false;
        long throttledBytes = 0;
        synchronized (lock) {
            for (Map.Entry<TopicPartition, FetchResponseData.PartitionData> e
                    : response.responseData(topicNames, FETCH_VERSION).entrySet()) {
                FollowedPartition p = partitions.get(e.getKey());
                if (p == null || p != sent.get(e.getKey()) || p.log().logEndOffset() != offsets.get(e.getKey())) {
                    continue;
                }
                if (throttled != null && throttled.contains(e.getKey())) {
                    throttledBytes += FetchResponse.recordsSize(e.getValue());
                }
                backOff |= !apply(p, e.getValue());
            }
        }
        if (throttledBytes > 0) {
            throttles.followerQuota().record(throttledBytes);
        }
        if (backOff) {
            // Most often a leader change the metadata image has not brought here yet: look again soon.
            pause(PARTITION_ERROR_BACKOFF_MS);
        }
    }

    /** Applies one partition's answer; false when it failed and the next fetch should wait. */
    private boolean apply(FollowedPartition p, FetchResponseData.PartitionData answer) {
        Errors error = Errors.forCode(answer.errorCode());
        Log log = p.log();
        if (error == Errors.OFFSET_OUT_OF_RANGE && answer.logStartOffset() > log.logEndOffset()) {
            // The leader's retention removed what this replica lacks: start over where the leader's log starts.
            LOG.info("Restarting {} at {}: the leader's log no longer holds {}", p.topicPartition(),
                    answer.logStartOffset(), log.logEndOffset());
            log.truncateFullyAndStartAt(answer.logStartOffset());
            return true;
        }
        if (error != Errors.NONE) {
            // Mostly a leader change in flight: the metadata image will name the next leader.
            LOG.debug("Fetch of {} from broker {} answered {}", p.topicPartition(), leaderId, error);
            return false;
        }
        FetchResponseData.EpochEndOffset diverging = answer.divergingEpoch();
        if (diverging != null && diverging.epoch() >= 0) {
            long before = log.logEndOffset();
            long after = log.truncateToDivergence(diverging.epoch(), diverging.endOffset());
            LOG.info("Truncated {} from {} to {}: the leader's epoch {} ends at {}", p.topicPartition(), before,
                    after, diverging.epoch(), diverging.endOffset());
            return true;
        }
        MemoryRecords records = (MemoryRecords) FetchResponse.recordsOrFail(answer);
        if (records.sizeInBytes() > 0) {
            log.appendAsFollower(records);
        }
        log.updateHighWatermark(Math.min(answer.highWatermark(), log.logEndOffset()));
        return true;
    }

    private LeaderConnection connection() throws IOException {
        if (connection == null) {
            InetSocketAddress address = endpoints.apply(leaderId);
            if (address == null) {
                throw new IOException("Broker " + leaderId + " has no endpoint on listener "
                        + config.interBrokerListener());
            }
            connection = new LeaderConnection(address, config.socketTimeoutMs(), config.interBrokerTls(),
                    config.interBrokerLogin());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void backOff() {
        pause(Math.max(1, config.fetchBackoffMs()));
    }

    private void pause(long ms) {
        synchronized (lock) {
            try {
                lock.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** Stops the thread and waits for it (bounded by a fetch's wait and the socket timeout). */
    void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        thread.interrupt();
        LeaderConnection c = connection;
        if (c != null) {
            c.close(); // unblocks a read waiting for the leader
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
