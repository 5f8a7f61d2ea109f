package io.letterbox.metadata;

import io.letterbox.metadata.controller.BrokerHeartbeats;
import io.letterbox.metadata.controller.BrokerProbe;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.LeaderRebalancer;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.quorum.MetadataStateMachine;
import io.letterbox.metadata.quorum.QuorumState;
import io.letterbox.metadata.quorum.RatisQuorum;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the metadata quorum: the Raft member, the state machine holding the current
 * {@link MetadataImage}, the publisher feeding {@link MetadataListener}s and the
 * {@link Controller}.
 *
 * <p>Lifecycle: {@link #start} returns once the log is replayed and a leader is known (on a
 * single node: this node, ready to write), and the cluster id exists (written by the leader on
 * the first start). {@link #close} takes a snapshot when anything changed since the last one
 * and stops everything within about a second. A fatal error in the state machine stops the Raft
 * server; writes then fail with NOT_CONTROLLER and {@link #failure()} tells why.
 *
 * <p>Broker liveness: brokers {@link #heartbeat}; while this node is the active controller, a
 * timer fences the registered brokers whose heartbeats stopped for the session timeout and
 * unfences those heard from again ({@link BrokerHeartbeats}), fences at once a silent broker whose
 * process is gone ({@link BrokerProbe}), elects leaders for partitions whose
 * leader is unavailable, and moves leaderships back to preferred replicas ({@link LeaderRebalancer}).
 *
 * <p>Thread-safe. {@link #image()} is a volatile read and never blocks.
 */
public final class MetadataNode implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(MetadataNode.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long FENCING_CHECK_MS = 250;
    private static final int PROBE_CONNECT_TIMEOUT_MS = 1_000;

    private final MetadataConfig config;
    private final MetadataPublisher publisher;
    private final MetadataStateMachine stateMachine;
    private final RatisQuorum quorum;
    private final Controller controller;
    private final StartupTimes startupTimes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Throwable> failure;
    private final BrokerHeartbeats heartbeats;
    private final LeaderRebalancer rebalancer;
    private final ScheduledExecutorService fencingTimer;
    private final BrokerProbe probe = new BrokerProbe(PROBE_CONNECT_TIMEOUT_MS);
    /** Brokers whose probe has not answered yet: one at a time each, so unreachable ones cannot pile up. */
    private final Set<Integer> probing = ConcurrentHashMap.newKeySet();
    private boolean leading;

    private MetadataNode(MetadataConfig config, MetadataPublisher publisher, MetadataStateMachine stateMachine,
                         RatisQuorum quorum, Controller controller, StartupTimes startupTimes,
                         AtomicReference<Throwable> failure, BrokerHeartbeats heartbeats) {
        this.rebalancer = new LeaderRebalancer(config.leaderBalance(),
                () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        this.config = config;
        this.publisher = publisher;
        this.stateMachine = stateMachine;
        this.quorum = quorum;
        this.controller = controller;
        this.startupTimes = startupTimes;
        this.failure = failure;
        this.heartbeats = heartbeats;
        this.fencingTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "letterbox-broker-fencing");
            t.setDaemon(true);
            return t;
        });
    }

    /** On the active controller: writes the fencing changes the heartbeats call for. Timer thread only. */
    private void checkFencing() {
        if (!quorum.isReadyLeader()) {
            leading = false;
            return;
        }
        if (!leading) {
            leading = true;
            heartbeats.startLeading();
            rebalancer.startLeading();
        }
        heartbeats.changes(image().cluster()).forEach((id, fenced) ->
                controller.setFenced(id, fenced).whenComplete((v, e) -> {
                    if (e != null) {
                        log.debug("Could not {} broker {}: {}", fenced ? "fence" : "unfence", id, e.toString());
                    }
                }));
        heartbeats.suspects(image().cluster()).forEach(this::probe);
        // Level-triggered: an election lost to a conflicting change is decided again on the next tick.
        controller.replaceUnavailableLeaders().whenComplete((v, e) -> {
            if (e != null) {
                log.debug("Could not elect leaders: {}", e.toString());
            }
        });
        rebalancer.maybeRebalance(controller).whenComplete((moved, e) -> {
            if (e != null) {
                log.debug("Could not rebalance leaders: {}", e.toString());
            }
        });
    }

    /** Probes a silent broker's Raft address; a refused connection fences it on an immediate check. */
    private void probe(int brokerId, long startMs) {
        InetSocketAddress address = quorum.peerAddress(brokerId);
        if (address == null || !probing.add(brokerId)) {
            return; // not a member of the Raft group (yet): the session timeout decides; or still probed
        }
        probe.probe(address).whenComplete((r, e) -> probing.remove(brokerId)).thenAccept(result -> {
            if (result == BrokerProbe.Result.REFUSED) {
                log.info("Broker {} sent no heartbeat for over {} ms and refuses connections on {}: its process is"
                        + " gone, so it is fenced now rather than at its {} ms session timeout", brokerId,
                        heartbeats.suspectAfterMs(), address, config.brokerSessionTimeoutMs());
                heartbeats.refused(brokerId, startMs);
                try {
                    fencingTimer.execute(this::checkFencing);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
        });
    }

    /**
     * Starts the node and waits until it is ready; on the first start of a cluster, the leader
     * generates and records the cluster id.
     */
    public static MetadataNode start(MetadataConfig config) throws IOException {
        long startNanos = System.nanoTime();
        Files.createDirectories(config.dir());
        MetadataPublisher publisher = new MetadataPublisher();
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        BrokerHeartbeats heartbeats = new BrokerHeartbeats(config.brokerSessionTimeoutMs(),
                () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        MetadataStateMachine stateMachine = new MetadataStateMachine(publisher, e -> fatal.compareAndSet(null, e),
                heartbeats::record);
        RatisQuorum quorum = null;
        Controller controller = null;
        try {
            quorum = RatisQuorum.start(config, stateMachine);
            long serverStartedNanos = System.nanoTime();
            RatisQuorum q = quorum;
            controller = new Controller(q::append, stateMachine::image, config.defaultNumPartitions(),
                    config.defaultReplicationFactor(), config.validator());
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            quorum.awaitReady(START_TIMEOUT);
            long readyNanos = System.nanoTime();
            while (stateMachine.image().clusterId() == null) {
                if (quorum.isReadyLeader()) {
                    controller.ensureClusterId().get(remaining(deadline), TimeUnit.NANOSECONDS);
                } else {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("No cluster id was written within " + START_TIMEOUT.toMillis() + " ms");
                    }
                    Thread.sleep(5);
                }
            }
            long doneNanos = System.nanoTime();
            StartupTimes times = new StartupTimes(Duration.ofNanos(serverStartedNanos - startNanos),
                    Duration.ofNanos(readyNanos - serverStartedNanos), Duration.ofNanos(doneNanos - readyNanos));
            if (fatal.get() != null) {
                throw new IOException("The metadata state machine failed during start-up", fatal.get());
            }
            MetadataNode node = new MetadataNode(config, publisher, stateMachine, quorum, controller, times, fatal,
                    heartbeats);
            node.fencingTimer.scheduleWithFixedDelay(node::checkFencing, FENCING_CHECK_MS, FENCING_CHECK_MS,
                    TimeUnit.MILLISECONDS);
            log.debug("Metadata node {} ready in {} ms: cluster {}, log offset {}, {} topic(s), Raft RPC on {}",
                    config.nodeId(), times.total().toMillis(), stateMachine.image().clusterId(),
                    stateMachine.image().offset(), stateMachine.image().topics().size(), quorum.rpcAddress());
            return node;
        } catch (IOException | RuntimeException | TimeoutException | ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (controller != null) {
                controller.close();
            }
            if (quorum != null) {
                try {
                    quorum.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            publisher.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("Cannot start metadata node " + config.nodeId() + ": " + e.getMessage(),
                    e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    /** The latest applied image. Lock-free. */
    public MetadataImage image() {
        return stateMachine.image();
    }

    /**
     * Adds a listener. It first receives {@code (EMPTY, current image)} before this method
     * returns, then every later image in order, all on the publisher thread.
     */
    public void addListener(MetadataListener listener) {
        publisher.addListener(listener);
    }

    public Controller controller() {
        return controller;
    }

    public MetadataConfig config() {
        return config;
    }

    /** How long {@link #start} took, from its call to ready. */
    public Duration startupTime() {
        return startupTimes.total();
    }

    /** How long each step of {@link #start} took. */
    public StartupTimes startupTimes() {
        return startupTimes;
    }

    /**
     * The steps of {@link #start}: starting the Raft server (its storage, log and snapshot
     * loaded), until a leader is known and the committed log is applied (the election), and
     * until the cluster id exists (on a first start, the leader's first write).
     */
    public record StartupTimes(Duration raftServer, Duration electionAndReplay, Duration clusterId) {
        public Duration total() {
            return raftServer.plus(electionAndReplay).plus(clusterId);
        }
    }

    /** The address the Raft RPC server listens on. */
    public InetSocketAddress rpcAddress() {
        return quorum.rpcAddress();
    }

    /** Why the state machine stopped this node, or null while it is healthy. */
    public Throwable failure() {
        return failure.get();
    }

    /** Whether this node is the metadata leader (the active controller). */
    public boolean isLeader() {
        return quorum.isReadyLeader();
    }

    /** The node id of the active controller as this node knows it, or -1 while there is none. */
    public int leaderId() {
        return quorum.leaderId();
    }

    /** The metadata quorum as its leader sees it (Kafka's DescribeQuorum); fails with NOT_CONTROLLER without a leader. */
    public CompletableFuture<QuorumState> describeQuorum() {
        return quorum.describe();
    }

    /**
     * Tells the active controller that broker {@code brokerId} is alive; fails with
     * NOT_CONTROLLER when no controller could be reached.
     */
    public CompletableFuture<Void> heartbeat(int brokerId) {
        return quorum.heartbeat(brokerId);
    }

    /** Stops the fencing timer, the controller, the Raft server (snapshotting first) and the publisher. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        fencingTimer.shutdownNow();
        probe.close();
        controller.close();
        try {
            quorum.close();
        } catch (IOException | RuntimeException e) {
            log.warn("Closing the metadata Raft server of node {} failed", config.nodeId(), e);
        }
        publisher.close();
    }
}
