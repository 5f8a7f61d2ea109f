package io.letterbox.broker.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FetchSessionIdNotFoundException;
import org.apache.kafka.common.errors.InvalidFetchSessionEpochException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * Incremental fetch sessions (KIP-227). A consumer's first fetch creates a session holding its
 * partitions and positions; later fetches send only what changed, and responses carry only the
 * partitions with news (records, an error, or a moved high watermark, stable or start offset).
 *
 * <p>At most {@code maxSessions} live at once; when full, the least recently used is evicted
 * and its client falls back to a full fetch after FETCH_SESSION_ID_NOT_FOUND. Thread-safe.
 */
public final class FetchSessionCache {

    private final int maxSessions;
    private final LinkedHashMap<Integer, FetchSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public FetchSessionCache(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    /**
     * Resolves the session a fetch request speaks of and applies its changes.
     *
     * @return the session to read and answer for, and whether this response must list every
     *     partition (a full fetch) or only those with news
     * @throws FetchSessionIdNotFoundException or {@link InvalidFetchSessionEpochException} for the
     *     request as a whole
     */
    public Opened open(FetchRequestData request) {
        int id = request.sessionId();
        int epoch = request.sessionEpoch();
        if (epoch == FetchMetadata.FINAL_EPOCH || epoch == FetchMetadata.INITIAL_EPOCH) {
            if (id != FetchMetadata.INVALID_SESSION_ID) {
                remove(id);
            }
            FetchSession session = new FetchSession(FetchMetadata.INVALID_SESSION_ID);
            session.update(request.topics(), java.util.List.of());
            if (epoch == FetchMetadata.INITIAL_EPOCH) {
                session = register(session);
            }
            return new Opened(session, true);
        }
        FetchSession session;
        synchronized (this) {
            session = sessions.get(id);
        }
        if (session == null) {
            throw new FetchSessionIdNotFoundException("fetch session " + id + " not found");
        }
        session.advance(epoch, request.topics(), request.forgottenTopicsData());
        return new Opened(session, false);
    }

    /** A session as one request sees it. */
    public record Opened(FetchSession session, boolean full) {
    }

    private synchronized FetchSession register(FetchSession fullSession) {
        if (sessions.size() >= maxSessions) {
            var eldest = sessions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = fullSession.withId(id);
        sessions.put(id, session);
        return session;
    }

    private synchronized void remove(int id) {
        sessions.remove(id);
    }

    public synchronized int size() {
        return sessions.size();
    }

    /** One session: its partitions in request order, with what the client last heard of each. */
    public static final class FetchSession {
        private final int id;
        private final LinkedHashMap<TopicIdPartition, CachedPartition> partitions;
        private int nextEpoch = 1;

        private FetchSession(int id) {
            this(id, new LinkedHashMap<>());
        }

        private FetchSession(int id, LinkedHashMap<TopicIdPartition, CachedPartition> partitions) {
            this.id = id;
            this.partitions = partitions;
        }

        private FetchSession withId(int newId) {
            return new FetchSession(newId, partitions);
        }

        /** The id to answer with; 0 for a sessionless fetch. */
        public int id() {
            return id;
        }

        /** The partitions to read, in order. Callers hold the session's lock while using them. */
        public Map<TopicIdPartition, CachedPartition> partitions() {
            return partitions;
        }

        private synchronized void advance(int epoch, java.util.List<FetchRequestData.FetchTopic> topics,
                java.util.List<FetchRequestData.ForgottenTopic> forgotten) {
            if (epoch != nextEpoch) {
                throw new InvalidFetchSessionEpochException(
                        "fetch session " + id + " expected epoch " + nextEpoch + " but got " + epoch);
            }
            nextEpoch = FetchMetadata.nextEpoch(nextEpoch);
            update(topics, forgotten);
        }

        private void update(java.util.List<FetchRequestData.FetchTopic> topics,
                java.util.List<FetchRequestData.ForgottenTopic> forgotten) {
            for (FetchRequestData.ForgottenTopic t : forgotten) {
                for (int p : t.partitions()) {
                    partitions.remove(key(t.topicId(), t.topic(), p));
                }
            }
            for (FetchRequestData.FetchTopic t : topics) {
                for (FetchRequestData.FetchPartition p : t.partitions()) {
                    TopicIdPartition key = key(t.topicId(), t.topic(), p.partition());
                    CachedPartition cached = partitions.get(key);
                    if (cached == null) {
                        partitions.put(key, new CachedPartition(p));
                    } else {
                        cached.update(p);
                    }
                }
            }
        }

        /**
         * Whether the partition goes into the response being built. The offsets are remembered as
         * pending; {@link #commitSent()} makes them what the client has heard, once that response
         * is really sent (a waiting fetch may build several before it answers).
         */
        public boolean include(boolean full, CachedPartition cached, boolean hasRecords, boolean error,
                long highWatermark, long lastStableOffset, long logStartOffset) {
            boolean changed = highWatermark != cached.sentHighWatermark
                    || lastStableOffset != cached.sentLastStableOffset
                    || logStartOffset != cached.sentLogStartOffset;
            cached.pendingHighWatermark = highWatermark;
            cached.pendingLastStableOffset = lastStableOffset;
            cached.pendingLogStartOffset = logStartOffset;
            return full || hasRecords || error || changed;
        }

        /** The last built response was sent: its offsets are now what the client knows. */
        public void commitSent() {
            for (CachedPartition cached : partitions.values()) {
                cached.sentHighWatermark = cached.pendingHighWatermark;
                cached.sentLastStableOffset = cached.pendingLastStableOffset;
                cached.sentLogStartOffset = cached.pendingLogStartOffset;
            }
        }

        private static TopicIdPartition key(Uuid id, String topic, int partition) {
            return new TopicIdPartition(id == null ? Uuid.ZERO_UUID : id, partition, topic == null ? "" : topic);
        }
    }

    /** A partition's fetch position and limits, as the client last set them. */
    public static final class CachedPartition {
        public long fetchOffset;
        public int maxBytes;
        public int currentLeaderEpoch;
        /** The epoch of the last batch a follower holds (Fetch v12+), -1 when unknown or a consumer. */
        public int lastFetchedEpoch;
        long sentHighWatermark = -1;
        long sentLastStableOffset = -1;
        long sentLogStartOffset = -1;
        long pendingHighWatermark = -1;
        long pendingLastStableOffset = -1;
        long pendingLogStartOffset = -1;

        CachedPartition(FetchRequestData.FetchPartition p) {
            update(p);
        }

        void update(FetchRequestData.FetchPartition p) {
            fetchOffset = p.fetchOffset();
            maxBytes = p.partitionMaxBytes();
            currentLeaderEpoch = p.currentLeaderEpoch();
            lastFetchedEpoch = p.lastFetchedEpoch();
        }
    }
}
