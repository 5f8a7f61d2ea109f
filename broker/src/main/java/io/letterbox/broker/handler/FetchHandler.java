package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.delayed.DelayedFetches;
import io.letterbox.broker.fetch.FetchSessionCache;
import io.letterbox.broker.fetch.FetchSessionCache.CachedPartition;
import io.letterbox.broker.fetch.FetchSessionCache.FetchSession;
import io.letterbox.broker.Brokers;
import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.broker.replication.ReplicationThrottles;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.storage.log.LogReadInfo;

/**
 * Fetch: reads each partition from its fetch offset up to the high watermark (the last stable
 * offset for read_committed), as file slices that go to the socket without copying. With too
 * little data for {@code min.bytes} it waits, up to {@code max.wait.ms}, for an append to
 * arrive. Sessions of KIP-227 keep incremental fetches small.
 *
 * <p>Limits: {@code max.bytes} over the response, {@code partition.max.bytes} per partition,
 * whole batches only; the first batch of the first non-empty partition is sent even when it is
 * larger, so a consumer never stalls on a big batch.
 *
 * <p>Followers (a replica id, Fetch v15+ ReplicaState) read up to the log end instead; their fetch
 * offset is their position for the ISR and the high watermark, and a log that diverged from this
 * leader's is answered with the epoch and offset to truncate to (DivergingEpoch, KIP-320).
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    /** KIP-951: the first version with a partition's current leader, and with the leaders' endpoints. */
    private static final short CURRENT_LEADER_VERSION = 12;
    private static final short NODE_ENDPOINTS_VERSION = 16;

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;
    private final Brokers brokers;
    private final FetchSessionCache sessions;
    private final DelayedFetches delayed;
    private final ReplicationThrottles throttles;

    public FetchHandler(Supplier<MetadataImage> images, PartitionManager partitions, Brokers brokers,
            FetchSessionCache sessions, DelayedFetches delayed, ReplicationThrottles throttles) {
        this.images = images;
        this.partitions = partitions;
        this.brokers = brokers;
        this.sessions = sessions;
        this.delayed = delayed;
        this.throttles = throttles;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        FetchSessionCache.Opened opened;
        try {
            opened = sessions.open(data);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(FetchResponse.of(ErrorMapping.errorOf(e), 0,
                    data.sessionId(), new LinkedHashMap<>(), List.of()));
        }
        Read read = new Read(context, opened, data.maxBytes(), IsolationLevel.forId(data.isolationLevel()),
                request.replicaId());
        FetchResponseData first = read.run();
        read.followerPositionsRecorded = true;
        if (data.maxWaitMs() <= 0 || read.bytes >= data.minBytes() || read.errors || read.watched.isEmpty()) {
            return CompletableFuture.completedFuture(read.sent(first));
        }
        CompletableFuture<AbstractResponse> answer = new CompletableFuture<>();
        delayed.await(new DelayedFetches.DelayedFetch() {
            @Override
            protected boolean tryComplete() {
                if (!read.dataAvailable()) {
                    return false;
                }
                FetchResponseData now = read.run();
                if (read.bytes >= data.minBytes() || read.errors) {
                    answer.complete(read.sent(now));
                    return true;
                }
                return false;
            }

            @Override
            protected void completeNow() {
                answer.complete(read.sent(read.run()));
            }
        }, read.watched, data.maxWaitMs());
        return answer;
    }

    /** One evaluation of a fetch against the current logs; re-run when a waiting fetch wakes. */
    private final class Read {
        final boolean byId;
        final RequestContext context;
        final FetchSessionCache.Opened opened;
        final int maxBytes;
        final IsolationLevel isolation;
        /** The follower's broker id, or -1 for a consumer. */
        final int replicaId;
        final List<TopicPartition> watched = new ArrayList<>();
        int bytes;
        /** Bytes read for throttled replicas: counted against the leader quota once the response goes out. */
        long throttledBytes;
        boolean errors;
        LeaderHints hints;
        /** A follower's position counts once per request, not again at each re-read of a waiting fetch. */
        boolean followerPositionsRecorded;

        Read(RequestContext context, FetchSessionCache.Opened opened, int maxBytes, IsolationLevel isolation,
                int replicaId) {
            this.byId = context.apiVersion() >= 13;
            this.context = context;
            this.opened = opened;
            this.maxBytes = maxBytes;
            this.isolation = isolation;
            this.replicaId = replicaId;
        }

        /** This response is the one that goes out: the session remembers what it told. */
        FetchResponse sent(FetchResponseData response) {
            FetchSession session = opened.session();
            synchronized (session) {
                session.commitSent();
            }
            if (throttledBytes > 0) {
                throttles.leaderQuota().record(throttledBytes);
            }
            return FetchResponse.of(response);
        }

        /** Cheap check before a full re-read: has any watched partition data past its position? */
        boolean dataAvailable() {
            FetchSession session = opened.session();
            synchronized (session) {
                for (Map.Entry<TopicIdPartition, CachedPartition> e : session.partitions().entrySet()) {
                    TopicPartition tp = new TopicPartition(nameOf(e.getKey()), e.getKey().partition());
                    Partition p = partitions.get(tp);
                    if (p != null && limit(p) > e.getValue().fetchOffset) {
                        return true;
                    }
                }
            }
            return false;
        }

        FetchResponseData run() {
            MetadataImage image = images.get();
            FetchSession session = opened.session();
            bytes = 0;
            throttledBytes = 0;
            errors = false;
            watched.clear();
            Map<Object, FetchResponseData.FetchableTopicResponse> topics = new LinkedHashMap<>();
            FetchResponseData response = new FetchResponseData().setSessionId(session.id());
            hints = null;
            synchronized (session) {
                for (Map.Entry<TopicIdPartition, CachedPartition> e : session.partitions().entrySet()) {
                    TopicIdPartition key = e.getKey();
                    CachedPartition cached = e.getValue();
                    FetchResponseData.PartitionData out = readPartition(image, key, cached);
                    boolean hasRecords = out.records() != null && out.records().sizeInBytes() > 0;
                    boolean error = out.errorCode() != Errors.NONE.code();
                    if (!session.include(opened.full(), cached, hasRecords, error, out.highWatermark(),
                            out.lastStableOffset(), out.logStartOffset())) {
                        continue;
                    }
                    errors |= error;
                    Object topicKey = byId ? key.topicId() : key.topic();
                    topics.computeIfAbsent(topicKey, k -> {
                        FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse()
                                .setTopic(byId ? "" : key.topic()).setTopicId(byId ? key.topicId() : Uuid.ZERO_UUID);
                        response.responses().add(t);
                        return t;
                    }).partitions().add(out);
                }
            }
            if (hints != null && context.apiVersion() >= NODE_ENDPOINTS_VERSION) {
                hints.endpoints().forEach(b -> response.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
                        .setNodeId(b.nodeId()).setHost(b.host()).setPort(b.port()).setRack(b.rack())));
            }
            return response;
        }

        private FetchResponseData.PartitionData readPartition(MetadataImage image, TopicIdPartition key,
                CachedPartition cached) {
            FetchResponseData.PartitionData out = new FetchResponseData.PartitionData()
                    .setPartitionIndex(key.partition()).setHighWatermark(-1).setLastStableOffset(-1)
                    .setLogStartOffset(-1).setRecords(MemoryRecords.EMPTY);
            try {
                String topic = byId ? FetchHandler.nameOf(image, key.topicId()) : key.topic();
                if (topic == null) {
                    throw new UnknownTopicIdException("no topic with id " + key.topicId());
                }
                TopicPartition tp = new TopicPartition(topic, key.partition());
                Partition partition = partitions.leaderOrThrow(image, tp);
                LeaderEpochs.check(cached.currentLeaderEpoch, partition.leaderEpoch());
                if (replicaId >= 0) {
                    EpochEndOffset diverging = divergence(partition, cached);
                    if (diverging != null) {
                        return out.setDivergingEpoch(diverging).setHighWatermark(partition.highWatermark())
                                .setLastStableOffset(partition.lastStableOffset())
                                .setLogStartOffset(partition.log().logStartOffset());
                    }
                    if (!followerPositionsRecorded
                            && !partition.recordFollowerFetch(replicaId, cached.fetchOffset, System.currentTimeMillis())) {
                        throw new NotLeaderOrFollowerException("Broker " + replicaId + " is no replica of " + tp);
                    }
                }
                long limit = limit(partition);
                long hw = partition.highWatermark();
                out.setHighWatermark(hw).setLastStableOffset(partition.lastStableOffset())
                        .setLogStartOffset(partition.log().logStartOffset());
                if (isolation == IsolationLevel.READ_COMMITTED) {
                    out.setAbortedTransactions(new ArrayList<>());
                }
                watched.add(tp);
                long offset = cached.fetchOffset;
                if (offset < partition.log().logStartOffset() || offset > partition.log().logEndOffset()) {
                    throw new OffsetOutOfRangeException("fetch offset " + offset + " is outside "
                            + partition.log().logStartOffset() + ".." + partition.log().logEndOffset());
                }
                int budget = Math.min(cached.maxBytes, maxBytes - bytes);
                boolean throttled = replicaId >= 0 && throttles.leaderThrottled(image, tp, replicaId);
                if (throttled && throttles.leaderQuota().isExceeded()) {
                    return out; // held back until the quota recovers; the follower asks again
                }
                if (offset < limit && budget > 0 || offset < limit && bytes == 0) {
                    LogReadInfo info = partition.log().read(offset, Math.max(budget, 0), limit, bytes == 0);
                    Records records = info.records();
                    out.setRecords(records).setLogStartOffset(info.logStartOffset());
                    bytes += records.sizeInBytes();
                    if (throttled) {
                        throttledBytes += records.sizeInBytes();
                    }
                }
            } catch (NotLeaderOrFollowerException e) {
                out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setRecords(MemoryRecords.EMPTY);
                LeaderHints.Leader leader = context.apiVersion() < CURRENT_LEADER_VERSION ? null
                        : hints(image).leaderOf(new TopicPartition(byId ? FetchHandler.nameOf(image, key.topicId())
                                : key.topic(), key.partition()));
                if (leader != null) {
                    out.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
                            .setLeaderId(leader.id()).setLeaderEpoch(leader.epoch()));
                }
            } catch (RuntimeException e) {
                out.setErrorCode(ErrorMapping.errorOf(e).code()).setRecords(MemoryRecords.EMPTY);
            }
            return out;
        }

        /** Made on the first NOT_LEADER_OR_FOLLOWER only: a fetch from the leader allocates none. */
        private LeaderHints hints(MetadataImage image) {
            if (hints == null) {
                hints = new LeaderHints(image, brokers, context.listenerName);
            }
            return hints;
        }

        /** Followers read up to the log end, consumers up to the high watermark (or the LSO). */
        private long limit(Partition p) {
            if (replicaId >= 0) {
                return p.log().logEndOffset();
            }
            return isolation == IsolationLevel.READ_COMMITTED ? p.lastStableOffset() : p.highWatermark();
        }

        private String nameOf(TopicIdPartition key) {
            return byId ? FetchHandler.nameOf(images.get(), key.topicId()) : key.topic();
        }
    }

    /**
     * KIP-320: where a follower's log stops agreeing with the leader's. Its last batch's epoch ends here
     * before its fetch offset, or the leader has only older epochs: the answer names the epoch and end
     * offset to truncate to. Null when the logs agree (or the follower sent no epoch).
     */
    private static EpochEndOffset divergence(Partition partition, CachedPartition cached) {
        if (cached.lastFetchedEpoch < 0) {
            return null;
        }
        io.letterbox.storage.log.EpochEndOffset end = partition.log().endOffsetForEpoch(cached.lastFetchedEpoch);
        if (end.epoch() == io.letterbox.storage.log.EpochEndOffset.UNDEFINED_EPOCH
                || end.epoch() >= cached.lastFetchedEpoch && end.endOffset() >= cached.fetchOffset) {
            return null;
        }
        return new EpochEndOffset().setEpoch(end.epoch()).setEndOffset(end.endOffset());
    }

    private static String nameOf(MetadataImage image, Uuid id) {
        TopicImage t = image.topics().byId().get(id);
        return t == null ? null : t.name();
    }
}
