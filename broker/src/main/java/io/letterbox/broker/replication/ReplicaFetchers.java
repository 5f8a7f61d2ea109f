package io.letterbox.broker.replication;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.ReplicationConfig;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.Endpoint;

/**
 * The followers' side of replication: {@code num.replica.fetchers} {@link ReplicaFetcher} threads per
 * leader broker, a partition always on the same one of them, plus the leaders' periodic ISR check
 * (every half {@code replica.lag.time.max.ms}).
 *
 * <p>Thread-safety: {@link #follow}, {@link #retain} and {@link #close} are synchronized; the metadata
 * thread calls the first two, one image at a time.
 */
public final class ReplicaFetchers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetchers.class);

    private final int localId;
    private final ReplicationConfig config;
    private final Supplier<MetadataImage> images;
    private final ReplicationThrottles throttles;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, FollowedPartition> followed = new HashMap<>();
    private final ScheduledExecutorService isrTimer;
    private boolean closed;

    private record FetcherKey(int leaderId, int index) {
    }

    public ReplicaFetchers(int localId, ReplicationConfig config, Supplier<MetadataImage> images,
            ReplicationThrottles throttles) {
        this.localId = localId;
        this.config = config;
        this.images = images;
        this.throttles = throttles;
        this.isrTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "letterbox-isr-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code isrCheck} (leaders drop the followers out of sync) every half replica.lag.time.max.ms. */
    public void startIsrChecks(Runnable isrCheck) {
        long period = Math.max(1, config.lagTimeMaxMs() / 2);
        isrTimer.scheduleWithFixedDelay(() -> {
            try {
                isrCheck.run();
            } catch (RuntimeException e) {
                LOG.warn("ISR check failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Fetches {@code p} from its leader from now on (in place of any earlier leader or epoch). */
    public synchronized void follow(FollowedPartition p) {
        if (closed || p.equals(followed.get(p.topicPartition()))) {
            return;
        }
        stop(p.topicPartition());
        FetcherKey key = new FetcherKey(p.leaderId(),
                Math.floorMod(p.topicPartition().hashCode(), config.numFetchers()));
        ReplicaFetcher fetcher = fetchers.computeIfAbsent(key, k -> {
            ReplicaFetcher f = new ReplicaFetcher(localId, k.leaderId(), k.index(), config, this::endpointOf,
                    images, throttles);
            f.start();
            return f;
        });
        fetcher.add(p);
        followed.put(p.topicPartition(), p);
    }

    /** Stops fetching {@code tp}; on return no fetcher touches its log any more. */
    public synchronized void unfollow(TopicPartition tp) {
        stop(tp);
    }

    /** Stops fetching every partition not in {@code keep}. */
    public synchronized void retain(Set<TopicPartition> keep) {
        for (TopicPartition tp : Set.copyOf(followed.keySet())) {
            if (!keep.contains(tp)) {
                stop(tp);
            }
        }
    }

    private void stop(TopicPartition tp) {
        FollowedPartition before = followed.remove(tp);
        if (before == null) {
            return;
        }
        FetcherKey key = new FetcherKey(before.leaderId(), Math.floorMod(tp.hashCode(), config.numFetchers()));
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher != null) {
            fetcher.remove(tp);
        }
    }

    private InetSocketAddress endpointOf(int brokerId) {
        BrokerRegistration b = images.get().cluster().broker(brokerId);
        if (b == null) {
            return null;
        }
        for (Endpoint e : b.endpoints()) {
            if (e.listenerName().equals(config.interBrokerListener())) {
                return new InetSocketAddress(e.host(), e.port());
            }
        }
        return null;
    }

    /** Stops the ISR checks and every fetcher thread. */
    @Override
    public synchronized void close() {
        closed = true;
        isrTimer.shutdownNow();
        fetchers.values().forEach(ReplicaFetcher::close);
        fetchers.clear();
        followed.clear();
    }
}
